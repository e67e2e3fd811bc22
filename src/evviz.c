/* evviz -- draw an event stream as a piano roll PNG: time in beats left to
 * right (bar numbers, and seconds when the stream carries a tempo), notes as
 * bars on a pitch axis, triggers as ticks in a lane per name, params and values
 * as step lines in a lane per name. Drawn with lib/plot (cairo). The whole
 * stream is read before drawing, so a bad line leaves no picture. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "events.h"
#include "plot.h"

static int check_span(void);

static sh_program prog = {
	.usage = "evviz [options] [EVENTS]",
	.summary = "Draw an event stream (file or stdin) as a piano roll PNG on stdout or -o FILE.",
	.max_operands = 1,
	.check = check_span,
};

static struct {
	const char *output;
	int64_t width, height, beats_per_bar;
	double from, to; /* the window, beats; to 0 = the last event's end */
} opt = {.width = 1200, .height = 480, .beats_per_bar = 4};

enum { MAX_EVENTS = 1 << 22, MAX_LANES = 24 }; /* past these a picture says nothing */
#define MAX_BEATS 1e7

static sh_option options[] = {
	{.name = "output", .short_name = 'o', .type = SH_OPT_STRING, .dest = &opt.output, .arg = "FILE",
	 .no_preset = true, .help = "write the PNG to FILE instead of stdout"},
	{.name = "width", .short_name = 'W', .type = SH_OPT_INT, .dest = &opt.width, .min = 64, .max = 16384,
	 .unit = "px", .help = "picture width"},
	{.name = "height", .short_name = 'H', .type = SH_OPT_INT, .dest = &opt.height, .min = 64, .max = 16384,
	 .unit = "px", .help = "picture height"},
	{.name = "from", .type = SH_OPT_DOUBLE, .dest = &opt.from, .min = 0, .max = MAX_BEATS, .arg = "BEATS",
	 .help = "start of the window of beats to draw"},
	{.name = "to", .type = SH_OPT_DOUBLE, .dest = &opt.to, .min = 0, .max = MAX_BEATS, .arg = "BEATS",
	 .help = "end of the window; 0 is the end of the stream"},
	{.name = "beats-per-bar", .type = SH_OPT_INT, .dest = &opt.beats_per_bar, .min = 1,
	 .max = 64, .arg = "N", .help = "beats in a bar, for the bar lines and their numbers"},
	{0},
};

#define C_NOTE 0x28d2ff
#define C_TRIG 0xffb428
#define C_PARAM 0x78e678
#define C_LANE 0x1e1e28
#define C_KEY 0x24242e

typedef struct {
	double t, end, v; /* notes: pitch in v, velocity in w */
	double w;
	int lane;
} mark;

typedef struct {
	mark *m;
	size_t n, cap;
} marks;

typedef struct {
	char *name;
	bool trigger; /* else a step line */
	double lo, hi;
} lane;

static lane lanes[MAX_LANES];
static int nlanes;

static void push(marks *s, mark m)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->m = sh_realloc(s->m, s->cap, sizeof *s->m);
	}
	s->m[s->n++] = m;
}

/* The lane of NAME (triggers and steps apart), made on first sight; -1 when
 * there are too many to draw. */
static int lane_of(const char *name, bool trigger)
{
	for (int i = 0; i < nlanes; i++)
		if (lanes[i].trigger == trigger && !strcmp(lanes[i].name, name))
			return i;
	if (nlanes == MAX_LANES)
		return -1;
	lanes[nlanes] = (lane){.name = sh_strdup(name), .trigger = trigger, .lo = INFINITY, .hi = -INFINITY};
	return nlanes++;
}

static const char *note_name(int pitch, char *buf, size_t n)
{
	static const char *names[] = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};
	snprintf(buf, n, "%s%d", names[pitch % 12], pitch / 12 - 1);
	return buf;
}

/* One option against another, so --print-config refuses what a run would. */
static int check_span(void)
{
	if (opt.to > 0 && opt.to <= opt.from) {
		sh_set_error("--to %g must be after --from %g", opt.to, opt.from);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	if (!opt.output || !strcmp(opt.output, "-"))
		if (sh_stdout_binary() != 0)
			sh_die("%s", sh_error());
	sh_evreader *r = sh_evreader_open(first < argc ? argv[first] : "-", false);
	if (!r)
		sh_die("%s", sh_error());

	marks notes = {0}, others = {0};
	double bpm = 0, end = 0;
	long nev = 0, dropped = 0;
	sh_event ev;
	int got;
	while ((got = sh_evreader_next(r, &ev)) > 0) {
		if (++nev > MAX_EVENTS)
			sh_die("%s: more than %d events: draw a window of the stream (cut it with jq or head)",
			       sh_evreader_name(r), MAX_EVENTS);
		if (ev.t > MAX_BEATS)
			sh_die("%s: line %ld: beat %g is past %g", ev.src, ev.lineno, ev.t, MAX_BEATS);
		end = fmax(end, ev.t);
		if (sh_ev_is(&ev, "tempo")) {
			double b;
			if (!sh_ev_tempo(r, &ev, &b))
				continue;
			if (bpm == 0)
				bpm = b;
		} else if (sh_ev_is(&ev, "note")) {
			sh_evnote n;
			if (!sh_ev_note(r, &ev, false, &n))
				continue;
			if (n.velocity > 0) {
				push(&notes, (mark){.t = ev.t, .end = ev.t + n.gate, .v = n.pitch, .w = n.velocity});
				end = fmax(end, ev.t + n.gate);
			}
		} else if (sh_ev_is(&ev, "trigger") || sh_ev_is(&ev, "param") || sh_ev_is(&ev, "value")) {
			bool trig = sh_ev_is(&ev, "trigger"), param = sh_ev_is(&ev, "param");
			const char *name, *target = NULL;
			json_t *val = json_object_get(sh_event_obj(&ev), "value");
			double v = 1;
			char key[256];
			if (sh_ev_string(&ev, param ? "param" : "name", &name) != 0) {
				sh_event_bad(r, &ev, "a %s event needs a string \"%s\"", ev.type, param ? "param" : "name");
				continue;
			}
			if (param && sh_ev_string(&ev, "target", &target) == 0)
				snprintf(key, sizeof key, "%s.%s", target, name);
			else
				snprintf(key, sizeof key, "%s", name);
			if (val && sh_json_to_double(val, &v) != 0) {
				if (!trig && !param) {
					sh_event_bad(r, &ev, "a value event needs a number \"value\"");
					continue;
				}
				v = 0; /* a string or array param: its changes show, not its level */
			}
			int li = lane_of(key, trig);
			if (li < 0) {
				dropped++;
				continue;
			}
			lanes[li].lo = fmin(lanes[li].lo, v);
			lanes[li].hi = fmax(lanes[li].hi, v);
			push(&others, (mark){.t = ev.t, .v = v, .lane = li});
		}
	}
	if (got < 0)
		sh_die("%s", sh_error());
	sh_evreader_close(r);
	if (nev == 0)
		sh_die("%s: no events to draw", first < argc ? argv[first] : "stdin");
	if (dropped)
		sh_warn("%ld events in lanes past the first %d left out", dropped, MAX_LANES);

	double t0 = opt.from, t1 = opt.to > 0 ? opt.to : ceil(end / opt.beats_per_bar) * opt.beats_per_bar;
	if (!(t1 > t0)) {
		if (opt.from > 0)
			sh_die("--from %g is at or past the end of the stream (beat %g)", opt.from, end);
		t1 = t0 + opt.beats_per_bar; /* everything at beat 0: one bar */
	}
	sh_plot *p = sh_plot_new((int)opt.width, (int)opt.height, t0, t1);
	if (!p)
		sh_die("%s", sh_error());
	double ax0, ay0, ax1, ay1;
	sh_plot_area(p, &ax0, &ay0, &ax1, &ay1);
	double ph = ay1 - ay0;

	/* the window's pitch range, a C below and a B above so octaves read whole */
	int plo = 128, phi = -1;
	for (size_t i = 0; i < notes.n; i++)
		if (notes.m[i].end > t0 && notes.m[i].t < t1) {
			plo = plo < (int)floor(notes.m[i].v) ? plo : (int)floor(notes.m[i].v);
			phi = phi > (int)ceil(notes.m[i].v) ? phi : (int)ceil(notes.m[i].v);
		}
	/* lanes share the top of the plot area with the roll below them */
	double lane_h = nlanes ? fmin(0.12, fmax(18.0 / ph, 0.45 / nlanes)) : 0;
	double roll_top = 1 - lane_h * nlanes;
	sh_plot_beat_axis(p, bpm);
	char buf[160];
	if (phi >= 0) {
		plo = plo / 12 * 12;
		phi = phi / 12 * 12 + 11;
		if (phi > 127)
			phi = 127;
		double rows = phi - plo + 1, rh = roll_top / rows;
		/* black keys as faint rows, the C's labelled at the left */
		for (int k = plo; k <= phi; k++)
			if ((1 << (k % 12)) & 0x54a) /* C# D# F# G# A# */
				sh_plot_span(p, t0, t1, (k - plo) * rh, (k - plo + 1) * rh, C_KEY, 1, NULL);
		for (size_t i = 0; i < notes.n; i++) {
			const mark *m = &notes.m[i];
			if (m->end <= t0 || m->t >= t1)
				continue;
			double v = (m->v - plo) * rh;
			sh_plot_span(p, m->t, m->end, v + rh * 0.1, v + rh * 0.9, C_NOTE, 0.35 + 0.65 * m->w, NULL);
		}
		double lw = 40 * (t1 - t0) / (ax1 - ax0); /* 40 px of beats */
		for (int k = plo; k <= phi; k += 12)
			if (rh * ph * 12 >= 14)
				/* the lowest C's label sits on the bottom edge when its row is thin */
				sh_plot_label(p, t0 + lw / 2, fmax((k - plo + 0.5) * rh, 8 / ph), note_name(k, buf, sizeof buf),
				              0xc8c8d4, 40);
	}
	for (int li = 0; li < nlanes; li++) {
		double v0 = roll_top + lane_h * li, v1 = v0 + lane_h;
		sh_plot_span(p, t0, t1, v0 + lane_h * 0.05, v1 - lane_h * 0.05, C_LANE, 1, NULL);
		lane *L = &lanes[li];
		double span = L->hi > L->lo ? L->hi - L->lo : 1, base = L->hi > L->lo ? L->lo : L->lo - 0.5;
		double prev_t = -1, prev_v = 0;
		for (size_t i = 0; i < others.n; i++) {
			const mark *m = &others.m[i];
			if (m->lane != li)
				continue;
			double v = v0 + lane_h * (0.15 + 0.7 * (m->v - base) / span);
			if (L->trigger) {
				if (m->t >= t0 && m->t <= t1)
					sh_plot_segment(p, m->t, v0 + lane_h * 0.15, m->t, v1 - lane_h * 0.15, C_TRIG, 2);
				continue;
			}
			/* a step: level held until the next change, rising or falling at it */
			if (prev_t >= 0) {
				sh_plot_segment(p, prev_t, prev_v, m->t, prev_v, C_PARAM, 1.5);
				sh_plot_segment(p, m->t, prev_v, m->t, v, C_PARAM, 1.5);
			}
			prev_t = m->t;
			prev_v = v;
		}
		if (prev_t >= 0 && prev_t < t1)
			sh_plot_segment(p, prev_t, prev_v, t1, prev_v, C_PARAM, 1.5);
		double lw = 120 * (t1 - t0) / (ax1 - ax0);
		snprintf(buf, sizeof buf, "%s", L->name);
		sh_plot_label(p, t1 - lw / 2, v1 - lane_h * 0.5, buf, 0xc8c8d4, 120);
	}
	/* bar lines and numbers over everything, so no lane hides them */
	sh_plot_bars(p, 60, 0, (int)opt.beats_per_bar);
	/* the tempo in the title, which is never crowded out of the legend */
	if (bpm > 0)
		snprintf(buf, sizeof buf, "%ld events, %g beats at %g BPM", nev, end, bpm);
	else
		snprintf(buf, sizeof buf, "%ld events, %g beats", nev, end);
	sh_plot_title(p, buf);
	snprintf(buf, sizeof buf, "notes (%zu)", notes.n);
	sh_plot_legend(p, buf, C_NOTE);
	sh_plot_legend(p, "triggers", C_TRIG);
	sh_plot_legend(p, "params, values", C_PARAM);
	snprintf(buf, sizeof buf, "bars of %d", (int)opt.beats_per_bar);
	sh_plot_legend(p, buf, 0xc08030);
	if (sh_plot_write_png(p, opt.output) != 0)
		sh_die("%s", sh_error());
	sh_plot_free(p);
	for (int i = 0; i < nlanes; i++)
		free(lanes[i].name);
	free(notes.m);
	free(others.m);
	return 0;
}
