/* loopify -- make any audio a seamless loop: the end moves (by up to
 * --seam-search) to where the audio just past it matches the start in phase,
 * and that audio fades out over the start as the start fades in, so the last
 * sample leads into the first as it led on in the source. The seam search and
 * the crossfade are padmine's (lib/tex/seam.h), and so is the seam error it
 * prints. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audio.h"
#include "cli.h"
#include "seam.h"

static sh_program prog = {
	.usage = "loopify [-x DUR] [--seam-search DUR] [-d DUR] [--start DUR] [--json] [-o FILE] "
	         "[--bits 16|24|32f] [FILE]",
	.summary = "Make audio a seamless loop: the end moved to meet the start in phase, joined by an "
	           "equal-power crossfade.",
	.max_operands = 1,
};

static struct {
	const char *crossfade, *seam_search, *start;
	sh_duration duration;
	bool json;
	const char *method;
	const char *output, *bits;
} opt = {
	.crossfade = "50",   /* ms: 5 a tight splice that may tick on low notes, 300 a soft smear, 2000 a
	                        slow dissolve of the end into the start */
	.seam_search = "20", /* ms: 0 keeps the length exact, 20 finds a phase match for anything above
	                        25 Hz, 200 lets the end drift to the moment that matches best */
	.start = "0",        /* s: where the loop begins in the input */
	.method = "fft",     /* the direct search gives the same seam, some hundred times slower */
};

/* Longest crossfade and seam search, seconds. */
#define MAX_SPAN_S 30.0

static sh_option options[] = {
	{.name = "crossfade", .short_name = 'x', .type = SH_OPT_STRING, .dest = &opt.crossfade, .arg = "DUR",
	 .unit = "ms", .help = "equal-power crossfade at the seam, up to 30 s, a bare number in ms: 5 a tight splice, "
	                       "300 a soft smear"},
	{.name = "seam-search", .type = SH_OPT_STRING, .dest = &opt.seam_search, .arg = "DUR", .unit = "ms",
	 .help = "how far the end may move to meet the start in phase, 0..30 s, a bare number in ms: 0 keeps "
	         "the length exact"},
	{.name = "duration", .short_name = 'd', .type = SH_OPT_DURATION, .dest = &opt.duration, .scale = 1,
	 .arg = "DUR", .help = "the loop's target length, a bare number in s (default: all the input from --start "
	                       "that the seam leaves)"},
	{.name = "start", .type = SH_OPT_STRING, .dest = &opt.start, .arg = "DUR", .unit = "s",
	 .help = "where the loop begins in the input, a bare number in s"},
	{.name = "json", .type = SH_OPT_FLAG, .dest = &opt.json, .no_preset = true,
	 .help = "print the seam as JSON on stdout instead of a line on stderr (the audio then only with -o)"},
	{.name = "seam-method", .type = SH_OPT_CHOICE, .dest = &opt.method, .choices = "fft|direct",
	 .help = "for testing: direct sums the correlation at every offset (slow; the same seam)"},
	SH_AUDIO_OUTPUT_OPTION(opt.output),
	SH_AUDIO_BITS_OPTION(opt.bits),
	{0},
};

enum { BLOCK = 65536 }; /* frames read and written at a time */

/* A duration option that may also be 0 (zero_ok): its amount and unit. */
static sh_duration parse_span(const char *name, const char *text, double bare, bool zero_ok)
{
	sh_duration d;
	if (sh_parse_duration(text, bare, &d) == 0) {
		if (d.unit == SH_DUR_FRAMES || d.unit == SH_DUR_BEATS)
			sh_usage_error("--%s: '%s': give ms, s or smp (frames and beats mean nothing here)", name, text);
		return d;
	}
	/* "0", "0ms", "0s": the parser takes positive durations only */
	size_t n = strlen(text);
	while (n > 0 && text[n - 1] >= 'a' && text[n - 1] <= 'z')
		n--;
	char num[64];
	double v;
	static const char *zero_units[] = {"", "ms", "s", "sec", "smp", "samples"};
	bool unit_ok = false;
	for (size_t i = 0; i < sizeof zero_units / sizeof *zero_units; i++)
		unit_ok |= !strcmp(text + n, zero_units[i]);
	if (zero_ok && unit_ok && n < sizeof num) {
		memcpy(num, text, n);
		num[n] = 0;
		if (sh_parse_double(num, &v) == 0 && v == 0)
			return (sh_duration){0, SH_DUR_SECONDS};
	}
	sh_usage_error("--%s: '%s' is not a duration of %s (40ms, 0.5s, 1200smp; a bare number is %s)", name, text,
	               zero_ok ? "0 or more" : "more than 0", bare == 1 ? "seconds" : "ms");
}

static int64_t to_frames(const sh_duration *d, int rate)
{
	return d->unit == SH_DUR_SAMPLES ? (int64_t)llround(d->amount) : (int64_t)llround(d->amount * rate);
}

/* What the run does, in frames of the input. */
typedef struct {
	sh_duration crossfade, search, start;
	sh_seam_method method;
	bool audio_out;
	int bits;
	int rate, ch;
	int64_t total;                 /* input frames */
	int64_t fade, cmp, search_n, start_n, len;
	int64_t lo, hi;                /* offsets the end may move to */
} plan;

/* The options alone, before any audio is read. */
static void validate(plan *pl)
{
	pl->crossfade = parse_span("crossfade", opt.crossfade, 0.001, false);
	pl->search = parse_span("seam-search", opt.seam_search, 0.001, true);
	pl->start = parse_span("start", opt.start, 1, true);
	if (sh_option_given(options, "duration") &&
	    (opt.duration.unit == SH_DUR_FRAMES || opt.duration.unit == SH_DUR_BEATS))
		sh_usage_error("--duration: give s, ms or smp (frames and beats mean nothing here)");
	pl->method = !strcmp(opt.method, "direct") ? SH_SEAM_DIRECT : SH_SEAM_FFT;
	pl->bits = sh_parse_bits(opt.bits);
	bool to_stdout = !opt.output || !strcmp(opt.output, "-");
	if (opt.json && opt.output && !strcmp(opt.output, "-"))
		sh_usage_error("--json prints on standard output: give -o FILE for the audio");
	pl->audio_out = !opt.json || !to_stdout;
	if (pl->audio_out && sh_audio_check_output(opt.output, pl->bits, 0, 0) != 0)
		sh_usage_error("%s", sh_error());
	if (pl->audio_out && to_stdout && sh_stdout_binary() != 0)
		sh_die("%s", sh_error());
}

static double ms(int64_t frames, int rate) { return 1000.0 * (double)frames / rate; }

/* The seam's sizes at the input's rate (usage errors: the options disagree). */
static void plan_sizes(plan *pl, int rate)
{
	pl->rate = rate;
	pl->fade = to_frames(&pl->crossfade, rate);
	pl->search_n = to_frames(&pl->search, rate);
	pl->start_n = to_frames(&pl->start, rate);
	if (pl->fade < 1)
		sh_usage_error("--crossfade %s is shorter than a sample at %d Hz", opt.crossfade, rate);
	const int64_t most = llround(MAX_SPAN_S * rate);
	if (pl->fade > most)
		sh_usage_error("--crossfade %s is longer than %g s", opt.crossfade, MAX_SPAN_S);
	if (pl->search_n > most)
		sh_usage_error("--seam-search %s is longer than %g s", opt.seam_search, MAX_SPAN_S);
	pl->cmp = (int64_t)llround(SH_SEAM_MIN_COMPARE * rate);
	if (pl->cmp < pl->fade)
		pl->cmp = pl->fade;
	pl->len = -1;
	if (sh_option_given(options, "duration")) {
		pl->len = to_frames(&opt.duration, rate);
		if (pl->len - pl->search_n < 2 * pl->fade)
			sh_usage_error("--duration: a loop of %lld frames is shorter than two crossfades (%.6g ms) and the "
			               "seam search (%.6g ms) together",
			               (long long)pl->len, ms(pl->fade, rate), ms(pl->search_n, rate));
	}
}

/* The loop's length from the input's, or why the input is too short (status 1). */
static void plan_length(plan *pl, const char *name)
{
	const int rate = pl->rate;
	int64_t have = pl->total - pl->start_n;
	if (pl->start_n > 0 && have <= 0)
		sh_die("%s: --start %s is past the end (%.6f s)", name, opt.start, (double)pl->total / rate);
	int64_t seam = pl->search_n + pl->cmp;
	if (pl->len < 0) {
		int64_t need = 2 * pl->fade + pl->search_n + seam;
		if (have < need)
			sh_die("%s: too short for a loop: %.6f s from --start, %.6f s needed (two crossfades of %.6g ms, "
			       "the seam search of %.6g ms either way and %.6g ms compared past the end)",
			       name, (double)have / rate, (double)need / rate, ms(pl->fade, rate), ms(pl->search_n, rate),
			       ms(pl->cmp, rate));
		pl->len = have - seam;
	} else if (have < pl->len + seam) {
		sh_die("%s: too short for a loop of %.6f s: %.6f s from --start, %.6f s needed (the loop, the seam "
		       "search of %.6g ms and %.6g ms compared past the end)",
		       name, (double)pl->len / rate, (double)have / rate, (double)(pl->len + seam) / rate,
		       ms(pl->search_n, rate), ms(pl->cmp, rate));
	}
	sh_seam_range(pl->len, pl->search_n, &pl->lo, &pl->hi);
}

/* Mono frames [at, at + n) of the input into a new buffer. */
static float *mono(sh_audio_source *src, const plan *pl, int64_t at, int64_t n)
{
	float *buf = sh_malloc((size_t)n * (size_t)pl->ch * sizeof *buf);
	if (sh_audio_source_get(src, at, (size_t)n, buf) != 0)
		sh_die("%s", sh_error());
	float *m = sh_malloc((size_t)n * sizeof *m);
	sh_audio_downmix(buf, (size_t)n, pl->ch, m);
	free(buf);
	return m;
}

static sh_seam_result search(sh_audio_source *src, const plan *pl)
{
	float *head = mono(src, pl, pl->start_n, pl->cmp);
	float *tail = mono(src, pl, pl->start_n + pl->len + pl->lo, pl->hi - pl->lo + pl->cmp);
	sh_seam *s = sh_seam_new(pl->cmp, pl->search_n, pl->method);
	sh_seam_result r;
	if (!s || sh_seam_find(s, head, tail, pl->lo, pl->hi, &r) != 0)
		sh_die("%s", sh_error());
	sh_seam_free(s);
	free(head);
	free(tail);
	sh_note("seam search (%s): %lld of %lld offsets summed directly", opt.method, (long long)r.summed,
	        (long long)(pl->hi - pl->lo + 1));
	return r;
}

/* The loop, a block at a time: its first FADE frames crossfaded with the
 * frames past its end. */
static void write_loop(sh_audio_source *src, const plan *pl, int64_t n)
{
	sh_audio_out_opts oo = {.bits = pl->bits, .dither_seed = 0x6c6f6f70u};
	if (sh_audio_check_output(opt.output, oo.bits, pl->rate, pl->ch) != 0)
		sh_usage_error("%s", sh_error());
	sh_audio_out *out = sh_audio_create(opt.output, pl->rate, pl->ch, &oo);
	if (!out)
		sh_die("%s", sh_error());
	float *buf = sh_malloc((size_t)BLOCK * (size_t)pl->ch * sizeof *buf);
	float *past = sh_malloc((size_t)BLOCK * (size_t)pl->ch * sizeof *past);
	for (int64_t at = 0; at < n; at += BLOCK) {
		int64_t k = n - at < BLOCK ? n - at : BLOCK;
		if (sh_audio_source_get(src, pl->start_n + at, (size_t)k, buf) != 0)
			goto fail;
		if (at < pl->fade) {
			int64_t f = pl->fade - at < k ? pl->fade - at : k;
			if (sh_audio_source_get(src, pl->start_n + n + at, (size_t)f, past) != 0)
				goto fail;
			sh_seam_crossfade(buf, past, at, f, pl->fade, pl->ch);
		}
		if (sh_audio_write(out, buf, (size_t)k) != 0)
			goto fail;
	}
	free(buf);
	free(past);
	if (sh_audio_finish(out) != 0)
		sh_die("%s", sh_error());
	return;
fail:
	sh_audio_abort(out);
	sh_die("%s", sh_error());
}

static json_t *num(double v, double q) { return json_real(round(v / q) * q); }

static void report(const plan *pl, const char *name, const sh_seam_result *r, int64_t n)
{
	const double rate = pl->rate;
	if (!opt.json) {
		fprintf(stderr, "%s: seam error %.6f: loop of %lld frames, end moved %+lld\n", sh_progname, r->error,
		        (long long)n, (long long)r->offset);
		return;
	}
	json_t *o = json_object();
	json_object_set_new(o, "format", json_string("shards-loopify"));
	json_object_set_new(o, "version", json_integer(1));
	json_object_set_new(o, "options", sh_options_json(options));
	json_object_set_new(o, "input", json_string(name));
	json_object_set_new(o, "rate", json_integer(pl->rate));
	json_object_set_new(o, "channels", json_integer(pl->ch));
	json_object_set_new(o, "start", num((double)pl->start_n / rate, 1e-6));
	json_object_set_new(o, "target", num((double)pl->len / rate, 1e-6));
	json_object_set_new(o, "duration", num((double)n / rate, 1e-6));
	json_object_set_new(o, "frames", json_integer((json_int_t)n));
	json_object_set_new(o, "offset", json_integer((json_int_t)r->offset));
	json_object_set_new(o, "crossfade", num((double)pl->fade / rate, 1e-6));
	json_object_set_new(o, "compared", num((double)pl->cmp / rate, 1e-6));
	json_object_set_new(o, "seam_search", num((double)pl->search_n / rate, 1e-6));
	json_object_set_new(o, "correlation", json_real(r->ncc));
	json_object_set_new(o, "seam_error", json_real(r->error));
	json_object_set_new(o, "output", pl->audio_out ? json_string(opt.output ? opt.output : "-") : json_null());
	size_t len;
	char *text = sh_json_text(o, 12, &len);
	json_decref(o);
	if (!text || sh_write_all(1, text, len) != 0)
		sh_die("%s", sh_error());
	free(text);
}

int main(int argc, char **argv)
{
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	plan pl = {0};
	validate(&pl);

	sh_audio_in *in = sh_audio_open(first < argc ? argv[first] : "-");
	if (!in)
		sh_die("%s", sh_error());
	pl.ch = sh_audio_channels(in);
	plan_sizes(&pl, sh_audio_rate(in));
	sh_audio_source *src = sh_audio_source_open(in, (size_t)256 << 20);
	if (!src)
		sh_die("%s", sh_error());
	pl.total = sh_audio_source_frames(src);
	plan_length(&pl, sh_audio_name(in));

	sh_seam_result r = search(src, &pl);
	int64_t n = pl.len + r.offset;
	if (pl.audio_out)
		write_loop(src, &pl, n);
	report(&pl, sh_audio_name(in), &r, n);
	sh_audio_source_close(src);
	sh_audio_close(in);
	return 0;
}
