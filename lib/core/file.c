/* file.c -- files that appear whole or not at all, whole writes, spooling, data
 * files; see file.h. */
#define _GNU_SOURCE
#include "file.h"
#include "err.h"

#include <dirent.h>
#include <jansson.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>


/* In every temporary name, before the writer's process id: ".out.wav.shards-PID.XXXXXX" */
#define TMP_TAG ".shards-"

struct sh_atomic {
	char *path, *tmp;
	int fd;
	struct sh_atomic *next;
};
static sh_atomic *pending;           /* files to remove if we die */

void sh_atomic_remove_pending(void)
{
	for (sh_atomic *a = pending; a; a = a->next)
		if (a->tmp)
			unlink(a->tmp);
}


sh_atomic *sh_atomic_open(const char *path)
{
	sh_atomic *a = sh_calloc(1, sizeof *a);
	a->path = sh_strdup(path);
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* a device, a FIFO, /dev/stdout: write straight into it, never rename over it */
		if (S_ISDIR(st.st_mode) || (a->fd = open(path, O_WRONLY | O_CLOEXEC)) < 0) {
			sh_set_error("%s: %s", path, S_ISDIR(st.st_mode) ? "is a directory" : strerror(errno));
			free(a->path);
			free(a);
			return NULL;
		}
		return a; /* tmp stays NULL: nothing to rename or remove */
	}
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path + 1) : 0;
	size_t n = strlen(path) + 40;
	a->tmp = sh_malloc(n);
	snprintf(a->tmp, n, "%.*s.%s" TMP_TAG "%ld.XXXXXX", (int)dirlen, path, path + dirlen, (long)getpid());
	/* no signal between creating the file and listing it for removal */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGQUIT);
	sigprocmask(SIG_BLOCK, &block, &old);
	a->fd = mkostemp(a->tmp, O_CLOEXEC);
	if (a->fd < 0) {
		int e = errno;
		sigprocmask(SIG_SETMASK, &old, NULL);
		free(a->tmp);
		a->tmp = NULL;
		free(a->path);
		free(a);
		sh_set_error("%s: cannot create: %s", path, strerror(e));
		return NULL;
	}
	/* held until the file is committed or the process ends, however it ends */
	(void)flock(a->fd, LOCK_EX | LOCK_NB);
	mode_t mask = umask(0);
	umask(mask);
	fchmod(a->fd, 0666 & ~mask);
	a->next = pending;
	pending = a;
	sigprocmask(SIG_SETMASK, &old, NULL);
	return a;
}

int sh_atomic_fd(const sh_atomic *a) { return a->fd; }
const char *sh_atomic_tmpname(const sh_atomic *a) { return a->tmp; }
const char *sh_atomic_path(const sh_atomic *a) { return a ? a->path : NULL; }

static void unlink_pending(sh_atomic *a)
{
	for (sh_atomic **p = &pending; *p; p = &(*p)->next)
		if (*p == a) {
			*p = a->next;
			break;
		}
}

/* A temporary file of ours that a killed run left: its name says a process
 * that is gone, and no process holds its lock (a run on another machine
 * sharing the folder still does). */
static bool left_by_dead_run(DIR *dir, const char *name)
{
	const char *tag = strstr(name, TMP_TAG);
	if (name[0] != '.' || !tag)
		return false;
	char *end;
	long pid = strtol(tag + strlen(TMP_TAG), &end, 10);
	if (pid <= 0 || pid == (long)getpid() || strlen(end) != 7 || *end != '.')
		return false;
	if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
		return false;
	int fd = openat(dirfd(dir), name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return false;
	bool free_lock = flock(fd, LOCK_EX | LOCK_NB) == 0;
	close(fd);
	return free_lock;
}

/* The first commit into a folder clears what killed runs left there (once per
 * folder and run: a folder of thousands of exports is read once). */
static void clear_dead_runs(const char *path)
{
	static char **done;
	static size_t ndone;
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) + (slash == path) : 1, slash ? path : ".");
	for (size_t i = 0; i < ndone; i++)
		if (strcmp(done[i], dir) == 0)
			return;
	done = sh_realloc(done, ndone + 1, sizeof *done);
	done[ndone++] = sh_strdup(dir);
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)))
		if (left_by_dead_run(d, e->d_name))
			(void)unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
}

static int commit(sh_atomic *a, bool replace);

int sh_atomic_commit(sh_atomic *a)
{
	return commit(a, true);
}

int sh_atomic_commit_new(sh_atomic *a)
{
	return commit(a, false);
}

/* REPLACE false: link(2) rather than rename(2), which fails when the name is
 * taken, so that no check of the name can race with another writer. */
static int commit(sh_atomic *a, bool replace)
{
	if (!a->tmp) { /* written in place (a device or a FIFO) */
		int r = close(a->fd);
		if (r != 0)
			sh_set_error("%s: cannot write: %s", a->path, strerror(errno));
		free(a->path);
		free(a);
		return r ? -1 : 0;
	}
	if (sh_atomic_sync(a) != 0)
		return -1;
	if (replace ? rename(a->tmp, a->path) != 0 : link(a->tmp, a->path) != 0) {
		if (errno == EEXIST)
			sh_set_error("%s exists", a->path);
		else
			sh_set_error("%s: cannot rename into place: %s", a->path, strerror(errno));
		int e = errno;
		sh_atomic_abort(a);
		errno = e; /* the caller may tell EEXIST from a failure */
		return -1;
	}
	if (!replace)
		(void)unlink(a->tmp);
	unlink_pending(a);
	clear_dead_runs(a->path);
	free(a->tmp);
	free(a->path);
	free(a);
	return 0;
}

int sh_atomic_sync(sh_atomic *a)
{
	if (!a->tmp || a->fd < 0)
		return 0;
	int fd = a->fd, e = 0;
	a->fd = -1;
	if (fsync(fd) != 0 && errno != EINVAL)
		e = errno;
	if (close(fd) != 0 && !e)
		e = errno; /* closed either way */
	if (e) {
		sh_set_error("%s: cannot write: %s", a->path, strerror(e));
		sh_atomic_abort(a);
		return -1;
	}
	return 0;
}

void sh_atomic_abort(sh_atomic *a)
{
	if (a->fd >= 0)
		close(a->fd);
	if (a->tmp)
		unlink(a->tmp);
	unlink_pending(a);
	free(a->tmp);
	free(a->path);
	free(a);
}

void sh_atomic_remove_stale(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	size_t pl = strlen(prefix);
	struct dirent *e;
	while ((e = readdir(d))) {
		/* sh_atomic_open's ".NAME.XXXXXX" */
		size_t n = strlen(e->d_name);
		if (e->d_name[0] != '.' || n < pl + 8 || strncmp(e->d_name + 1, prefix, pl) || e->d_name[n - 7] != '.')
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
}

int sh_write_file_atomic(const char *path, const char *data, size_t n)
{
	if (!path || strcmp(path, "-") == 0)
		return sh_write_all(1, data, n);
	sh_atomic *a = sh_write_file_held(path, data, n);
	return a ? sh_atomic_commit(a) : -1;
}

sh_atomic *sh_write_file_held(const char *path, const char *data, size_t n)
{
	sh_atomic *a = sh_atomic_open(path);
	if (a && sh_write_named(sh_atomic_fd(a), data, n, path) != 0) {
		sh_atomic_abort(a);
		return NULL;
	}
	return a && sh_atomic_sync(a) == 0 ? a : NULL;
}

int sh_spool_file(void)
{
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	char path[4096];
	snprintf(path, sizeof path, "%s/shards-spool.XXXXXX", dir);
	int fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0) {
		sh_set_error("cannot create a spool file in %s: %s", dir, strerror(errno));
		return -1;
	}
	unlink(path);
	return fd;
}

int sh_pread_all(int fd, void *buf, size_t n, off_t off, const char *what)
{
	char *p = buf;
	while (n > 0) {
		ssize_t r = pread(fd, p, n, off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			sh_set_error("%s: read error: %s", what, r < 0 ? strerror(errno) : "shorter than expected");
			return -1;
		}
		p += r;
		off += r;
		n -= (size_t)r;
	}
	return 0;
}

int sh_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE)
				sh_end_quietly(); /* ends the run: the reader went away (quiet success) */
			sh_set_error("write error: %s", strerror(errno));
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int sh_write_named(int fd, const void *buf, size_t n, const char *name)
{
	if (sh_write_all(fd, buf, n) == 0)
		return 0;
	if (name) {
		char *why = sh_strdup(sh_error());
		sh_set_error("%s: %s", name, why);
		free(why);
	}
	return -1;
}

void sh_pipe_grow(int fd)
{
#ifdef F_SETPIPE_SZ
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode))
		return;
	int size = fcntl(fd, F_GETPIPE_SZ);
	if (size >= 0 && size < (1 << 20))
		(void)fcntl(fd, F_SETPIPE_SZ, 1 << 20); /* may be refused (pipe-max-size, user limits): fine */
#else
	(void)fd;
#endif
}

int sh_stdout_binary(void)
{
	if (!isatty(1))
		return 0;
	sh_set_error("refusing to write binary data to a terminal: redirect stdout or use -o FILE");
	return -1;
}

/* ---------------------------------------------------------------- data files */

static bool readable(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

char *sh_find_data(const char *relpath, bool user_dirs)
{
	char buf[PATH_MAX];
	const char *env;
	if (user_dirs) {
		snprintf(buf, sizeof buf, "./%s", relpath);
		if (readable(buf))
			return sh_strdup(buf);
		env = getenv("XDG_CONFIG_HOME");
		if (env && *env)
			snprintf(buf, sizeof buf, "%s/shards/%s", env, relpath);
		else if ((env = getenv("HOME")) && *env)
			snprintf(buf, sizeof buf, "%s/.config/shards/%s", env, relpath);
		else
			buf[0] = 0;
		if (buf[0] && readable(buf))
			return sh_strdup(buf);
	}
	if ((env = getenv("SHARDS_DATA")) && *env) {
		snprintf(buf, sizeof buf, "%s/%s", env, relpath);
		if (readable(buf))
			return sh_strdup(buf);
	}
	char dir[PATH_MAX];
	if (sh_data_dir(dir, sizeof dir) == 0 &&
	    (size_t)snprintf(buf, sizeof buf, "%s/%s", dir, relpath) < sizeof buf && readable(buf))
		return sh_strdup(buf);
	return NULL;
}

/* PREFIX/bin/PROGRAM's PREFIX/share/shards, found from the running program's
 * own path, so an install works wherever it is put (make install PREFIX=...,
 * DESTDIR, a moved tree) and no build path is compiled in. A build's bin/ has
 * share/ beside it too (the Makefile links it when the build is elsewhere). */
int sh_data_dir(char *out, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return -1;
	exe[n] = 0;
	char *slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = 0; /* the program's folder: PREFIX/bin */
	return (size_t)snprintf(out, size, "%s/../share/shards", exe) < size ? 0 : -1;
}

static char *read_whole(const char *path, size_t max_bytes, bool object, size_t *len);

/* The first byte of BUF[0..N) that is not white space, or -1. */
static int first_byte(const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!buf[i] || !strchr(" \t\r\n", buf[i]))
			return (unsigned char)buf[i];
	return -1;
}

char *sh_read_file(const char *path, size_t max_bytes, size_t *len) { return read_whole(path, max_bytes, false, len); }

char *sh_read_json_object(const char *path, size_t max_bytes, size_t *len) { return read_whole(path, max_bytes, true, len); }

static char *read_whole(const char *path, size_t max_bytes, bool object, size_t *len)
{
	int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		sh_set_error("%s: %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		sh_set_error("%s: is a directory", path);
		if (fd)
			close(fd);
		return NULL;
	}
	if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > max_bytes) {
		sh_set_error("%s: larger than %zu bytes", path, max_bytes);
		if (fd)
			close(fd);
		return NULL;
	}
	size_t cap = 65536, n = 0;
	char *buf = sh_malloc(cap + 1);
	bool started = !object;
	for (;;) {
		if (n == cap) {
			if (cap >= max_bytes) {
				sh_set_error("%s: larger than %zu bytes", path, max_bytes);
				free(buf);
				if (fd)
					close(fd);
				return NULL;
			}
			cap = cap * 2 > max_bytes ? max_bytes : cap * 2;
			buf = sh_realloc(buf, cap + 1, 1);
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			sh_set_error("%s: %s", path, strerror(errno));
			free(buf);
			if (fd)
				close(fd);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		int c = started ? -1 : first_byte(buf, n);
		if (c >= 0 && c != '{') {
			char what[16];
			snprintf(what, sizeof what, c >= 0x20 && c < 0x7f ? "'%c'" : "byte 0x%02x", c);
			sh_set_error("%s: not a JSON object (it starts with %s)", strcmp(path, "-") ? path : "stdin", what);
			free(buf);
			if (fd)
				close(fd);
			return NULL;
		}
		started = started || c >= 0;
	}
	if (fd)
		close(fd);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

int sh_mkdirs(const char *path, bool *made)
{
	char *p = sh_strdup(path);
	int r = 0;
	if (made)
		*made = false;
	for (char *q = p + 1;; q++) {
		if (*q && *q != '/')
			continue;
		char c = *q;
		*q = 0;
		if (mkdir(p, 0777) == 0) {
			if (made && !c)
				*made = true;
		} else if (errno != EEXIST) {
			sh_set_error("%s: cannot create folder: %s", p, strerror(errno));
			r = -1;
		}
		*q = c;
		if (!c || r)
			break;
	}
	struct stat st;
	if (r == 0 && (stat(p, &st) != 0 || !S_ISDIR(st.st_mode))) {
		sh_set_error("%s: not a folder", p);
		r = -1;
	}
	free(p);
	return r;
}

char *sh_dir_blocker(const char *path)
{
	char *up = sh_strdup(path);
	struct stat st;
	while (stat(up, &st) != 0) {
		char *slash = strrchr(up, '/');
		if (!slash || slash == up) {
			snprintf(up, strlen(up) + 1, "%s", slash == up ? "/" : ".");
			break;
		}
		*slash = 0;
	}
	if (stat(up, &st) != 0 || !S_ISDIR(st.st_mode) || access(up, W_OK | X_OK) != 0)
		return up;
	free(up);
	return NULL;
}

char *sh_file_stem(const char *path, bool strip_ext)
{
	const char *b = strrchr(path, '/');
	char *s = sh_strdup(b ? b + 1 : path);
	char *dot = strrchr(s, '.');
	if (strip_ext && dot && dot != s)
		*dot = 0;
	for (char *c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-' ||
		      *c == '_' || (*c == '.' && c != s)))
			*c = '_';
	if (!*s) {
		free(s);
		s = sh_strdup("source");
	}
	return s;
}

char *sh_json_text(json_t *doc, int precision, size_t *len)
{
	char *txt = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(precision));
	if (!txt) {
		sh_set_error("cannot encode the JSON document");
		return NULL;
	}
	size_t n = strlen(txt);
	char *out = sh_realloc(txt, n + 2, 1);
	out[n] = '\n';
	out[n + 1] = 0;
	if (len)
		*len = n + 1;
	return out;
}
