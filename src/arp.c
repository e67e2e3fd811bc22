/* arp -- arpeggiator: triggers in, notes out, over a scale from the registry. */
#include "cli.h"
#include "evfilter.h"
#include "chooser.h"
#include "scales.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATTERNS "up|down|updown|downup|converge|diverge|order|random|shuffle"
#define MAX_DEG 64
#define MAX_SEQ (MAX_DEG * 16)

/* The knobs, at their defaults. */
static const char *scale_name = "dorian"; /* the mood: dorian smoky, phrygian dark, lydian bright */
static const char *scales_file = NULL;    /* extra scales (adds to or replaces the registry's) */
static int64_t root = 60;                 /* MIDI note of degree 0: 48 low and warm, 72 glassy */
static const char *degrees = "0,2,4,6";   /* scale degrees played: 0,2,4 a triad, 0,2,4,6 a seventh */
static const char *pattern = "up";        /* the walk through them */
static int64_t octaves = 1;               /* span: 1 tight, 3 wide sweeping arpeggios */
static double gate = 0.25;                /* note length: 0.05 plucked, 1 legato */
static sh_range velocity = {0.8, 0.8};    /* loudness 0..1; a range humanises per note */
static double probability = 1;            /* chance a trigger plays: lower thins the line */
static int64_t channel = 0;               /* MIDI channel 0..15 */
static const char *trigger = "rhythm_hit";/* the triggers that play */
static const char *random_policy = "uniform"; /* how the random pattern draws its notes */
static bool list = false;

static sh_option options[] = {
	{.name = "scale", .short_name = 'S', .type = SH_OPT_STRING, .dest = &scale_name, .arg = "NAME", .live = true,
	 .help = "scale from the registry: the mood (dorian smoky, lydian bright)"},
	{.name = "scales", .type = SH_OPT_STRING, .dest = &scales_file, .arg = "FILE",
	 .help = "extra scales file (JSON object)"},
	{.name = "root", .short_name = 'R', .type = SH_OPT_INT, .dest = &root, .min = 0, .max = 127, .live = true,
	 .help = "MIDI note of degree 0: 48 low and warm, 72 glassy"},
	{.name = "degrees", .short_name = 'D', .type = SH_OPT_STRING, .dest = &degrees, .arg = "LIST", .live = true,
	 .help = "scale degrees played: 0,2,4 a triad, 0,2,4,6 a seventh"},
	{.name = "pattern", .short_name = 'P', .type = SH_OPT_CHOICE, .dest = &pattern, .choices = PATTERNS,
	 .arg = "PAT", .live = true, .help = "order of the notes"},
	{.name = "octaves", .short_name = 'O', .type = SH_OPT_INT, .dest = &octaves, .min = 1, .max = 10,
	 .live = true, .help = "octaves spanned: 1 tight, 3 wide sweeps"},
	{.name = "gate", .short_name = 'g', .type = SH_OPT_DOUBLE, .dest = &gate, .min = 1e-6, .max = 1e6,
	 .arg = "BEATS", .unit = "beats", .live = true, .help = "note length: 0.05 plucked, 1 legato"},
	{.name = "velocity", .short_name = 'V', .type = SH_OPT_RANGE, .dest = &velocity, .min = 0, .max = 1,
	 .live = true, .help = "loudness 0..1, or MIN..MAX drawn per note"},
	{.name = "probability", .short_name = 'p', .type = SH_OPT_DOUBLE, .dest = &probability, .min = 0, .max = 1,
	 .live = true, .help = "chance a trigger plays a note: lower thins the line"},
	{.name = "channel", .short_name = 'c', .type = SH_OPT_CHANNEL, .dest = &channel, .live = true,
	 .help = "MIDI channel of the notes: 0..15, or ch1..ch16 as DAWs number them"},
	{.name = "trigger", .short_name = 't', .type = SH_OPT_STRING, .dest = &trigger, .arg = "NAME", .live = true,
	 .help = "trigger name that plays"},
	{.name = "random", .type = SH_OPT_STRING, .dest = &random_policy, .arg = "POLICY", .live = true,
	 .help = "how the random pattern's notes are drawn: " SH_CHOOSER_HELP " (shards(7))"},
	{.name = "list-scales", .type = SH_OPT_FLAG, .dest = &list, .help = "print the scale registry and exit"},
	{0},
};

/* param events may still use the names of the first release */
static const sh_evfilter_alias aliases[] = {{"gate_beats", "gate"}, {0}};

typedef struct {
	sh_scales reg;
	const sh_scale *scale;
	int deg[MAX_DEG], ndeg;
	/* the sequence: scale degree and octave of each position */
	int seq_deg[MAX_SEQ], seq_oct[MAX_SEQ], nseq;
	int pos;
} arp;

static arp the_arp;
static sh_chooser *chooser;

static int cmp_pitch(const arp *a, int i, int j)
{
	int pi = sh_scale_pitch(a->scale, 0, a->seq_deg[i], a->seq_oct[i]);
	int pj = sh_scale_pitch(a->scale, 0, a->seq_deg[j], a->seq_oct[j]);
	return pi - pj;
}

static void swap(arp *a, int i, int j)
{
	int d = a->seq_deg[i], o = a->seq_oct[i];
	a->seq_deg[i] = a->seq_deg[j];
	a->seq_oct[i] = a->seq_oct[j];
	a->seq_deg[j] = d;
	a->seq_oct[j] = o;
}

static void shuffle(arp *a, sh_rng *rng)
{
	for (int i = a->nseq - 1; i > 0; i--)
		swap(a, i, (int)sh_rng_below(rng, (uint64_t)i + 1));
}

/* Lay out the positions of one cycle of the pattern. */
static void rebuild(arp *a, sh_rng *rng)
{
	int n = 0;
	for (int o = 0; o < octaves; o++)
		for (int i = 0; i < a->ndeg; i++, n++) {
			a->seq_deg[n] = a->deg[i];
			a->seq_oct[n] = o;
		}
	const char *p = pattern;
	if (strcmp(p, "order") != 0) /* ascending pitch, stable (insertion sort, small) */
		for (int i = 1; i < n; i++)
			for (int j = i; j > 0 && cmp_pitch(a, j - 1, j) > 0; j--)
				swap(a, j - 1, j);
	int d[MAX_SEQ], o[MAX_SEQ], m = 0;
	if (!strcmp(p, "down")) {
		for (int i = n - 1; i >= 0; i--, m++)
			d[m] = a->seq_deg[i], o[m] = a->seq_oct[i];
	} else if (!strcmp(p, "updown") || !strcmp(p, "downup")) {
		for (int i = 0; i < n; i++, m++)
			d[m] = a->seq_deg[i], o[m] = a->seq_oct[i];
		for (int i = n - 2; i >= 1; i--, m++)
			d[m] = a->seq_deg[i], o[m] = a->seq_oct[i];
		if (!strcmp(p, "downup")) /* start at the top: rotate by n-1 */
			for (int k = 0; k < n - 1 && m > 1; k++) {
				int d0 = d[0], o0 = o[0];
				memmove(d, d + 1, (size_t)(m - 1) * sizeof *d);
				memmove(o, o + 1, (size_t)(m - 1) * sizeof *o);
				d[m - 1] = d0, o[m - 1] = o0;
			}
	} else {
		for (int i = 0; i < n; i++, m++)
			d[m] = a->seq_deg[i], o[m] = a->seq_oct[i];
	}
	if (!strcmp(p, "converge") || !strcmp(p, "diverge")) { /* outside in: lo, hi, lo+1, hi-1 ... */
		int dd[MAX_SEQ], oo[MAX_SEQ], lo = 0, hi = m - 1, k = 0;
		while (lo <= hi) {
			dd[k] = d[lo], oo[k++] = o[lo++];
			if (lo <= hi)
				dd[k] = d[hi], oo[k++] = o[hi--];
		}
		bool inside_out = !strcmp(p, "diverge"); /* the converge walk backwards */
		for (int i = 0; i < m; i++) {
			d[i] = dd[inside_out ? m - 1 - i : i];
			o[i] = oo[inside_out ? m - 1 - i : i];
		}
	}
	memcpy(a->seq_deg, d, (size_t)m * sizeof *d);
	memcpy(a->seq_oct, o, (size_t)m * sizeof *o);
	a->nseq = m;
	if (!strcmp(p, "shuffle"))
		shuffle(a, rng);
	if (a->nseq)
		a->pos %= a->nseq;
}

/* "0,2,4,6" into a->deg: -1 when it is not a list of 1..64 integers within +-1000. */
static int parse_degrees(arp *a, const char *text)
{
	int n = 0, deg[MAX_DEG];
	const char *p = text;
	while (*p) {
		char *end;
		long v = strtol(p, &end, 10);
		if (end == p || n == MAX_DEG || labs(v) > 1000)
			return -1;
		deg[n++] = (int)v;
		p = end;
		while (*p == ' ')
			p++;
		if (*p == ',')
			p++;
		else if (*p)
			return -1;
	}
	if (n == 0)
		return -1;
	memcpy(a->deg, deg, sizeof deg);
	a->ndeg = n;
	return 0;
}

static void print_registry(const sh_scales *reg)
{
	for (size_t i = 0; i < reg->n; i++) {
		printf("%s", reg->s[i].name);
		for (int j = 0; j < reg->s[i].n; j++)
			printf("%c%d", j ? ',' : ' ', reg->s[i].step[j]);
		printf("\n");
	}
}

static int setup(sh_evfilter *f)
{
	arp *a = &the_arp;
	if (sh_scales_load(&a->reg, scales_file) != 0)
		return SH_EVF_FAIL;
	if (list) {
		print_registry(&a->reg);
		return SH_EVF_DONE;
	}
	a->scale = sh_scales_lookup(&a->reg, scale_name);
	if (!a->scale) {
		sh_set_error("--scale: %s", sh_error());
		return SH_EVF_USAGE;
	}
	if (parse_degrees(a, degrees) != 0) {
		sh_set_error("--degrees: '%s' is not a list of integers such as 0,2,4,6", degrees);
		return SH_EVF_USAGE;
	}
	if (!*trigger) {
		sh_set_error("--trigger: bad name");
		return SH_EVF_USAGE;
	}
	if (sh_chooser_set(&chooser, random_policy) != 0)
		return SH_EVF_USAGE;
	rebuild(a, &f->rng);
	return SH_EVF_GO;
}

/* A param event changed a knob: take it in, and lay the sequence out again. */
static int changed(sh_evfilter *f, sh_option *o)
{
	arp *a = &the_arp;
	if (o->dest == &scale_name) {
		const sh_scale *sc = sh_scales_lookup(&a->reg, scale_name);
		if (!sc)
			return -1;
		a->scale = sc;
	} else if (o->dest == &degrees && parse_degrees(a, degrees) != 0) {
		sh_set_error("degrees must be a list of integers such as [0,2,4,6] or \"0,2,4,6\"");
		return -1;
	} else if (o->dest == &random_policy) {
		return sh_chooser_set(&chooser, random_policy);
	} else if (o->dest == &trigger && !*trigger) {
		sh_set_error("trigger needs a name");
		return -1;
	}
	rebuild(a, &f->rng);
	return 0;
}

/* A trigger: ours plays the next note of the sequence (others pass on). */
static int play(sh_evfilter *f, const sh_event *ev)
{
	arp *a = &the_arp;
	const char *tn;
	if (sh_ev_string(ev, "name", &tn) != 0 || strcmp(tn, trigger) != 0)
		return sh_evwriter_pass(f->out, ev);
	if (!sh_rng_chance(&f->rng, probability))
		return 0;
	int k;
	if (!strcmp(pattern, "random"))
		k = sh_chooser_pick(chooser, &f->rng, NULL, a->nseq);
	else {
		if (a->pos == 0 && !strcmp(pattern, "shuffle") && a->nseq > 1)
			shuffle(a, &f->rng);
		k = a->pos;
		a->pos = (a->pos + 1) % a->nseq;
	}
	int pitch = sh_scale_pitch(a->scale, (int)root, a->seq_deg[k], a->seq_oct[k]);
	double vel = sh_rng_between(&f->rng, velocity.lo, velocity.hi);
	if (pitch < 0 || pitch > 127) {
		sh_event_bad(f->in, ev, "pitch %d is outside MIDI's 0..127 (root %d, degree %d, octave %d of %s)", pitch,
		             (int)root, a->seq_deg[k], a->seq_oct[k], a->scale->name);
		return 0;
	}
	sh_evline l;
	sh_evline_begin(&l, ev->t, "note");
	sh_evline_num(&l, "pitch", pitch);
	sh_evline_num(&l, "velocity", vel);
	sh_evline_num(&l, "gate", gate);
	sh_evline_num(&l, "channel", (double)channel);
	return sh_evwriter_line(f->out, &l);
}

static void stop(sh_evfilter *f)
{
	(void)f;
	sh_scales_free(&the_arp.reg);
	sh_chooser_free(chooser);
}

static const sh_evfilter_program program = {
	.usage = "arp [options] [FILE]", .summary = "play triggers as arpeggiated notes of a scale",
	.options = options, .has_seed = true, .target = "arp", .takes = "trigger", .aliases = aliases,
	.setup = setup, .event = play, .changed = changed, .stop = stop,
};

int main(int argc, char **argv) { return sh_evfilter_main(&program, argc, argv); }
