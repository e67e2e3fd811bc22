/* loudnorm -- EBU R128 loudness: measure it (--measure prints JSON), or bring
 * audio to a target integrated loudness under a true-peak ceiling.
 *
 * Normalising takes two passes over the input: the first measures it
 * (lib/dsp/loudness.h), the second applies the gain through the suite's limit
 * processor (true-peak, lookahead), which is transparent, bit for bit, while
 * no peak reaches the ceiling. A pipe is spooled to an unlinked temporary file
 * during the first pass, so it can be read again. Limiting takes a little
 * loudness away, so the output is measured as it is made and the gain raised
 * until it measures within TOLERANCE of the target: each try is one more pass,
 * and the try that lands is the one written (to a file; stdout, a FIFO or a
 * device gets one more pass, as what is written there cannot be taken back).
 * --linear is the gain alone, or a refusal. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio.h"
#include "cli.h"
#include "loudness.h"
#include "proc.h"

static sh_program prog = {
	.usage = "loudnorm [-t LUFS] [--true-peak DBTP] [--linear] [-o FILE] [--bits 16|24|32f] [FILE]\n"
	         "       loudnorm --measure [-o FILE] [FILE]",
	.summary = "Measure EBU R128 loudness, or bring audio to a target loudness under a true-peak ceiling.",
	.has_jobs = true,
	.max_operands = 1,
};

static struct {
	bool measure, linear;
	double target, ceiling, release;
	const char *output, *bits;
} opt = {
	.target = -14,   /* LUFS: -23 broadcast level with headroom to spare, -14 what streaming services
	                    play at, -9 a crushed club master */
	.ceiling = -1,   /* dBTP: -2 safe for lossy encoders that overshoot, 0 the very top */
	.release = 100,  /* ms: 20 loud and grainy on drums, 500 smooth and pumping */
};

static sh_option options[] = {
	{.name = "measure", .short_name = 'm', .type = SH_OPT_FLAG, .dest = &opt.measure, .no_preset = true,
	 .help = "only measure: print integrated loudness, range, true and sample peak as JSON"},
	{.name = "target", .short_name = 't', .type = SH_OPT_DOUBLE, .dest = &opt.target, .min = -70, .max = 0,
	 .arg = "LUFS", .unit = "LUFS",
	 .help = "integrated loudness to reach, -70..0: -23 broadcast, -16 podcasts, -14 streaming, -9 club"},
	{.name = "true-peak", .type = SH_OPT_DOUBLE, .dest = &opt.ceiling, .min = -9, .max = 0, .arg = "DBTP",
	 .unit = "dBTP", .help = "ceiling for the true peak, -9..0: lower leaves lossy encoders room to overshoot"},
	{.name = "linear", .type = SH_OPT_FLAG, .dest = &opt.linear,
	 .help = "a gain and nothing else: refuse (rather than limit) when the peaks would cross the ceiling"},
	{.name = "release", .type = SH_OPT_DOUBLE, .dest = &opt.release, .min = 1, .max = 2000, .arg = "MS",
	 .unit = "ms", .help = "how fast the limiter lets go after a peak: short is louder and grainier, long smoother"},
	{.name = "output", .short_name = 'o', .type = SH_OPT_STRING, .dest = &opt.output, .arg = "FILE",
	 .no_preset = true,
	 .help = "write audio (format by extension) or, with --measure, the JSON to FILE instead of stdout"},
	SH_AUDIO_BITS_OPTION(opt.bits),
	{0},
};

/* How near the target the limited output must measure (LU) before it is
 * written, and how many passes may try; the last resort is the nearest try,
 * if within MAX_MISS. */
#define TOLERANCE 0.1
#define MAX_MISS 0.5
#define MAX_EXTRA 24 /* dB of gain over the first try at most: past that, limiting is destruction */
enum { MAX_TRIES = 6 };
enum { BLOCK = 16384 }; /* frames a read: what libebur128 and the limiter like */

/* ---- the input, readable twice ---- */

typedef struct {
	sh_audio_in *in;
	const char *name;
	int rate, ch;
	int spool;        /* a pipe's copy (raw floats), or -1: the input seeks */
	int64_t frames;   /* after the first pass */
	int64_t pos;      /* frames read in this pass */
} source;

/* The next frames of this pass (up to N): a count, 0 at the end, -1 + sh_error(). */
static ssize_t source_read(source *s, float *buf, size_t n)
{
	if (s->spool < 0)
		return sh_audio_read(s->in, buf, n);
	int64_t left = s->frames - s->pos;
	size_t k = left < (int64_t)n ? (size_t)left : n;
	const size_t fb = (size_t)s->ch * sizeof(float);
	if (k && sh_pread_all(s->spool, buf, k * fb, (off_t)s->pos * (off_t)fb, "spool file") != 0)
		return -1;
	s->pos += (int64_t)k;
	return (ssize_t)k;
}

static int source_rewind(source *s)
{
	s->pos = 0;
	return s->spool < 0 ? sh_audio_seek(s->in, 0) : 0;
}

/* ---- pass one: measure (and spool a pipe) ---- */

static void measure(source *s, bool spool, sh_loudness *L)
{
	sh_meter *m = sh_meter_new(s->rate, s->ch, SH_LOUD_ALL, prog.jobs);
	if (!m)
		sh_die("%s: %s", s->name, sh_error());
	if (spool) {
		if ((s->spool = sh_spool_file()) < 0)
			sh_die("%s", sh_error());
		sh_note("%s: spooling the input to a temporary file, to read it twice", s->name);
	}
	float *buf = sh_malloc((size_t)BLOCK * (size_t)s->ch * sizeof(float));
	ssize_t got;
	while ((got = sh_audio_read(s->in, buf, BLOCK)) > 0) {
		if (s->spool >= 0 && sh_write_all(s->spool, buf, (size_t)got * (size_t)s->ch * sizeof(float)) != 0)
			sh_die("spool file: %s", sh_error());
		if (sh_meter_add(m, buf, (size_t)got) != 0)
			sh_die("%s: %s", s->name, sh_error());
	}
	if (got < 0)
		sh_die("%s", sh_error());
	if (sh_meter_result(m, L) != 0)
		sh_die("%s: %s", s->name, sh_error());
	s->frames = L->frames;
	sh_meter_free(m);
	free(buf);
}

static json_t *num(double v, double q) { return isfinite(v) ? json_real(round(v / q) * q) : json_null(); }

static void print_measure(const source *s, const sh_loudness *L)
{
	json_t *o = json_object();
	json_object_set_new(o, "input", json_string(s->name));
	json_object_set_new(o, "integrated_lufs", num(L->integrated, 0.01));
	json_object_set_new(o, "range_lu", num(L->range, 0.01));
	json_object_set_new(o, "true_peak_dbtp", num(L->true_peak, 0.01));
	json_object_set_new(o, "sample_peak_dbfs", num(L->sample_peak, 0.01));
	json_object_set_new(o, "threshold_lufs", num(L->threshold, 0.01));
	json_object_set_new(o, "duration_s", num((double)L->frames / s->rate, 0.001));
	json_object_set_new(o, "frames", json_integer((json_int_t)L->frames));
	json_object_set_new(o, "rate", json_integer(s->rate));
	json_object_set_new(o, "channels", json_integer(s->ch));
	/* what normalising with these --target and --true-peak would do */
	const double gain = opt.target - L->integrated;
	json_object_set_new(o, "target_lufs", json_real(opt.target));
	json_object_set_new(o, "gain_db", num(gain, 0.01));
	json_object_set_new(o, "needs_limiter",
	                    isfinite(gain) ? json_boolean(L->true_peak + gain > opt.ceiling) : json_null());
	size_t n;
	char *text = sh_json_text(o, 10, &n);
	json_decref(o);
	if (!text || sh_write_file_atomic(opt.output, text, n) != 0)
		sh_die("%s", sh_error());
	free(text);
}

/* ---- the passes that apply the gain ----
 * Each block is read, scaled and limited on one thread while the block before
 * it is measured and written on another (a pool of two; with -j 1 the same
 * work in turn). */

typedef struct {
	float *buf;
	size_t n, cap; /* frames */
} fbuf;

typedef struct {
	source *s;
	float gain;
	sh_proc *lim;     /* NULL: the gain alone */
	sh_meter *meter;  /* the output's loudness, or NULL */
	sh_audio_out *out;/* or NULL */
	float *in;        /* one block read */
	fbuf ob[2];       /* output of the block being made, and of the one before */
	int cur;
	bool eof;
	int rc[2];
	char *err[2];
} render;

static int collect(void *user, const float *buf, size_t frames)
{
	render *r = user;
	fbuf *b = &r->ob[r->cur];
	const size_t ch = (size_t)r->s->ch;
	if (b->n + frames > b->cap) {
		b->cap = (b->n + frames) * 2;
		b->buf = sh_realloc(b->buf, b->cap * ch, sizeof(float));
	}
	memcpy(b->buf + b->n * ch, buf, frames * ch * sizeof(float));
	b->n += frames;
	return 0;
}

/* item 0: the next block in, scaled, through the limiter into ob[cur] */
static int make_block(render *r)
{
	ssize_t got = source_read(r->s, r->in, BLOCK);
	if (got < 0)
		return -1;
	const size_t k = (size_t)got * (size_t)r->s->ch;
	for (size_t i = 0; i < k; i++)
		r->in[i] *= r->gain;
	if (got == 0) {
		r->eof = true;
		return r->lim ? sh_proc_finish(r->lim) : 0;
	}
	return r->lim ? sh_proc_push(r->lim, r->in, (size_t)got) : collect(r, r->in, (size_t)got);
}

/* item 1: the block before, measured and written */
static int take_block(render *r)
{
	fbuf *b = &r->ob[!r->cur];
	if (b->n && r->meter && sh_meter_add(r->meter, b->buf, b->n) != 0)
		return -1;
	if (b->n && r->out && sh_audio_write(r->out, b->buf, b->n) != 0)
		return -1;
	b->n = 0;
	return 0;
}

static void render_item(void *ctx, int i)
{
	render *r = ctx;
	r->rc[i] = i == 0 ? make_block(r) : take_block(r);
	if (r->rc[i] != 0)
		r->err[i] = sh_strdup(sh_error());
}

/* One pass: the input times GAIN (dB), limited when LIMIT, measured into
 * *LUFS when asked (non-NULL), written to OUT when not NULL. */
static void run_pass(source *s, sh_pool *pool, double gain, bool limit, sh_audio_out *out, double *lufs)
{
	render r = {.s = s, .gain = (float)pow(10, gain / 20), .out = out};
	if (source_rewind(s) != 0)
		sh_die("%s", sh_error());
	if (limit) {
		const sh_proc_class *cls = sh_proc_find("limit");
		if (!cls)
			sh_die("%s", sh_error());
		r.lim = sh_proc_new(cls);
		char ceiling[32], release[32];
		snprintf(ceiling, sizeof ceiling, "%.17g", opt.ceiling);
		snprintf(release, sizeof release, "%.17g", opt.release);
		if (sh_proc_set(r.lim, "ceiling", ceiling) != 0 || sh_proc_set(r.lim, "release", release) != 0 ||
		    sh_proc_set(r.lim, "truepeak", "true") != 0 ||
		    sh_proc_chain_start(&r.lim, 1, s->rate, s->ch, 0, collect, &r) < 0)
			sh_die("limit: %s", sh_error());
	}
	if (lufs && !(r.meter = sh_meter_new(s->rate, s->ch, SH_LOUD_INTEGRATED, 1)))
		sh_die("%s", sh_error());
	r.in = sh_malloc((size_t)BLOCK * (size_t)s->ch * sizeof(float));
	/* block k is made while block k-1 is taken; after the end (the limiter's
	 * tail flushed into the last block) that block is taken alone */
	for (;;) {
		sh_pool_run(pool, 2, render_item, &r);
		for (int i = 0; i < 2; i++)
			if (r.rc[i] != 0)
				sh_die("%s", r.err[i]);
		r.cur = !r.cur;
		if (r.eof) {
			if (take_block(&r) != 0)
				sh_die("%s", sh_error());
			break;
		}
	}
	if (r.meter) {
		sh_loudness L;
		if (sh_meter_result(r.meter, &L) != 0)
			sh_die("%s", sh_error());
		*lufs = L.integrated;
		sh_meter_free(r.meter);
	}
	sh_proc_free(r.lim);
	free(r.in);
	free(r.ob[0].buf);
	free(r.ob[1].buf);
}

/* ---- normalising ---- */

static sh_audio_out *create_out(const source *s, int bits)
{
	sh_audio_out_opts oo = {.bits = bits, .dither_seed = 1};
	sh_audio_out *out = sh_audio_create(opt.output, s->rate, s->ch, &oo);
	if (!out)
		sh_die("%s", sh_error());
	return out;
}

static void finish_out(sh_audio_out *out)
{
	if (sh_audio_finish(out) != 0)
		sh_die("%s", sh_error());
}

/* The gain for try K (K > 0) from the tries before. Loudness rises with the
 * gain at slope 1 up to the gain that puts the true peak at the ceiling
 * (GA, where the output measures IA: no pass needed), then less steeply as
 * the limiter takes more, and not always smoothly (a kick-heavy loop may
 * stall, then give way). Once tries lie on both sides of the target, the next
 * one is interpolated between the nearest two (never outside them); before
 * that it follows the line through the last two points (the first time, from
 * GA through try 0 when GA lies below it), its slope kept within 0.05..1 so
 * a stall still moves on. */
static double next_gain(const double *g, const double *got, int k, double ga, double ia)
{
	int lo = -1, hi = -1;
	for (int i = 0; i < k; i++) {
		if (got[i] < opt.target && (lo < 0 || g[i] > g[lo]))
			lo = i;
		if (got[i] > opt.target && (hi < 0 || g[i] < g[hi]))
			hi = i;
	}
	if (lo >= 0 && hi >= 0) {
		double x = g[lo] + (opt.target - got[lo]) * (g[hi] - g[lo]) / (got[hi] - got[lo]);
		const double margin = 0.1 * (g[hi] - g[lo]); /* so a lopsided curve cannot stall it */
		return fmin(fmax(x, g[lo] + margin), g[hi] - margin);
	}
	double x0, y0, slope = 1;
	if (k >= 2)
		x0 = g[k - 2], y0 = got[k - 2];
	else
		x0 = ga, y0 = ia;
	if (k >= 2 || ga < g[0] - 0.01)
		slope = (got[k - 1] - y0) / (g[k - 1] - x0);
	if (!isfinite(slope))
		slope = 1;
	return g[k - 1] + (opt.target - got[k - 1]) / fmin(fmax(slope, 0.05), 1);
}

static void normalise(source *s, const sh_loudness *L, int bits)
{
	if (!isfinite(L->integrated))
		sh_die("%s: nothing to normalise: silent, or shorter than 0.4 s (integrated loudness -inf LUFS)",
		       s->name);
	sh_pool *pool = sh_pool_new(prog.jobs > 1 ? 2 : 1);
	if (!pool)
		sh_die("%s", sh_error());
	const double g0 = opt.target - L->integrated, peak = L->true_peak + g0;
	sh_note("%s: %.2f LUFS, range %.2f LU, true peak %.2f dBTP; gain %+.2f dB takes the true peak to "
	        "%.2f dBTP",
	        s->name, L->integrated, L->range, L->true_peak, g0, peak);

	if (opt.linear) { /* the gain alone, exactly, or nothing */
		if (peak > opt.ceiling)
			sh_die("%s: a gain of %+.2f dB would take the true peak to %+.2f dBTP, over the ceiling of "
			       "%+.2f dBTP (without --linear it is limited)",
			       s->name, g0, peak, opt.ceiling);
		sh_audio_out *out = create_out(s, bits);
		run_pass(s, pool, g0, false, out, NULL);
		finish_out(out);
		sh_pool_free(pool);
		return;
	}

	/* The limiter always runs. While no peak reaches the ceiling it passes
	 * every sample through untouched (its gain is exactly 1), so under the
	 * ceiling the output is the gain alone, bit for bit; and its true-peak
	 * detector, which keeps more of the top octave than the meter's, also
	 * catches the few overs the meter misses in noisy, bright material.
	 * Tries until the output measures within TOLERANCE of the target: to a
	 * file each try is written and the first that lands kept; to stdout the
	 * tries are only measured and the one that lands run again into the
	 * pipe, except the first when the peaks are expected under the ceiling
	 * (it lands: the pipe gets it at once, and a miss within MAX_MISS is
	 * kept, as a pipe cannot be taken back). */
	/* a FIFO or a device is written in place, so a try cannot be taken back
	 * there: it gets only the try that lands, as stdout does */
	struct stat st;
	const bool to_file = opt.output && strcmp(opt.output, "-") != 0 &&
	                     !(stat(opt.output, &st) == 0 && !S_ISREG(st.st_mode));
	const bool clean = peak <= opt.ceiling;
	const double ga = opt.ceiling - L->true_peak;
	double g[MAX_TRIES], got[MAX_TRIES];
	int best = 0; /* try 0 always runs */
	for (int k = 0; k < MAX_TRIES; k++) {
		g[k] = k == 0 ? g0 : fmin(next_gain(g, got, k, ga, L->integrated + ga), g0 + MAX_EXTRA);
		bool seen = false; /* a gain tried already: no way on */
		for (int i = 0; i < k; i++)
			seen = seen || fabs(g[k] - g[i]) < 0.005;
		if (seen)
			break;
		const bool piped = !to_file && k == 0 && clean;
		sh_audio_out *out = to_file || piped ? create_out(s, bits) : NULL;
		run_pass(s, pool, g[k], true, out, &got[k]);
		sh_note("try %d: gain %+.2f dB and the limiter: %.2f LUFS", k + 1, g[k], got[k]);
		if (fabs(got[k] - opt.target) < fabs(got[best] - opt.target))
			best = k;
		const bool lands = fabs(got[k] - opt.target) <= TOLERANCE;
		if (piped && !lands) {
			if (fabs(got[k] - opt.target) > MAX_MISS)
				sh_die("%s: the limited output measures %.2f LUFS, not %.1f", s->name, got[k], opt.target);
			sh_note("kept at %.2f LUFS: the pipe has it already", got[k]);
		}
		if (lands || piped) {
			if (!out) {
				out = create_out(s, bits);
				run_pass(s, pool, g[k], true, out, NULL);
			}
			finish_out(out);
			sh_pool_free(pool);
			return;
		}
		if (out)
			sh_audio_abort(out);
	}
	/* no try landed: the nearest, if near enough */
	if (fabs(got[best] - opt.target) > MAX_MISS)
		sh_die("%s: cannot reach %.1f LUFS under a true-peak ceiling of %.1f dBTP: the nearest try "
		       "measured %.2f LUFS (a lower --target, or a higher --true-peak)",
		       s->name, opt.target, opt.ceiling, got[best]);
	sh_note("%.2f LUFS is as near as the limiter gets", got[best]);
	sh_audio_out *out = create_out(s, bits);
	run_pass(s, pool, g[best], true, out, NULL);
	finish_out(out);
	sh_pool_free(pool);
}

/* ---- main ---- */

static int validate(void)
{
	if (opt.measure) {
		const char *bad = opt.linear ? "--linear" : opt.bits ? "--bits" :
		                  sh_option_given(options, "release") ? "--release" : NULL;
		if (bad)
			sh_usage_error("--measure writes JSON: %s has no meaning with it", bad);
		return 0;
	}
	int bits = sh_parse_bits(opt.bits);
	if (bits < 0 || sh_audio_check_output(opt.output, bits, 0, 0) != 0)
		sh_usage_error("%s", bits < 0 ? "--bits: not 16, 24 or 32f" : sh_error());
	return bits;
}

int main(int argc, char **argv)
{
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	const int bits = validate();
	source s = {.spool = -1};
	if (!(s.in = sh_audio_open(first < argc ? argv[first] : "-")))
		sh_die("%s", sh_error());
	s.name = sh_audio_name(s.in);
	s.rate = sh_audio_rate(s.in);
	s.ch = sh_audio_channels(s.in);
	if (!opt.measure && sh_audio_check_output(opt.output, bits, s.rate, s.ch) != 0)
		sh_usage_error("%s", sh_error());

	sh_loudness L;
	measure(&s, !opt.measure && !sh_audio_seekable(s.in), &L);
	if (opt.measure)
		print_measure(&s, &L);
	else
		normalise(&s, &L, bits);
	sh_audio_close(s.in);
	if (s.spool >= 0)
		close(s.spool);
	return SH_EXIT_OK;
}
