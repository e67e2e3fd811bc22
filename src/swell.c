/* swell -- a swell one-shot: a sound (stretched and pitch-shifted first, if
 * asked) that rises from silence and decays back into it, the rise and the
 * decay each of a named shape, normalised to a peak level. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audio.h"
#include "cli.h"
#include "swell.h"

static int check_settings(void);
static sh_program prog = {
	.check = check_settings,
	.usage = "swell [-A DUR] [-D DUR] [-s SHAPE[,SHAPE]] [-d DUR] [--start SEC] [-S FACTOR] [-P SEMITONES] [-m] [-r HZ] "
	         "[-o FILE] [FILE | -]",
	.summary = "Make a swell one-shot: a sound that rises and decays in named shapes, stretched first if asked.",
	.max_operands = 1,
};

static struct {
	const char *output;
	const char *bits;
	sh_duration rise, decay, duration;
	const char *shape;
	double start;
	double stretch;
	double pitch;
	double peak;
	bool mono;
	int64_t rate, memory;
} opt = {
	.rise = {1, SH_DUR_SECONDS},   /* 0.1 s a quick bloom, 4 s a slow tide coming in */
	.decay = {2.5, SH_DUR_SECONDS}, /* 0.3 s a short sigh, 8 s a long fade into the room */
	.shape = "sine",                /* sine a natural bloom; exp creeps in, then surges; log leaps, then settles */
	.start = -1,                    /* unset: the swell is cut from the middle */
	.stretch = 1,                   /* 1 as it is; 2 twice as long and smeared; 4 a frozen drone */
	.pitch = 0,                     /* semitones: -12 an octave down, darker and slower-seeming */
	.peak = -1,                     /* dBFS: a one-shot for a sampler, near full scale */
	.memory = 256,                  /* MiB of a piped input held before spooling */
};

static sh_option options[] = {
	SH_AUDIO_OUTPUT_OPTION(opt.output),
	SH_AUDIO_BITS_OPTION(opt.bits),
	{.name = "rise", .short_name = 'A', .type = SH_OPT_DURATION, .dest = &opt.rise, .scale = 1, .arg = "DUR",
	 .help = "time from silence to the full level (500ms, 2s): 0.1 s a quick bloom, 4 s a slow tide"},
	{.name = "decay", .short_name = 'D', .type = SH_OPT_DURATION, .dest = &opt.decay, .scale = 1, .arg = "DUR",
	 .help = "time from the full level back to silence: 0.3 s a short sigh, 8 s a long fade"},
	{.name = "shape", .short_name = 's', .type = SH_OPT_STRING, .dest = &opt.shape, .arg = "SHAPE[,SHAPE]",
	 .help = "the rise's and decay's curve, or one each: linear, exp, log, sine or scurve"},
	{.name = "duration", .short_name = 'd', .type = SH_OPT_DURATION, .dest = &opt.duration, .scale = 1,
	 .arg = "DUR", .help = "the swell's length, cut from the middle (default: all of the sound); "
	                       "the full level is held between rise and decay"},
	{.name = "start", .type = SH_OPT_DOUBLE, .dest = &opt.start, .min = 0, .max = 1e6, .arg = "SEC",
	 .unit = "s", .help = "cut the swell from SEC seconds into the (stretched) sound instead of the middle "
	                      "(without -d: to the end)"},
	{.name = "stretch", .short_name = 'S', .type = SH_OPT_DOUBLE, .dest = &opt.stretch, .min = 0.05, .max = 20,
	 .arg = "FACTOR", .help = "time-stretch the sound first (Rubber Band): 2 twice as long, 4 a frozen drone"},
	{.name = "pitch", .short_name = 'P', .type = SH_OPT_DOUBLE, .dest = &opt.pitch, .min = -36, .max = 36,
	 .arg = "SEMITONES", .unit = "semitones", .help = "shift the pitch first, keeping the length: -12 an octave down"},
	{.name = "peak", .type = SH_OPT_DOUBLE, .dest = &opt.peak, .min = -60, .max = 0, .arg = "DB", .unit = "dBFS",
	 .help = "the swell's peak level: -1 near full scale for a sampler"},
	{.name = "mono", .short_name = 'm', .type = SH_OPT_FLAG, .dest = &opt.mono,
	 .help = "fold to one channel (the mean of the channels) before the peak is set"},
	{.name = "rate", .short_name = 'r', .type = SH_OPT_INT, .dest = &opt.rate, .min = 8000, .max = 192000, .arg = "HZ",
	 .unit = "Hz", .help = "output rate; the sound is resampled first (default: the sound's)"},
	{.name = "memory", .type = SH_OPT_INT, .dest = &opt.memory, .min = 1, .max = 1 << 20, .arg = "MIB",
	 .unit = "MiB", .help = "piped input kept in memory before spooling to $TMPDIR"},
	{0},
};

static double seconds(const char *name, const sh_duration *d, int rate)
{
	double s;
	if (sh_duration_seconds(d, 0, 0, rate, &s) != 0)
		sh_usage_error("--%s: %s", name, sh_error());
	return s;
}

/* The swell's options from the settings; --shape refused is a usage error. */
static sh_swell_opts swell_opts(void)
{
	sh_swell_opts so = {.stretch = opt.stretch, .pitch = opt.pitch, .peak_db = opt.peak, .start = opt.start,
	                    .mono = opt.mono};
	if (sh_env_shapes_parse(opt.shape, &so.rise_shape, &so.decay_shape) != 0)
		sh_usage_error("--shape: %s", sh_error());
	return so;
}

/* The settings alone, as --print-config checks them too; lengths counted in
 * samples need the rate, known once the input is open, so they are checked
 * against each other here only when they do not. */
static int check_settings(void)
{
	swell_opts();
	sh_parse_bits(opt.bits);
	bool smp = opt.rise.unit == SH_DUR_SAMPLES || opt.decay.unit == SH_DUR_SAMPLES ||
	           (opt.duration.amount > 0 && opt.duration.unit == SH_DUR_SAMPLES);
	if (!smp && opt.duration.amount > 0 &&
	    seconds("duration", &opt.duration, 0) < seconds("rise", &opt.rise, 0) + seconds("decay", &opt.decay, 0))
		sh_usage_error("--duration %g s is shorter than --rise %g s and --decay %g s together",
		               seconds("duration", &opt.duration, 0), seconds("rise", &opt.rise, 0),
		               seconds("decay", &opt.decay, 0));
	return 0;
}

int main(int argc, char **argv)
{
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	int bits = sh_parse_bits(opt.bits);
	sh_swell_opts so = swell_opts();
	if (!opt.output || !strcmp(opt.output, "-"))
		if (sh_stdout_binary() != 0)
			sh_die("%s", sh_error());

	sh_audio_in *in = sh_audio_open(first < argc ? argv[first] : "-");
	if (!in)
		sh_die("%s", sh_error());
	if (opt.rate && opt.rate != sh_audio_rate(in)) {
		sh_note("%s: resampling from %d to %d Hz", sh_audio_name(in), sh_audio_rate(in), (int)opt.rate);
		if (sh_audio_resample_to(in, (int)opt.rate) != 0)
			sh_die("%s", sh_error());
	}
	const int rate = sh_audio_rate(in), ch = sh_audio_channels(in);
	so.rise = seconds("rise", &opt.rise, rate);
	so.decay = seconds("decay", &opt.decay, rate);
	so.duration = opt.duration.amount > 0 ? seconds("duration", &opt.duration, rate) : 0;
	if (so.duration > 0 && so.duration < so.rise + so.decay)
		sh_usage_error("--duration %g s is shorter than --rise %g s and --decay %g s together", so.duration,
		               so.rise, so.decay);
	sh_audio_out_opts oo = {.bits = bits, .dither_seed = 1};
	if (sh_audio_check_output(opt.output, bits, rate, opt.mono ? 1 : ch) != 0)
		sh_usage_error("%s", sh_error());
	sh_audio_source *src = sh_audio_source_open(in, (size_t)opt.memory << 20);
	if (!src)
		sh_die("%s", sh_error());
	sh_swell sw;
	if (sh_swell_make(src, rate, ch, &so, &sw) != 0)
		sh_die("%s: %s", sh_audio_name(in), sh_error());
	sh_note("swell of %.4f s from %.4f s of %.4f s: rise %.4f s (%s), decay %.4f s (%s)", (double)sw.frames / rate,
	        (double)sw.start / rate, (double)sw.source_frames / rate, (double)sw.rise / rate,
	        sh_env_shape_name(so.rise_shape), (double)sw.decay / rate, sh_env_shape_name(so.decay_shape));
	if (sw.peak_before == 0)
		sh_warn("%s: the swell is digital silence", sh_audio_name(in));
	sh_audio_source_close(src);
	sh_audio_close(in);

	sh_audio_out *out = sh_audio_create(opt.output, rate, sw.channels, &oo);
	if (!out || sh_audio_write(out, sw.audio, (size_t)sw.frames) != 0 || sh_audio_finish(out) != 0)
		sh_die("%s", sh_error());
	free(sw.audio);
	return 0;
}
