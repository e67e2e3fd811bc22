/* clock -- tempo and tick events: the grid every generative patch hangs on. */
#include "cli.h"
#include "events.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] = "clock [options]";

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	double bpm = 120;          /* 60 drifts, 120 walks, 174 runs */
	int64_t spb = 4;           /* 4 = sixteenths; 3 = triplet feel; 1 = just the beat */
	int64_t loop = 0;          /* step numbers wrap after this many (0: count forever) */
	int64_t bars = 0;          /* length in bars of --beats-per-bar beats */
	double beats = 0;          /* length in beats */
	sh_duration dur = {0, SH_DUR_SECONDS}; /* length as a duration (10s, 2min, 32b) */
	int64_t bpb = 4;           /* beats in a bar, for --bars */
	bool live = false;         /* pace by the wall clock, one flush per line */
	const char *out = NULL;
	sh_option opts[] = {
		{"bpm", 'b', SH_OPT_DOUBLE, &bpm, 1, 999, .arg = "BPM", .help = "tempo in beats per minute (120; 1..999)"},
		{"steps-per-beat", 's', SH_OPT_INT, &spb, 1, 96, .help = "ticks per beat (4 = sixteenths; 1..96)"},
		{"loop-steps", 'L', SH_OPT_INT, &loop, 0, 1 << 20, .help = "step numbers wrap at N (0: never)"},
		{"bars", 0, SH_OPT_INT, &bars, 0, 1e7, .help = "stop after N bars"},
		{"beats", 0, SH_OPT_DOUBLE, &beats, 0, 1e9, .help = "stop after N beats"},
		{"duration", 'd', SH_OPT_DURATION, &dur, .scale = 1, .arg = "DUR",
		 .help = "stop after DUR (10s, 2min, 32b; bare number: seconds)"},
		{"beats-per-bar", 0, SH_OPT_INT, &bpb, 1, 64, .help = "beats in a bar, for --bars (4)"},
		{"live", 'l', SH_OPT_FLAG, &live, .help = "pace output by the wall clock"},
		SH_EV_OUTPUT_OPTION(out),
		{0},
	};
	sh_program prog = {.usage = usage, .summary = "emit a tempo event and a tick per step, offline or paced by the wall clock"};
	int idx = sh_parse_options(&prog, opts, argc, argv);
	if (idx <= 0)
		return sh_parse_status(idx);
	if (idx < argc)
		sh_usage_error("unexpected operand '%s' (try --help)", argv[idx]);
	double length = sh_events_length(opts, bars, bpb, beats, &dur, bpm); /* beats */
	if (out && live)
		sh_usage_error("--live writes to stdout; leave out -o");

	sh_evwriter *w = sh_evwriter_create(out, live);
	if (live)
		sh_try_realtime(SH_RT_GENERATOR);
	double start = sh_now();
	sh_evline l;
	sh_evline_begin(&l, 0, "tempo");
	sh_evline_num(&l, "bpm", bpm);
	sh_evline_end(&l);
	sh_evwriter_raw(w, l.buf, l.len);
	double step_sec = 60.0 / (bpm * (double)spb);
	for (int64_t n = 0;; n++) {
		double t = (double)n / (double)spb; /* exact, no accumulated error */
		if (!(t < length - 1e-9))
			break;
		if (live)
			sh_sleep_until(start + (double)n * step_sec);
		sh_evline_begin(&l, t, "tick");
		sh_evline_num(&l, "step", (double)(loop ? n % loop : n));
		sh_evline_num(&l, "steps_per_beat", (double)spb);
		sh_evline_end(&l);
		sh_evwriter_raw(w, l.buf, l.len);
	}
	sh_evwriter_close(w);
	return 0;
}
