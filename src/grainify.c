/* grainify -- granular clouds from a recording: a pool of grains drawn from the
 * source (random lengths and pitches, junk grains skipped and counted), cycled
 * and scattered over a cloud of exactly the length asked, panned grain by
 * grain, tagged dark/mid/bright and peak-normalised; AU float on stdout or a
 * file. The afterglow design's cloud maker, one cloud a run.
 *     grainify -d 30 --grain 40ms..200ms --pitch -5..5 --seed 7 pad.wav -o cloud.wav
 * parse -> validate -> plan (open, key, pool) -> process (two passes: measure,
 * write). */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio.h"
#include "cli.h"
#include "grains.h"
#include "musickey.h"
#include "rng.h"
#include "stretch.h"

static int check_settings(void);
static sh_program prog = {
	.check = check_settings,
	.usage = "grainify [options] [FILE]",
	.summary = "Make a granular cloud of any length from a recording: random grains, junk skipped, cycled, panned.",
	.has_seed = true,
	.max_operands = 1,
};

static struct {
	const char *output, *bits, *report;
	sh_duration duration;
	const char *grain;
	int64_t grains;
	double overlap, density, jitter, spread;
	sh_range pitch;
	const char *window;
	bool mono;
	const char *to_key, *from_key;
	double bpm, peak, fade;
	double rms_floor, max_clip, max_dc, max_skew;
	double dark, bright;
	int64_t rate, memory;
} opt = {
	.duration = {6, SH_DUR_SECONDS}, /* a sampler one-shot at 4 s, a bed under a whole track at 300 */
	.grain = "50ms..150ms", /* 10ms..30ms buzzes and hisses, 40ms..200ms shimmers, 300ms..800ms smears phrases */
	.grains = 200,          /* distinct grains: 8 loops audibly, 200 never settles, 2000 is a fog */
	.overlap = 0.65,        /* 0 grains in a row with gaps of their taper, 0.65 a wash, 0.9 a thick swarm */
	.density = 0,           /* grains a second instead of --overlap: 5 sparse, 40 dense, 200 a blur */
	.jitter = 0.5,          /* 0 a steady pulse of grains, 1 onsets scattered across their hop */
	.spread = 0.8,          /* 0 every grain in the middle, 1 from hard left to hard right */
	.pitch = {-7, 7},       /* semitones: 0..0 keeps the source's pitch, -12..12 a wide shimmer */
	.window = "hann",       /* hann smooth; tukey dense, close to the source; gauss soft, airy */
	.peak = -1,             /* dBFS: -1 loud, -12 headroom for layering */
	.fade = 10,             /* ms at each end: 0 starts mid-grain, 500 swells in and out */
	.rms_floor = -40,       /* dBFS: -60 lets room tone in, -25 only the loud parts */
	.max_clip = 0.001,      /* share of clipped samples in a grain: 0 none at all, 1 off */
	.max_dc = 0.1,          /* |mean| of a channel: 0.02 strict, 1 off */
	.max_skew = 2,          /* octaves from the source's centroid: 1 keeps its colour, 0 off */
	.dark = SH_GRAIN_DARK_HZ,     /* Hz: centroid below is "dark" (sub, warm, muffled) */
	.bright = SH_GRAIN_BRIGHT_HZ, /* Hz: centroid above is "bright" (airy, hissy, glassy) */
	.memory = 64,           /* MiB of a piped source held in memory before spooling, and of the cloud */
};

static sh_option options[] = {
	SH_AUDIO_OUTPUT_OPTION(opt.output),
	SH_AUDIO_BITS_OPTION(opt.bits),
	{.name = "duration", .short_name = 'd', .type = SH_OPT_DURATION, .dest = &opt.duration, .scale = 1,
	 .arg = "DUR", .help = "length of the cloud, exact (seconds; 500ms, 2min, 1000smp, 16b with --bpm)"},
	{.name = "grain", .short_name = 'g', .type = SH_OPT_STRING, .dest = &opt.grain, .arg = "MIN..MAX",
	 .help = "each grain's length in the cloud, drawn within (bare numbers: ms; 1ms..2s): short buzzes, long smears"},
	{.name = "grains", .short_name = 'n', .type = SH_OPT_INT, .dest = &opt.grains, .min = 1, .max = SH_GRAIN_MAX_POOL,
	 .arg = "N", .help = "distinct grains in the cloud, cycled to fill it: few loop audibly, many never settle"},
	{.name = "overlap", .short_name = 'O', .type = SH_OPT_DOUBLE, .dest = &opt.overlap, .min = 0, .max = 0.95,
	 .arg = "F", .help = "share of a mean grain the next one overlaps, 0..0.95: 0 a row of grains, 0.9 a thick swarm"},
	{.name = "density", .short_name = 'D', .type = SH_OPT_DOUBLE, .dest = &opt.density, .min = 0, .max = 10000,
	 .arg = "N", .unit = "grains/s", .help = "grains a second instead of --overlap (0: from --overlap): 5 sparse, 200 a blur"},
	{.name = "jitter", .type = SH_OPT_DOUBLE, .dest = &opt.jitter, .min = 0, .max = 1, .arg = "F",
	 .help = "how far each onset may move within its hop, 0..1: 0 a steady pulse, 1 scattered"},
	{.name = "pitch", .short_name = 'P', .type = SH_OPT_RANGE, .dest = &opt.pitch, .min = -36, .max = 36,
	 .arg = "LO..HI", .unit = "semitones", .help = "each grain's transposition, drawn within (-36..36): 0 keeps the pitch"},
	{.name = "window", .short_name = 'w', .type = SH_OPT_CHOICE, .dest = &opt.window, .choices = SH_GRAIN_WINDOW_NAMES,
	 .help = "grain envelope: hann smooth, triangle, tukey dense, gauss soft, blackman transparent"},
	{.name = "spread", .short_name = 's', .type = SH_OPT_DOUBLE, .dest = &opt.spread, .min = 0, .max = 1, .arg = "F",
	 .help = "stereo width, each grain panned (equal power) within +-F: 0 centred, 1 hard left to hard right"},
	{.name = "mono", .short_name = 'm', .type = SH_OPT_FLAG, .dest = &opt.mono,
	 .help = "one channel, no placement"},
	{.name = "to-key", .short_name = 'k', .type = SH_OPT_STRING, .dest = &opt.to_key, .arg = "KEY",
	 .help = "move the grains' pitch centre to KEY (Am, F#, Eb major) by the shortest interval"},
	{.name = "from-key", .type = SH_OPT_STRING, .dest = &opt.from_key, .arg = "KEY",
	 .help = "the source's key for --to-key, instead of detecting it (as keydetect(1) does)"},
	{.name = "bpm", .short_name = 'b', .type = SH_OPT_DOUBLE, .dest = &opt.bpm, .min = 1, .max = 1000, .arg = "BPM",
	 .unit = "BPM", .help = "tempo for durations in beats or note values (-d 16b, --grain 1/32..1/16)"},
	{.name = "peak", .type = SH_OPT_DOUBLE, .dest = &opt.peak, .min = -60, .max = 0, .arg = "DB", .unit = "dBFS",
	 .help = "the cloud's peak after normalising, -60..0: -1 loud, -12 room for layering"},
	{.name = "fade", .type = SH_OPT_DOUBLE, .dest = &opt.fade, .min = 0, .max = 60000, .arg = "MS", .unit = "ms",
	 .help = "fade in and out at the cloud's ends (at most a quarter of it): 0 starts mid-grain, 500 swells"},
	{.name = "rms-floor", .type = SH_OPT_DOUBLE, .dest = &opt.rms_floor, .min = -200, .max = 0, .arg = "DB",
	 .unit = "dBFS", .help = "grains quieter are skipped as silent, -200..0 (-200: off): -60 lets room tone in"},
	{.name = "max-clip", .type = SH_OPT_DOUBLE, .dest = &opt.max_clip, .min = 0, .max = 1, .arg = "F",
	 .help = "share of samples at full scale above which a grain is skipped as clipped, 0..1 (1: off)"},
	{.name = "max-dc", .type = SH_OPT_DOUBLE, .dest = &opt.max_dc, .min = 0, .max = 1, .arg = "F",
	 .help = "a channel's mean further from 0 skips the grain as DC-offset, 0..1 (1: off)"},
	{.name = "max-skew", .type = SH_OPT_DOUBLE, .dest = &opt.max_skew, .min = 0, .max = 10, .arg = "OCT",
	 .unit = "octaves", .help = "a grain whose centroid is further from the source's is skipped as skewed (0: off)"},
	{.name = "dark", .type = SH_OPT_DOUBLE, .dest = &opt.dark, .min = 20, .max = 20000, .arg = "HZ", .unit = "Hz",
	 .help = "the cloud's centroid below HZ tags it dark (sub, warm, muffled)"},
	{.name = "bright", .type = SH_OPT_DOUBLE, .dest = &opt.bright, .min = 20, .max = 20000, .arg = "HZ", .unit = "Hz",
	 .help = "the cloud's centroid above HZ tags it bright (airy, hissy, glassy)"},
	{.name = "rate", .short_name = 'r', .type = SH_OPT_INT, .dest = &opt.rate, .min = 8000, .max = 192000, .arg = "HZ",
	 .unit = "Hz", .help = "output rate; the source is resampled first (default: the source's)"},
	{.name = "memory", .type = SH_OPT_INT, .dest = &opt.memory, .min = 1, .max = 1 << 20, .arg = "MIB", .unit = "MiB",
	 .help = "a piped source kept in memory up to MIB (beyond: a temporary file), and a cloud as long"},
	{.name = "report", .type = SH_OPT_STRING, .dest = &opt.report, .arg = "FILE", .no_preset = true,
	 .help = "also write a JSON summary (grains kept and skipped, key, centroid, brightness) to FILE (-: stdout with -o)"},
	{0},
};

/* What the run does, settled from the options and the source. */
typedef struct {
	sh_duration glo, ghi;     /* --grain as given */
	sh_grain_window window;
	bool by_key;
	int to_tonic, from_tonic;
	bool to_minor, from_minor;
	bool key_detected;
	double key_confidence;
	int bits;
	/* from the source */
	sh_audio_in *in;
	sh_audio_source *src;
	int rate, ch, out_ch;
	int64_t frames, src_frames;
	double seconds, shift, hop;
	sh_grain_opts go;
} plan;

/* ---- validate: everything that can be judged before the source is read ---- */

static void parse_grain(plan *pl)
{
	const char *dots = strstr(opt.grain, "..");
	char lo[128];
	size_t n = dots ? (size_t)(dots - opt.grain) : strlen(opt.grain);
	if (n >= sizeof lo)
		sh_usage_error("--grain: '%s' is not MIN..MAX", opt.grain);
	memcpy(lo, opt.grain, n);
	lo[n] = 0;
	if (sh_parse_duration(lo, 0.001, &pl->glo) != 0)
		sh_usage_error("--grain: %s", sh_error());
	if (!dots)
		pl->ghi = pl->glo;
	else if (sh_parse_duration(dots + 2, 0.001, &pl->ghi) != 0)
		sh_usage_error("--grain: %s", sh_error());
}

static double seconds_of(const char *what, const sh_duration *d, int rate);

/* --grain's ends in seconds at RATE, or a usage error. */
static void grain_seconds(const plan *pl, int rate, double *lo, double *hi)
{
	*lo = seconds_of("--grain", &pl->glo, rate);
	*hi = seconds_of("--grain", &pl->ghi, rate);
	if (*lo > *hi)
		sh_usage_error("--grain %s: MIN is longer than MAX", opt.grain);
	if (*lo < 0.001 || *hi > 2)
		sh_usage_error("--grain %s: outside 1ms..2s", opt.grain);
}

/* The settings alone, as --print-config checks them too. */
static void settings(plan *pl)
{
	parse_grain(pl);
	if (sh_grain_window_parse(opt.window, &pl->window) != 0)
		sh_usage_error("--window: %s", sh_error());
	if (opt.density > 0 && sh_option_given(options, "overlap"))
		sh_usage_error("--density and --overlap exclude each other (one sets how often grains start)");
	if (opt.mono && sh_option_given(options, "spread"))
		sh_usage_error("--spread places grains in stereo: it does not go with --mono");
	if (opt.dark > opt.bright)
		sh_usage_error("--dark %g is above --bright %g", opt.dark, opt.bright);
	if (opt.from_key && !opt.to_key)
		sh_usage_error("--from-key needs --to-key");
	pl->by_key = opt.to_key != NULL;
	if (opt.to_key && sh_key_parse(opt.to_key, &pl->to_tonic, &pl->to_minor) != 0)
		sh_usage_error("--to-key: %s", sh_error());
	pl->from_tonic = -1;
	if (opt.from_key && sh_key_parse(opt.from_key, &pl->from_tonic, &pl->from_minor) != 0)
		sh_usage_error("--from-key: %s", sh_error());
	pl->bits = sh_parse_bits(opt.bits);
}

static int check_settings(void)
{
	plan pl = {0};
	settings(&pl);
	double lo, hi;
	if (pl.glo.unit != SH_DUR_SAMPLES && pl.ghi.unit != SH_DUR_SAMPLES) /* else: at the source's rate */
		grain_seconds(&pl, 0, &lo, &hi);
	return 0;
}

static void validate(plan *pl)
{
	settings(pl);
	bool audio_stdout = !opt.output || !strcmp(opt.output, "-");
	if (opt.report && !strcmp(opt.report, "-") && audio_stdout)
		sh_usage_error("--report -: standard output carries the cloud; write it with -o FILE, or the report to a file");
	if (opt.report && opt.output && !strcmp(opt.report, opt.output) && strcmp(opt.output, "-"))
		sh_usage_error("--report and -o name the same file");
	if (sh_audio_check_output(opt.output, pl->bits, 0, 0) != 0)
		sh_usage_error("%s", sh_error());
	if (audio_stdout && sh_stdout_binary() != 0)
		sh_die("%s", sh_error());
}

/* A duration as frames at RATE, or a usage error naming the option. */
static double seconds_of(const char *what, const sh_duration *d, int rate)
{
	double s;
	if (sh_duration_seconds(d, opt.bpm, 0, rate, &s) != 0)
		sh_usage_error("%s: %s", what, sh_error());
	return s;
}

/* ---- plan: the source, its key, the lengths in frames, the pool ---- */

static void open_source(plan *pl, const char *path)
{
	if (!(pl->in = sh_audio_open(path)))
		sh_die("%s", sh_error());
	pl->rate = sh_audio_rate(pl->in);
	pl->ch = sh_audio_channels(pl->in);
	if (opt.rate && opt.rate != pl->rate) {
		if (sh_audio_resample_to(pl->in, (int)opt.rate) != 0)
			sh_die("%s", sh_error());
		sh_note("%s: resampling from %d to %d Hz", sh_audio_name(pl->in), pl->rate, (int)opt.rate);
		pl->rate = (int)opt.rate;
	}
	if (!(pl->src = sh_audio_source_open(pl->in, (size_t)opt.memory << 20)))
		sh_die("%s", sh_error());
	pl->src_frames = sh_audio_source_frames(pl->src);
	if (pl->src_frames <= 0)
		sh_die("%s: no audio", sh_audio_name(pl->in));
}

static void lengths(plan *pl)
{
	pl->seconds = seconds_of("--duration", &opt.duration, pl->rate);
	if (pl->seconds > 86400)
		sh_usage_error("--duration %g s: longer than a day", pl->seconds);
	pl->frames = llround(pl->seconds * pl->rate);
	if (pl->frames < 1)
		sh_usage_error("--duration %g s: shorter than one sample at %d Hz", pl->seconds, pl->rate);
	double lo, hi;
	grain_seconds(pl, pl->rate, &lo, &hi);
	pl->go.len_min = llround(lo * pl->rate);
	pl->go.len_max = llround(hi * pl->rate);
	if (pl->go.len_min < 2)
		pl->go.len_min = 2;
	if (pl->go.len_max < pl->go.len_min)
		pl->go.len_max = pl->go.len_min;
	double mean = 0.5 * (double)(pl->go.len_min + pl->go.len_max);
	pl->hop = opt.density > 0 ? pl->rate / opt.density : mean * (1 - opt.overlap);
	if (pl->hop < 1)
		pl->hop = 1;
}

/* --to-key: the source's key (given, or found as keydetect finds it) and the
 * shift that takes it to the target by the shortest way. */
static void key_shift(plan *pl)
{
	if (!pl->by_key)
		return;
	if (pl->from_tonic < 0) {
		sh_key_result kr;
		if (sh_stretch_detect(pl->src, pl->rate, pl->ch, NULL, &kr) != 0)
			sh_die("%s", sh_error());
		if (kr.tonic < 0)
			sh_die("%s: no key found (silent or without tonal content): give --from-key", sh_audio_name(pl->in));
		pl->from_tonic = kr.tonic;
		pl->from_minor = kr.minor;
		pl->key_detected = true;
		pl->key_confidence = kr.confidence;
	}
	pl->shift = sh_stretch_key_shift(pl->from_tonic, pl->from_minor, pl->to_tonic, pl->to_minor);
	char a[32], b[32];
	sh_note("source key %s%s, target %s: %+g semitones", sh_key_name(pl->from_tonic, pl->from_minor, a, sizeof a),
	        pl->key_detected ? " (detected)" : "", sh_key_name(pl->to_tonic, pl->to_minor, b, sizeof b), pl->shift);
}

static sh_grain_pool *gather(plan *pl, sh_rng *pool_rng, sh_grain_stats *st)
{
	pl->go.grains = (size_t)opt.grains;
	pl->go.pitch_lo = opt.pitch.lo;
	pl->go.pitch_hi = opt.pitch.hi;
	pl->go.shift = pl->shift;
	pl->go.window = pl->window;
	pl->go.rms_floor_db = opt.rms_floor;
	pl->go.max_clip = opt.max_clip;
	pl->go.max_dc = opt.max_dc;
	pl->go.max_skew_oct = opt.max_skew;
	pl->go.attempts = 10;
	sh_grain_pool *pool = sh_grains_gather(pl->src, pl->rate, pl->ch, &pl->go, pool_rng, st);
	if (!pool)
		sh_die("%s: %s", sh_audio_name(pl->in), sh_error());
	sh_note("%zu grains from %zu candidates; skipped %zu silent, %zu clipped, %zu DC offset, %zu spectrally skewed",
	        st->kept, st->drawn, st->silent, st->clipped, st->dc, st->skewed);
	if (st->kept < pl->go.grains)
		sh_note("%s: only %zu usable grains of %zu asked for (%zu candidates drawn)", sh_audio_name(pl->in), st->kept,
		        pl->go.grains, st->drawn);
	return pool;
}

/* ---- process ---- */

typedef struct {
	double peak, rms_db, centroid_hz, gain;
	const char *brightness;
	size_t placements;
} measured;

enum { BLOCK = 8192 };

/* Pass one: the raw cloud's peak, level and centroid (its mono mix); the
 * frames themselves into KEEP when it is not NULL. */
static void measure(sh_cloud *c, const plan *pl, measured *m, float *keep)
{
	sh_centroid *cen = sh_centroid_new(pl->rate);
	if (!cen)
		sh_die("%s", sh_error());
	float *buf = keep ? NULL : sh_malloc((size_t)BLOCK * (size_t)pl->out_ch * sizeof *buf);
	float *mono = sh_malloc(BLOCK * sizeof *mono);
	double peak = 0, ss = 0;
	size_t n;
	for (float *b = keep ? keep : buf; (n = sh_cloud_render(c, b, BLOCK)) > 0; b += keep ? n * (size_t)pl->out_ch : 0) {
		for (size_t i = 0; i < n * (size_t)pl->out_ch; i++) {
			double v = fabs(b[i]);
			if (v > peak)
				peak = v;
			ss += v * v;
		}
		sh_audio_downmix(b, n, pl->out_ch, mono);
		sh_centroid_feed(cen, mono, n);
	}
	m->placements = sh_cloud_placements(c);
	m->centroid_hz = sh_centroid_finish(cen);
	m->brightness = sh_brightness_tag(m->centroid_hz, opt.dark, opt.bright);
	m->gain = peak > 0 ? pow(10, opt.peak / 20) / peak : 1;
	m->peak = peak * m->gain;
	m->rms_db = 10 * log10(ss * m->gain * m->gain / ((double)pl->frames * pl->out_ch) + 1e-20);
	free(buf);
	free(mono);
}

/* Pass two: the same frames (kept, or rendered again), scaled to the peak, into
 * the output. */
static void write_cloud(sh_cloud *c, const plan *pl, const measured *m, float *keep)
{
	sh_audio_out_opts oo = {.bits = pl->bits, .dither_seed = prog.seed};
	if (sh_audio_check_output(opt.output, oo.bits, pl->rate, pl->out_ch) != 0)
		sh_usage_error("%s", sh_error());
	sh_audio_out *out = sh_audio_create(opt.output, pl->rate, pl->out_ch, &oo);
	if (!out)
		sh_die("%s", sh_error());
	float *buf = sh_malloc((size_t)BLOCK * (size_t)pl->out_ch * sizeof *buf);
	float g = (float)m->gain;
	sh_cloud_rewind(c);
	for (int64_t at = 0; at < pl->frames;) {
		size_t n = pl->frames - at < BLOCK ? (size_t)(pl->frames - at) : BLOCK;
		if (keep)
			memcpy(buf, keep + at * pl->out_ch, n * (size_t)pl->out_ch * sizeof *buf);
		else if (sh_cloud_render(c, buf, n) != n)
			sh_die("internal error: the cloud rendered short");
		for (size_t i = 0; i < n * (size_t)pl->out_ch; i++)
			buf[i] *= g;
		if (sh_audio_write(out, buf, n) != 0)
			sh_die("%s", sh_error());
		at += (int64_t)n;
	}
	if (sh_audio_finish(out) != 0)
		sh_die("%s", sh_error());
	free(buf);
}

static json_t *num(double v, double q) { return json_real(round(v / q) * q); }

static void report(const plan *pl, const sh_grain_stats *st, const measured *m)
{
	json_t *r = json_object(), *src = json_object(), *g = json_object(), *sk = json_object(), *cl = json_object();
	json_object_set_new(r, "format", json_string("shards-grainify"));
	json_object_set_new(r, "version", json_integer(1));
	if (prog.seed <= (uint64_t)INT64_MAX) {
		json_object_set_new(r, "seed", json_integer((json_int_t)prog.seed));
	} else { /* beyond JSON's integers: as text */
		char b[32];
		snprintf(b, sizeof b, "%llu", (unsigned long long)prog.seed);
		json_object_set_new(r, "seed", json_string(b));
	}
	json_object_set_new(r, "options", sh_options_json(options));
	json_object_set_new(src, "name", json_string(sh_audio_name(pl->in)));
	json_object_set_new(src, "rate", json_integer(pl->rate));
	json_object_set_new(src, "channels", json_integer(pl->ch));
	json_object_set_new(src, "duration", num((double)pl->src_frames / pl->rate, 1e-4));
	json_object_set_new(src, "centroid_hz", st->ref_centroid_hz > 0 ? num(st->ref_centroid_hz, 0.1) : json_null());
	json_object_set_new(r, "source", src);
	if (pl->by_key) {
		json_t *k = json_object();
		char a[32], b[32];
		json_object_set_new(k, "from", json_string(sh_key_name(pl->from_tonic, pl->from_minor, a, sizeof a)));
		json_object_set_new(k, "detected", json_boolean(pl->key_detected));
		json_object_set_new(k, "confidence", pl->key_detected ? num(pl->key_confidence, 1e-3) : json_null());
		json_object_set_new(k, "to", json_string(sh_key_name(pl->to_tonic, pl->to_minor, b, sizeof b)));
		json_object_set_new(k, "shift", json_real(pl->shift));
		json_object_set_new(r, "key", k);
	} else {
		json_object_set_new(r, "key", json_null());
	}
	json_object_set_new(g, "asked", json_integer((json_int_t)pl->go.grains));
	json_object_set_new(g, "kept", json_integer((json_int_t)st->kept));
	json_object_set_new(g, "drawn", json_integer((json_int_t)st->drawn));
	json_object_set_new(sk, "silent", json_integer((json_int_t)st->silent));
	json_object_set_new(sk, "clipped", json_integer((json_int_t)st->clipped));
	json_object_set_new(sk, "dc", json_integer((json_int_t)st->dc));
	json_object_set_new(sk, "skewed", json_integer((json_int_t)st->skewed));
	json_object_set_new(g, "skipped", sk);
	json_object_set_new(g, "min_frames", json_integer((json_int_t)pl->go.len_min));
	json_object_set_new(g, "max_frames", json_integer((json_int_t)pl->go.len_max));
	json_object_set_new(r, "grains", g);
	json_object_set_new(cl, "frames", json_integer((json_int_t)pl->frames));
	json_object_set_new(cl, "duration", json_real((double)pl->frames / pl->rate));
	json_object_set_new(cl, "rate", json_integer(pl->rate));
	json_object_set_new(cl, "channels", json_integer(pl->out_ch));
	json_object_set_new(cl, "placements", json_integer((json_int_t)m->placements));
	json_object_set_new(cl, "hop_frames", num(pl->hop, 1e-3));
	json_object_set_new(cl, "peak_db", num(20 * log10(m->peak + 1e-20), 0.01));
	json_object_set_new(cl, "rms_db", num(m->rms_db, 0.01));
	json_object_set_new(cl, "gain_db", num(20 * log10(m->gain), 0.01));
	json_object_set_new(cl, "centroid_hz", num(m->centroid_hz, 0.1));
	json_object_set_new(cl, "brightness", json_string(m->brightness));
	json_object_set_new(r, "cloud", cl);
	size_t len;
	char *text = sh_json_text(r, 10, &len);
	if (!text || sh_write_file_atomic(opt.report, text, len) != 0)
		sh_die("%s", sh_error());
	free(text);
	json_decref(r);
}

int main(int argc, char **argv)
{
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	plan pl = {0};
	validate(&pl);
	open_source(&pl, first < argc ? argv[first] : "-");
	lengths(&pl);
	pl.out_ch = opt.mono ? 1 : 2;
	key_shift(&pl);

	/* two streams from the seed: the pool's draws, and the placement's, so a
	 * longer cloud from the same seed plays the same grains */
	sh_rng root, pool_rng, place_rng;
	sh_rng_seed(&root, prog.seed);
	pool_rng = sh_rng_fork(&root);
	place_rng = sh_rng_fork(&root);
	sh_grain_stats st;
	sh_grain_pool *pool = gather(&pl, &pool_rng, &st);

	sh_cloud_opts co = {
		.frames = pl.frames, .channels = pl.out_ch, .hop = pl.hop, .jitter = opt.jitter,
		.spread = opt.mono ? 0 : opt.spread, .fade = llround(opt.fade / 1000 * pl.rate),
	};
	if (co.fade > pl.frames / 4)
		co.fade = pl.frames / 4;
	sh_cloud *c = sh_cloud_new(pool, &co, &place_rng);
	/* a cloud that fits in --memory is kept between the passes, a longer one is
	 * rendered again: the same frames either way */
	float *keep = pl.frames * pl.out_ch * (int64_t)sizeof(float) <= opt.memory << 20
	                      ? sh_malloc((size_t)pl.frames * (size_t)pl.out_ch * sizeof *keep) : NULL;
	measured m;
	measure(c, &pl, &m, keep);
	sh_note("cloud %.3f s, %zu grains placed, centroid %.1f Hz (%s), gain %+.2f dB", (double)pl.frames / pl.rate,
	        m.placements, m.centroid_hz, m.brightness, 20 * log10(m.gain));
	if (!prog.seed_given)
		sh_note("seed %llu", (unsigned long long)prog.seed);
	write_cloud(c, &pl, &m, keep);
	free(keep);
	if (opt.report)
		report(&pl, &st, &m);
	sh_cloud_free(c);
	sh_grain_pool_free(pool);
	sh_audio_source_close(pl.src);
	sh_audio_close(pl.in);
	return 0;
}
