/* arp -- arpeggiator: triggers in, notes out, over a scale from the registry. */
#include "cli.h"
#include "events.h"
#include "rng.h"
#include "scales.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] = "arp [options] [FILE]";
#define PATTERNS "up|down|updown|downup|converge|diverge|order|random|shuffle"
#define MAX_DEG 64
#define MAX_SEQ (MAX_DEG * 16)

typedef struct {
	const sh_scales *reg;
	const sh_scale *scale;
	int root;
	int deg[MAX_DEG], ndeg;
	char pattern[16];
	int octaves;
	double gate;
	sh_range velocity;
	double probability;
	int channel;
	char trigger[256];
	/* the sequence: scale degree and octave of each position */
	int seq_deg[MAX_SEQ], seq_oct[MAX_SEQ], nseq;
	int pos;
} arp;

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
	for (int o = 0; o < a->octaves; o++)
		for (int i = 0; i < a->ndeg; i++, n++) {
			a->seq_deg[n] = a->deg[i];
			a->seq_oct[n] = o;
		}
	const char *p = a->pattern;
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

static int parse_degrees(arp *a, json_t *arr, const char *text)
{
	int n = 0;
	if (arr) {
		size_t i;
		json_t *e;
		json_array_foreach(arr, i, e) {
			if (!json_is_integer(e) || n == MAX_DEG || llabs(json_integer_value(e)) > 1000)
				return -1;
			a->deg[n++] = (int)json_integer_value(e);
		}
	} else {
		const char *p = text;
		while (*p) {
			char *end;
			long v = strtol(p, &end, 10);
			if (end == p || n == MAX_DEG || labs(v) > 1000)
				return -1;
			a->deg[n++] = (int)v;
			p = end;
			while (*p == ' ')
				p++;
			if (*p == ',')
				p++;
			else if (*p)
				return -1;
		}
	}
	if (n == 0)
		return -1;
	a->ndeg = n;
	return 0;
}

static bool valid_pattern(const char *p)
{
	const char *c = PATTERNS;
	size_t n = strlen(p);
	while (*c) {
		const char *bar = strchr(c, '|');
		size_t len = bar ? (size_t)(bar - c) : strlen(c);
		if (len == n && !strncmp(c, p, n))
			return true;
		if (!bar)
			break;
		c = bar + 1;
	}
	return false;
}

static char why[1024];

/* Apply a param event; NULL on success, else the reason. */
static const char *set_param(arp *a, sh_rng *rng, const char *param, json_t *v)
{
	double x;
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;
	if (!strcmp(param, "scale")) {
		const sh_scale *sc = s ? sh_scales_find(a->reg, s) : NULL;
		if (!sc) {
			char *names = sh_scales_names(a->reg);
			snprintf(why, sizeof why, "unknown scale '%s' (known: %s)", s ? s : "?", names);
			free(names);
			return why;
		}
		a->scale = sc;
	} else if (!strcmp(param, "pattern")) {
		if (!s || !valid_pattern(s) || strlen(s) >= sizeof a->pattern) {
			snprintf(why, sizeof why, "unknown pattern '%s' (known: %s)", s ? s : "?", PATTERNS);
			return why;
		}
		strcpy(a->pattern, s);
	} else if (!strcmp(param, "degrees")) {
		arp tmp = *a;
		if (parse_degrees(&tmp, json_is_array(v) ? v : NULL, s ? s : "") != 0)
			return "degrees must be a list of integers such as [0,2,4,6] or \"0,2,4,6\"";
		memcpy(a->deg, tmp.deg, sizeof a->deg);
		a->ndeg = tmp.ndeg;
	} else if (!strcmp(param, "trigger")) {
		if (!s || !*s || strlen(s) >= sizeof a->trigger)
			return "trigger needs a name";
		strcpy(a->trigger, s);
	} else if (!strcmp(param, "velocity")) {
		sh_range r;
		if (s ? sh_parse_range(s, &r) != 0 : sh_json_to_double(v, &r.lo) != 0)
			return "velocity must be a number or \"MIN..MAX\" within 0..1";
		if (!s)
			r.hi = r.lo;
		if (r.lo < 0 || r.hi > 1)
			return "velocity must be within 0..1";
		a->velocity = r;
	} else {
		if (sh_json_to_double(v, &x) != 0)
			return "value must be a number";
		if (!strcmp(param, "root")) {
			if (x != floor(x) || x < 0 || x > 127)
				return "root must be a MIDI note 0..127";
			a->root = (int)x;
		} else if (!strcmp(param, "octaves")) {
			if (x != floor(x) || x < 1 || x > 10)
				return "octaves must be a whole number 1..10";
			a->octaves = (int)x;
		} else if (!strcmp(param, "gate") || !strcmp(param, "gate_beats")) {
			if (!(x > 0) || x > 1e6)
				return "gate must be a positive number of beats";
			a->gate = x;
		} else if (!strcmp(param, "probability")) {
			if (x < 0 || x > 1)
				return "probability must be within 0..1";
			a->probability = x;
		} else if (!strcmp(param, "channel")) {
			if (x != floor(x) || x < 0 || x > 15)
				return "channel must be 0..15";
			a->channel = (int)x;
		} else
			return "unknown param (scale, root, degrees, pattern, octaves, gate, velocity, "
			       "probability, channel, trigger)";
	}
	rebuild(a, rng);
	return NULL;
}

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	const char *scale = "dorian";    /* the mood: dorian smoky, phrygian dark, lydian bright */
	const char *scales_file = NULL;  /* extra scales (adds to or replaces the registry's) */
	int64_t root = 60;               /* MIDI note of degree 0: 48 low and warm, 72 glassy */
	const char *degrees = "0,2,4,6"; /* scale degrees played: 0,2,4 a triad, 0,2,4,6 a seventh */
	const char *pattern = "up";      /* the walk through them */
	int64_t octaves = 1;             /* span: 1 tight, 3 wide sweeping arpeggios */
	double gate = 0.25;              /* note length in beats: 0.05 plucked, 1 legato */
	sh_range velocity = {0.8, 0.8};  /* loudness 0..1; a range humanises per note */
	double probability = 1;          /* chance a trigger plays: lower thins the line */
	int64_t channel = 0;             /* MIDI channel 0..15 */
	const char *trigger = "rhythm_hit", *name = "arp", *out = NULL;
	bool skip_bad = false, live = false, list = false;
	sh_option opts[] = {
		{"scale", 'S', SH_OPT_STRING, &scale, .arg = "NAME", .help = "scale from the registry (dorian)"},
		{"scales", 0, SH_OPT_STRING, &scales_file, .arg = "FILE", .help = "extra scales file (JSON object)"},
		{"root", 'R', SH_OPT_INT, &root, 0, 127, .help = "MIDI note of degree 0 (60; 0..127)"},
		{"degrees", 'D', SH_OPT_STRING, &degrees, .arg = "LIST", .help = "scale degrees to play (0,2,4,6)"},
		{"pattern", 'P', SH_OPT_CHOICE, &pattern, .choices = PATTERNS, .arg = "PAT", .help = "order of the notes (up)"},
		{"octaves", 'O', SH_OPT_INT, &octaves, 1, 10, .help = "octaves spanned (1; 1..10)"},
		{"gate", 'g', SH_OPT_DOUBLE, &gate, 1e-6, 1e6, .arg = "BEATS", .help = "note length in beats (0.25)"},
		{"velocity", 'V', SH_OPT_RANGE, &velocity, 0, 1, .help = "velocity 0..1, or MIN..MAX per note (0.8)"},
		{"probability", 'p', SH_OPT_DOUBLE, &probability, 0, 1, .help = "chance a trigger plays a note (1)"},
		{"channel", 'c', SH_OPT_INT, &channel, 0, 15, .help = "MIDI channel of the notes (0; 0..15)"},
		{"trigger", 't', SH_OPT_STRING, &trigger, .arg = "NAME", .help = "trigger name that plays (rhythm_hit)"},
		{"name", 0, SH_OPT_STRING, &name, .arg = "NAME", .help = "target name for param events (arp)"},
		{"list-scales", 0, SH_OPT_FLAG, &list, .help = "print the scale registry and exit"},
		SH_EV_SKIP_BAD_OPTION(skip_bad),
		SH_EV_LIVE_OPTION(live),
		SH_EV_OUTPUT_OPTION(out),
		{0},
	};
	sh_program prog = {.usage = usage, .summary = "play triggers as arpeggiated notes of a scale", .has_seed = true};
	int idx = sh_parse_options(&prog, opts, argc, argv);
	if (idx <= 0)
		return sh_parse_status(idx);
	if (argc - idx > 1)
		sh_usage_error("too many operands (one input file at most)");
	sh_scales reg;
	sh_scales_load(&reg, scales_file);
	if (list) {
		for (size_t i = 0; i < reg.n; i++) {
			printf("%s", reg.s[i].name);
			for (int j = 0; j < reg.s[i].n; j++)
				printf("%c%d", j ? ',' : ' ', reg.s[i].step[j]);
			printf("\n");
		}
		return 0;
	}
	sh_rng rng;
	sh_rng_seed(&rng, prog.seed);
	sh_note("seed %llu", (unsigned long long)prog.seed);
	arp a = {.reg = &reg, .root = (int)root, .octaves = (int)octaves, .gate = gate, .velocity = velocity,
	         .probability = probability, .channel = (int)channel};
	a.scale = sh_scales_find(&reg, scale);
	if (!a.scale) {
		char *names = sh_scales_names(&reg);
		sh_usage_error("--scale: unknown scale '%s' (known: %s)", scale, names);
	}
	if (parse_degrees(&a, NULL, degrees) != 0)
		sh_usage_error("--degrees: '%s' is not a list of integers such as 0,2,4,6", degrees);
	snprintf(a.pattern, sizeof a.pattern, "%s", pattern);
	if (strlen(trigger) >= sizeof a.trigger || !*trigger)
		sh_usage_error("--trigger: bad name");
	strcpy(a.trigger, trigger);
	rebuild(&a, &rng);

	sh_evwriter *w = sh_evwriter_create(out, live);
	if (live)
		sh_try_realtime(SH_RT_FILTER); /* a live chain keeps up on a busy machine */
	sh_evreader *in = sh_evreader_open(idx < argc ? argv[idx] : NULL, skip_bad);
	sh_evreader_flush_before_wait(in, w);
	sh_event ev;
	const char *param;
	json_t *pv;
	while (sh_evreader_next(in, &ev) == 1) {
		if (sh_ev_param_for(&ev, name, &param, &pv)) {
			const char *reason = set_param(&a, &rng, param, pv);
			if (reason)
				sh_event_bad(in, &ev, "param '%s': %s", param, reason);
			continue;
		}
		const char *tn;
		if (!sh_ev_is(&ev, "trigger") || sh_ev_string(&ev, "name", &tn) != 0 || strcmp(tn, a.trigger) != 0) {
			sh_evwriter_pass(w, &ev);
			continue;
		}
		if (!sh_rng_chance(&rng, a.probability))
			continue;
		int k;
		if (!strcmp(a.pattern, "random"))
			k = (int)sh_rng_below(&rng, (uint64_t)a.nseq);
		else {
			if (a.pos == 0 && !strcmp(a.pattern, "shuffle") && a.nseq > 1)
				shuffle(&a, &rng);
			k = a.pos;
			a.pos = (a.pos + 1) % a.nseq;
		}
		int pitch = sh_scale_pitch(a.scale, a.root, a.seq_deg[k], a.seq_oct[k]);
		double vel = sh_rng_between(&rng, a.velocity.lo, a.velocity.hi);
		if (pitch < 0 || pitch > 127) {
			sh_event_bad(in, &ev, "pitch %d is outside MIDI's 0..127 (root %d, degree %d, octave %d of %s)",
			             pitch, a.root, a.seq_deg[k], a.seq_oct[k], a.scale->name);
			continue;
		}
		sh_evline l;
		sh_evline_begin(&l, ev.t, "note");
		sh_evline_num(&l, "pitch", pitch);
		sh_evline_num(&l, "velocity", vel);
		sh_evline_num(&l, "gate", a.gate);
		sh_evline_num(&l, "channel", a.channel);
		sh_evline_end(&l);
		sh_evwriter_raw(w, l.buf, l.len);
	}
	sh_evreader_close(in);
	sh_evwriter_close(w);
	sh_scales_free(&reg);
	return 0;
}
