/* clock -- tempo and tick events: the grid every generative patch hangs on. */
#include "cli.h"
#include "evfilter.h"

#include <math.h>

/* The knobs, at their defaults. */
static double bpm = 120;           /* 60 drifts, 120 walks, 174 runs */
static int64_t steps_per_beat = 4; /* 4 = sixteenths; 3 = triplet feel; 1 = just the beat */
static int64_t loop = 0;           /* step numbers wrap after this many (0: count forever) */
static sh_evlength stop_after = SH_EVLENGTH_DEFAULTS; /* 64 bars; --live: until the reader goes away */

static sh_option options[] = {
	{.name = "bpm", .short_name = 'b', .type = SH_OPT_DOUBLE, .dest = &bpm, .min = 1, .max = 999, .arg = "BPM",
	 .unit = "bpm", .help = "tempo: 60 drifts, 120 walks, 174 runs"},
	{.name = "steps-per-beat", .short_name = 's', .type = SH_OPT_INT, .dest = &steps_per_beat, .min = 1, .max = 96,
	 .help = "ticks per beat: 4 sixteenths, 3 triplets, 1 the beat"},
	{.name = "loop-steps", .short_name = 'L', .type = SH_OPT_INT, .dest = &loop, .min = 0, .max = 1 << 20,
	 .unit = "steps", .help = "step numbers wrap at N; 0 never"},
	SH_EVLENGTH_OPTIONS(stop_after),
	{0},
};

static double length; /* beats */

static int setup(sh_evfilter *f)
{
	if (sh_events_length(f->opts, &stop_after, bpm, f->live, &length) != 0)
		return SH_EVF_USAGE;
	if (f->output && f->live) {
		sh_set_error("--live writes to stdout; leave out -o");
		return SH_EVF_USAGE;
	}
	return SH_EVF_GO;
}

static int generate(sh_evfilter *f)
{
	sh_evline l;
	sh_evline_begin(&l, 0, "tempo");
	sh_evline_num(&l, "bpm", bpm);
	if (sh_evwriter_line(f->out, &l) != 0)
		return -1;
	double step_sec = 60.0 / (bpm * (double)steps_per_beat);
	for (int64_t n = 0;; n++) {
		double t = (double)n / (double)steps_per_beat; /* exact, no accumulated error */
		if (!(t < length - 1e-9)) {
			/* the length travels on, so a sink renders whole bars */
			sh_evfilter_pace(f, length * 60.0 / bpm);
			sh_evline_begin(&l, length, "end");
			return sh_evwriter_line(f->out, &l);
		}
		sh_evfilter_pace(f, (double)n * step_sec);
		sh_evline_begin(&l, t, "tick");
		sh_evline_num(&l, "step", (double)(loop ? n % loop : n));
		sh_evline_num(&l, "steps_per_beat", (double)steps_per_beat);
		if (sh_evwriter_line(f->out, &l) != 0)
			return -1;
	}
}

static const sh_evfilter_program program = {
	.usage = "clock [options]",
	.summary = "emit a tempo event and a tick per step, offline or paced by the wall clock",
	.options = options, .generator = true, .setup = setup, .generate = generate,
};

int main(int argc, char **argv) { return sh_evfilter_main(&program, argc, argv); }
