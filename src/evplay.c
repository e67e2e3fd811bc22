/* evplay -- play a take recorded by evrec back as an event stream: on the beat
 * as it was played, or with the timing it arrived with (latency, jitter, a
 * hand on a controller), at its own tempo or a new one. */
#include "cli.h"
#include "evfilter.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The knobs, at their defaults. */
static const char *timing = "beat"; /* beat: the stream as it was; wall: as it arrived */
static double bpm = 120;            /* given: the new tempo; else the tempo before the first tempo event */

static sh_option options[] = {
	{.name = "timing", .short_name = 'T', .type = SH_OPT_CHOICE, .dest = &timing, .choices = "beat|wall",
	 .help = "beat: each event at its beat, as it was sent; wall: at the moment it arrived, the take's "
	         "human timing"},
	{.name = "bpm", .short_name = 'b', .type = SH_OPT_DOUBLE, .dest = &bpm, .min = 1, .max = 999, .arg = "BPM",
	 .unit = "bpm", .help = "play at this tempo: every tempo event scaled by BPM over the first one "
	                       "(default: the take's own; 120 before its first tempo event)"},
	{0},
};

/* ---- a member of an event's line, found in its text: the line is rewritten
 * in place, every byte outside the member as it was ---- */
static const char *string_end(const char *p, const char *end) /* p at the opening quote */
{
	for (p++; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return end;
}

static const char *value_end(const char *p, const char *end)
{
	int depth = 0;
	while (p < end) {
		if (*p == '"') {
			p = string_end(p, end);
			continue;
		}
		if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']') {
			if (depth == 0)
				break;
			depth--;
		} else if (*p == ',' && depth == 0)
			break;
		p++;
	}
	return p < end ? p : end;
}

/* Where the top-level member KEY of the object in S is: its key's opening quote
 * at *key, its value from *val to *vend. False when there is none. */
static bool find_member(const char *s, size_t n, const char *key, size_t *at, size_t *val, size_t *vend)
{
	const char *p = s, *end = s + n;
	size_t klen = strlen(key);
	while (p < end && *p != '{')
		p++;
	for (p++; p < end;) {
		while (p < end && (isspace((unsigned char)*p) || *p == ','))
			p++;
		if (p >= end || *p != '"')
			return false;
		const char *k = p, *kend = string_end(p, end);
		p = kend;
		while (p < end && (isspace((unsigned char)*p) || *p == ':'))
			p++;
		const char *v = p;
		p = value_end(p, end);
		if ((size_t)(kend - k) == klen + 2 && !memcmp(k + 1, key, klen)) {
			*at = (size_t)(k - s);
			*val = (size_t)(v - s);
			*vend = (size_t)(p - s);
			return true;
		}
	}
	return false;
}

/* S (N bytes, a malloc'd string) with bytes FROM..TO replaced by WITH. */
static char *splice(char *s, size_t *n, size_t from, size_t to, const char *with)
{
	size_t w = strlen(with), tail = *n - to;
	char *r = sh_malloc(from + w + tail + 1);
	memcpy(r, s, from);
	memcpy(r + from, with, w);
	memcpy(r + from + w, s + to, tail);
	*n = from + w + tail;
	r[*n] = 0;
	free(s);
	return r;
}

/* S without its member KEY (and the comma that joined it): the line as it was
 * before evrec added "wall". */
static char *without(char *s, size_t *n, const char *key)
{
	size_t at, val, vend;
	if (!find_member(s, *n, key, &at, &val, &vend))
		return s;
	size_t from = at;
	while (from > 0 && isspace((unsigned char)s[from - 1]))
		from--;
	if (from > 0 && s[from - 1] == ',') /* not the first member: the comma before it */
		return splice(s, n, from - 1, vend, "");
	size_t to = vend; /* the first: the comma after it */
	while (to < *n && isspace((unsigned char)s[to]))
		to++;
	if (to < *n && s[to] == ',')
		to++;
	return splice(s, n, at, to, "");
}

static char *replaced(char *s, size_t *n, const char *key, double v)
{
	size_t at, val, vend;
	char num[48];
	sh_format_number(num, sizeof num, v);
	if (!find_member(s, *n, key, &at, &val, &vend))
		return s;
	return splice(s, n, val, vend, num);
}

/* ---- playing ---- */
static struct {
	bool wall, scale;   /* --timing wall; --bpm given */
	double ratio;       /* new tempo over the take's first; 1 before it */
	bool tempo_seen;
	sh_tempomap out;    /* the tempo as played: paces --live */
	double epoch;       /* --live: the moment of beat 0 */
	bool started;
	/* --timing wall: the take's own tempo, from the wall time it changed */
	double wall0, beat0, take_bpm, last_wall;
} play;

static int setup(sh_evfilter *f)
{
	if (f->nargs > 1) {
		sh_set_error("too many operands (one take at most)");
		return SH_EVF_USAGE;
	}
	play.wall = !strcmp(timing, "wall");
	play.scale = sh_option_given(f->opts, "bpm");
	play.ratio = 1;
	play.take_bpm = bpm;
	sh_tempomap_init(&play.out, bpm);
	return SH_EVF_GO;
}

/* The beat at which wall time W falls, at the take's tempo as it came. */
static double wall_beat(double w) { return round((play.beat0 + (w - play.wall0) * play.take_bpm / 60) * 1e9) / 1e9; }

/* One event: its line as played (*LINE, malloc'd) and its time *T; -1 after
 * sh_event_bad. */
static int play_event(sh_evreader *in, const sh_event *ev, char **line, size_t *len, double *t)
{
	*len = ev->len;
	*line = sh_malloc(ev->len + 1);
	memcpy(*line, ev->line, ev->len);
	(*line)[ev->len] = 0;
	*line = without(*line, len, "wall");
	*t = ev->t;
	double w = 0;
	if (play.wall) {
		json_t *jw = json_object_get(ev->obj, "wall");
		if (!jw) {
			sh_event_bad(in, ev, "no \"wall\" time: not a take recorded by evrec (play it with --timing beat)");
			return -1;
		}
		w = json_number_value(jw);
		if (!json_is_number(jw) || w < 0 || w > 1e9) {
			sh_event_bad(in, ev, "\"wall\" must be a number of seconds, 0 or more");
			return -1;
		}
		if (w < play.last_wall) {
			sh_event_bad(in, ev, "\"wall\" goes back in time (%g after %g)", w, play.last_wall);
			return -1;
		}
		play.last_wall = w;
		*t = wall_beat(w);
		*line = replaced(*line, len, "t", *t);
	}
	if (sh_ev_is(ev, "tempo")) {
		double b;
		if (!sh_ev_tempo(in, ev, &b))
			return -1;
		if (play.wall) { /* the take's tempo from here on */
			play.beat0 = *t;
			play.wall0 = w;
			play.take_bpm = b;
		}
		if (play.scale) {
			if (!play.tempo_seen)
				play.ratio = bpm / b;
			double nb = b * play.ratio;
			if (nb < 1 || nb > 999) {
				sh_event_bad(in, ev, "--bpm %g makes this tempo %g, outside 1..999", bpm, nb);
				return -1;
			}
			b = nb;
			*line = replaced(*line, len, "bpm", b);
		}
		play.tempo_seen = true;
		sh_tempomap_set(&play.out, *t, b);
	}
	return 0;
}

static int generate(sh_evfilter *f)
{
	sh_evreader *in = sh_evreader_open(f->nargs ? f->args[0] : NULL, false);
	if (!in)
		return -1;
	sh_evreader_flush_before_wait(in, f->out);
	sh_event ev;
	int r;
	while ((r = sh_evreader_next(in, &ev)) > 0) {
		char *line;
		size_t len;
		double t;
		if (play_event(in, &ev, &line, &len, &t) != 0) {
			free(line);
			continue; /* the reader says why at its next call */
		}
		if (f->live) {
			/* the first event plays now, the rest at their times after it; a
			 * tempo event changes the tempo from its own beat on */
			if (!play.started) {
				play.epoch = sh_now() - sh_tempomap_seconds(&play.out, t);
				play.started = true;
			}
			sh_sleep_until(play.epoch + sh_tempomap_seconds(&play.out, t));
		}
		int rc = sh_evwriter_raw(f->out, line, len);
		free(line);
		if (rc != 0)
			break;
	}
	if (r < 0 || sh_evwriter_failed(f->out)) {
		if (r >= 0)
			(void)sh_evwriter_flush(f->out); /* sets the writer's error again */
		sh_evreader_close(in);
		return -1;
	}
	sh_evreader_close(in);
	return 0;
}

static const sh_evfilter_program program = {
	.usage = "evplay [options] [TAKE]",
	.summary = "play a take recorded by evrec back as an event stream: on the beat, or with its recorded "
	           "timing, at any tempo",
	.options = options, .generator = true, .own_operands = true, .setup = setup, .generate = generate,
};

int main(int argc, char **argv) { return sh_evfilter_main(&program, argc, argv); }
