/* fuzz.h -- helpers shared by the fuzz harnesses in tests/fuzz/.
 *
 * Each harness defines LLVMFuzzerTestOneInput. Built with clang -fsanitize=fuzzer it
 * is a libFuzzer target; linked with driver.c it is a plain program that runs every
 * file named on its command line (or stdin), for AFL++-style fuzzers and for
 * replaying the committed corpora in `make check`.
 *
 * Harnesses only call library entry points that report errors (return -1/NULL and
 * sh_error()); none of them may reach sh_die, so an exit is a finding too. */
#ifndef SHARDS_FUZZ_H
#define SHARDS_FUZZ_H
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* sh_init once: program name, SIGPIPE ignored. */
static inline void fz_init(const char *name)
{
	static int done;
	if (!done) {
		char *argv[] = {(char *)name, NULL};
		sh_init(1, argv);
		done = 1;
	}
}

/* A seekable in-memory file holding DATA, positioned at 0; -1 on failure. */
static inline int fz_memfd(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t off = 0;
	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);
		if (n <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* A pipe already holding DATA (at most the pipe's capacity, raised to 1 MiB when
 * the system allows) with its write end closed: a stream that ends. *used tells
 * how many bytes went in. Returns the read end, or -1. */
static inline int fz_pipe(const uint8_t *data, size_t size, size_t *used)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	int cap = fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
	if (cap < 0)
		cap = fcntl(p[1], F_GETPIPE_SZ);
	if (cap < 0)
		cap = 4096;
	size_t n = size < (size_t)cap ? size : (size_t)cap;
	size_t off = 0;
	while (off < n) {
		ssize_t w = write(p[1], data + off, n - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(p[1]);
	if (used)
		*used = off;
	return p[0];
}

/* The path of a descriptor for library calls that take a name. */
static inline const char *fz_fdpath(int fd, char *buf, size_t cap)
{
	snprintf(buf, cap, "/proc/self/fd/%d", fd);
	return buf;
}

/* The input as a file for library calls that take a path: sh_init once, an
 * in-memory file holding DATA, its path in PATH (64 bytes). The descriptor, or -1. */
static inline int fz_input_file(const char *name, const uint8_t *data, size_t size, char path[64])
{
	fz_init(name);
	int fd = fz_memfd(data, size);
	if (fd >= 0)
		fz_fdpath(fd, path, 64);
	return fd;
}

/* A NUL-terminated copy of the input. */
static inline char *fz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = 0;
	return s;
}

#endif
