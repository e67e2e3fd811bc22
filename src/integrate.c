/* integrate -- leaky integration of a value stream; a trigger when the state
 * crosses a threshold: continuous control becomes discrete events. */
#include "cli.h"
#include "evfilter.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The knobs, at their defaults. */
static double leak = 0.06;       /* decay rate per beat: 0 remembers forever, 4 forgets within a beat */
static double scale = 1;         /* gain on the input (state units per value-beat): higher fires sooner */
static double threshold = 0.85;  /* the state that fires: low = restless, high = rare events */
static double probability = 1;   /* chance a crossing becomes a trigger */
static const char *source = "lfo";         /* the value stream to integrate */
static const char *trigger = "integrated"; /* name of the triggers made */
static const char *reset = "zero";         /* after a crossing: zero, subtract, none */
static bool pass_source = false, emit_state = false;

static sh_option options[] = {
	{.name = "source", .short_name = 's', .type = SH_OPT_STRING, .dest = &source, .arg = "NAME",
	 .help = "name of the value stream to integrate"},
	{.name = "leak", .short_name = 'k', .type = SH_OPT_DOUBLE, .dest = &leak, .min = 0, .max = 100,
	 .unit = "per beat", .live = true, .help = "how fast the state forgets: 0 never"},
	{.name = "scale", .short_name = 'g', .type = SH_OPT_DOUBLE, .dest = &scale, .min = -1e9, .max = 1e9,
	 .live = true, .help = "gain on each value"},
	{.name = "threshold", .short_name = 'T', .type = SH_OPT_DOUBLE, .dest = &threshold, .min = -1e9, .max = 1e9,
	 .live = true, .help = "state that fires; negative fires falling; never 0"},
	{.name = "trigger", .short_name = 't', .type = SH_OPT_STRING, .dest = &trigger, .arg = "NAME",
	 .help = "name of the triggers"},
	{.name = "trigger-probability", .short_name = 'p', .type = SH_OPT_DOUBLE, .dest = &probability, .min = 0,
	 .max = 1, .live = true, .help = "chance a crossing fires, 0..1"},
	{.name = "reset", .type = SH_OPT_CHOICE, .dest = &reset, .choices = "zero|subtract|none",
	 .help = "state after a crossing"},
	{.name = "pass-source", .type = SH_OPT_FLAG, .dest = &pass_source, .help = "keep the source values in the output"},
	{.name = "emit-state", .type = SH_OPT_FLAG, .dest = &emit_state,
	 .help = "also emit the state as value events SOURCE.state"},
	{0},
};

/* param events may still use the names of the first release */
static const sh_evfilter_alias aliases[] = {
	{"trigger_probability", "trigger-probability"},
	{"probability", "trigger-probability"},
	{0},
};

static struct {
	char state_name[300];
	double state;         /* the integral */
	double held, prev_t;  /* the previous value, held until the next one, and its time */
	bool have_prev;
	bool armed;           /* reset none: must fall back below the threshold first */
} run = {.armed = true};

static int setup(sh_evfilter *f)
{
	(void)f;
	if (threshold == 0) {
		sh_set_error("--threshold must not be 0");
		return SH_EVF_USAGE;
	}
	snprintf(run.state_name, sizeof run.state_name, "%s.state", source);
	return SH_EVF_GO;
}

static int changed(sh_evfilter *f, sh_option *o)
{
	(void)f;
	if (o->dest == &threshold && threshold == 0) {
		sh_set_error("threshold must not be 0");
		return -1;
	}
	return 0;
}

static int value_event(sh_evfilter *f, const sh_event *ev)
{
	const char *vn;
	if (sh_ev_string(ev, "name", &vn) != 0 || strcmp(vn, source) != 0)
		return sh_evwriter_pass(f->out, ev);
	double v;
	if (sh_ev_number(ev, "value", &v) != 0) {
		sh_event_bad(f->in, ev, "value event needs a numeric \"value\"");
		return 0;
	}
	if (pass_source && sh_evwriter_pass(f->out, ev) != 0)
		return -1;
	/* the previous value held until now: exact decay, rectangle-rule input */
	double dt = run.have_prev ? ev->t - run.prev_t : 0;
	double decay = exp(-leak * dt);
	double gain = leak > 0 ? (1 - decay) / leak : dt; /* exact for a held input */
	run.state = run.state * decay + scale * run.held * gain;
	run.held = v;
	run.prev_t = ev->t;
	run.have_prev = true;
	bool beyond = threshold > 0 ? run.state >= threshold : run.state <= threshold;
	sh_evline l;
	if (emit_state) {
		sh_evline_begin(&l, ev->t, "value");
		sh_evline_str(&l, "name", run.state_name);
		sh_evline_num(&l, "value", round(run.state * 1e9) / 1e9);
		if (sh_evwriter_line(f->out, &l) != 0)
			return -1;
	}
	if (!beyond) {
		run.armed = true;
		return 0;
	}
	if (!run.armed)
		return 0;
	double at = run.state;
	if (!strcmp(reset, "zero"))
		run.state = 0;
	else if (!strcmp(reset, "subtract"))
		run.state -= threshold;
	else
		run.armed = false;
	if (!sh_rng_chance(&f->rng, probability))
		return 0;
	sh_evline_begin(&l, ev->t, "trigger");
	sh_evline_str(&l, "name", trigger);
	sh_evline_num(&l, "value", round(at * 1e9) / 1e9);
	return sh_evwriter_line(f->out, &l);
}

static const sh_evfilter_program program = {
	.usage = "integrate [options] [FILE]",
	.summary = "integrate a value stream; trigger when it crosses a threshold",
	.options = options, .has_seed = true, .target = "integrate", .takes = "value", .aliases = aliases,
	.setup = setup, .event = value_event, .changed = changed,
};

int main(int argc, char **argv) { return sh_evfilter_main(&program, argc, argv); }
