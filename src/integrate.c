/* integrate -- leaky integration of a value stream; a trigger when the state
 * crosses a threshold: continuous control becomes discrete events. */
#include "cli.h"
#include "events.h"
#include "rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] = "integrate [options] [FILE]";

typedef struct {
	double leak, scale, threshold, probability;
} knobs;

static const char *set_param(knobs *k, const char *param, json_t *value)
{
	double v;
	if (sh_json_to_double(value, &v) != 0)
		return "value must be a number";
	if (!strcmp(param, "leak")) {
		if (v < 0 || v > 100)
			return "leak must be within 0..100";
		k->leak = v;
	} else if (!strcmp(param, "scale")) {
		k->scale = v;
	} else if (!strcmp(param, "threshold")) {
		if (v == 0)
			return "threshold must not be 0";
		k->threshold = v;
	} else if (!strcmp(param, "trigger_probability") || !strcmp(param, "probability")) {
		if (v < 0 || v > 1)
			return "probability must be within 0..1";
		k->probability = v;
	} else
		return "unknown param (leak, scale, threshold, probability)";
	return NULL;
}

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	knobs k = {
		.leak = 0.06,       /* decay rate per beat: 0 remembers forever, 4 forgets within a beat */
		.scale = 1,         /* gain on the input (state units per value-beat): higher fires sooner */
		.threshold = 0.85,  /* the state that fires: low = restless, high = rare events */
		.probability = 1,   /* chance a crossing becomes a trigger */
	};
	const char *source = "lfo";        /* the value stream to integrate */
	const char *trigger = "integrated";/* name of the triggers made */
	const char *reset = "zero";        /* after a crossing: zero, subtract, none */
	const char *name = "integrate";
	const char *out = NULL;
	bool pass_source = false, emit_state = false, skip_bad = false, live = false;
	sh_option opts[] = {
		{"source", 's', SH_OPT_STRING, &source, .arg = "NAME", .help = "name of the value stream to integrate (lfo)"},
		{"leak", 'k', SH_OPT_DOUBLE, &k.leak, 0, 100, .help = "decay rate per beat (0.06; 0..100)"},
		{"scale", 'g', SH_OPT_DOUBLE, &k.scale, -1e9, 1e9, .help = "gain on each value (1)"},
		{"threshold", 'T', SH_OPT_DOUBLE, &k.threshold, -1e9, 1e9, .help = "state that fires; negative fires falling (0.85)"},
		{"trigger", 't', SH_OPT_STRING, &trigger, .arg = "NAME", .help = "name of the triggers (integrated)"},
		{"trigger-probability", 'p', SH_OPT_DOUBLE, &k.probability, 0, 1, .help = "chance a crossing fires (1)"},
		{"reset", 0, SH_OPT_CHOICE, &reset, .choices = "zero|subtract|none", .help = "state after a crossing (zero)"},
		{"pass-source", 0, SH_OPT_FLAG, &pass_source, .help = "keep the source values in the output"},
		{"emit-state", 0, SH_OPT_FLAG, &emit_state, .help = "also emit the state as value events NAME.state"},
		{"name", 0, SH_OPT_STRING, &name, .arg = "NAME", .help = "target name for param events (integrate)"},
		SH_EV_SKIP_BAD_OPTION(skip_bad),
		SH_EV_LIVE_OPTION(live),
		SH_EV_OUTPUT_OPTION(out),
		{0},
	};
	sh_program prog = {.usage = usage, .summary = "integrate a value stream; trigger when it crosses a threshold", .has_seed = true};
	int idx = sh_parse_options(&prog, opts, argc, argv);
	if (idx <= 0)
		return sh_parse_status(idx);
	if (argc - idx > 1)
		sh_usage_error("too many operands (one input file at most)");
	if (k.threshold == 0)
		sh_usage_error("--threshold must not be 0");
	sh_rng rng;
	sh_rng_seed(&rng, prog.seed);
	sh_note("seed %llu", (unsigned long long)prog.seed);
	char state_name[300];
	snprintf(state_name, sizeof state_name, "%s.state", source);

	sh_evwriter *w = sh_evwriter_create(out, live);
	if (live)
		sh_try_realtime(SH_RT_FILTER); /* a live chain keeps up on a busy machine */
	sh_evreader *in = sh_evreader_open(idx < argc ? argv[idx] : NULL, skip_bad);
	sh_evreader_flush_before_wait(in, w);
	sh_event ev;
	const char *param, *vn;
	json_t *pv;
	double state = 0;
	double held = 0, prev_t = 0;
	bool have_prev = false;
	bool armed = true; /* reset none: must fall back below the threshold first */
	sh_evline l;
	while (sh_evreader_next(in, &ev) == 1) {
		if (sh_ev_param_for(&ev, name, &param, &pv)) {
			const char *why = set_param(&k, param, pv);
			if (why)
				sh_event_bad(in, &ev, "param '%s': %s", param, why);
			continue;
		}
		if (!sh_ev_is(&ev, "value") || sh_ev_string(&ev, "name", &vn) != 0 || strcmp(vn, source) != 0) {
			sh_evwriter_pass(w, &ev);
			continue;
		}
		double v;
		if (sh_ev_number(&ev, "value", &v) != 0) {
			sh_event_bad(in, &ev, "value event needs a numeric \"value\"");
			continue;
		}
		if (pass_source)
			sh_evwriter_pass(w, &ev);
		/* the previous value held until now: exact decay, rectangle-rule input */
		double dt = have_prev ? ev.t - prev_t : 0;
		double decay = exp(-k.leak * dt);
		double gain = k.leak > 0 ? (1 - decay) / k.leak : dt; /* exact for a held input */
		state = state * decay + k.scale * held * gain;
		held = v;
		prev_t = ev.t;
		have_prev = true;
		bool up = k.threshold > 0;
		bool beyond = up ? state >= k.threshold : state <= k.threshold;
		bool crossed = beyond && armed;
		if (emit_state) {
			sh_evline_begin(&l, ev.t, "value");
			sh_evline_str(&l, "name", state_name);
			sh_evline_num(&l, "value", round(state * 1e9) / 1e9);
			sh_evline_end(&l);
			sh_evwriter_raw(w, l.buf, l.len);
		}
		if (crossed) {
			double at = state;
			if (!strcmp(reset, "zero"))
				state = 0;
			else if (!strcmp(reset, "subtract"))
				state -= k.threshold;
			else
				armed = false;
			if (sh_rng_chance(&rng, k.probability)) {
				sh_evline_begin(&l, ev.t, "trigger");
				sh_evline_str(&l, "name", trigger);
				sh_evline_num(&l, "value", round(at * 1e9) / 1e9);
				sh_evline_end(&l);
				sh_evwriter_raw(w, l.buf, l.len);
			}
		} else if (!beyond)
			armed = true;
	}
	sh_evreader_close(in);
	sh_evwriter_close(w);
	return 0;
}
