/* arrange -- a probabilistic arrangement of stems on a bar grid:
 *     arrange drums.wav bass.wav keys.wav --duration 60 --density 0.5 --seed 7 -o arranged.wav
 *
 * Each stem sounds in runs of whole bars (regions), taken from a bar-aligned
 * part of it and looped when the stem is shorter; the plan (lib/dsp/
 * arrangement.h) is written as JSON with --plan, and a plan is rendered with
 * --render through the suite's mixer (lib/dsp/mixer.h), faded only at region
 * edges. The direct render goes through the JSON too, so a plan written and
 * rendered gives the same bytes. parse -> validate -> plan -> process. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "arrangement.h"
#include "audio.h"
#include "cli.h"
#include "file.h"
#include "mixer.h"
#include "tempo.h"

/* ---- options ---- */
static const char *out_path = NULL;
static const char *bits = NULL;
static sh_duration duration = {60, SH_DUR_SECONDS}; /* a sketch at 8 s, a whole piece at 300 */
static double density = 0.5;   /* 0 is silence, 0.2 sparse entrances, 0.8 a full band with rests, 1 all */
static double bpm = 0;         /* 0: detected on the first stem; set it when the stems agree on a tempo */
static int64_t beats_per_bar = 4; /* 3 waltzes, 7 limps; regions start and stop on these bars */
static double fade_ms = 10;    /* 0 clicks at region edges, 50 softens entrances, 500 swells */
static bool plan_only = false; /* the JSON plan instead of audio */
static const char *render_path = NULL;

static sh_option options[] = {
	SH_AUDIO_OUTPUT_OPTION(out_path),
	SH_AUDIO_BITS_OPTION(bits),
	{.name = "duration", .short_name = 'd', .type = SH_OPT_DURATION, .dest = &duration, .scale = 1,
	 .arg = "DUR", .help = "how long the arrangement is (seconds, 2min, 32b beats at the tempo)"},
	{.name = "density", .short_name = 'D', .type = SH_OPT_DOUBLE, .dest = &density, .min = 0, .max = 1,
	 .arg = "P", .help = "the expected share of stems sounding in any bar, 0..1: 0 silence, 1 everything"},
	{.name = "bpm", .short_name = 'b', .type = SH_OPT_DOUBLE, .dest = &bpm, .min = 0, .max = SH_ARR_BPM_MAX,
	 .arg = "BPM", .unit = "BPM", .help = "the tempo of the bar grid, 10..1000; 0: detected on the first stem"},
	{.name = "beats-per-bar", .type = SH_OPT_INT, .dest = &beats_per_bar, .min = 1, .max = SH_ARR_BEATS_MAX,
	 .arg = "N", .help = "beats in a bar, 1..64: the grid regions start and stop on"},
	{.name = "fade", .short_name = 'f', .type = SH_OPT_DOUBLE, .dest = &fade_ms, .min = 0,
	 .max = SH_ARR_FADE_MAX * 1000, .arg = "MS", .unit = "ms",
	 .help = "fade in and out at each region's edges, 0..10000 ms: short avoids clicks, long swells"},
	{.name = "plan", .type = SH_OPT_FLAG, .dest = &plan_only, .no_preset = true,
	 .help = "write the arrangement as JSON (shards(7), ARRANGEMENTS) instead of audio"},
	{.name = "render", .short_name = 'R', .type = SH_OPT_STRING, .dest = &render_path, .no_preset = true,
	 .arg = "PLAN", .help = "render an arrangement JSON (from --plan, maybe edited; - is stdin)"},
	{0},
};

static sh_program program = {
	.usage = "arrange [-o FILE] [--bits 16|24|32f] [-d DUR] [-D P] [-b BPM] [--beats-per-bar N]\n"
	         "               [-f MS] [--seed N] [--plan] STEM...\n"
	         "       arrange [-o FILE] [--bits 16|24|32f] --render PLAN",
	.summary = "arrange stems on a bar grid at random (seeded): regions of whole bars, "
	           "as audio or as a JSON plan",
	.has_seed = true,
};

/* ---- validate ---- */

static const char *const plan_knobs[] = {"duration", "density", "bpm", "beats-per-bar", "fade", "plan"};

static void validate(int argc, char **argv, int first)
{
	if (render_path) {
		for (size_t i = 0; i < sizeof plan_knobs / sizeof *plan_knobs; i++)
			if (sh_option_given(options, plan_knobs[i]))
				sh_usage_error("--render takes everything from the plan: --%s does not go with it",
				               plan_knobs[i]);
		if (first < argc)
			sh_usage_error("--render takes no stems (the plan names them)");
		return;
	}
	if (first >= argc)
		sh_usage_error("no stems: give one or more audio files (see --help)");
	if (bpm != 0 && bpm < SH_ARR_BPM_MIN)
		sh_usage_error("--bpm %g: outside %g..%g (or 0: detected)", bpm, SH_ARR_BPM_MIN, SH_ARR_BPM_MAX);
	if (plan_only && bits)
		sh_usage_error("--bits is for audio, not --plan");
	int stdin_given = 0;
	for (int i = first; i < argc; i++)
		stdin_given += !strcmp(argv[i], "-");
	if (stdin_given > 1)
		sh_usage_error("stdin ('-') is given twice");
	if (stdin_given && plan_only)
		sh_usage_error("a plan cannot name standard input ('-'): give the stems as files");
}

/* ---- plan ---- */

/* The tempo of a stem, found as bpm(1) finds it (lib/dsp/tempo.h, defaults). */
static double detect(const char *path)
{
	sh_audio_in *in = sh_audio_open(path);
	if (!in)
		sh_die("%s", sh_error());
	const int ch = sh_audio_channels(in);
	sh_tempo *t = sh_tempo_new(sh_audio_rate(in), NULL);
	if (!t)
		sh_die("%s", sh_error());
	enum { BLOCK = 8192 };
	float *buf = sh_malloc((size_t)BLOCK * (size_t)ch * sizeof(float)), *mono = sh_malloc(BLOCK * sizeof(float));
	ssize_t got;
	while ((got = sh_audio_read(in, buf, BLOCK)) > 0) {
		sh_audio_downmix(buf, (size_t)got, ch, mono);
		sh_tempo_feed(t, mono, (size_t)got);
	}
	if (got < 0)
		sh_die("%s", sh_error());
	sh_tempo_result r;
	if (sh_tempo_finish(t, &r) != 0)
		sh_die("%s: %s", path, sh_error());
	sh_tempo_free(t);
	free(buf);
	free(mono);
	sh_audio_close(in);
	const double b = r.bpm;
	sh_tempo_result_free(&r);
	if (b <= 0)
		sh_die("%s: no tempo found (%s): give --bpm", path,
		       r.duration < 2 ? "shorter than 2 seconds" : "no rhythmic onsets");
	sh_note("%s: %.2f BPM", path, b);
	return b;
}

/* A stem on standard input: copied (AU float, block by block) into a
 * temporary file that is unlinked at once and named by its descriptor, so the
 * mixer can open and seek it as often as the regions need, and nothing is
 * left behind however the run ends. */
static char *stdin_stem(void)
{
	sh_audio_in *in = sh_audio_open("-");
	if (!in)
		sh_die("%s", sh_error());
	const char *dir = getenv("TMPDIR");
	char tmp[4096], *name = sh_malloc(64);
	snprintf(tmp, sizeof tmp, "%s/arrange-stdin-%ld.au", dir && *dir ? dir : "/tmp", (long)getpid());
	const int ch = sh_audio_channels(in);
	sh_audio_out *out = sh_audio_create(tmp, sh_audio_rate(in), ch, &(sh_audio_out_opts){0});
	if (!out)
		sh_die("%s", sh_error());
	enum { BLOCK = 8192 };
	float *buf = sh_malloc((size_t)BLOCK * (size_t)ch * sizeof(float));
	ssize_t got;
	while ((got = sh_audio_read(in, buf, BLOCK)) > 0)
		if (sh_audio_write(out, buf, (size_t)got) != 0)
			sh_die("%s", sh_error());
	if (got < 0)
		sh_die("%s", sh_error());
	if (sh_audio_finish(out) != 0)
		sh_die("%s", sh_error());
	free(buf);
	sh_audio_close(in);
	const int fd = open(tmp, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || unlink(tmp) != 0)
		sh_die("%s: cannot keep standard input in a temporary file", tmp);
	snprintf(name, 64, "/proc/self/fd/%d", fd);
	return name;
}

/* The arrangement as JSON text, from the stems and the knobs. */
static char *make_plan(int argc, char **argv, int first)
{
	sh_arrangement a = {0};
	if (!program.seed_given)
		sh_note("seed %llu", (unsigned long long)program.seed);
	a.nsources = argc - first;
	a.sources = sh_calloc((size_t)a.nsources, sizeof *a.sources);
	int64_t *whole = sh_calloc((size_t)a.nsources, sizeof *whole);
	int *rates = sh_calloc((size_t)a.nsources, sizeof *rates);
	for (int i = 0; i < a.nsources; i++) {
		int ch;
		a.sources[i].path = strcmp(argv[first + i], "-") ? sh_strdup(argv[first + i]) : stdin_stem();
		if (sh_arr_probe(a.sources[i].path, &rates[i], &ch, &whole[i]) != 0)
			sh_die("%s", sh_error());
	}
	a.bpm = bpm > 0 ? bpm : detect(a.sources[0].path);
	if (a.bpm < SH_ARR_BPM_MIN || a.bpm > SH_ARR_BPM_MAX)
		sh_die("%s: detected %g BPM, outside %g..%g: give --bpm", a.sources[0].path, a.bpm, SH_ARR_BPM_MIN,
		       SH_ARR_BPM_MAX);
	a.beats_per_bar = (int)beats_per_bar;
	a.rate = rates[0];
	for (int i = 0; i < a.nsources; i++)
		whole[i] /= sh_arr_bar_frames(&a, rates[i]);
	if (sh_duration_seconds(&duration, a.bpm, 0, a.rate, &a.duration) != 0)
		sh_usage_error("--duration: %s", sh_error());
	if (!(a.duration > 0 && a.duration <= SH_ARR_DURATION_MAX) || llround(a.duration * a.rate) < 1)
		sh_usage_error("--duration %g s: outside one sample..%g s", a.duration, SH_ARR_DURATION_MAX);
	if (sh_arrangement_generate(&a, whole, density, fade_ms / 1000, program.seed) != 0)
		sh_die("%s", sh_error());
	char *txt = sh_arrangement_json(&a);
	if (!txt)
		sh_die("%s", sh_error());
	sh_arrangement_free(&a);
	free(whole);
	free(rates);
	return txt;
}

/* ---- process: the plan through the mixer ---- */

static void render(const sh_arrangement *a)
{
	const int obits = sh_parse_bits(bits);
	sh_mix_input *in;
	int n, ch;
	if (sh_arrangement_inputs(a, &in, &n, &ch) != 0)
		sh_die("%s", sh_error());
	const int64_t frames = llround(a->duration * a->rate);
	sh_mixer *m = NULL;
	if (n > 0) {
		sh_mixer_opts mo = {
			.rate = a->rate, .channels = ch, .has_duration = true,
			.duration = {(double)frames, SH_DUR_SAMPLES}, .spool_limit = (size_t)64 << 20,
		};
		bool usage;
		if (!(m = sh_mixer_open(in, n, &mo, &usage)))
			sh_die("%s", sh_error());
	}
	if (sh_audio_check_output(out_path, obits, a->rate, ch) != 0)
		sh_usage_error("%s", sh_error());
	sh_audio_out_opts oo = {.bits = obits, .dither_seed = 1};
	sh_audio_out *out = sh_audio_create(out_path, a->rate, ch, &oo);
	if (!out)
		sh_die("%s", sh_error());
	enum { BLOCK = 8192 };
	float *buf = sh_calloc((size_t)BLOCK * (size_t)ch, sizeof(float));
	for (int64_t t = 0; t < frames;) {
		ssize_t got = BLOCK < frames - t ? BLOCK : (ssize_t)(frames - t);
		if (m && (got = sh_mixer_read(m, buf, (size_t)got)) < 0)
			sh_die("%s", sh_error());
		if (got == 0)
			break;
		if (sh_audio_write(out, buf, (size_t)got) != 0)
			sh_die("%s", sh_error());
		t += got;
	}
	if (sh_audio_finish(out) != 0)
		sh_die("%s", sh_error());
	free(buf);
	sh_mixer_close(m);
	for (int i = 0; i < n; i++)
		sh_mix_input_free(&in[i]);
	free(in);
}

int main(int argc, char **argv)
{
	int first = sh_parse_options(&program, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	validate(argc, argv, first);
	sh_arrangement a;
	if (render_path) {
		if (sh_arrangement_load(render_path, &a) != 0)
			sh_die("%s", sh_error());
	} else {
		char *txt = make_plan(argc, argv, first);
		if (plan_only) {
			if (sh_write_file_atomic(out_path, txt, strlen(txt)) != 0)
				sh_die("%s", sh_error());
			free(txt);
			sh_seed_carried(program.seed); /* the plan's "seed" */
			return SH_EXIT_OK;
		}
		/* the direct render reads its own JSON: the same bytes as --plan then --render */
		if (sh_arrangement_parse(txt, strlen(txt), "the plan", &a) != 0)
			sh_die("%s", sh_error());
		free(txt);
	}
	if (sh_audio_check_output(out_path, sh_parse_bits(bits), 0, 0) != 0)
		sh_usage_error("%s", sh_error());
	render(&a);
	sh_arrangement_free(&a);
	return SH_EXIT_OK;
}
