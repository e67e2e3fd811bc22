/* err.c -- how a run reports and ends: messages, library errors, memory; see err.h.
 * The only file under lib/ that ends a run: the program layer calls sh_die and
 * sh_usage_error, and two conditions no caller can mend end it from anywhere, as a
 * signal would: memory exhausted, and a reader that went away (EPIPE). */
#define _GNU_SOURCE
#include "err.h"
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *sh_progname = "shards";
int sh_verbose = 0;
static volatile sig_atomic_t in_signal;

static void fatal_signal(int sig)
{
	if (!in_signal) {
		in_signal = 1;
		sh_atomic_remove_pending(); /* unlink is async-signal-safe */
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

void sh_init(int argc, char **argv)
{
	(void)argc;
	/* A closed standard descriptor would be taken by the next open() (a spool
	 * file would become "stdout"): hold 0-2 with /dev/null, opened so that
	 * output to a closed stdout still fails (EBADF) and is reported. */
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF)
			open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
	if (argv && argv[0]) {
		const char *slash = strrchr(argv[0], '/');
		sh_progname = slash ? slash + 1 : argv[0];
	}
	signal(SIGPIPE, SIG_IGN);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fatal_signal;
	sigemptyset(&sa.sa_mask);
	int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		sigaction(sigs[i], &sa, NULL);
}

static _Thread_local char **captured; /* sh_messages_capture */

void sh_messages_capture(char **buf) { captured = buf; }

static void vmessage(const char *fmt, va_list ap)
{
	char buf[2048];
	int n = snprintf(buf, sizeof buf, "%s: ", sh_progname);
	vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
	size_t len = strlen(buf);
	if (len + 1 < sizeof buf)
		buf[len++] = '\n';
	if (captured) {
		size_t old = *captured ? strlen(*captured) : 0;
		*captured = sh_realloc(*captured, old + len + 1, 1);
		memcpy(*captured + old, buf, len);
		(*captured)[old + len] = 0;
		return;
	}
	ssize_t w = write(2, buf, len);
	(void)w;
}

bool sh_ended_early;

/* Ends a run early: an error, or a reader that went away. Memory still held goes
 * back with the process; a sanitizer build (SH_SANITIZED) skips the exit-time leak
 * check here, which is meant for runs that finish. */
static _Noreturn void end_early(int status)
{
	sh_ended_early = true;
	sh_atomic_remove_pending();
#ifdef SH_SANITIZED
	fflush(NULL);
	_exit(status);
#else
	exit(status);
#endif
}

void sh_die(const char *fmt, ...)
{
	captured = NULL;
	va_list ap;
	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	end_early(SH_EXIT_FAIL);
}

void sh_usage_error(const char *fmt, ...)
{
	captured = NULL;
	va_list ap;
	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	end_early(SH_EXIT_USAGE);
}

void sh_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
}

void sh_note(const char *fmt, ...)
{
	if (!sh_verbose)
		return;
	va_list ap;
	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
}

static _Thread_local char errbuf[1024];

/* the start of the UTF-8 character at or after P (at most 3 bytes on) */
static const char *char_start(const char *p)
{
	for (int i = 0; i < 3 && (*p & 0xC0) == 0x80; i++)
		p++;
	return p;
}

void sh_set_error(const char *fmt, ...)
{
	char tmp[sizeof errbuf];
	va_list ap, again;
	va_start(ap, fmt);
	va_copy(again, ap);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap); /* fmt may mention the old message */
	va_end(ap);
	char *all;
	if (n >= (int)sizeof tmp && (all = malloc((size_t)n + 1))) {
		/* a message longer than the buffer quotes some absurd text: keep its
		 * start (what it is about) and its end (why), not only the start */
		vsnprintf(all, (size_t)n + 1, fmt, again);
		size_t head = sizeof tmp / 2;
		while (head > sizeof tmp / 2 - 3 && (all[head] & 0xC0) == 0x80)
			head--;
		snprintf(tmp, sizeof tmp, "%.*s ... %s", (int)head, all,
		         char_start(all + n - (sizeof tmp - head - 6)));
		free(all);
	}
	va_end(again);
	memcpy(errbuf, tmp, sizeof errbuf);
}

const char *sh_error(void) { return errbuf[0] ? errbuf : "unknown error"; }


void sh_end_quietly(void) { end_early(SH_EXIT_OK); }

static _Noreturn void out_of_memory(size_t count, size_t size)
{
	if (count == 1)
		sh_die("out of memory (%zu bytes)", size);
	sh_die("out of memory (%zu x %zu bytes)", count, size);
}

void *sh_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		out_of_memory(1, n);
	return p;
}

void *sh_calloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		out_of_memory(count, size);
	return p;
}

void *sh_realloc(void *p, size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		out_of_memory(count, size);
	size_t total = count * size;
	void *q = realloc(p, total ? total : 1);
	if (!q)
		out_of_memory(count, size);
	return q;
}

char *sh_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(sh_malloc(n), s, n);
}

void sh_strbuf_add(sh_strbuf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		while (b->n + n + 1 > b->cap)
			b->cap = b->cap ? 2 * b->cap : 4096;
		b->s = sh_realloc(b->s, b->cap, 1);
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = 0;
}

void sh_strbuf_str(sh_strbuf *b, const char *s) { sh_strbuf_add(b, s, strlen(s)); }

