/* cli.c -- errors, options, presets, units, safe output; see cli.h. */
#define _GNU_SOURCE
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <dirent.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

const char *sh_progname = "shards";
int sh_verbose = 0;

/* ---------------------------------------------------------------- atomic files */

struct sh_atomic {
	char *path, *tmp;
	int fd;
	struct sh_atomic *next;
};
static sh_atomic *pending;           /* files to remove if we die */
static volatile sig_atomic_t in_signal;

static void remove_pending(void)
{
	for (sh_atomic *a = pending; a; a = a->next)
		if (a->tmp)
			unlink(a->tmp);
}

static void fatal_signal(int sig)
{
	if (!in_signal) {
		in_signal = 1;
		remove_pending(); /* unlink is async-signal-safe */
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

sh_atomic *sh_atomic_open(const char *path)
{
	sh_atomic *a = sh_calloc(1, sizeof *a);
	a->path = sh_strdup(path);
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* a device, a FIFO, /dev/stdout: write straight into it, never rename over it */
		if (S_ISDIR(st.st_mode))
			sh_die("%s: is a directory", path);
		a->fd = open(path, O_WRONLY | O_CLOEXEC);
		if (a->fd < 0)
			sh_die("%s: cannot open: %s", path, strerror(errno));
		return a; /* tmp stays NULL: nothing to rename or remove */
	}
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path + 1) : 0;
	size_t n = strlen(path) + 16;
	a->tmp = sh_malloc(n);
	snprintf(a->tmp, n, "%.*s.%s.XXXXXX", (int)dirlen, path, path + dirlen);
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
		sh_die("%s: cannot create: %s", path, strerror(e));
	}
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

static void unlink_pending(sh_atomic *a)
{
	for (sh_atomic **p = &pending; *p; p = &(*p)->next)
		if (*p == a) {
			*p = a->next;
			break;
		}
}

void sh_atomic_commit(sh_atomic *a)
{
	if (!a->tmp) { /* written in place (a device or a FIFO) */
		if (close(a->fd) != 0)
			sh_die("%s: cannot write: %s", a->path, strerror(errno));
		free(a->path);
		free(a);
		return;
	}
	if (a->fd >= 0) {
		if (fsync(a->fd) != 0 && errno != EINVAL)
			sh_die("%s: cannot write: %s", a->path, strerror(errno));
		if (close(a->fd) != 0)
			sh_die("%s: cannot write: %s", a->path, strerror(errno));
		a->fd = -1;
	}
	if (rename(a->tmp, a->path) != 0)
		sh_die("%s: cannot rename into place: %s", a->path, strerror(errno));
	unlink_pending(a);
	free(a->tmp);
	free(a->path);
	free(a);
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

void sh_write_file_atomic(const char *path, const char *data, size_t n)
{
	if (!path || strcmp(path, "-") == 0) {
		sh_write_all(1, data, n);
		return;
	}
	sh_atomic *a = sh_atomic_open(path);
	sh_write_all(sh_atomic_fd(a), data, n);
	sh_atomic_commit(a);
}

int sh_spool_file(void)
{
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	char path[4096];
	snprintf(path, sizeof path, "%s/shards-spool.XXXXXX", dir);
	int fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		sh_die("cannot create a spool file in %s: %s", dir, strerror(errno));
	unlink(path);
	return fd;
}

void sh_pread_all(int fd, void *buf, size_t n, off_t off, const char *what)
{
	char *p = buf;
	while (n > 0) {
		ssize_t r = pread(fd, p, n, off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			sh_die("%s: read error: %s", what, r < 0 ? strerror(errno) : "shorter than expected");
		p += r;
		off += r;
		n -= (size_t)r;
	}
}

/* ---------------------------------------------------------------- errors */

static void vmessage(const char *fmt, va_list ap)
{
	char buf[2048];
	int n = snprintf(buf, sizeof buf, "%s: ", sh_progname);
	vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
	size_t len = strlen(buf);
	if (len + 1 < sizeof buf)
		buf[len++] = '\n';
	ssize_t w = write(2, buf, len);
	(void)w;
}

/* Ends a run early: an error, or a reader that went away. Memory still held goes
 * back with the process; a sanitizer build (SH_SANITIZED) skips the exit-time leak
 * check here, which is meant for runs that finish. */
static _Noreturn void end_early(int status)
{
	remove_pending();
#ifdef SH_SANITIZED
	fflush(NULL);
	_exit(status);
#else
	exit(status);
#endif
}

void sh_die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	end_early(SH_EXIT_FAIL);
}

void sh_usage_error(const char *fmt, ...)
{
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

void sh_set_error(const char *fmt, ...)
{
	char tmp[sizeof errbuf];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap); /* fmt may mention the old message */
	va_end(ap);
	memcpy(errbuf, tmp, sizeof errbuf);
}

const char *sh_error(void) { return errbuf[0] ? errbuf : "unknown error"; }

void *sh_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		sh_die("out of memory (%zu bytes)", n);
	return p;
}

void *sh_calloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		sh_die("out of memory (%zu x %zu bytes)", count, size);
	return p;
}

void *sh_realloc(void *p, size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		sh_die("out of memory (%zu x %zu bytes)", count, size);
	size_t total = count * size;
	void *q = realloc(p, total ? total : 1);
	if (!q)
		sh_die("out of memory (%zu x %zu bytes)", count, size);
	return q;
}

char *sh_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(sh_malloc(n), s, n);
}

void sh_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE) {
				end_early(SH_EXIT_OK); /* the reader went away: quiet success */
			}
			sh_die("write error: %s", strerror(errno));
		}
		p += w;
		n -= (size_t)w;
	}
}

void sh_stdout_binary(void)
{
	if (isatty(1))
		sh_die("refusing to write binary data to a terminal: redirect stdout or use -o FILE");
}

/* ---------------------------------------------------------------- numbers, units */

int sh_parse_double(const char *text, double *out)
{
	if (!text || !*text) {
		sh_set_error("empty number");
		return -1;
	}
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	if (end == text || *end) {
		sh_set_error("'%s' is not a number", text);
		return -1;
	}
	if (!isfinite(v) || errno == ERANGE) {
		sh_set_error("'%s' is not a finite number", text);
		return -1;
	}
	*out = v;
	return 0;
}

/* printf's %.{prec}g of the value D[0].D[1]D[2]... x 10^x, where D holds prec
 * digits (D[0] not 0): style e when x < -4 or x >= prec, else style f; trailing
 * zeros and a bare point dropped. */
static void format_g(char *out, bool neg, const char *d, int prec, int x)
{
	int nd = prec;
	while (nd > 1 && d[nd - 1] == '0')
		nd--;
	char *o = out;
	if (neg)
		*o++ = '-';
	if (x < -4 || x >= prec) {
		*o++ = d[0];
		if (nd > 1) {
			*o++ = '.';
			memcpy(o, d + 1, (size_t)nd - 1);
			o += nd - 1;
		}
		sprintf(o, "e%c%02d", x < 0 ? '-' : '+', x < 0 ? -x : x);
		return;
	}
	if (x < 0) {
		*o++ = '0';
		*o++ = '.';
		for (int i = -1; i > x; i--)
			*o++ = '0';
		memcpy(o, d, (size_t)nd);
		o += nd;
	} else {
		for (int i = 0; i <= x; i++) /* x < prec: every integer digit is in D */
			*o++ = d[i];
		if (nd > x + 1) {
			*o++ = '.';
			memcpy(o, d + x + 1, (size_t)(nd - x - 1));
			o += nd - x - 1;
		}
	}
	*o = 0;
}

/* The shortest of 12..17 significant digits that reads back as v, printed as %g
 * prints it. One exact conversion to 17 digits; each shorter candidate is rounded
 * from those in decimal, which is exact unless the digits dropped are a bare 5
 * (then the 17 digits hide which side of the tie v is on, and printf decides). */
void sh_format_number(char *buf, size_t n, double v)
{
	if (v == 0) {
		snprintf(buf, n, "0");
		return;
	}
	if (v == floor(v) && fabs(v) < 1e15) {
		snprintf(buf, n, "%.0f", v);
		return;
	}
	char out[48];
	if (!isfinite(v)) {
		snprintf(buf, n, "%.17g", v);
		return;
	}
	char e17[40];
	snprintf(e17, sizeof e17, "%.16e", v); /* [-]d.dddddddddddddddde[+-]xx */
	bool neg = e17[0] == '-';
	const char *q = e17 + neg;
	char d17[17];
	d17[0] = q[0];
	memcpy(d17 + 1, q + 2, 16);
	int x17 = atoi(q + 19);
	for (int prec = 12; prec < 17; prec++) {
		const char *tail = d17 + prec;
		bool tie = tail[0] == '5';
		for (int i = 1; tie && i < 17 - prec; i++)
			tie = tail[i] == '0';
		if (tie) {
			snprintf(out, sizeof out, "%.*g", prec, v);
		} else {
			char d[17];
			int x = x17;
			memcpy(d, d17, (size_t)prec);
			if (tail[0] >= '5') { /* round up, carrying */
				int i = prec - 1;
				while (i >= 0 && d[i] == '9')
					d[i--] = '0';
				if (i >= 0)
					d[i]++;
				else {
					d[0] = '1'; /* 99.9 -> 100: one more integer digit */
					x++;
				}
			}
			format_g(out, neg, d, prec, x);
		}
		if (strtod(out, NULL) == v) {
			snprintf(buf, n, "%s", out);
			return;
		}
	}
	format_g(out, neg, d17, 17, x17);
	snprintf(buf, n, "%s", out);
	/* JSON needs a digit before an exponent's sign; %g gives "1e-07" which is fine */
}

int sh_parse_int64(const char *text, int64_t *out)
{
	if (!text || !*text) {
		sh_set_error("empty number");
		return -1;
	}
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (end == text || *end) {
		/* accept integral floats such as 1e3 from JSON */
		double d;
		if (sh_parse_double(text, &d) == 0 && d == floor(d) && fabs(d) < 9e15) {
			*out = (int64_t)d;
			return 0;
		}
		sh_set_error("'%s' is not an integer", text);
		return -1;
	}
	if (errno == ERANGE) {
		sh_set_error("'%s' is out of range", text);
		return -1;
	}
	*out = v;
	return 0;
}

/* "A/B" or a plain number; used by durations and rates. */
static int parse_fraction(const char *text, size_t len, double *out)
{
	char buf[128];
	if (len == 0 || len >= sizeof buf)
		return -1;
	memcpy(buf, text, len);
	buf[len] = 0;
	char *slash = strchr(buf, '/');
	if (slash) {
		*slash = 0;
		double a, b;
		if (sh_parse_double(buf, &a) || sh_parse_double(slash + 1, &b) || b == 0)
			return -1;
		*out = a / b;
		return isfinite(*out) ? 0 : -1;
	}
	return sh_parse_double(buf, out);
}

int sh_parse_duration(const char *text, double bare_unit_seconds, sh_duration *out)
{
	static const struct {
		const char *suffix;
		sh_dur_unit unit;
		double mult;
	} units[] = {
		{"ms", SH_DUR_SECONDS, 0.001}, {"sec", SH_DUR_SECONDS, 1}, {"s", SH_DUR_SECONDS, 1},
		{"min", SH_DUR_SECONDS, 60}, {"samples", SH_DUR_SAMPLES, 1}, {"smp", SH_DUR_SAMPLES, 1},
		{"frames", SH_DUR_FRAMES, 1}, {"frame", SH_DUR_FRAMES, 1}, {"f", SH_DUR_FRAMES, 1},
		{"beats", SH_DUR_BEATS, 1}, {"beat", SH_DUR_BEATS, 1}, {"b", SH_DUR_BEATS, 1},
	};
	if (!text || !*text) {
		sh_set_error("empty duration");
		return -1;
	}
	size_t len = strlen(text);
	size_t numlen = len;
	while (numlen > 0 && ((text[numlen - 1] >= 'a' && text[numlen - 1] <= 'z')))
		numlen--;
	const char *suffix = text + numlen;
	double v;
	if (parse_fraction(text, numlen, &v) != 0) {
		sh_set_error("'%s' is not a duration (try 40ms, 0.5s, 2f, 1/16, 0.25b)", text);
		return -1;
	}
	bool fraction = memchr(text, '/', numlen) != NULL;
	sh_duration d = {0, SH_DUR_SECONDS};
	if (!*suffix) {
		if (fraction) { /* a note value: 1/16 is a sixteenth note, a quarter of a beat */
			d.amount = v * 4;
			d.unit = SH_DUR_BEATS;
		} else {
			d.amount = v * bare_unit_seconds;
		}
	} else {
		size_t i;
		for (i = 0; i < sizeof units / sizeof *units; i++)
			if (strcmp(suffix, units[i].suffix) == 0)
				break;
		if (i == sizeof units / sizeof *units) {
			sh_set_error("'%s': unknown unit '%s' (ms, s, min, smp, f, b)", text, suffix);
			return -1;
		}
		d.amount = v * units[i].mult;
		d.unit = units[i].unit;
	}
	if (!(d.amount > 0) || !isfinite(d.amount) || d.amount > 1e9) {
		sh_set_error("'%s' must be a positive duration", text);
		return -1;
	}
	*out = d;
	return 0;
}

int sh_duration_seconds(const sh_duration *d, double bpm, double fps, double rate, double *seconds)
{
	switch (d->unit) {
	case SH_DUR_SECONDS:
		*seconds = d->amount;
		return 0;
	case SH_DUR_SAMPLES:
		if (rate <= 0) {
			sh_set_error("a duration in samples needs a sample rate");
			return -1;
		}
		*seconds = d->amount / rate;
		return 0;
	case SH_DUR_FRAMES:
		if (fps <= 0) {
			sh_set_error("a duration in frames needs --fps");
			return -1;
		}
		*seconds = d->amount / fps;
		return 0;
	case SH_DUR_BEATS:
		if (bpm <= 0) {
			sh_set_error("a duration in beats or note values needs --bpm");
			return -1;
		}
		*seconds = d->amount * 60.0 / bpm;
		return 0;
	}
	return -1;
}

int sh_parse_range(const char *text, sh_range *out)
{
	const char *dots = text ? strstr(text, "..") : NULL;
	double lo, hi;
	if (!dots) {
		if (sh_parse_double(text, &lo) != 0) {
			sh_set_error("'%s' is not a number or a MIN..MAX range", text ? text : "");
			return -1;
		}
		out->lo = out->hi = lo;
		return 0;
	}
	char buf[128];
	size_t n = (size_t)(dots - text);
	if (n >= sizeof buf)
		n = sizeof buf - 1;
	memcpy(buf, text, n);
	buf[n] = 0;
	if (sh_parse_double(buf, &lo) != 0 || sh_parse_double(dots + 2, &hi) != 0) {
		sh_set_error("'%s' is not a MIN..MAX range", text);
		return -1;
	}
	if (lo > hi) {
		sh_set_error("'%s': MIN is greater than MAX", text);
		return -1;
	}
	out->lo = lo;
	out->hi = hi;
	return 0;
}

int sh_parse_rate(const char *text, sh_rational *out)
{
	static const struct {
		const char *name;
		int num, den;
	} named[] = {
		{"ntsc", 30000, 1001}, {"pal", 25, 1}, {"film", 24, 1}, {"23.976", 24000, 1001},
		{"23.98", 24000, 1001}, {"29.97", 30000, 1001}, {"47.952", 48000, 1001},
		{"59.94", 60000, 1001}, {"119.88", 120000, 1001},
	};
	for (size_t i = 0; i < sizeof named / sizeof *named; i++)
		if (text && strcmp(text, named[i].name) == 0) {
			out->num = named[i].num;
			out->den = named[i].den;
			return 0;
		}
	const char *slash = text ? strchr(text, '/') : NULL;
	int64_t num, den = 1;
	if (slash) {
		char buf[64];
		size_t n = (size_t)(slash - text);
		if (n >= sizeof buf)
			n = sizeof buf - 1;
		memcpy(buf, text, n);
		buf[n] = 0;
		if (sh_parse_int64(buf, &num) || sh_parse_int64(slash + 1, &den))
			goto bad;
	} else {
		double v;
		if (sh_parse_double(text, &v))
			goto bad;
		den = 1000;
		num = llround(v * 1000);
		if (fabs(v * 1000 - (double)num) > 1e-6)
			goto bad;
	}
	if (num <= 0 || den <= 0 || num > 1000000000 || den > 1000000000)
		goto bad;
	int64_t a = num, b = den;
	while (b) {
		int64_t t = a % b;
		a = b;
		b = t;
	}
	num /= a;
	den /= a;
	if ((double)num / den > 1000 || (double)num / den < 0.01)
		goto bad;
	out->num = (int)num;
	out->den = (int)den;
	return 0;
bad:
	sh_set_error("'%s' is not a frame rate (try 30, 25, 30000/1001, 29.97)", text ? text : "");
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
	snprintf(buf, sizeof buf, "%s/%s", SHARDS_DATADIR, relpath);
	if (readable(buf))
		return sh_strdup(buf);
	snprintf(buf, sizeof buf, "%s/%s", SHARDS_SRCDATADIR, relpath);
	if (readable(buf))
		return sh_strdup(buf);
	return NULL;
}

char *sh_read_file(const char *path, size_t max_bytes, size_t *len)
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
	size_t cap = 65536, n = 0;
	char *buf = sh_malloc(cap + 1);
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
	}
	if (fd)
		close(fd);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

/* ---------------------------------------------------------------- options */

enum { OPT_HELP = 0x1000, OPT_VERSION, OPT_PRESET, OPT_PRINT_CONFIG, OPT_SEED, OPT_USER };

static const char *type_arg(const sh_option *o)
{
	if (o->arg)
		return o->arg;
	switch (o->type) {
	case SH_OPT_INT: return "N";
	case SH_OPT_DOUBLE: return "X";
	case SH_OPT_RANGE: return "MIN..MAX";
	case SH_OPT_DURATION: return "DUR";
	case SH_OPT_RATE: return "FPS";
	case SH_OPT_CHOICE: return o->choices;
	default: return "ARG";
	}
}

static void print_help(const sh_program *prog, const sh_option *opts)
{
	printf("usage: %s\n%s\n\noptions:\n", prog->usage, prog->summary);
	for (const sh_option *o = opts; o->name; o++) {
		char left[96];
		char sn[8] = "    ";
		if (o->short_name)
			snprintf(sn, sizeof sn, "-%c, ", o->short_name);
		if (o->type == SH_OPT_FLAG)
			snprintf(left, sizeof left, "  %s--%s", sn, o->name);
		else
			snprintf(left, sizeof left, "  %s--%s %s", sn, o->name, type_arg(o));
		if (strlen(left) > 26)
			printf("%s\n%28s%s\n", left, "", o->help ? o->help : "");
		else
			printf("%-28s%s\n", left, o->help ? o->help : "");
	}
	if (prog->has_seed)
		printf("%-28s%s\n", "      --seed N", "random seed (default: picked and reported)");
	printf("%-28s%s\n", "      --preset NAME", "load presets/<program>/NAME.json (flags override it)");
	printf("%-28s%s\n", "      --print-config", "print the merged settings as a preset and exit");
	printf("%-28s%s\n", "  -v, --verbose", "notes on stderr (seed, resampling, ...)");
	printf("%-28s%s\n", "  -h, --help", "this help");
	printf("%-28s%s\n", "      --version", "print the version");
	printf("\nSee %s(1).\n", sh_progname);
}

static int check_bounds(const sh_option *o, double v)
{
	if (v < o->min || v > o->max) {
		sh_set_error("%s is out of range %g..%g", o->text ? o->text : "value", o->min, o->max);
		return -1;
	}
	return 0;
}

/* Option texts live for the whole run (destinations point into them); a global
 * list keeps them reachable, so leak checkers stay quiet whatever the table's
 * storage. */
static char **option_texts;
static size_t noption_texts;

/* Parse TEXT into the option's destination; -1 with sh_error() on a bad value. */
static int set_option(sh_option *o, const char *text)
{
	o->text = sh_strdup(text ? text : "");
	option_texts = sh_realloc(option_texts, noption_texts + 1, sizeof *option_texts);
	option_texts[noption_texts++] = o->text;
	switch (o->type) {
	case SH_OPT_FLAG: {
		bool v;
		if (!text || !strcmp(text, "true") || !strcmp(text, "1"))
			v = true;
		else if (!strcmp(text, "false") || !strcmp(text, "0"))
			v = false;
		else {
			sh_set_error("'%s' is not true or false", text);
			return -1;
		}
		*(bool *)o->dest = v;
		break;
	}
	case SH_OPT_INT: {
		int64_t v;
		if (sh_parse_int64(text, &v) || check_bounds(o, (double)v))
			return -1;
		*(int64_t *)o->dest = v;
		break;
	}
	case SH_OPT_DOUBLE: {
		double v;
		if (sh_parse_double(text, &v) || check_bounds(o, v))
			return -1;
		*(double *)o->dest = v;
		break;
	}
	case SH_OPT_RANGE: {
		sh_range r;
		if (sh_parse_range(text, &r))
			return -1;
		if (r.lo < o->min || r.hi > o->max) {
			sh_set_error("%s is out of range %g..%g", text, o->min, o->max);
			return -1;
		}
		*(sh_range *)o->dest = r;
		break;
	}
	case SH_OPT_DURATION: {
		sh_duration d;
		if (sh_parse_duration(text, o->scale > 0 ? o->scale : 1, &d))
			return -1;
		*(sh_duration *)o->dest = d;
		break;
	}
	case SH_OPT_RATE: {
		sh_rational r;
		if (sh_parse_rate(text, &r))
			return -1;
		*(sh_rational *)o->dest = r;
		break;
	}
	case SH_OPT_CHOICE: {
		size_t n = strlen(text);
		const char *c = o->choices;
		bool ok = false;
		while (c && *c) {
			const char *bar = strchr(c, '|');
			size_t len = bar ? (size_t)(bar - c) : strlen(c);
			if (len == n && strncmp(c, text, n) == 0)
				ok = true;
			c = bar ? bar + 1 : NULL;
		}
		if (!ok) {
			sh_set_error("'%s' is not one of %s", text, o->choices);
			return -1;
		}
		*(const char **)o->dest = o->text;
		break;
	}
	case SH_OPT_STRING:
		*(const char **)o->dest = o->text;
		break;
	}
	o->given = true;
	return 0;
}

static void load_preset(const char *name, sh_option *opts)
{
	char *path = NULL;
	if (strchr(name, '/') || (strlen(name) > 5 && !strcmp(name + strlen(name) - 5, ".json"))) {
		path = sh_strdup(name);
	} else {
		char rel[512];
		snprintf(rel, sizeof rel, "presets/%s/%s.json", sh_progname, name);
		path = sh_find_data(rel, true);
		if (!path)
			sh_usage_error("preset '%s' not found (looked for %s in ./, $XDG_CONFIG_HOME/shards/ "
			               "and share/shards/)", name, rel);
	}
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr);
	if (!root)
		sh_usage_error("preset %s: line %d: %s", path, jerr.line, jerr.text);
	if (!json_is_object(root))
		sh_usage_error("preset %s: not a JSON object", path);
	const char *key;
	json_t *val;
	json_object_foreach(root, key, val) {
		sh_option *o;
		for (o = opts; o->name; o++)
			if (!o->no_preset && strcmp(o->name, key) == 0)
				break;
		if (!o->name)
			sh_usage_error("preset %s: unknown key '%s'", path, key);
		char num[64];
		const char *text;
		if (json_is_null(val))
			continue;
		if (json_is_string(val))
			text = json_string_value(val);
		else if (json_is_integer(val)) {
			snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(val));
			text = num;
		} else if (json_is_real(val)) {
			snprintf(num, sizeof num, "%.17g", json_real_value(val));
			text = num;
		} else if (json_is_boolean(val))
			text = json_is_true(val) ? "true" : "false";
		else
			sh_usage_error("preset %s: key '%s': expected a number, string or boolean", path, key);
		if (o->type == SH_OPT_FLAG && !json_is_boolean(val))
			sh_usage_error("preset %s: key '%s': expected true or false", path, key);
		if (set_option(o, text) != 0)
			sh_usage_error("preset %s: key '%s': %s", path, key, sh_error());
	}
	json_decref(root);
	free(path);
}

static json_t *option_json(const sh_option *o)
{
	switch (o->type) {
	case SH_OPT_FLAG: return json_boolean(*(bool *)o->dest);
	/* a value outside its range is an "unset" default: null keeps the preset valid */
	case SH_OPT_INT: {
		int64_t v = *(int64_t *)o->dest;
		return v < o->min || v > o->max ? json_null() : json_integer((json_int_t)v);
	}
	case SH_OPT_DOUBLE: {
		double v = *(double *)o->dest;
		return v < o->min || v > o->max ? json_null() : json_real(v);
	}
	case SH_OPT_RANGE: {
		sh_range r = *(sh_range *)o->dest;
		if (r.lo == r.hi)
			return json_real(r.lo);
		char buf[80];
		snprintf(buf, sizeof buf, "%.15g..%.15g", r.lo, r.hi);
		return json_string(buf);
	}
	case SH_OPT_DURATION: {
		if (o->text)
			return json_string(o->text);
		const sh_duration *d = o->dest;
		if (!(d->amount > 0))
			return json_null(); /* unset: null keeps the preset valid */
		static const char *suffix[] = {"s", "smp", "f", "b"};
		char buf[64];
		snprintf(buf, sizeof buf, "%.15g%s", d->amount, suffix[d->unit]);
		return json_string(buf);
	}
	case SH_OPT_RATE: {
		sh_rational r = *(sh_rational *)o->dest;
		if (!r.num)
			return json_null();
		char buf[64];
		if (r.den == 1)
			return json_integer(r.num);
		snprintf(buf, sizeof buf, "%d/%d", r.num, r.den);
		return json_string(buf);
	}
	case SH_OPT_STRING:
	case SH_OPT_CHOICE: {
		const char *s = *(const char **)o->dest;
		return s ? json_string(s) : json_null();
	}
	}
	return json_null();
}

void *sh_options_json(const sh_option *opts)
{
	json_t *root = json_object();
	for (const sh_option *o = opts; o->name; o++)
		if (!o->no_preset)
			json_object_set_new(root, o->name, option_json(o));
	return root;
}

static void print_config(const sh_option *opts)
{
	json_t *root = sh_options_json(opts);
	char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	printf("%s\n", s);
	free(s);
	json_decref(root);
}

int sh_parse_options(sh_program *prog, sh_option *opts, int argc, char **argv)
{
	size_t n = 0;
	while (opts[n].name)
		n++;
	/* global, so that it stays reachable through the exits below (leak checkers) */
	static struct option *lo;
	lo = sh_calloc(n + 8, sizeof *lo);
	char shortopts[256] = "hv";
	size_t sl = strlen(shortopts);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		lo[k].name = opts[i].name;
		lo[k].has_arg = opts[i].type == SH_OPT_FLAG ? no_argument : required_argument;
		lo[k].val = OPT_USER + (int)i;
		k++;
		if (opts[i].short_name && sl + 3 < sizeof shortopts) {
			shortopts[sl++] = (char)opts[i].short_name;
			if (opts[i].type != SH_OPT_FLAG)
				shortopts[sl++] = ':';
		}
	}
	shortopts[sl] = 0;
	lo[k++] = (struct option){"help", no_argument, NULL, OPT_HELP};
	lo[k++] = (struct option){"version", no_argument, NULL, OPT_VERSION};
	lo[k++] = (struct option){"preset", required_argument, NULL, OPT_PRESET};
	lo[k++] = (struct option){"print-config", no_argument, NULL, OPT_PRINT_CONFIG};
	lo[k++] = (struct option){"verbose", no_argument, NULL, 'v'};
	if (prog->has_seed)
		lo[k++] = (struct option){"seed", required_argument, NULL, OPT_SEED};

	/* Pass 1: help, version and the preset, before any flag is applied. */
	const char *preset = NULL;
	bool print = false;
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, shortopts, lo, NULL)) != -1) {
		if (c == 'h' || c == OPT_HELP) {
			print_help(prog, opts);
			exit(SH_EXIT_OK);
		} else if (c == OPT_VERSION) {
			printf("%s (shards) %s\n", sh_progname, SHARDS_VERSION);
			exit(SH_EXIT_OK);
		} else if (c == OPT_PRESET) {
			preset = optarg;
		} else if (c == OPT_PRINT_CONFIG) {
			print = true;
		} else if (c == '?' || c == ':') {
			if (optopt && optopt < OPT_HELP && optopt != '?')
				sh_usage_error("option -%c %s (try --help)", optopt,
				               c == ':' ? "needs a value" : "is unknown");
			sh_usage_error("option '%s' is unknown or needs a value (try --help)", argv[optind - 1]);
		}
	}
	if (preset)
		load_preset(preset, opts);

	/* Pass 2: flags override defaults and the preset. */
	optind = 0;
	while ((c = getopt_long(argc, argv, shortopts, lo, NULL)) != -1) {
		if (c == 'v') {
			sh_verbose++;
		} else if (c == OPT_SEED) {
			int64_t s;
			if (sh_parse_int64(optarg, &s) != 0 || s < 0)
				sh_usage_error("--seed: '%s' is not a non-negative integer", optarg);
			prog->seed = (uint64_t)s;
			prog->seed_given = true;
		} else if (c >= OPT_USER) {
			sh_option *o = &opts[c - OPT_USER];
			if (set_option(o, o->type == SH_OPT_FLAG ? NULL : optarg) != 0)
				sh_usage_error("--%s: %s", o->name, sh_error());
		} else if (c == 0 || (c >= 'A' && c <= 'z' && c != 'h')) {
			for (size_t i = 0; i < n; i++)
				if (opts[i].short_name == c) {
					if (set_option(&opts[i], opts[i].type == SH_OPT_FLAG ? NULL : optarg) != 0)
						sh_usage_error("-%c: %s", c, sh_error());
				}
		}
	}
	free(lo);
	lo = NULL;
	if (print) {
		print_config(opts);
		exit(SH_EXIT_OK);
	}
	if (prog->has_seed && !prog->seed_given)
		prog->seed = sh_fresh_seed();
	return optind;
}

bool sh_option_given(const sh_option *opts, const char *name)
{
	for (const sh_option *o = opts; o->name; o++)
		if (strcmp(o->name, name) == 0)
			return o->given;
	return false;
}

uint64_t sh_fresh_seed(void)
{
	uint64_t s = 0;
	if (getrandom(&s, sizeof s, 0) != (ssize_t)sizeof s)
		s = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	/* keep seeds short enough to type and exact in JSON doubles */
	return s % 1000000000ULL;
}

/* ---------------------------------------------------------------- progress */

double sh_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void sh_progress_start(sh_progress *p, const char *what)
{
	p->start = p->last = sh_now();
	p->active = isatty(2);
	p->what = what;
}

void sh_progress_update(sh_progress *p, double fraction)
{
	if (!p->active)
		return;
	double t = sh_now();
	/* only for work longer than a second or two, at most 10 redraws a second */
	if (t - p->start < 1.5 || t - p->last < 0.1)
		return;
	p->last = t;
	if (fraction >= 0) {
		int w = 30, filled = (int)(fraction * w + 0.5);
		if (filled > w)
			filled = w;
		fprintf(stderr, "\r%s: %s [%.*s%*s] %3d%%", sh_progname, p->what, filled,
		        "##############################", w - filled, "", (int)(fraction * 100));
	} else {
		fprintf(stderr, "\r%s: %s %.0fs", sh_progname, p->what, t - p->start);
	}
}

void sh_progress_end(sh_progress *p)
{
	if (p->active && sh_now() - p->start >= 1.5)
		fprintf(stderr, "\r\033[K");
	p->active = false;
}
