/* euclid -- Euclidean rhythms (Bjorklund): ticks in, triggers out. */
#include "chooser.h"
#include "cli.h"
#include "euclid.h"
#include "evfilter.h"

#include <math.h>
#include <stdio.h>

/* The knobs, at their defaults. */
static int64_t steps = 16;       /* the cycle: 16 = a bar of sixteenths; odd lengths drift against the bar */
static int64_t pulses = 5;       /* hits per cycle: few = sparse and spacious, many = busy; negative = the gaps */
static int64_t rotation = 0;     /* shifts the pattern later by N steps: same necklace, another accent */
static double probability = 1;   /* chance each hit fires: below 1 the pattern crumbles and breathes */
static const char *trigger = "rhythm_hit"; /* what listeners (arp) wait for */
static double value = 1;         /* the trigger's value: an accent for whoever listens */
static double own_beats = 0;     /* make our own grid of this many beats instead of reading ticks */
static int64_t steps_per_beat = 4; /* of that grid */
static const char *random_policy = "uniform"; /* how the chance to fire is drawn */
static bool show = false;

static sh_option options[] = {
	{.name = "steps", .short_name = 'n', .type = SH_OPT_INT, .dest = &steps, .min = 1, .max = SH_EUCLID_MAX,
	 .unit = "steps", .live = true, .help = "length of the cycle"},
	{.name = "pulses", .short_name = 'k', .type = SH_OPT_INT, .dest = &pulses, .min = -SH_EUCLID_MAX,
	 .max = SH_EUCLID_MAX, .live = true, .help = "onsets in the cycle; negative: the complement of E(-k,n)"},
	{.name = "rotation", .short_name = 'R', .type = SH_OPT_INT, .dest = &rotation, .min = -1e6, .max = 1e6,
	 .unit = "steps", .live = true, .help = "move every onset this much later"},
	{.name = "probability", .short_name = 'p', .type = SH_OPT_DOUBLE, .dest = &probability, .min = 0, .max = 1,
	 .live = true, .help = "chance each onset fires, 0..1"},
	{.name = "trigger", .short_name = 't', .type = SH_OPT_STRING, .dest = &trigger, .arg = "NAME", .live = true,
	 .help = "name of the triggers"},
	{.name = "value", .type = SH_OPT_DOUBLE, .dest = &value, .min = -1e9, .max = 1e9,
	 .help = "value carried by each trigger"},
	{.name = "beats", .type = SH_OPT_DOUBLE, .dest = &own_beats, .min = 0, .max = 1e9, .unit = "beats",
	 .help = "no input: make a grid this long; 0: read ticks"},
	{.name = "steps-per-beat", .short_name = 's', .type = SH_OPT_INT, .dest = &steps_per_beat, .min = 1, .max = 96,
	 .help = "steps per beat of that grid"},
	{.name = "random", .type = SH_OPT_STRING, .dest = &random_policy, .arg = "POLICY", .live = true,
	 .help = "how the chance to fire is drawn: " SH_CHOOSER_HELP " (shards(7))"},
	{.name = "show", .type = SH_OPT_FLAG, .dest = &show, .help = "print the pattern as x and . and exit"},
	{0},
};

static unsigned char pattern[SH_EUCLID_MAX];
static sh_chooser *chooser;

static int rebuild(void) { return sh_euclid((int)steps, (int)pulses, (int)rotation, pattern); }

static int setup(sh_evfilter *f)
{
	if (rebuild() != 0 || sh_chooser_set(&chooser, random_policy) != 0)
		return SH_EVF_USAGE;
	if (show) {
		for (int i = 0; i < steps; i++)
			putchar(pattern[i] ? 'x' : '.');
		putchar('\n');
		return SH_EVF_DONE;
	}
	if (own_beats > 0) {
		if (f->nargs) {
			sh_set_error("--beats makes its own grid: give no input file");
			return SH_EVF_USAGE;
		}
		f->generating = true;
	}
	return SH_EVF_GO;
}

static int emit(sh_evfilter *f, double t)
{
	if (!sh_chooser_chance(chooser, &f->rng, probability))
		return 0;
	sh_evline l;
	sh_evline_begin(&l, t, "trigger");
	sh_evline_str(&l, "name", trigger);
	sh_evline_num(&l, "value", value);
	return sh_evwriter_line(f->out, &l);
}

static int generate(sh_evfilter *f)
{
	for (int64_t n = 0; (double)n / (double)steps_per_beat < own_beats - 1e-9; n++)
		if (pattern[n % steps] && emit(f, (double)n / (double)steps_per_beat) != 0)
			return -1;
	return 0;
}

/* A tick passes on, and its step of the cycle may fire. */
static int tick(sh_evfilter *f, const sh_event *ev)
{
	if (sh_evwriter_pass(f->out, ev) != 0)
		return -1;
	double step;
	if (sh_ev_number(ev, "step", &step) != 0 || step < 0 || step != floor(step)) {
		sh_event_bad(f->in, ev, "tick needs a whole \"step\" >= 0");
		return 0;
	}
	return pattern[(int64_t)fmod(step, (double)steps)] ? emit(f, ev->t) : 0;
}

/* steps, pulses and rotation shape the pattern: a shape E(k,n) cannot have is refused. */
static int changed(sh_evfilter *f, sh_option *o)
{
	(void)f;
	if (o->dest == &trigger && !*trigger) {
		sh_set_error("trigger needs a non-empty name");
		return -1;
	}
	if (o->dest == &random_policy)
		return sh_chooser_set(&chooser, random_policy);
	if (o->dest == &steps || o->dest == &pulses || o->dest == &rotation)
		return rebuild(); /* checks before it writes: a refusal keeps the old pattern */
	return 0;
}

static void stop(sh_evfilter *f)
{
	(void)f;
	sh_chooser_free(chooser);
}

static const sh_evfilter_program program = {
	.usage = "euclid [options] [FILE]", .summary = "turn ticks into Euclidean rhythm triggers",
	.options = options, .has_seed = true, .target = "euc", .takes = "tick",
	.setup = setup, .event = tick, .changed = changed, .generate = generate, .stop = stop,
};

int main(int argc, char **argv) { return sh_evfilter_main(&program, argc, argv); }
