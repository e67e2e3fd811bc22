/* amix -- mix N audio inputs with per-input gain and equal-power pan:
 *     amix drums.wav:-3dB:-0.4 bass.flac:0:0.6 film.mp4::0:start=2 -o mix.wav
 *
 * Each operand is FILE[:GAIN[:PAN]][:KEY=VALUE]... (lib/dsp/mixer.h parses it);
 * the mixer reads every input block by block, resamples those at another rate
 * and sums them; --limit puts the `limit` processor (true peak) after the sum.
 * parse -> validate -> plan -> process, each below. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "audio.h"
#include "cli.h"
#include "mixer.h"
#include "proc.h"

/* ---- options ---- */
static const char *out_path = NULL;
static const char *bits = NULL;
static int64_t rate = 0;      /* 0: the first input's; 8000 thins everything, 96000 only costs */
static int64_t channels = 0;  /* 0: the most of any input; 1 folds everything to the middle */
static bool shortest = false; /* end with the first input to end: no tails */
static sh_duration duration = {0, SH_DUR_SECONDS}; /* unset: the inputs decide */
static bool limit = false;
static double ceiling = -1;   /* -0.1 is as loud as it gets, -6 leaves room for a master */

static sh_option options[] = {
	SH_AUDIO_OUTPUT_OPTION(out_path),
	SH_AUDIO_BITS_OPTION(bits),
	{.name = "rate", .short_name = 'r', .type = SH_OPT_INT, .dest = &rate, .min = 0, .max = SH_MAX_RATE,
	 .arg = "HZ", .unit = "Hz",
	 .help = "the mix's sample rate, 1000..768000 (others are resampled); 0: the first input's"},
	{.name = "channels", .short_name = 'c', .type = SH_OPT_INT, .dest = &channels, .min = 0,
	 .max = SH_MAX_CHANNELS, .arg = "N",
	 .help = "the mix's channels, 1..64: 1 folds every input to mono; 0: the most of any input"},
	{.name = "shortest", .short_name = 's', .type = SH_OPT_FLAG, .dest = &shortest,
	 .help = "end the mix where the first input ends, instead of where the last one does"},
	{.name = "duration", .short_name = 'd', .type = SH_OPT_DURATION, .dest = &duration, .scale = 1,
	 .arg = "DUR",
	 .help = "make the mix exactly this long (seconds, 500ms, 48000smp): cut, or padded with silence"},
	{.name = "limit", .type = SH_OPT_FLAG, .dest = &limit,
	 .help = "a true-peak brickwall after the sum, so the mix never passes the ceiling"},
	{.name = "ceiling", .type = SH_OPT_DOUBLE, .dest = &ceiling, .min = -30, .max = 0, .arg = "DB",
	 .unit = "dBTP",
	 .help = "with --limit, how loud the loudest peak may be: near 0 is loud, -6 leaves headroom"},
	{0},
};

static sh_program program = {
	.usage = "amix [-o FILE] [--bits 16|24|32f] [-r HZ] [-c N] [-s | -d DUR] [-l [--ceiling DB]]\n"
	         "            FILE[:GAIN[:PAN]][:KEY=VALUE]... ...\n"
	         "       KEY: gain=DB pan=-1..1 start=DUR trim=DUR len=DUR loop=N|inf fadein=DUR fadeout=DUR",
	.summary = "mix audio files (any rate, channels or format, a video's soundtrack, stdin) with "
	           "per-input gain, pan, placement and loops",
};

/* ---- the facts of one run ---- */
typedef struct {
	sh_mix_input *inputs;
	int n;
	int obits;
	bool pcm;               /* the output clips at full scale */
	sh_mixer *mixer;
	sh_proc *lim;
	sh_audio_out *out;
	int64_t clipped;        /* samples beyond full scale */
	float peak;
} run;

/* ---- parse and validate ---- */

/* Does the output hold float (room above full scale) or clip? */
static bool output_is_pcm(const char *path, int obits)
{
	struct stat st;
	if (!path || !strcmp(path, "-") || (stat(path, &st) == 0 && !S_ISREG(st.st_mode)))
		return false; /* AU float */
	if (obits == 16 || obits == 24)
		return true;
	if (obits == 32)
		return false;
	const char *dot = strrchr(path, '.');
	static const char *floats[] = {"wav", "aiff", "aif", "aifc", "au", "snd", "caf", "w64"};
	for (size_t i = 0; dot && i < sizeof floats / sizeof *floats; i++)
		if (!strcasecmp(dot + 1, floats[i]))
			return false;
	return true; /* flac (24-bit), and the lossy codecs */
}

static void validate(run *r, int argc, char **argv, int first)
{
	if (first >= argc)
		sh_usage_error("no inputs: give one or more FILE[:GAIN[:PAN]] (see --help)");
	if (rate != 0 && rate < SH_MIN_RATE)
		sh_usage_error("--rate %lld: outside %d..%d Hz (or 0: the first input's)", (long long)rate,
		               SH_MIN_RATE, SH_MAX_RATE);
	if (shortest && sh_option_given(options, "duration"))
		sh_usage_error("--shortest and --duration both set the length: give one");
	if (sh_option_given(options, "ceiling") && !limit)
		sh_usage_error("--ceiling goes with --limit");
	r->obits = sh_parse_bits(bits);
	if (sh_audio_check_output(out_path, r->obits, 0, 0) != 0)
		sh_usage_error("%s", sh_error());
	r->n = argc - first;
	r->inputs = sh_calloc((size_t)r->n, sizeof *r->inputs);
	int stdin_at = -1;
	for (int i = 0; i < r->n; i++) {
		if (sh_mix_parse(argv[first + i], &r->inputs[i]) != 0)
			sh_usage_error("%s", sh_error());
		if (!strcmp(r->inputs[i].path, "-")) {
			if (stdin_at >= 0)
				sh_usage_error("stdin ('-') is given twice");
			stdin_at = i;
		}
	}
	r->pcm = output_is_pcm(out_path, r->obits);
}

/* ---- plan: open the inputs, the limiter, the output ---- */

static int write_out(void *user, const float *buf, size_t frames)
{
	run *r = user;
	const size_t n = frames * (size_t)sh_mixer_channels(r->mixer);
	float pk = r->peak;
	int64_t over = 0;
	for (size_t i = 0; i < n; i++) {
		const float a = fabsf(buf[i]);
		pk = a > pk ? a : pk;
		over += a > 1.0f;
	}
	r->peak = pk;
	r->clipped += over;
	return sh_audio_write(r->out, buf, frames);
}

static void plan(run *r)
{
	sh_mixer_opts mo = {
		.rate = (int)rate,
		.channels = (int)channels,
		.shortest = shortest,
		.has_duration = sh_option_given(options, "duration"),
		.duration = duration,
		.spool_limit = (size_t)256 << 20,
	};
	bool usage;
	r->mixer = sh_mixer_open(r->inputs, r->n, &mo, &usage);
	if (!r->mixer) {
		if (usage)
			sh_usage_error("%s", sh_error());
		sh_die("%s", sh_error());
	}
	const int orate = sh_mixer_rate(r->mixer), och = sh_mixer_channels(r->mixer);
	if (limit) {
		char c[32];
		snprintf(c, sizeof c, "%.17g", ceiling);
		r->lim = sh_proc_new(sh_proc_find("limit"));
		if (sh_proc_set(r->lim, "ceiling", c) != 0 ||
		    sh_proc_chain_start(&r->lim, 1, orate, och, 1, write_out, r) < 0)
			sh_die("limit: %s", sh_error());
	}
	if (sh_audio_check_output(out_path, r->obits, orate, och) != 0)
		sh_usage_error("%s", sh_error());
	sh_audio_out_opts oo = {.bits = r->obits, .dither_seed = 1};
	if (!(r->out = sh_audio_create(out_path, orate, och, &oo)))
		sh_die("%s", sh_error());
}

/* ---- process ---- */

static void process(run *r)
{
	enum { BLOCK = 8192 };
	const size_t ch = (size_t)sh_mixer_channels(r->mixer);
	float *buf = sh_malloc(BLOCK * ch * sizeof(float));
	ssize_t got;
	while ((got = sh_mixer_read(r->mixer, buf, BLOCK)) > 0) {
		int rc = r->lim ? sh_proc_push(r->lim, buf, (size_t)got) : write_out(r, buf, (size_t)got);
		if (rc != 0)
			sh_die("%s", sh_error());
	}
	if (got < 0)
		sh_die("%s", sh_error());
	if (r->lim && sh_proc_finish(r->lim) != 0)
		sh_die("%s", sh_error());
	if (sh_audio_finish(r->out) != 0)
		sh_die("%s", sh_error());
	free(buf);
	if (r->clipped && r->pcm)
		sh_warn("output clipped %lld samples (peak %+.2f dBFS); lower the gains or use --limit",
		        (long long)r->clipped, 20 * log10(r->peak));
	else if (r->clipped)
		sh_note("peak %+.2f dBFS: the float output passes full scale (--limit keeps it under)",
		        20 * log10(r->peak));
}

int main(int argc, char **argv)
{
	int first = sh_parse_options(&program, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	run r = {0};
	validate(&r, argc, argv, first);
	plan(&r);
	process(&r);
	sh_proc_free(r.lim);
	sh_mixer_close(r.mixer);
	for (int i = 0; i < r.n; i++)
		sh_mix_input_free(&r.inputs[i]);
	free(r.inputs);
	return SH_EXIT_OK;
}
