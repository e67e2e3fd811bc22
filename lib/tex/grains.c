/* grains.c -- granular clouds: the grain pool, its junk filter, the cloud's
 * placement and rendering, the grains' centroids; see grains.h. */
#include "grains.h"

#include <complex.h>
#include <math.h>
#include <soxr.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rng.h"
#include "stft.h"

/* ---- windows ---- */

static const char *const window_names[SH_GRAIN_NWINDOWS] = {"hann", "triangle", "tukey", "gauss", "blackman"};

int sh_grain_window_parse(const char *name, sh_grain_window *w)
{
	for (int i = 0; i < SH_GRAIN_NWINDOWS; i++)
		if (name && !strcmp(name, window_names[i])) {
			*w = (sh_grain_window)i;
			return 0;
		}
	sh_set_error("'%s' is not a window: %s", name ? name : "", SH_GRAIN_WINDOW_NAMES);
	return -1;
}

const char *sh_grain_window_name(sh_grain_window w)
{
	return (unsigned)w < SH_GRAIN_NWINDOWS ? window_names[w] : "?";
}

void sh_grain_window_fill(sh_grain_window w, float *out, size_t n)
{
	const double edge = exp(-0.5 * 3.0 * 3.0); /* the gauss's value at its ends, +-3 deviations */
	for (size_t i = 0; i < n; i++) {
		double x = ((double)i + 0.5) / (double)n, v;
		switch (w) {
		case SH_GRAIN_TRIANGLE:
			v = 1 - fabs(2 * x - 1);
			break;
		case SH_GRAIN_TUKEY: /* alpha 0.5: a quarter of the grain tapers at each end */
			v = x < 0.25 ? 0.5 - 0.5 * cos(M_PI * x / 0.25)
			  : x > 0.75 ? 0.5 - 0.5 * cos(M_PI * (1 - x) / 0.25)
			             : 1;
			break;
		case SH_GRAIN_GAUSS: {
			double d = (x - 0.5) * 6; /* in deviations */
			v = (exp(-0.5 * d * d) - edge) / (1 - edge);
			break;
		}
		case SH_GRAIN_BLACKMAN:
			v = 0.42 - 0.5 * cos(2 * M_PI * x) + 0.08 * cos(4 * M_PI * x);
			break;
		default:
			v = 0.5 - 0.5 * cos(2 * M_PI * x);
		}
		out[i] = (float)(v > 0 ? v : 0);
	}
}

/* ---- centroids ---- */

int sh_grain_fft_size(int rate) { return sh_tex_fft_size(rate); }

static double centroid_of(const double *mag, int bins, int size, int rate)
{
	double num = 0, den = 0;
	for (int k = 1; k < bins; k++) {
		num += mag[k] * k;
		den += mag[k];
	}
	return den > 1e-9 ? num / den * rate / size : 0;
}

/* The centroid of N mono samples in Hann frames of the magspec's size at a
 * quarter-frame hop (one zero-padded frame when N is shorter), the last frame
 * ending at the last sample. PAD is a scratch frame. */
static double span_centroid(sh_magspec *ms, int size, int rate, const float *x, int64_t n, double *mag, float *pad)
{
	int bins = size / 2 + 1;
	memset(mag, 0, (size_t)bins * sizeof *mag);
	if (n <= size) {
		memset(pad, 0, (size_t)size * sizeof *pad);
		memcpy(pad, x, (size_t)n * sizeof *pad);
		const float *m = sh_magspec_run(ms, pad);
		for (int k = 0; k < bins; k++)
			mag[k] += m[k];
	} else {
		int64_t hop = size / 4, s = 0;
		for (;; s += hop) {
			if (s + size > n)
				s = n - size;
			const float *m = sh_magspec_run(ms, x + s);
			for (int k = 0; k < bins; k++)
				mag[k] += m[k];
			if (s + size >= n)
				break;
		}
	}
	return centroid_of(mag, bins, size, rate);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The source's typical centroid: the median over SH_GRAIN_PROBES frames spaced
 * evenly through it, those below the RMS floor left out; 0 with fewer than 4
 * left. -1 with sh_error() on a read error. */
static int reference_centroid(sh_audio_source *src, int64_t total, int rate, int ch, double floor_db, sh_magspec *ms,
                              int size, double *out)
{
	float *buf = sh_malloc((size_t)size * (size_t)ch * sizeof *buf);
	float *mono = sh_calloc((size_t)size, sizeof *mono), *pad = sh_malloc((size_t)size * sizeof *pad);
	double *mag = sh_malloc((size_t)(size / 2 + 1) * sizeof *mag), c[SH_GRAIN_PROBES];
	int nc = 0, rc = 0;
	int64_t n = total < size ? total : size;
	for (int i = 0; i < SH_GRAIN_PROBES; i++) {
		int64_t at = (total - n) * i / (SH_GRAIN_PROBES - 1);
		if (sh_audio_source_get(src, at, (size_t)n, buf) != 0) {
			rc = -1;
			break;
		}
		double ss = 0;
		for (int64_t j = 0; j < n * ch; j++)
			ss += (double)buf[j] * buf[j];
		if (10 * log10(ss / (double)(n * ch) + 1e-20) < floor_db)
			continue;
		sh_audio_downmix(buf, (size_t)n, ch, mono);
		double hz = span_centroid(ms, size, rate, mono, n, mag, pad);
		if (hz > 0)
			c[nc++] = hz;
	}
	*out = 0;
	if (rc == 0 && nc >= 4) {
		qsort(c, (size_t)nc, sizeof *c, cmp_double);
		*out = nc % 2 ? c[nc / 2] : 0.5 * (c[nc / 2 - 1] + c[nc / 2]);
	}
	free(buf);
	free(mono);
	free(pad);
	free(mag);
	return rc;
}

/* ---- the pool ---- */

static double ratio_of(double semitones) { return semitones == 0 ? 1.0 : pow(2.0, semitones / 12.0); }

/* Source frames a grain of LEN frames at ratio R reads: one more than it spans,
 * so the resampler has both neighbours of the last point it interpolates. */
static int64_t span_of(int64_t len, double r) { return r == 1.0 ? len : (int64_t)ceil((double)len * r) + 1; }

int64_t sh_grain_min_source(const sh_grain_opts *o)
{
	double lo = o->pitch_lo + o->shift, hi = o->pitch_hi + o->shift;
	double r = ratio_of(hi > lo ? hi : lo);
	return span_of(o->len_min, r);
}

void sh_grain_pool_free(sh_grain_pool *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		free(p->grain[i]);
	free(p->grain);
	free(p->len);
	free(p->semitones);
	free(p);
}

sh_grain_pool *sh_grains_gather(sh_audio_source *src, int rate, int ch, const sh_grain_opts *o, sh_rng *rng,
                                sh_grain_stats *st)
{
	memset(st, 0, sizeof *st);
	const int64_t total = sh_audio_source_frames(src);
	st->r_min = ratio_of(o->pitch_lo + o->shift);
	st->r_max = ratio_of(o->pitch_hi + o->shift);
	const int64_t need = sh_grain_min_source(o);
	if (total < need) {
		sh_set_error("%.3f s of audio is too short for a grain: %g ms at %+g semitones reads %.3f s",
		             (double)total / rate, 1000.0 * (double)o->len_min / rate, o->pitch_hi + o->shift,
		             (double)need / rate);
		return NULL;
	}
	const int size = sh_grain_fft_size(rate);
	sh_magspec *ms = NULL;
	if (o->max_skew_oct > 0) {
		if (!(ms = sh_magspec_new((size_t)size)))
			return NULL;
		if (reference_centroid(src, total, rate, ch, o->rms_floor_db, ms, size, &st->ref_centroid_hz) != 0) {
			sh_magspec_free(ms);
			return NULL;
		}
	}
	const int64_t span_max = span_of(o->len_max, st->r_max > 1 ? st->r_max : 1);
	float *buf = sh_malloc((size_t)span_max * (size_t)ch * sizeof *buf);
	float *mono = sh_malloc((size_t)span_max * sizeof *mono);
	float *pad = sh_malloc((size_t)size * sizeof *pad);
	double *mag = sh_malloc((size_t)(size / 2 + 1) * sizeof *mag), *chsum = sh_malloc((size_t)ch * sizeof *chsum);
	sh_grain_pool *p = sh_calloc(1, sizeof *p);
	p->grain = sh_calloc(o->grains, sizeof *p->grain);
	p->len = sh_calloc(o->grains, sizeof *p->len);
	p->semitones = sh_calloc(o->grains, sizeof *p->semitones);
	const size_t budget = o->grains * (size_t)(o->attempts > 0 ? o->attempts : 1);
	const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
	const soxr_quality_spec_t q = soxr_quality_spec(SOXR_HQ, 0);
	int fail = 0;
	while (p->n < o->grains && st->drawn < budget) {
		st->drawn++;
		int64_t len = sh_rng_int_between(rng, (long)o->len_min, (long)o->len_max);
		double semis = sh_rng_between(rng, o->pitch_lo, o->pitch_hi) + o->shift;
		double r = ratio_of(semis);
		int64_t span = span_of(len, r);
		if (span > total) { /* a long grain of a short source: as long as fits (>= len_min) */
			len = (int64_t)floor((double)(total - 1) / r);
			span = span_of(len, r);
			while (span > total && len > o->len_min)
				span = span_of(--len, r);
		}
		int64_t start = (int64_t)sh_rng_below(rng, (uint64_t)(total - span + 1));
		if (sh_audio_source_get(src, start, (size_t)span, buf) != 0) {
			fail = 1;
			break;
		}
		/* the junk filter, on the source's samples as they are */
		double ss = 0;
		int64_t clipped = 0;
		memset(chsum, 0, (size_t)ch * sizeof *chsum);
		for (int64_t i = 0; i < span; i++)
			for (int c = 0; c < ch; c++) {
				double v = buf[i * ch + c];
				ss += v * v;
				chsum[c] += v;
				clipped += fabs(v) >= SH_GRAIN_CLIP_LEVEL;
			}
		double count = (double)span * ch, dc = 0;
		for (int c = 0; c < ch; c++)
			if (fabs(chsum[c]) / (double)span > dc)
				dc = fabs(chsum[c]) / (double)span;
		if (10 * log10(ss / count + 1e-20) < o->rms_floor_db) {
			st->silent++;
			continue;
		}
		if ((double)clipped / count > o->max_clip) {
			st->clipped++;
			continue;
		}
		if (dc > o->max_dc) {
			st->dc++;
			continue;
		}
		sh_audio_downmix(buf, (size_t)span, ch, mono);
		if (ms && st->ref_centroid_hz > 0) {
			double hz = span_centroid(ms, size, rate, mono, span, mag, pad);
			if (hz <= 0 || fabs(log2(hz / st->ref_centroid_hz)) > o->max_skew_oct) {
				st->skewed++;
				continue;
			}
		}
		/* a good grain: to its length at its pitch, then shaped */
		float *g = sh_calloc((size_t)len, sizeof *g);
		if (r == 1.0) {
			memcpy(g, mono, (size_t)len * sizeof *g);
		} else {
			size_t done = 0;
			soxr_error_t e = soxr_oneshot(r, 1.0, 1, mono, (size_t)span, NULL, g, (size_t)len, &done, &io, &q, NULL);
			if (e) {
				free(g);
				sh_set_error("resampling a grain: %s", e);
				fail = 1;
				break;
			}
		}
		float *w = sh_malloc((size_t)len * sizeof *w);
		sh_grain_window_fill(o->window, w, (size_t)len);
		for (int64_t i = 0; i < len; i++)
			g[i] *= w[i];
		free(w);
		p->grain[p->n] = g;
		p->len[p->n] = len;
		p->semitones[p->n] = semis;
		if (len > p->longest)
			p->longest = len;
		p->n++;
	}
	st->kept = p->n;
	free(buf);
	free(mono);
	free(pad);
	free(mag);
	free(chsum);
	sh_magspec_free(ms);
	if (fail) {
		sh_grain_pool_free(p);
		return NULL;
	}
	if (!p->n) {
		sh_set_error("no usable grain: %zu candidates drawn, %zu silent (below %g dBFS), %zu clipped, "
		             "%zu with a DC offset, %zu spectrally skewed",
		             st->drawn, st->silent, o->rms_floor_db, st->clipped, st->dc, st->skewed);
		sh_grain_pool_free(p);
		return NULL;
	}
	return p;
}

/* ---- the cloud ---- */

typedef struct {
	size_t g;
	int64_t onset;
	float gain[2];
} placement;

struct sh_cloud {
	const sh_grain_pool *pool;
	sh_cloud_opts o;
	sh_rng rng0, rng;
	int64_t pos, k;
	size_t *order, round_at, placed;
	placement next;
	placement *act;
	size_t nact, capact;
};

/* The placement after the last one: its onset, grain (cycling through the pool
 * in rounds, each a fresh shuffle) and pan. */
static void draw_next(sh_cloud *c)
{
	const sh_grain_pool *p = c->pool;
	double u = sh_rng_uniform(&c->rng), pan = sh_rng_uniform(&c->rng);
	double t = -(double)p->longest + (double)c->k * c->o.hop + c->o.jitter * c->o.hop * (u - 0.5);
	c->k++;
	if (c->round_at == p->n) {
		for (size_t i = p->n; i > 1; i--) { /* Fisher-Yates */
			size_t j = (size_t)sh_rng_below(&c->rng, i);
			size_t x = c->order[i - 1];
			c->order[i - 1] = c->order[j];
			c->order[j] = x;
		}
		c->round_at = 0;
	}
	c->next.g = c->order[c->round_at++];
	c->next.onset = (int64_t)llround(t);
	if (c->o.channels == 1) {
		c->next.gain[0] = c->next.gain[1] = 1;
	} else if (c->o.spread == 0) {
		c->next.gain[0] = c->next.gain[1] = (float)M_SQRT1_2; /* the same samples in both */
	} else {
		double th = (c->o.spread * (2 * pan - 1) + 1) * M_PI / 4;
		c->next.gain[0] = (float)cos(th);
		c->next.gain[1] = (float)sin(th);
	}
}

void sh_cloud_rewind(sh_cloud *c)
{
	c->rng = c->rng0;
	c->pos = c->k = 0;
	c->nact = c->placed = 0;
	for (size_t i = 0; i < c->pool->n; i++)
		c->order[i] = i;
	c->round_at = c->pool->n; /* shuffle before the first */
	draw_next(c);
}

sh_cloud *sh_cloud_new(const sh_grain_pool *pool, const sh_cloud_opts *o, const sh_rng *rng)
{
	sh_cloud *c = sh_calloc(1, sizeof *c);
	c->pool = pool;
	c->o = *o;
	if (c->o.hop < 1)
		c->o.hop = 1;
	c->rng0 = *rng;
	c->order = sh_calloc(pool->n, sizeof *c->order);
	sh_cloud_rewind(c);
	return c;
}

size_t sh_cloud_placements(const sh_cloud *c) { return c->placed; }

void sh_cloud_free(sh_cloud *c)
{
	if (!c)
		return;
	free(c->order);
	free(c->act);
	free(c);
}

size_t sh_cloud_render(sh_cloud *c, float *out, size_t n)
{
	const int ch = c->o.channels;
	if (c->pos >= c->o.frames)
		return 0;
	if ((int64_t)n > c->o.frames - c->pos)
		n = (size_t)(c->o.frames - c->pos);
	const int64_t a = c->pos, b = c->pos + (int64_t)n;
	memset(out, 0, n * (size_t)ch * sizeof *out);
	while (c->next.onset < b) {
		if (c->next.onset + c->pool->len[c->next.g] > 0) {
			if (c->nact == c->capact) {
				c->capact = c->capact ? 2 * c->capact : 16;
				c->act = sh_realloc(c->act, c->capact, sizeof *c->act);
			}
			c->act[c->nact++] = c->next;
			c->placed++;
		}
		draw_next(c);
	}
	size_t keep = 0;
	for (size_t i = 0; i < c->nact; i++) {
		placement *pl = &c->act[i];
		const float *g = c->pool->grain[pl->g];
		int64_t end = pl->onset + c->pool->len[pl->g];
		int64_t s = pl->onset > a ? pl->onset : a, e = end < b ? end : b;
		if (ch == 1)
			for (int64_t t = s; t < e; t++)
				out[t - a] += g[t - pl->onset];
		else
			for (int64_t t = s; t < e; t++) {
				float v = g[t - pl->onset];
				out[(t - a) * ch] += v * pl->gain[0];
				out[(t - a) * ch + 1] += v * pl->gain[1];
			}
		if (end > b)
			c->act[keep++] = *pl;
	}
	c->nact = keep;
	/* half-cosine fades at both ends of the cloud */
	const int64_t fade = c->o.fade;
	for (int64_t t = a; t < b && t < fade; t++) {
		float gf = (float)(0.5 - 0.5 * cos(M_PI * ((double)t + 0.5) / (double)fade));
		for (int k = 0; k < ch; k++)
			out[(t - a) * ch + k] *= gf;
	}
	for (int64_t t = b - 1; t >= a && t >= c->o.frames - fade; t--) {
		float gf = (float)(0.5 - 0.5 * cos(M_PI * ((double)(c->o.frames - t) - 0.5) / (double)fade));
		for (int k = 0; k < ch; k++)
			out[(t - a) * ch + k] *= gf;
	}
	c->pos = b;
	return n;
}
