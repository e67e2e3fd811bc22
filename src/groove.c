/* groove -- feel on the event pipe: swing on a step grid, the per-step timing of
 * a real drum loop (onsets JSON) or of a MIDI file, and a human hand's seeded
 * timing and velocity jitter, always within a bound. */
#include "cli.h"
#include "evfilter.h"
#include "midi.h"
#include "onsets.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The knobs, at their defaults. */
static const char *grid_text = "1/16"; /* the step: 1/16 for drum patterns, 1/8 for a shuffle on eighths */
static double swing = 50;              /* %: 50 straight, 58 a lazy lilt, 66 the triplet, 75 a dotted lurch */
static const char *from = NULL;        /* a groove template: MIDI file or onsets JSON */
static double amount = 1;              /* how much of the template's feel: 0 none, 1 all of it */
static double cycle = 4;               /* beats the template repeats over: 4 a bar of 4/4 */
static double bpm = 0;                 /* tempo of an onsets template; the pattern's before its first tempo event */
static double time_jitter = 0;         /* ms: 3 a tight drummer, 10 loose, 30 drunk */
static double velocity_jitter = 0;     /* 0..1: 0.05 a steady hand, 0.2 uneven */
static const char *dist = "gaussian";  /* gaussian: mostly small nudges; uniform: any amount equally */
static const char *types = "note,trigger"; /* the event types that move */

static sh_option options[] = {
	{.name = "grid", .short_name = 'g', .type = SH_OPT_STRING, .dest = &grid_text, .arg = "STEP", .live = true,
	 .help = "the step swing and templates work on: 1/16 sixteenths, 1/8 eighths; a bare number is beats"},
	{.name = "swing", .short_name = 's', .type = SH_OPT_DOUBLE, .dest = &swing, .min = 50, .max = 75,
	 .arg = "PERCENT", .unit = "%", .live = true,
	 .help = "where every second step falls in its pair: 50 straight, 66 the triplet, 75 dotted"},
	{.name = "from", .short_name = 'f', .type = SH_OPT_STRING, .dest = &from, .arg = "FILE", .no_preset = true,
	 .help = "borrow the per-step timing of a MIDI file or of a loop's onsets JSON (needs --bpm)"},
	{.name = "amount", .short_name = 'a', .type = SH_OPT_DOUBLE, .dest = &amount, .min = 0, .max = 1,
	 .arg = "A", .live = true, .help = "how much of the template's feel: 0 none, 1 all of it"},
	{.name = "cycle", .type = SH_OPT_DOUBLE, .dest = &cycle, .min = 1e-6, .max = 1e4, .arg = "BEATS",
	 .unit = "beats", .live = true,
	 .help = "the template's length: its per-step timing repeats after it (a bar of 4/4 is 4)"},
	{.name = "bpm", .short_name = 'b', .type = SH_OPT_DOUBLE, .dest = &bpm, .min = 0, .max = 999, .arg = "BPM",
	 .unit = "BPM", .help = "tempo of an onsets template, and of the pattern until a tempo event (0: none; then 120)"},
	{.name = "time-jitter", .short_name = 't', .type = SH_OPT_DOUBLE, .dest = &time_jitter, .min = 0,
	 .max = 1000, .arg = "MS", .unit = "ms", .live = true,
	 .help = "most a hand moves an event early or late: 3 tight, 10 loose, 30 drunk"},
	{.name = "velocity-jitter", .short_name = 'V', .type = SH_OPT_DOUBLE, .dest = &velocity_jitter, .min = 0,
	 .max = 1, .arg = "V", .live = true, .help = "most a note's velocity moves, 0..1: 0.05 steady, 0.2 uneven"},
	{.name = "dist", .type = SH_OPT_CHOICE, .dest = &dist, .choices = "gaussian|uniform", .live = true,
	 .help = "jitter's shape: gaussian mostly small nudges (cut off at the bound), uniform any amount"},
	{.name = "types", .short_name = 'T', .type = SH_OPT_STRING, .dest = &types, .arg = "TYPE,...",
	 .help = "event types that move; the rest keep their times and bytes"},
	{0},
};

static struct {
	double step;       /* --grid in beats */
	double *tpl;       /* the template's hits in beats, sorted */
	size_t ntpl;
	double *off;       /* the template's offset from each step of the cycle, beats */
	size_t nsteps;
	double tempo;      /* the pattern's tempo now */
	sh_rng trng, vrng; /* time and velocity draw apart, so one knob never shifts the other's dice */
	sh_evqueue held;   /* events waiting for their place in the output */
	double reach;      /* the farthest an event may move earlier */
	sh_evtypes types;
} g = {.held.last = -INFINITY};

/* ---------------------------------------------------------------- the grid */

/* --grid: a note value (1/16), beats (0.25, 0.25b, 1/4b); -1 with sh_error(). */
static int parse_grid(const char *text, double *step)
{
	double v;
	sh_duration d;
	if (sh_parse_double(text, &v) == 0)
		d = (sh_duration){v, SH_DUR_BEATS};
	else if (sh_parse_duration(text, 1, &d) != 0 || d.unit != SH_DUR_BEATS) {
		sh_set_error("--grid '%s': a step in beats or a note value (1/16, 1/8, 0.25, 0.5b)", text);
		return -1;
	}
	if (!(d.amount >= 1e-4 && d.amount <= 1e4)) {
		sh_set_error("--grid '%s': a step of 0.0001..10000 beats", text);
		return -1;
	}
	*step = d.amount;
	return 0;
}

/* The template's offset from each step of the cycle: every hit belongs to its
 * nearest step, the hits on one step (several bars, a chord) are averaged, and
 * a step without a hit keeps its time. -1 with sh_error() when the cycle is
 * not a whole number of steps. */
static int build_offsets(double step, double beats)
{
	if (!g.ntpl)
		return 0;
	double steps = beats / step, whole = round(steps);
	if (whole > 1e6) {
		sh_set_error("--cycle %g holds more than a million %g-beat steps (--grid)", beats, step);
		return -1;
	}
	if (whole < 1 || fabs(steps - whole) > 1e-6 * whole) {
		sh_set_error("--cycle %g is not a whole number of %g-beat steps (--grid)", beats, step);
		return -1;
	}
	size_t n = (size_t)whole;
	double *sum = sh_calloc(n, sizeof *sum);
	size_t *cnt = sh_calloc(n, sizeof *cnt);
	for (size_t i = 0; i < g.ntpl; i++) {
		double k = round(g.tpl[i] / step);
		size_t at = (size_t)fmod(k, whole);
		sum[at] += g.tpl[i] - k * step;
		cnt[at]++;
	}
	for (size_t i = 0; i < n; i++)
		sum[i] = cnt[i] ? sum[i] / (double)cnt[i] : 0;
	free(cnt);
	free(g.off);
	g.off = sum;
	g.nsteps = n;
	return 0;
}

/* Where the feel puts time X (beats): the template's offsets, drawn between
 * steps by straight lines (an event between two steps moves part of each
 * one's way, so notes never cross), then swing, which stretches the first step
 * of every pair and squeezes the second (the on-beats stay). Both never turn
 * time back, so a note's end maps past its start. */
static double warp(double x)
{
	if (g.nsteps && amount > 0) {
		double u = x / g.step, k = floor(u), fr = u - k;
		double i = fmod(k, (double)g.nsteps), j = fmod(k + 1, (double)g.nsteps);
		x += amount * ((1 - fr) * g.off[(size_t)i] + fr * g.off[(size_t)j]);
		if (x < 0)
			x = 0;
	}
	if (swing != 50) {
		/* 66 is the triplet, as drum machines mark it: the 2/3 point exactly */
		double s = swing == 66 ? 2.0 / 3 : swing / 100, pair = 2 * g.step;
		double base = floor(x / pair) * pair, u = x - base;
		x = base + (u <= g.step ? u * 2 * s : pair * s + (u - g.step) * (2 - 2 * s));
	}
	return x;
}

/* ---------------------------------------------------------------- templates */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* --from: the hits of a MIDI file (in beats already) or of onsets JSON (in
 * seconds, at --bpm). SH_EVF_GO, or _FAIL / _USAGE with sh_error(). */
static int load_template(void)
{
	if (!strcmp(from, "-")) {
		sh_set_error("--from needs a file (standard input carries the events)");
		return SH_EVF_USAGE;
	}
	size_t len;
	unsigned char *data = (unsigned char *)sh_read_file(from, (size_t)64 << 20, &len);
	if (!data)
		return SH_EVF_FAIL;
	bool midi = len >= 4 && !memcmp(data, "MThd", 4);
	size_t i = 0;
	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r'))
		i++;
	bool json = i < len && (data[i] == '{' || data[i] == '[');
	int rc = 0;
	if (len == 0) {
		sh_set_error("%s: empty (a MIDI file or onsets JSON expected)", from);
		rc = -1;
	} else if (!midi && !json) {
		sh_set_error("%s: neither a MIDI file nor onsets JSON", from);
		rc = -1;
	} else if (midi) {
		rc = sh_smf_note_starts(from, data, len, &g.tpl, &g.ntpl);
	} else if (!(bpm > 0)) {
		free(data);
		sh_set_error("--from %s: onsets are in seconds: give the loop's tempo with --bpm", from);
		return SH_EVF_USAGE;
	} else if ((rc = sh_onsets_load(from, &g.tpl, &g.ntpl)) == 0) {
		for (size_t k = 0; k < g.ntpl; k++)
			g.tpl[k] *= bpm / 60;
	}
	free(data);
	if (rc != 0)
		return SH_EVF_FAIL;
	if (!g.ntpl) {
		sh_set_error("%s: no %s to take a groove from", from, midi ? "notes" : "onsets");
		return SH_EVF_FAIL;
	}
	qsort(g.tpl, g.ntpl, sizeof *g.tpl, cmp_double);
	return SH_EVF_GO;
}

/* ---------------------------------------------------------------- events */

/* LINE with member KEY set to the JSON text VALUE: replaced where it is, added
 * at the end where the event left it to its default. Frees LINE. */
static char *with(char *line, size_t *len, const char *key, const char *value)
{
	sh_event e = {.line = line, .len = *len};
	char *s = sh_event_set(&e, key, value, len);
	if (!s) /* not an object: the reader lets none through */
		return line;
	free(line);
	return s;
}

static char *with_number(char *line, size_t *len, const char *key, double v)
{
	char num[48];
	sh_format_number(num, sizeof num, v);
	return with(line, len, key, num);
}

/* A jitter within +-BOUND: gaussian with BOUND at two deviations, drawn again
 * past the bound (so it never piles up there), or uniform. */
static double jitter(sh_rng *r, double bound)
{
	if (!strcmp(dist, "uniform"))
		return sh_rng_between(r, -bound, bound);
	for (int i = 0; i < 100; i++) {
		double x = sh_rng_gauss(r) * bound / 2;
		if (fabs(x) <= bound)
			return x;
	}
	return 0; /* beyond 100 draws past 2 deviations: never in practice */
}

/* A moved time (or gate), rounded so a grid stays readable (no
 * 0.30000000000000004); one that did not move keeps every digit it had. */
static double settle(double moved, double was)
{
	return fabs(moved - was) < 1e-12 ? was : round(moved * 1e9) / 1e9;
}

static int event(sh_evfilter *f, const sh_event *ev)
{
	double b;
	if (sh_ev_is(ev, "tempo") && sh_ev_number(ev, "bpm", &b) == 0 && b >= 1 && b <= 999)
		g.tempo = b;
	double tj = time_jitter / 1000 * g.tempo / 60; /* ms to beats at the tempo now */
	double reach = (g.nsteps ? amount * g.step / 2 : 0) + tj;
	if (reach > g.reach)
		g.reach = reach;
	char *line = sh_malloc(ev->len + 1);
	memcpy(line, ev->line, ev->len);
	line[ev->len] = 0;
	size_t len = ev->len;
	if (!sh_evtypes_has(&g.types, ev->type)) {
		sh_evqueue_hold(&g.held, ev->t, line, len);
		return sh_evqueue_release(&g.held, f->out, ev->t - g.reach);
	}
	bool note = !strcmp(ev->type, "note");
	sh_evnote nt = {0};
	if (note && !sh_ev_note(f->in, ev, false, &nt)) {
		free(line);
		return sh_evqueue_release(&g.held, f->out, ev->t - g.reach);
	}
	double t = warp(ev->t), gate = nt.gate;
	if (note) {
		gate = settle(warp(ev->t + nt.gate) - t, nt.gate);
		if (!(gate > 0)) /* a template with two steps run together */
			gate = nt.gate;
	}
	if (tj > 0)
		t += jitter(&g.trng, tj);
	t = settle(t, ev->t);
	if (t < 0)
		t = 0;
	if (t < g.held.last) /* a knob that grew its reach late: never before what is written */
		t = g.held.last;
	if (t != ev->t)
		line = with_number(line, &len, "t", t);
	if (gate != nt.gate)
		line = with_number(line, &len, "gate", gate);
	if (note && velocity_jitter > 0 && nt.velocity > 0) { /* a rest stays a rest */
		double v = round(1e6 * (nt.velocity + jitter(&g.vrng, velocity_jitter))) / 1e6;
		v = v < 1.0 / 127 ? 1.0 / 127 : v > 1 ? 1 : v; /* the quietest MIDI note, never silence */
		if (v != nt.velocity)
			line = with_number(line, &len, "velocity", v);
	}
	sh_evqueue_hold(&g.held, t, line, len);
	/* what no later input can come before goes now: live, only the reach waits */
	return sh_evqueue_release(&g.held, f->out, ev->t - g.reach);
}

static int finish(sh_evfilter *f) { return sh_evqueue_release(&g.held, f->out, INFINITY); }

static int changed(sh_evfilter *f, sh_option *o)
{
	(void)f;
	if (strcmp(o->name, "grid") && strcmp(o->name, "cycle"))
		return 0;
	double step;
	if (parse_grid(grid_text, &step) != 0 || build_offsets(step, cycle) != 0)
		return -1;
	g.step = step;
	return 0;
}

static int setup(sh_evfilter *f)
{
	if (sh_evtypes_parse(&g.types, types) != 0)
		return SH_EVF_USAGE;
	if (parse_grid(grid_text, &g.step) != 0)
		return SH_EVF_USAGE;
	g.tempo = bpm > 0 ? bpm : 120;
	g.trng = sh_rng_fork(&f->rng);
	g.vrng = sh_rng_fork(&f->rng);
	if (from) {
		int rc = load_template();
		if (rc != SH_EVF_GO)
			return rc;
		if (build_offsets(g.step, cycle) != 0)
			return SH_EVF_USAGE;
	}
	return SH_EVF_GO;
}

static void stop(sh_evfilter *f)
{
	(void)f;
	sh_evqueue_free(&g.held);
	sh_evtypes_free(&g.types);
	free(g.tpl);
	free(g.off);
}

static const sh_evfilter_program program = {
	.usage = "groove [options] [FILE]",
	.summary = "give events a feel: swing, a real drum loop's or a MIDI file's timing, a human hand's jitter",
	.options = options, .has_seed = true, .target = "groove",
	.setup = setup, .event = event, .changed = changed, .finish = finish, .stop = stop,
};

int main(int argc, char **argv) { return sh_evfilter_main(&program, argc, argv); }
