/* euclid -- Euclidean rhythms (Bjorklund): ticks in, triggers out. */
#include "cli.h"
#include "events.h"
#include "rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] = "euclid [options] [FILE]";

typedef struct {
	int64_t steps, pulses, rotation;
	double probability;
	const char *trigger;
	unsigned char pat[SH_EUCLID_MAX];
} rhythm;

static int rebuild(rhythm *r)
{
	return sh_euclid((int)r->steps, (int)r->pulses, (int)r->rotation, r->pat);
}

static void emit(sh_evwriter *w, const rhythm *r, sh_rng *rng, double t, double value)
{
	if (!sh_rng_chance(rng, r->probability))
		return;
	sh_evline l;
	sh_evline_begin(&l, t, "trigger");
	sh_evline_str(&l, "name", r->trigger);
	sh_evline_num(&l, "value", value);
	sh_evline_end(&l);
	sh_evwriter_raw(w, l.buf, l.len);
}

/* A param event for us: change one knob, or say why not (NULL on success). */
static const char *set_param(rhythm *r, const char *param, json_t *value, char **owned)
{
	double v;
	rhythm old = *r;
	if (strcmp(param, "trigger") == 0) {
		if (!json_is_string(value) || !*json_string_value(value))
			return "trigger needs a non-empty string";
		free(*owned);
		*owned = sh_strdup(json_string_value(value));
		r->trigger = *owned;
		return NULL;
	}
	if (sh_json_to_double(value, &v) != 0)
		return "value must be a number";
	if (strcmp(param, "probability") == 0) {
		if (v < 0 || v > 1)
			return "probability must be within 0..1";
		r->probability = v;
		return NULL;
	}
	if (v != floor(v) || fabs(v) > 1e6)
		return "value must be an integer";
	if (strcmp(param, "steps") == 0)
		r->steps = (int64_t)v;
	else if (strcmp(param, "pulses") == 0)
		r->pulses = (int64_t)v;
	else if (strcmp(param, "rotation") == 0)
		r->rotation = (int64_t)v;
	else
		return "unknown param (steps, pulses, rotation, probability, trigger)";
	if (rebuild(r) != 0) {
		*r = old;
		return sh_error();
	}
	return NULL;
}

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	rhythm r = {
		.steps = 16,        /* the cycle length: 16 = one bar of sixteenths; odd values drift against the bar */
		.pulses = 5,        /* hits per cycle: few = sparse and spacious, many = busy; negative = the gaps */
		.rotation = 0,      /* shifts the pattern later by N steps: same necklace, different accent */
		.probability = 1,   /* chance each hit fires: below 1 the pattern crumbles and breathes */
		.trigger = "rhythm_hit",
	};
	double value = 1;          /* the trigger's value (an accent for whoever listens) */
	const char *name = "euc";  /* param events with this target change the knobs */
	double own_beats = 0;      /* make our own grid of this many beats instead of reading ticks */
	int64_t spb = 4;           /* steps per beat of our own grid */
	bool show = false, skip_bad = false, live = false;
	const char *out = NULL;
	sh_option opts[] = {
		{"steps", 'n', SH_OPT_INT, &r.steps, 1, SH_EUCLID_MAX, .help = "steps in the cycle (16; 1..1024)"},
		{"pulses", 'k', SH_OPT_INT, &r.pulses, -SH_EUCLID_MAX, SH_EUCLID_MAX,
		 .help = "onsets in the cycle (5; negative: the complement of E(-k,n))"},
		{"rotation", 'r', SH_OPT_INT, &r.rotation, -1e6, 1e6, .help = "move every onset N steps later (0)"},
		{"probability", 'p', SH_OPT_DOUBLE, &r.probability, 0, 1, .help = "chance each onset fires (1; 0..1)"},
		{"trigger", 't', SH_OPT_STRING, &r.trigger, .arg = "NAME", .help = "name of the triggers (rhythm_hit)"},
		{"value", 0, SH_OPT_DOUBLE, &value, -1e9, 1e9, .help = "value carried by each trigger (1)"},
		{"name", 0, SH_OPT_STRING, &name, .arg = "NAME", .help = "target name for param events (euc)"},
		{"beats", 0, SH_OPT_DOUBLE, &own_beats, 0, 1e9, .help = "no input: make a grid of N beats"},
		{"steps-per-beat", 's', SH_OPT_INT, &spb, 1, 96, .help = "steps per beat of that grid (4)"},
		{"show", 0, SH_OPT_FLAG, &show, .help = "print the pattern as x and . and exit"},
		SH_EV_SKIP_BAD_OPTION(skip_bad),
		SH_EV_LIVE_OPTION(live),
		SH_EV_OUTPUT_OPTION(out),
		{0},
	};
	sh_program prog = {.usage = usage, .summary = "turn ticks into Euclidean rhythm triggers", .has_seed = true};
	int idx = sh_parse_options(&prog, opts, argc, argv);
	if (idx <= 0)
		return sh_parse_status(idx);
	if (argc - idx > 1)
		sh_usage_error("too many operands (one input file at most)");
	if (rebuild(&r) != 0)
		sh_usage_error("%s", sh_error());
	if (show) {
		for (int i = 0; i < r.steps; i++)
			putchar(r.pat[i] ? 'x' : '.');
		putchar('\n');
		return 0;
	}
	sh_note("seed %llu", (unsigned long long)prog.seed);
	sh_rng rng;
	sh_rng_seed(&rng, prog.seed);
	char *owned = NULL;

	sh_evwriter *w = sh_evwriter_create(out, live);
	if (live)
		sh_try_realtime(SH_RT_FILTER); /* a live chain keeps up on a busy machine */
	if (sh_option_given(opts, "beats")) {
		if (idx < argc)
			sh_usage_error("--beats makes its own grid: give no input file");
		for (int64_t n = 0; (double)n / (double)spb < own_beats - 1e-9; n++)
			if (r.pat[n % r.steps])
				emit(w, &r, &rng, (double)n / (double)spb, value);
	} else {
		sh_evreader *in = sh_evreader_open(idx < argc ? argv[idx] : NULL, skip_bad);
		sh_evreader_flush_before_wait(in, w);
		sh_event ev;
		const char *param;
		json_t *pv;
		while (sh_evreader_next(in, &ev) == 1) {
			if (sh_ev_param_for(&ev, name, &param, &pv)) {
				const char *why = set_param(&r, param, pv, &owned);
				if (why)
					sh_event_bad(in, &ev, "param '%s': %s", param, why);
				continue;
			}
			sh_evwriter_pass(w, &ev);
			if (!sh_ev_is(&ev, "tick"))
				continue;
			double step;
			if (sh_ev_number(&ev, "step", &step) != 0 || step < 0 || step != floor(step)) {
				sh_event_bad(in, &ev, "tick needs a whole \"step\" >= 0");
				continue;
			}
			if (r.pat[(int64_t)fmod(step, (double)r.steps)])
				emit(w, &r, &rng, ev.t, value);
		}
		sh_evreader_close(in);
	}
	sh_evwriter_close(w);
	free(owned);
	return 0;
}
