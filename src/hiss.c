/* hiss -- hiss and air: a seamless high-frequency loop, or a run of short
 * flicker bursts, drawn from percussive material (a drum loop, cymbals) or,
 * with no input named, from synthetic noise. Band-pass or high-pass filtered,
 * the loop pulsed by a tremolo, seeded: the same seed gives the same bytes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audio.h"
#include "cli.h"
#include "hiss.h"
#include "rng.h"

static int check_settings(void);
static sh_program prog = {
	.check = check_settings,
	.usage = "hiss [-d DUR | -F N [--burst MS..MS] [--gap MS..MS]] [--band HZ..HZ | --filter highpass] "
	         "[-t HZ] [-T DEPTH] [--seed N] [-o FILE] [FILE | -]",
	.summary = "Make hiss and air: a seamless high-frequency loop or flicker bursts, from drums or noise.",
	.has_seed = true,
	.max_operands = 1,
};

static struct {
	const char *output;
	const char *bits;
	sh_duration duration;
	double bpm;
	int64_t flicker;
	sh_range burst, gap;
	const char *filter;
	sh_range band;
	double highpass;
	sh_range trem_rate, trem_depth;
	double crossfade;
	double peak;
	int64_t rate, channels;
} opt = {
	.duration = {2, SH_DUR_SECONDS}, /* a 2 s loop: short ones cycle audibly, 8 s and more drift like weather */
	.flicker = 0,                    /* 0 a loop; N short bursts instead, a flickering sparkle */
	.burst = {30, 500},              /* ms: 30 a tick of static, 500 a breath of air */
	.gap = {100, 400},               /* ms of silence between bursts: short is a crackle, long a scatter */
	.filter = "bandpass",            /* bandpass keeps a band of air, highpass everything above a corner */
	.band = {4000, 15000},           /* Hz: 2000..6000 a papery rustle, 6000..18000 thin glassy air */
	.highpass = 5500,                /* Hz: 3000 keeps the sizzle of hats, 10000 only the shimmer */
	.trem_rate = {2.5, 2.5},         /* Hz: 0.5 a slow breathing, 8 a nervous flutter */
	.trem_depth = {0.5, 0.5},        /* 0 a steady bed, 1 pulses down to silence */
	.crossfade = 50,                 /* ms at the loop's seam: 5 a tight splice, 500 a long blend */
	.peak = -6,                      /* dBFS: air sits under the main sound, -6 leaves room */
};

static sh_option options[] = {
	SH_AUDIO_OUTPUT_OPTION(opt.output),
	SH_AUDIO_BITS_OPTION(opt.bits),
	{.name = "duration", .short_name = 'd', .type = SH_OPT_DURATION, .dest = &opt.duration, .scale = 1,
	 .arg = "DUR", .help = "the loop's exact length (40ms, 2s, 1200smp; 4b or 1/1 with --bpm): "
	                       "short loops cycle, long ones drift"},
	{.name = "bpm", .short_name = 'b', .type = SH_OPT_DOUBLE, .dest = &opt.bpm, .min = 1, .max = 1000,
	 .arg = "BPM", .unit = "BPM", .help = "a tempo, so that --duration may be given in beats or notes"},
	{.name = "flicker", .short_name = 'F', .type = SH_OPT_INT, .dest = &opt.flicker, .min = 0, .max = 1000,
	 .arg = "N", .help = "N short bursts instead of a loop, 0..1000 (0: a loop): a flickering sparkle"},
	{.name = "burst", .type = SH_OPT_RANGE, .dest = &opt.burst, .min = 2, .max = 10000, .arg = "MS..MS",
	 .unit = "ms", .help = "length of each burst, drawn within: 30 a tick of static, 500 a breath of air"},
	{.name = "gap", .type = SH_OPT_RANGE, .dest = &opt.gap, .min = 0, .max = 60000, .arg = "MS..MS",
	 .unit = "ms", .help = "silence between two bursts, drawn within: short a crackle, long a scatter"},
	{.name = "filter", .type = SH_OPT_CHOICE, .dest = &opt.filter, .choices = "bandpass|highpass",
	 .arg = "KIND", .help = "bandpass keeps the --band, highpass everything above --highpass"},
	{.name = "band", .type = SH_OPT_RANGE, .dest = &opt.band, .min = 20, .max = 96000, .arg = "HZ..HZ",
	 .unit = "Hz", .help = "the band kept: 2000..6000 a papery rustle, 6000..18000 thin glassy air"},
	{.name = "highpass", .type = SH_OPT_DOUBLE, .dest = &opt.highpass, .min = 20, .max = 96000, .arg = "HZ",
	 .unit = "Hz", .help = "with --filter highpass, the corner: 3000 keeps hats' sizzle, 10000 only shimmer"},
	{.name = "tremolo-rate", .short_name = 't', .type = SH_OPT_RANGE, .dest = &opt.trem_rate, .min = 0,
	 .max = 20, .arg = "HZ", .unit = "Hz",
	 .help = "pulses a second, or MIN..MAX drawn per run, moved to whole cycles in the loop: "
	         "0.5 breathes, 8 flutters, 0 none"},
	{.name = "tremolo-depth", .short_name = 'T', .type = SH_OPT_RANGE, .dest = &opt.trem_depth, .min = 0,
	 .max = 1, .arg = "D", .help = "how far the pulse dips, or MIN..MAX drawn per run: 0 a steady bed, "
	                               "1 down to silence"},
	{.name = "crossfade", .short_name = 'x', .type = SH_OPT_DOUBLE, .dest = &opt.crossfade, .min = 1,
	 .max = 2000, .arg = "MS", .unit = "ms", .help = "equal-power blend at the loop's seam: 5 a tight splice, "
	                                                 "500 a long blend"},
	{.name = "peak", .type = SH_OPT_DOUBLE, .dest = &opt.peak, .min = -60, .max = 0, .arg = "DB", .unit = "dBFS",
	 .help = "the loop's (each burst's) peak level: air sits under the main sound"},
	{.name = "rate", .short_name = 'r', .type = SH_OPT_INT, .dest = &opt.rate, .min = 8000, .max = 192000,
	 .arg = "HZ", .unit = "Hz", .help = "sample rate (default: the input's, resampled when given; noise: 48000)"},
	{.name = "channels", .short_name = 'c', .type = SH_OPT_INT, .dest = &opt.channels, .min = 1, .max = 8,
	 .arg = "N", .help = "channels, 1..8 (default: the input's; noise: 2, each its own); "
	                     "an input with others is mixed to mono on each"},
	{0},
};

/* What the options settle before any audio is read. */
static struct {
	int bits;
	const char *path;      /* the input, NULL for noise */
	double trem_rate, trem_depth;
	double seconds;        /* the loop's length */
} run;

/* The settings alone, as --print-config checks them too; a length in samples
 * waits for an input's rate when there may be one (INPUT). */
static void settings(bool input)
{
	run.bits = sh_parse_bits(opt.bits);
	if (!strcmp(opt.filter, "bandpass") && !(opt.band.lo < opt.band.hi))
		sh_usage_error("--band %g..%g: the low edge must be below the high one", opt.band.lo, opt.band.hi);
	if (!opt.flicker) {
		if (sh_duration_seconds(&opt.duration, opt.bpm, 0, opt.rate ? (double)opt.rate : 48000, &run.seconds) != 0)
			sh_usage_error("--duration: %s", sh_error());
		if (opt.duration.unit == SH_DUR_SAMPLES && !opt.rate && input)
			run.seconds = -1; /* counted at the input's rate, once it is known */
		else if (run.seconds > 600)
			sh_usage_error("--duration: %g s is longer than 600 s", run.seconds);
		else if (run.seconds < 2 * opt.crossfade / 1000)
			sh_usage_error("--duration: %g s is shorter than two crossfades (--crossfade %g ms)", run.seconds,
			               opt.crossfade);
	}
	/* the output is made in memory: a bound on its length, however the draws fall */
	double most = (double)opt.flicker * (opt.burst.hi + opt.gap.hi) / 1000;
	if (most > 3600)
		sh_usage_error("-F %lld bursts of up to %g ms with gaps of up to %g ms may take %g s: more than 3600 s",
		               (long long)opt.flicker, opt.burst.hi, opt.gap.hi, most);
}

static int check_settings(void)
{
	settings(true);
	return 0;
}

static void validate(int argc, char **argv, int first)
{
	run.path = first < argc ? argv[first] : NULL;
	settings(run.path != NULL);
	if (!opt.output || !strcmp(opt.output, "-"))
		if (sh_stdout_binary() != 0)
			sh_die("%s", sh_error());
}

int main(int argc, char **argv)
{
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	validate(argc, argv, first);

	sh_audio_in *in = NULL;
	sh_audio_source *src = NULL;
	int rate = opt.rate ? (int)opt.rate : 48000, src_ch = 0;
	const char *name = "noise";
	if (run.path) {
		if (!(in = sh_audio_open(run.path)))
			sh_die("%s", sh_error());
		name = sh_audio_name(in);
		src_ch = sh_audio_channels(in);
		if (!opt.rate) {
			rate = sh_audio_rate(in);
		} else if (rate != sh_audio_rate(in)) {
			sh_note("%s: resampling from %d to %d Hz", name, sh_audio_rate(in), rate);
			if (sh_audio_resample_to(in, rate) != 0)
				sh_die("%s", sh_error());
		}
		if (!(src = sh_audio_source_open(in, (size_t)64 << 20)))
			sh_die("%s", sh_error());
	}
	int ch = opt.channels ? (int)opt.channels : run.path ? src_ch : 2;
	if (!opt.flicker && run.seconds < 0) {
		/* a length in samples at the input's rate */
		if (sh_duration_seconds(&opt.duration, opt.bpm, 0, rate, &run.seconds) != 0)
			sh_usage_error("--duration: %s", sh_error());
		if (run.seconds > 600 || run.seconds < 2 * opt.crossfade / 1000)
			sh_usage_error("--duration: %g s is outside %g ms (two crossfades)..600 s", run.seconds,
			               2 * opt.crossfade);
	}
	sh_audio_out_opts oo = {.bits = run.bits, .dither_seed = prog.seed};
	if (sh_audio_check_output(opt.output, run.bits, rate, ch) != 0)
		sh_usage_error("%s", sh_error());

	sh_rng rng;
	sh_rng_seed(&rng, prog.seed);
	if (!prog.seed_given)
		sh_note("seed %llu", (unsigned long long)prog.seed);
	/* the tremolo is drawn first, then the material: a flicker run draws it too
	 * (and does not use it), so the streams stay aligned between the modes */
	run.trem_rate = sh_rng_between(&rng, opt.trem_rate.lo, opt.trem_rate.hi);
	run.trem_depth = sh_rng_between(&rng, opt.trem_depth.lo, opt.trem_depth.hi);
	sh_hiss_opts ho = {
		.rate = rate,
		.channels = ch,
		.highpass = !strcmp(opt.filter, "highpass"),
		.band_lo = opt.band.lo,
		.band_hi = opt.band.hi,
		.highpass_hz = opt.highpass,
		.crossfade = opt.crossfade / 1000,
		.trem_rate = run.trem_rate,
		.trem_depth = run.trem_depth,
		.peak_db = opt.peak,
	};
	sh_hiss *h = sh_hiss_new(src, src_ch, &ho, &rng);
	if (!h) {
		if (run.path && !opt.rate)
			sh_die("%s: %s", name, sh_error()); /* the input's rate */
		sh_usage_error("%s", sh_error());
	}

	float *audio = NULL;
	int64_t frames = 0;
	if (!opt.flicker) {
		frames = (int64_t)llround(run.seconds * rate);
		double used;
		int64_t from;
		if (sh_hiss_loop(h, frames, &audio, &used, &from) != 0)
			sh_die("%s: %s", name, sh_error());
		if (from >= 0)
			sh_note("loop from %.4f s of %s", (double)from / rate, name);
		if (used > 0)
			sh_note("tremolo %.6g Hz (%.0f cycles in the loop), depth %.3g", used, used * run.seconds,
			        run.trem_depth);
	} else {
		sh_range b = {opt.burst.lo / 1000, opt.burst.hi / 1000}, g = {opt.gap.lo / 1000, opt.gap.hi / 1000};
		sh_hiss_burst *bursts = sh_calloc((size_t)opt.flicker, sizeof *bursts);
		if (sh_hiss_flicker(h, (int)opt.flicker, b, g, &audio, &frames, bursts) != 0)
			sh_die("%s: %s", name, sh_error());
		for (int64_t i = 0; i < opt.flicker; i++)
			sh_note("burst %lld at %.4f s, %.4f s long", (long long)i + 1, (double)bursts[i].start / rate,
			        (double)bursts[i].frames / rate);
		free(bursts);
	}
	sh_hiss_free(h);
	sh_audio_source_close(src);
	sh_audio_close(in);

	sh_audio_out *out = sh_audio_create(opt.output, rate, ch, &oo);
	if (!out || sh_audio_write(out, audio, (size_t)frames) != 0 || sh_audio_finish(out) != 0)
		sh_die("%s", sh_error());
	free(audio);
	return 0;
}
