/* events.c -- JSON Lines event reader and writer; see events.h. */
#define _GNU_SOURCE
#include "events.h"
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define MAX_LINE (1 << 20) /* a longer line is malformed, not a reason to eat memory */

struct sh_evreader {
	int fd;
	char *name;
	bool skip_bad, eof, have_prev;
	char *buf;
	size_t cap, start, end; /* unread bytes are buf[start..end) */
	long lineno, skipped;
	double prev_t;
	json_t *cur;
	sh_evwriter *flush_w;
};

struct sh_evwriter {
	int fd;
	sh_atomic *af; /* the file, or NULL for stdout */
	bool live;
	char *buf;
	size_t len, cap;
};

/* ---------------------------------------------------------------- reading */

sh_evreader *sh_evreader_open(const char *path, bool skip_bad)
{
	sh_evreader *r = sh_calloc(1, sizeof *r);
	if (!path || strcmp(path, "-") == 0) {
		r->fd = 0;
		r->name = sh_strdup("stdin");
	} else {
		r->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (r->fd < 0)
			sh_die("%s: cannot open: %s", path, strerror(errno));
		r->name = sh_strdup(path);
	}
	r->skip_bad = skip_bad;
	r->cap = 65536;
	r->buf = sh_malloc(r->cap + 1);
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
			if (r->cap > MAX_LINE)
				sh_die("%s: line %ld: longer than %d bytes", r->name, r->lineno + 1, MAX_LINE);
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

static void vbad(sh_evreader *r, long lineno, const char *fmt, va_list ap)
{
	char msg[900];
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (!r->skip_bad)
		sh_die("%s: line %ld: %s", r->name, lineno, msg);
	r->skipped++;
	sh_warn("%s: line %ld: %s (skipped)", r->name, lineno, msg);
}

static void bad(sh_evreader *r, long lineno, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void bad(sh_evreader *r, long lineno, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vbad(r, lineno, fmt, ap);
	va_end(ap);
}

void sh_event_bad(sh_evreader *r, const sh_event *ev, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vbad(r, ev->lineno, fmt, ap);
	va_end(ap);
}

int sh_evreader_next(sh_evreader *r, sh_event *ev)
{
	if (r->cur) {
		json_decref(r->cur);
		r->cur = NULL;
	}
	for (;;) {
		char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		if (!nl) {
			if (r->eof) {
				if (r->start == r->end)
					return 0;
				nl = r->buf + r->end; /* last line without a newline */
			} else {
				if (r->flush_w)
					sh_evwriter_flush(r->flush_w);
				if (sh_evreader_fill(r) < 0)
					sh_die("%s", sh_error());
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
			bad(r, r->lineno, "a NUL byte in the line");
			continue;
		}
		json_error_t jerr;
		json_t *obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
		if (!obj) {
			bad(r, r->lineno, "malformed JSON at column %d: %s", jerr.column, jerr.text);
			continue;
		}
		if (!json_is_object(obj)) {
			json_decref(obj);
			bad(r, r->lineno, "an event must be a JSON object");
			continue;
		}
		json_t *jt = json_object_get(obj, "t");
		json_t *jty = json_object_get(obj, "type");
		if (!jt || !json_is_number(jt)) {
			json_decref(obj);
			bad(r, r->lineno, "event has no numeric \"t\" (time in beats)");
			continue;
		}
		if (!jty || !json_is_string(jty)) {
			json_decref(obj);
			bad(r, r->lineno, "event has no string \"type\"");
			continue;
		}
		double t = json_number_value(jt);
		if (!isfinite(t) || t < 0) {
			json_decref(obj);
			bad(r, r->lineno, "time %g is not a finite number >= 0", t);
			continue;
		}
		if (r->have_prev && t < r->prev_t) {
			json_decref(obj);
			char a[40], b[40];
			sh_format_number(a, sizeof a, t);
			sh_format_number(b, sizeof b, r->prev_t);
			bad(r, r->lineno, "events out of time order: t=%s comes after t=%s", a, b);
			continue;
		}
		r->have_prev = true;
		r->prev_t = t;
		r->cur = obj;
		line[len] = 0; /* the byte was '\n', '\r' or the spare byte past end */
		ev->t = t;
		ev->type = json_string_value(jty);
		ev->obj = obj;
		ev->line = line;
		ev->len = len;
		ev->lineno = r->lineno;
		ev->src = r->name;
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
	free(r->name);
	free(r);
}

int sh_ev_number(const sh_event *ev, const char *key, double *out)
{
	json_t *v = json_object_get(ev->obj, key);
	if (!v || !json_is_number(v))
		return -1;
	double d = json_number_value(v);
	if (!isfinite(d))
		return -1;
	*out = d;
	return 0;
}

int sh_ev_string(const sh_event *ev, const char *key, const char **out)
{
	json_t *v = json_object_get(ev->obj, key);
	if (!v || !json_is_string(v))
		return -1;
	*out = json_string_value(v);
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
	json_t *p = json_object_get(ev->obj, "param");
	*param = p && json_is_string(p) ? json_string_value(p) : "";
	*value = json_object_get(ev->obj, "value");
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
	if (json_object_get(ev->obj, "velocity") &&
	    (sh_ev_number(ev, "velocity", &n->velocity) != 0 || n->velocity < 0 || n->velocity > 1)) {
		sh_event_bad(r, ev, "note \"velocity\" must be within 0..1");
		return false;
	}
	if (json_object_get(ev->obj, "gate") && (sh_ev_number(ev, "gate", &n->gate) != 0 || !(n->gate > 0))) {
		sh_event_bad(r, ev, "note \"gate\" must be a positive number of beats");
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
	sh_atomic *af = path && strcmp(path, "-") ? sh_atomic_open(path) : NULL;
	if (path && strcmp(path, "-") && !af)
		sh_die("%s", sh_error());
	sh_evwriter *w = sh_evwriter_open(af ? sh_atomic_fd(af) : 1, live);
	w->af = af;
	return w;
}

void sh_evwriter_live(sh_evwriter *w, bool live) { w->live = live; }

void sh_evwriter_flush(sh_evwriter *w)
{
	if (w && w->len) {
		if (sh_write_all(w->fd, w->buf, w->len) != 0)
			sh_die("%s", sh_error());
		w->len = 0;
	}
}

void sh_evwriter_raw(sh_evwriter *w, const char *line, size_t len)
{
	if (w->len + len + 1 > w->cap) {
		sh_evwriter_flush(w);
		if (len + 1 > w->cap) {
			w->cap = len + 1;
			w->buf = sh_realloc(w->buf, w->cap, 1);
		}
	}
	memcpy(w->buf + w->len, line, len);
	w->len += len;
	w->buf[w->len++] = '\n';
	if (w->live)
		sh_evwriter_flush(w);
}

void sh_evwriter_pass(sh_evwriter *w, const sh_event *ev) { sh_evwriter_raw(w, ev->line, ev->len); }

void sh_evwriter_json(sh_evwriter *w, json_t *obj)
{
	char *s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	if (!s)
		sh_die("cannot format an event");
	sh_evwriter_raw(w, s, strlen(s));
	free(s);
}

void sh_evwriter_close(sh_evwriter *w)
{
	if (!w)
		return;
	sh_evwriter_flush(w);
	if (w->af)
		if (sh_atomic_commit(w->af) != 0)
			sh_die("%s", sh_error());
	free(w->buf);
	free(w);
}


static void line_append(sh_evline *l, const char *s)
{
	size_t n = strlen(s);
	if (l->len + n >= sizeof l->buf - 2)
		sh_die("event line too long");
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = 0;
}

void sh_evline_begin(sh_evline *l, double t, const char *type)
{
	l->len = 0;
	l->buf[0] = 0;
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
		if (l->len + n + 2 >= sizeof l->buf - 2)
			sh_die("event line too long");
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

void sh_evline_end(sh_evline *l) { line_append(l, "}"); }

/* ---------------------------------------------------------------- timing */

void sh_tempomap_init(sh_tempomap *tm, double bpm)
{
	tm->beat0 = 0;
	tm->sec0 = 0;
	tm->bpm = bpm;
}

double sh_tempomap_seconds(const sh_tempomap *tm, double beat)
{
	return tm->sec0 + (beat - tm->beat0) * 60.0 / tm->bpm;
}

void sh_tempomap_set(sh_tempomap *tm, double beat, double bpm)
{
	tm->sec0 = sh_tempomap_seconds(tm, beat);
	tm->beat0 = beat;
	tm->bpm = bpm;
}

void sh_sleep_until(double when)
{
	struct timespec ts;
	ts.tv_sec = (time_t)floor(when);
	ts.tv_nsec = (long)((when - floor(when)) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

bool sh_try_realtime(int level)
{
	struct sched_param sp;
	memset(&sp, 0, sizeof sp);
	sp.sched_priority = sched_get_priority_min(SCHED_FIFO) + level;
	bool ok = sched_setscheduler(0, SCHED_FIFO, &sp) == 0;
	if (ok)
		mlockall(MCL_CURRENT | MCL_FUTURE);
	else if (setpriority(PRIO_PROCESS, 0, -15) != 0)
		(void)setpriority(PRIO_PROCESS, 0, -5);
	return ok;
}

void sh_sleep_until_precise(double when)
{
	double now = sh_now();
	if (when - now > 0.0004)
		sh_sleep_until(when - 0.0003);
	while (sh_now() < when)
		; /* at most a few hundred microseconds */
}

/* ---------------------------------------------------------------- Euclidean rhythms */

/* Bjorklund's algorithm as Toussaint (2005) describes it: k groups "1" and n-k
 * groups "0"; pair one remainder group onto each front group, what is left over
 * becomes the new remainder; repeat (at least once) until at most one remainder
 * group is left. In every round all front groups are equal and all remainder groups
 * are equal, so two strings and two counts describe the state. */
int sh_euclid(int steps, int pulses, int rotation, unsigned char *out)
{
	if (steps < 1 || steps > SH_EUCLID_MAX) {
		sh_set_error("steps %d is outside 1..%d", steps, SH_EUCLID_MAX);
		return -1;
	}
	bool invert = pulses < 0;
	int k = invert ? -pulses : pulses;
	if (k > steps) {
		sh_set_error("%d pulses do not fit in %d steps", pulses, steps);
		return -1;
	}
	unsigned char base[SH_EUCLID_MAX];
	if (k == 0 || k == steps) {
		memset(base, k ? 1 : 0, (size_t)steps);
	} else {
		static _Thread_local unsigned char a[SH_EUCLID_MAX], b[SH_EUCLID_MAX], t[SH_EUCLID_MAX];
		int alen = 1, blen = 1, acount = k, bcount = steps - k;
		a[0] = 1;
		b[0] = 0;
		do {
			int m = acount < bcount ? acount : bcount;
			int tlen = alen + blen, nb;
			memcpy(t, a, (size_t)alen); /* each new front group is a + b */
			memcpy(t + alen, b, (size_t)blen);
			if (acount > bcount) { /* unpaired front groups become the remainder */
				nb = acount - m;
				memcpy(b, a, (size_t)alen);
				blen = alen;
			} else {
				nb = bcount - m;
			}
			memcpy(a, t, (size_t)tlen);
			alen = tlen;
			acount = m;
			bcount = nb;
		} while (bcount > 1);
		int pos = 0;
		for (int i = 0; i < acount; i++)
			for (int j = 0; j < alen; j++)
				base[pos++] = a[j];
		for (int i = 0; i < bcount; i++)
			for (int j = 0; j < blen; j++)
				base[pos++] = b[j];
		if (pos != steps) {
			sh_set_error("internal error in the Euclidean algorithm (%d of %d steps)", pos, steps);
			return -1;
		}
	}
	int r = rotation % steps;
	if (r < 0)
		r += steps;
	for (int i = 0; i < steps; i++) {
		unsigned char v = base[((i - r) % steps + steps) % steps];
		out[i] = invert ? !v : v;
	}
	return 0;
}

double sh_events_length(const sh_option *opts, int64_t bars, int64_t bpb, double beats, const sh_duration *dur,
                        double bpm)
{
	int given = sh_option_given(opts, "bars") + sh_option_given(opts, "beats") + sh_option_given(opts, "duration");
	if (given > 1)
		sh_usage_error("give one of --bars, --beats and --duration");
	if (sh_option_given(opts, "bars"))
		return (double)(bars * bpb);
	if (sh_option_given(opts, "beats"))
		return beats;
	if (!sh_option_given(opts, "duration"))
		return INFINITY;
	if (dur->unit == SH_DUR_BEATS)
		return dur->amount;
	double sec;
	if (sh_duration_seconds(dur, bpm, 0, 0, &sec) != 0)
		sh_usage_error("--duration: %s", sh_error());
	return sec * bpm / 60.0;
}
