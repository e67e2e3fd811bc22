/* events.c -- JSON Lines event reader and writer; see events.h. */
#define _GNU_SOURCE
#include "events.h"
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_LINE (1 << 20) /* a longer line is malformed, not a reason to eat memory */
#define FLAT_MAX 24        /* members of a line the plain scanner takes */

/* A member of a plain line (scan_plain): a number, a string (NUL-terminated in
 * the reader's arena) or anything else (true, false, null). */
typedef struct {
	const char *key;
	size_t klen;
	char kind; /* 'n', 's', 'o' */
	double num;
	const char *str;
} plain_member;

struct sh_evreader {
	int fd;
	char *name;
	bool skip_bad, eof, have_prev;
	char *buf;
	size_t cap, start, end; /* unread bytes are buf[start..end) */
	long lineno, skipped;
	double prev_t;
	json_t *cur;          /* the current event's object, once parsed */
	const char *cur_line; /* the line it was parsed from */
	plain_member plain[FLAT_MAX]; /* the current line's members, when scanned plain */
	int nplain;                   /* -1: the line went through jansson */
	char *arena;                  /* the plain strings */
	size_t arena_cap;
	sh_evwriter *flush_w;
	char *stopped; /* why sh_event_bad stopped the reader, or NULL */
};

struct sh_evwriter {
	int fd;
	sh_atomic *af; /* the file, or NULL for stdout */
	bool live, failed;
	bool seed_written; /* the run's seed event, once the seed matters */
	char *buf;
	size_t len, cap;
	char *error; /* the first failure, repeated by every later call */
};

/* ---------------------------------------------------------------- reading */

sh_evreader *sh_evreader_open(const char *path, bool skip_bad)
{
	int fd = 0;
	if (path && strcmp(path, "-") != 0) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			sh_set_error("%s: cannot open: %s", path, strerror(errno));
			return NULL;
		}
	}
	return sh_evreader_open_fd(fd, fd ? path : "stdin", skip_bad);
}

sh_evreader *sh_evreader_open_fd(int fd, const char *name, bool skip_bad)
{
	sh_evreader *r = sh_calloc(1, sizeof *r);
	r->fd = fd;
	r->name = sh_strdup(name);
	r->skip_bad = skip_bad;
	r->cap = 65536;
	r->buf = sh_malloc(r->cap + 1);
	r->nplain = -1;
	return r;
}

int sh_evreader_fd(const sh_evreader *r) { return r->fd; }
bool sh_evreader_eof(const sh_evreader *r) { return r->eof && r->start == r->end; }
const char *sh_evreader_name(const sh_evreader *r) { return r->name; }
long sh_evreader_skipped(const sh_evreader *r) { return r->skipped; }
void sh_evreader_flush_before_wait(sh_evreader *r, sh_evwriter *w) { r->flush_w = w; }

bool sh_evreader_buffered(const sh_evreader *r)
{
	return memchr(r->buf + r->start, '\n', r->end - r->start) != NULL ||
	       (r->eof && r->end > r->start);
}

int sh_evreader_fill(sh_evreader *r)
{
	if (r->eof)
		return 0;
	if (r->start > 0 && r->start == r->end)
		r->start = r->end = 0;
	if (r->end == r->cap) {
		if (r->start > 0) {
			memmove(r->buf, r->buf + r->start, r->end - r->start);
			r->end -= r->start;
			r->start = 0;
		} else {
			if (r->cap > MAX_LINE) {
				sh_set_error("%s: line %ld: longer than %d bytes", r->name, r->lineno + 1, MAX_LINE);
				return -1;
			}
			r->cap *= 2;
			r->buf = sh_realloc(r->buf, r->cap + 1, 1);
		}
	}
	for (;;) {
		ssize_t n = read(r->fd, r->buf + r->end, r->cap - r->end);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (errno == EAGAIN)
				return 1;
			sh_set_error("%s: read error: %s", r->name, strerror(errno));
			return -1;
		}
		if (n == 0) {
			r->eof = true;
			return 0;
		}
		r->end += (size_t)n;
		return 1;
	}
}

/* A bad line: warned about and skipped (0), or without skip_bad the reader stops
 * there (-1) and says why on its next call. */
static int vbad(sh_evreader *r, long lineno, const char *fmt, va_list ap)
{
	char msg[900];
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (!r->skip_bad) {
		if (!r->stopped) {
			size_t n = strlen(r->name) + strlen(msg) + 40;
			r->stopped = sh_malloc(n);
			snprintf(r->stopped, n, "%s: line %ld: %s", r->name, lineno, msg);
		}
		sh_set_error("%s", r->stopped);
		return -1;
	}
	r->skipped++;
	sh_warn("%s: line %ld: %s (skipped)", r->name, lineno, msg);
	return 0;
}

static int bad(sh_evreader *r, long lineno, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad(sh_evreader *r, long lineno, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int status = vbad(r, lineno, fmt, ap);
	va_end(ap);
	return status;
}

int sh_event_bad(sh_evreader *r, const sh_event *ev, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int status = vbad(r, ev->lineno, fmt, ap);
	va_end(ap);
	return status;
}

/* In sh_evreader_next's loop, a malformed line: stop (return -1), or skip it and
 * read on (an if-else, not do-while, so that `continue` reaches the loop). */
/* ---- plain lines
 * jansson builds a tree with an allocation per member, and that was half of
 * the event pipe's time; yet nearly every line on a pipe is a flat object of
 * numbers and plain ASCII strings, written by the suite itself. Such a line is
 * scanned here without building anything; any other line (nesting, escapes,
 * non-ASCII, a repeated key, an integer jansson would refuse, anything this
 * scanner does not take) goes to jansson whole, so every error message stays
 * jansson's and no line is read two ways. No library offers a validating scan
 * of JSON that keeps the numbers without building a tree, hence this one. */

static const char *skip_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* A string's body at P (after its '"'): plain printable ASCII up to the closing
 * '"'; NULL for anything else. */
static const char *plain_string(const char *p, const char *e)
{
	while (p < e && *p != '"') {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c >= 0x7f || c == '\\')
			return NULL;
		p++;
	}
	return p < e ? p : NULL;
}

static const double pow10_exact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                     1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* A JSON number at P into *V, as jansson reads it (an integer through long
 * long, anything else through strtod); NULL when P is not one, or jansson would
 * refuse it (an integer out of range, a real that overflows). */
static const char *plain_number(const char *p, const char *e, double *v)
{
	const char *s = p;
	bool neg = p < e && *p == '-';
	p += neg;
	if (p >= e || !isdigit((unsigned char)*p))
		return NULL;
	uint64_t mant = 0;
	int digits = 0, frac = 0;
	if (*p == '0')
		p++;
	else
		for (; p < e && isdigit((unsigned char)*p); p++, digits++)
			if (digits < 19)
				mant = mant * 10 + (uint64_t)(*p - '0');
	bool real = false;
	if (p < e && *p == '.') {
		real = true;
		p++;
		if (p >= e || !isdigit((unsigned char)*p))
			return NULL;
		for (; p < e && isdigit((unsigned char)*p); p++, frac++) {
			digits += digits || *p != '0'; /* significant: from the first non-zero on */
			if (digits <= 19)              /* beyond, mant would wrap; it is not used then */
				mant = mant * 10 + (uint64_t)(*p - '0');
		}
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		real = true;
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		if (p >= e || !isdigit((unsigned char)*p))
			return NULL;
		while (p < e && isdigit((unsigned char)*p))
			p++;
		frac = -1; /* an exponent: strtod */
	}
	if (!real) {
		if (digits > 18) /* near long long's end: jansson decides */
			return NULL;
		*v = (double)(neg ? -(int64_t)mant : (int64_t)mant); /* -0 is 0, as a JSON integer */
		return p;
	}
	if (frac >= 0 && digits <= 15 && frac <= 22) {
		/* both exact, so one division rounds correctly, as strtod would */
		double d = (double)mant / pow10_exact[frac];
		*v = neg ? -d : d;
		return p;
	}
	double d = strtod(s, NULL); /* stops where the number does: the line goes on */
	if (!isfinite(d))
		return NULL;
	*v = d;
	return p;
}

/* Scan LINE as a flat object of plain members into r->plain; false when it is
 * not one (jansson reads it then). */
static bool scan_plain(sh_evreader *r, const char *line, size_t len)
{
	const char *p = line, *e = line + len;
	if (r->arena_cap < len + FLAT_MAX) {
		r->arena_cap = len + FLAT_MAX + 256;
		free(r->arena);
		r->arena = sh_malloc(r->arena_cap);
	}
	char *a = r->arena;
	int n = 0;
	p = skip_ws(p, e);
	if (p >= e || *p++ != '{')
		return false;
	for (;;) {
		p = skip_ws(p, e);
		if (p >= e || *p != '"' || n == FLAT_MAX)
			return false;
		plain_member *m = &r->plain[n];
		m->key = ++p;
		if (!(p = plain_string(p, e)))
			return false;
		m->klen = (size_t)(p - m->key);
		for (int i = 0; i < n; i++)
			if (r->plain[i].klen == m->klen && !memcmp(r->plain[i].key, m->key, m->klen))
				return false; /* a repeated key: jansson's refusal */
		p = skip_ws(p + 1, e);
		if (p >= e || *p++ != ':')
			return false;
		p = skip_ws(p, e);
		if (p >= e)
			return false;
		if (*p == '"') {
			const char *s = p + 1;
			if (!(p = plain_string(s, e)))
				return false;
			m->kind = 's';
			m->str = a;
			memcpy(a, s, (size_t)(p - s));
			a += p - s;
			*a++ = 0;
			p++;
		} else if (*p == '-' || isdigit((unsigned char)*p)) {
			m->kind = 'n';
			if (!(p = plain_number(p, e, &m->num)))
				return false;
		} else {
			static const char *const words[] = {"true", "false", "null"};
			size_t w = 0;
			for (int i = 0; i < 3 && !w; i++)
				if ((size_t)(e - p) >= strlen(words[i]) && !memcmp(p, words[i], strlen(words[i])))
					w = strlen(words[i]);
			if (!w)
				return false;
			m->kind = 'o';
			p += w;
		}
		n++;
		p = skip_ws(p, e);
		if (p < e && *p == ',') {
			p++;
			continue;
		}
		if (p >= e || *p++ != '}')
			return false;
		break;
	}
	if (skip_ws(p, e) != e)
		return false;
	r->nplain = n;
	return true;
}

/* A member of EV by key: its kind ('n', 's', 'o'; 0 when absent), number and string. */
typedef struct {
	char kind;
	double num;
	const char *str;
} ev_member;

static ev_member member(const sh_event *ev, const char *key)
{
	ev_member m = {0, 0, NULL};
	const sh_evreader *r = ev->reader;
	if (!ev->obj && r && r->nplain >= 0) {
		size_t kl = strlen(key);
		for (int i = 0; i < r->nplain; i++)
			if (r->plain[i].klen == kl && !memcmp(r->plain[i].key, key, kl)) {
				m.kind = r->plain[i].kind;
				m.num = r->plain[i].num;
				m.str = r->plain[i].str;
				break;
			}
		return m;
	}
	json_t *v = json_object_get(sh_event_obj(ev), key);
	if (!v)
		return m;
	if (json_is_number(v)) {
		m.kind = 'n';
		m.num = json_number_value(v);
	} else if (json_is_string(v)) {
		m.kind = 's';
		m.str = json_string_value(v);
	} else
		m.kind = 'o';
	return m;
}

json_t *sh_event_obj(const sh_event *ev)
{
	if (ev->obj)
		return ev->obj;
	sh_evreader *r = ev->reader;
	if (!r)
		return NULL;
	if (r->cur && r->cur_line == ev->line)
		return r->cur;
	if (r->cur)
		json_decref(r->cur);
	r->cur = json_loadb(ev->line, ev->len, JSON_REJECT_DUPLICATES, NULL); /* scanned: it parses */
	r->cur_line = ev->line;
	return r->cur;
}

/* A tick's numbers, checked where every program reads them (a program that
 * only passes ticks on would otherwise carry a grid nobody can play): NULL when
 * they are fine, else what is wrong. */
static const char *bad_tick(const sh_event *ev)
{
	ev_member step = member(ev, "step"), spb = member(ev, "steps_per_beat");
	if (step.kind) {
		double v = step.kind == 'n' ? step.num : -1;
		if (!(v >= 0 && v <= SH_EV_MAX_STEP && v == floor(v)))
			return "tick \"step\" must be a whole number 0..2^53";
	}
	if (spb.kind) {
		double v = spb.kind == 'n' ? spb.num : 0;
		if (!(v >= 1 && v <= SH_EV_MAX_STEPS_PER_BEAT && v == floor(v)))
			return "tick \"steps_per_beat\" must be a whole number 1..1000";
	}
	return NULL;
}

#define BAD_LINE(...)                               \
	if (bad(r, r->lineno, __VA_ARGS__) != 0) \
		return -1;                          \
	else                                        \
		continue

int sh_evreader_next(sh_evreader *r, sh_event *ev)
{
	if (r->cur) {
		json_decref(r->cur);
		r->cur = NULL;
	}
	r->nplain = -1;
	if (r->stopped) {
		sh_set_error("%s", r->stopped);
		return -1;
	}
	for (;;) {
		char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		if (!nl) {
			if (r->eof) {
				if (r->start == r->end)
					return 0;
				nl = r->buf + r->end; /* last line without a newline */
			} else {
				if (r->flush_w && sh_evwriter_flush(r->flush_w) != 0)
					return -1;
				if (sh_evreader_fill(r) < 0)
					return -1;
				continue;
			}
		}
		char *line = r->buf + r->start;
		size_t len = (size_t)(nl - line);
		r->start = (nl == r->buf + r->end) ? r->end : r->start + len + 1;
		r->lineno++;
		if (len && line[len - 1] == '\r')
			len--;
		size_t k = 0;
		while (k < len && (line[k] == ' ' || line[k] == '\t'))
			k++;
		if (k == len)
			continue; /* blank lines carry nothing */
		if (memchr(line, 0, len)) {
			BAD_LINE("a NUL byte in the line");
		}
		*ev = (sh_event){.line = line, .len = len, .lineno = r->lineno, .src = r->name, .reader = r};
		r->nplain = -1;
		if (r->cur) { /* a bad line before this one was parsed */
			json_decref(r->cur);
			r->cur = NULL;
		}
		if (!scan_plain(r, line, len)) {
			json_error_t jerr;
			json_t *obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
			if (!obj) {
				BAD_LINE("malformed JSON at column %d: %s", jerr.column, jerr.text);
			}
			r->cur = ev->obj = obj;
			r->cur_line = line;
			if (!json_is_object(obj)) {
				BAD_LINE("an event must be a JSON object");
			}
		}
		ev_member jt = member(ev, "t"), jty = member(ev, "type");
		if (jt.kind != 'n') {
			BAD_LINE("event has no numeric \"t\" (time in beats)");
		}
		if (jty.kind != 's') {
			BAD_LINE("event has no string \"type\"");
		}
		double t = jt.num;
		if (!isfinite(t) || t < 0) {
			BAD_LINE("time %g is not a finite number >= 0", t);
		}
		if (t > SH_EV_MAX_BEATS) {
			BAD_LINE("time %g is past the longest stream (1e9 beats)", t);
		}
		const char *tick_error = strcmp(jty.str, "tick") == 0 ? bad_tick(ev) : NULL;
		if (tick_error) {
			BAD_LINE("%s", tick_error);
		}
		if (r->have_prev && t < r->prev_t) {
			char a[40], b[40];
			sh_format_number(a, sizeof a, t);
			sh_format_number(b, sizeof b, r->prev_t);
			BAD_LINE("events out of time order: t=%s comes after t=%s", a, b);
		}
		r->have_prev = true;
		r->prev_t = t;
		line[len] = 0; /* the byte was '\n', '\r' or the spare byte past end */
		ev->t = t;
		ev->type = jty.str;
		return 1;
	}
}

void sh_evreader_close(sh_evreader *r)
{
	if (!r)
		return;
	if (r->cur)
		json_decref(r->cur);
	if (r->fd > 0)
		close(r->fd);
	free(r->buf);
	free(r->arena);
	free(r->name);
	free(r->stopped);
	free(r);
}

int sh_ev_number(const sh_event *ev, const char *key, double *out)
{
	ev_member m = member(ev, key);
	if (m.kind != 'n' || !isfinite(m.num))
		return -1;
	*out = m.num;
	return 0;
}

int sh_ev_channel(const sh_event *ev, const char *key, int64_t *out)
{
	ev_member m = member(ev, key);
	if (!m.kind)
		return 1;
	if (m.kind == 's')
		return sh_parse_channel(m.str, out);
	double d = m.kind == 'n' ? m.num : -1;
	if (!(d >= 0 && d <= 15 && d == floor(d)))
		return -1;
	*out = (int64_t)d;
	return 0;
}

int sh_ev_string(const sh_event *ev, const char *key, const char **out)
{
	ev_member m = member(ev, key);
	if (m.kind != 's')
		return -1;
	*out = m.str;
	return 0;
}

bool sh_ev_is(const sh_event *ev, const char *type) { return strcmp(ev->type, type) == 0; }

bool sh_ev_param_for(const sh_event *ev, const char *name, const char **param, json_t **value)
{
	if (strcmp(ev->type, "param") != 0)
		return false;
	const char *target;
	if (sh_ev_string(ev, "target", &target) != 0 || strcmp(target, name) != 0)
		return false;
	if (sh_ev_string(ev, "param", param) != 0)
		*param = "";
	*value = json_object_get(sh_event_obj(ev), "value");
	return true;
}

int sh_json_to_double(json_t *v, double *out)
{
	if (v && json_is_number(v) && isfinite(json_number_value(v))) {
		*out = json_number_value(v);
		return 0;
	}
	if (v && json_is_string(v))
		return sh_parse_double(json_string_value(v), out);
	return -1;
}

bool sh_ev_note(sh_evreader *r, const sh_event *ev, bool whole_pitch, sh_evnote *n)
{
	double p;
	if (sh_ev_number(ev, "pitch", &p) != 0 || (whole_pitch && p != floor(p)) || p < 0 || p > 127) {
		sh_event_bad(r, ev, "note needs a %s\"pitch\" within 0..127", whole_pitch ? "whole " : "");
		return false;
	}
	n->pitch = p;
	n->velocity = 0.8;
	n->gate = 0.25;
	if (member(ev, "velocity").kind &&
	    (sh_ev_number(ev, "velocity", &n->velocity) != 0 || n->velocity < 0 || n->velocity > 1)) {
		sh_event_bad(r, ev, "note \"velocity\" must be within 0..1");
		return false;
	}
	if (member(ev, "gate").kind &&
	    (sh_ev_number(ev, "gate", &n->gate) != 0 || !(n->gate > 0 && n->gate <= SH_EV_MAX_BEATS))) {
		sh_event_bad(r, ev, "note \"gate\" must be a positive number of beats, at most 1e9");
		return false;
	}
	return true;
}

bool sh_ev_tempo(sh_evreader *r, const sh_event *ev, double *bpm)
{
	if (sh_ev_number(ev, "bpm", bpm) != 0 || *bpm < 1 || *bpm > 999) {
		sh_event_bad(r, ev, "tempo needs \"bpm\" within 1..999");
		return false;
	}
	return true;
}

/* ---------------------------------------------------------------- writing */

sh_evwriter *sh_evwriter_open(int fd, bool live)
{
	sh_evwriter *w = sh_calloc(1, sizeof *w);
	w->fd = fd;
	w->live = live;
	w->cap = 1 << 16;
	w->buf = sh_malloc(w->cap);
	return w;
}

sh_evwriter *sh_evwriter_create(const char *path, bool live)
{
	sh_atomic *af = NULL;
	if (path && strcmp(path, "-") != 0 && !(af = sh_atomic_open(path)))
		return NULL;
	sh_evwriter *w = sh_evwriter_open(af ? sh_atomic_fd(af) : 1, live);
	w->af = af;
	return w;
}

void sh_evwriter_live(sh_evwriter *w, bool live) { w->live = live; }
bool sh_evwriter_failed(const sh_evwriter *w) { return w->failed; }

/* The writer has failed: remember why, so every later call can say it again. */
static int writer_failed(sh_evwriter *w)
{
	if (!w->failed) {
		w->failed = true;
		w->error = sh_strdup(sh_error());
	}
	sh_set_error("%s", w->error);
	return -1;
}

int sh_evwriter_flush(sh_evwriter *w)
{
	if (!w)
		return 0;
	if (w->failed)
		return writer_failed(w);
	if (w->len) {
		if (sh_write_named(w->fd, w->buf, w->len, sh_atomic_path(w->af)) != 0)
			return writer_failed(w);
		w->len = 0;
	}
	return 0;
}

static int put_line(sh_evwriter *w, const char *line, size_t len);

/* The run's seed, once a draw made it matter, as a seed event just before the
 * line LINE that follows the draw, at that line's time, so times stay in order. */
static int put_seed(sh_evwriter *w, const char *line, size_t len)
{
	uint64_t seed;
	if (!sh_seed_to_carry(&seed))
		return 0;
	w->seed_written = true;
	json_t *ev = json_loadb(line, len, 0, NULL), *t = json_object_get(ev, "t");
	sh_evline l;
	sh_evline_begin(&l, json_is_number(t) ? json_number_value(t) : 0, "seed");
	json_decref(ev);
	sh_evline_str(&l, "program", sh_progname);
	sh_evline_num(&l, "seed", (double)seed);
	if (sh_evline_end(&l) != 0 || put_line(w, l.buf, l.len) != 0)
		return -1;
	sh_seed_carried(seed);
	return 0;
}

int sh_evwriter_raw(sh_evwriter *w, const char *line, size_t len)
{
	if (!w->seed_written && put_seed(w, line, len) != 0)
		return -1;
	return put_line(w, line, len);
}

static int put_line(sh_evwriter *w, const char *line, size_t len)
{
	if (w->len + len + 1 > w->cap) {
		if (sh_evwriter_flush(w) != 0)
			return -1;
		if (len + 1 > w->cap) {
			w->cap = len + 1;
			w->buf = sh_realloc(w->buf, w->cap, 1);
		}
	}
	memcpy(w->buf + w->len, line, len);
	w->len += len;
	w->buf[w->len++] = '\n';
	return w->live ? sh_evwriter_flush(w) : 0;
}

int sh_evwriter_pass(sh_evwriter *w, const sh_event *ev) { return sh_evwriter_raw(w, ev->line, ev->len); }

/* The end of the JSON string starting at P (its opening quote): just past the
 * closing quote. */
static const char *string_end(const char *p, const char *end)
{
	for (p++; p < end && *p != '"'; p++)
		if (*p == '\\')
			p++;
	return p < end ? p + 1 : end;
}

/* The end of the JSON value starting at P. The line has been parsed already,
 * so it is well formed. */
static const char *value_end(const char *p, const char *end)
{
	if (*p == '"')
		return string_end(p, end);
	int depth = 0;
	for (; p < end; p++) {
		if (*p == '"')
			p = string_end(p, end) - 1;
		else if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']') {
			if (depth == 0)
				return p;
			if (--depth == 0)
				return p + 1;
		} else if (*p == ',' && depth == 0)
			return p;
	}
	return end;
}

/* Whether the raw JSON key text K..KEND (without its quotes) spells KEY, escapes
 * ("\u0074") decoded. */
static bool key_is(const char *k, const char *kend, const char *key, size_t klen)
{
	if (!memchr(k, '\\', (size_t)(kend - k)))
		return (size_t)(kend - k) == klen && !memcmp(k, key, klen);
	json_t *s = json_loadb(k - 1, (size_t)(kend - k) + 2, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	bool same = json_is_string(s) && json_string_length(s) == klen && !memcmp(json_string_value(s), key, klen);
	json_decref(s);
	return same;
}

/* Where EV's top-level member KEY is: its key's opening quote at *key, its value
 * from *val to *vend. False when there is none. */
static bool find_member(const sh_event *ev, const char *key, const char **at, const char **val, const char **vend)
{
	const char *p = ev->line, *end = ev->line + ev->len;
	size_t klen = strlen(key);
	while (p < end && *p != '{')
		p++;
	for (p++; p < end;) {
		while (p < end && (isspace((unsigned char)*p) || *p == ','))
			p++;
		if (p >= end || *p != '"')
			break;
		const char *k = p, *kend = string_end(p, end) - 1;
		p = kend + 1;
		while (p < end && (isspace((unsigned char)*p) || *p == ':'))
			p++;
		const char *v = p;
		p = value_end(p, end);
		if (key_is(k + 1, kend, key, klen)) {
			*at = k;
			*val = v;
			*vend = p;
			return true;
		}
	}
	return false;
}

/* EV's line with FROM..TO replaced by WITH: a new string of *LEN bytes. */
static char *member_splice(const sh_event *ev, const char *from, const char *to, const char *with, size_t *len)
{
	size_t head = (size_t)(from - ev->line), nw = strlen(with), tail = (size_t)(ev->line + ev->len - to);
	char *s = sh_malloc(head + nw + tail + 1);
	memcpy(s, ev->line, head);
	memcpy(s + head, with, nw);
	memcpy(s + head + nw, to, tail);
	*len = head + nw + tail;
	s[*len] = 0;
	return s;
}

char *sh_event_with(const sh_event *ev, const char *key, const char *value, size_t *len)
{
	const char *k, *v, *vend;
	return find_member(ev, key, &k, &v, &vend) ? member_splice(ev, v, vend, value, len) : NULL;
}

char *sh_event_without(const sh_event *ev, const char *key, size_t *len)
{
	const char *k, *v, *to, *end = ev->line + ev->len;
	if (!find_member(ev, key, &k, &v, &to))
		return NULL;
	const char *from = k;
	while (from > ev->line && isspace((unsigned char)from[-1]))
		from--;
	if (from > ev->line && from[-1] == ',') { /* not the first member: the comma before it */
		from--;
	} else { /* the first: the comma after it */
		from = k;
		while (to < end && isspace((unsigned char)*to))
			to++;
		if (to < end && *to == ',')
			to++;
	}
	return member_splice(ev, from, to, "", len);
}

char *sh_event_set(const sh_event *ev, const char *key, const char *value, size_t *len)
{
	char *s = sh_event_with(ev, key, value, len);
	if (s)
		return s;
	size_t close = ev->len, open = 0;
	while (close > 0 && ev->line[close - 1] != '}')
		close--;
	while (open < ev->len && ev->line[open] != '{')
		open++;
	if (close == 0 || open >= close - 1)
		return NULL;
	size_t last = close - 1; /* the closing brace; a comma goes in unless the object is empty */
	while (last > open + 1 && isspace((unsigned char)ev->line[last - 1]))
		last--;
	bool empty = last == open + 1;
	char *member = sh_malloc(strlen(key) + strlen(value) + 5);
	sprintf(member, "%s\"%s\":%s", empty ? "" : ",", key, value);
	const char *brace = ev->line + close - 1;
	s = member_splice(ev, brace, brace, member, len);
	free(member);
	return s;
}

int sh_evwriter_json(sh_evwriter *w, json_t *obj)
{
	char *s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	if (!s) {
		sh_set_error("cannot format an event");
		return -1;
	}
	int status = sh_evwriter_raw(w, s, strlen(s));
	free(s);
	return status;
}

static void writer_free(sh_evwriter *w)
{
	free(w->buf);
	free(w->error);
	free(w);
}

int sh_evwriter_close(sh_evwriter *w)
{
	if (!w)
		return 0;
	int status = sh_evwriter_flush(w);
	if (w->af) {
		if (status == 0)
			status = sh_atomic_commit(w->af); /* removes the file on failure */
		else
			sh_atomic_abort(w->af);
	}
	writer_free(w);
	return status;
}

void sh_evwriter_abort(sh_evwriter *w)
{
	if (!w)
		return;
	if (w->af)
		sh_atomic_abort(w->af);
	writer_free(w);
}

int sh_evwriter_line(sh_evwriter *w, sh_evline *l)
{
	if (sh_evline_end(l) != 0)
		return -1;
	return sh_evwriter_raw(w, l->buf, l->len);
}

/* A line too long for the buffer is marked and refused by sh_evline_end (a name
 * of hundreds of bytes is a mistake, not something to grow for). */
static void line_append(sh_evline *l, const char *s)
{
	size_t n = strlen(s);
	if (l->len + n >= sizeof l->buf - 2) {
		l->overflow = true;
		return;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = 0;
}

void sh_evline_begin(sh_evline *l, double t, const char *type)
{
	l->len = 0;
	l->buf[0] = 0;
	l->overflow = false;
	line_append(l, "{\"t\":");
	char num[40];
	sh_format_number(num, sizeof num, t);
	line_append(l, num);
	sh_evline_str(l, "type", type);
}

void sh_evline_num(sh_evline *l, const char *key, double v)
{
	char num[48];
	sh_format_number(num, sizeof num, v);
	line_append(l, ",\"");
	line_append(l, key);
	line_append(l, "\":");
	line_append(l, num);
}

void sh_evline_str(sh_evline *l, const char *key, const char *s)
{
	line_append(l, ",\"");
	line_append(l, key);
	line_append(l, "\":");
	/* Printable ASCII without '"' or '\\' is its own JSON text: copy it (names of
	 * triggers and streams are, and this runs once per event). Anything else is
	 * encoded (and its UTF-8 checked) by jansson. */
	const unsigned char *u = (const unsigned char *)s;
	size_t n = 0;
	while (u[n] >= 0x20 && u[n] < 0x7f && u[n] != '"' && u[n] != '\\')
		n++;
	if (!s[n]) {
		if (l->len + n + 2 >= sizeof l->buf - 2) {
			l->overflow = true;
			return;
		}
		l->buf[l->len++] = '"';
		memcpy(l->buf + l->len, s, n);
		l->len += n;
		l->buf[l->len++] = '"';
		l->buf[l->len] = 0;
		return;
	}
	json_t *js = json_string(s);
	char *enc = js ? json_dumps(js, JSON_ENCODE_ANY) : NULL;
	line_append(l, enc ? enc : "\"\"");
	free(enc);
	json_decref(js);
}

int sh_evline_end(sh_evline *l)
{
	line_append(l, "}");
	if (l->overflow) {
		sh_set_error("an event line longer than %zu bytes (a name that long?)", sizeof l->buf - 2);
		return -1;
	}
	return 0;
}
