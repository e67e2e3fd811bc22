/* spectral.c -- spectral smear and spectral mangle on lib/stft; see spectral.h. */
#include "spectral.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#define SH_SMEAR_SSE 1
#endif
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>
#define SH_SMEAR_AVX2 1
#endif

#include "cli.h"
#include "jobs.h"
#include "rng.h"

enum { KIND_SMEAR, KIND_MANGLE };

/* What one frame's shared draws decided, for every channel (mangle; smear
 * keeps only its rotations and level). */
typedef struct {
	bool capture, holding;  /* freeze: a hold starts here; a held frame goes out */
	int d;                  /* shift in bins */
	float complex r;        /* the shift's phase turn this frame */
	int nswap;              /* pairs in swaps */
	int *swaps;             /* bins exchanged, two per pair, in order */
	unsigned char *moved;   /* bins that lose coherence (bins) */
	sh_rng noise;           /* the generator where this frame's noise draws start */
} mslot;

struct sh_spectral {
	int kind;
	sh_stft *stft;
	sh_pool *pool;         /* the channels' threads, or NULL */
	sh_stft_emit_fn emit;
	void *emit_user;
	sh_stft_channel_fn chan; /* the effect's own channel function */
	sh_spectral_watch_fn watch;
	void *watch_user;
	float **wpow;          /* watched: per channel, bins of power before and bins after */
	int rate, channels, size, hop, bins;
	int slots;             /* frames whose shared draws are held at once (sh_stft_slots) */
	sh_rng rng;
	double ginc;           /* sh_stft_incoherent_gain */
	uint64_t *words;       /* smear: each slot's draws for its rotations (ROT_WORDS(bins) a slot) */
	float complex **rot;   /* smear: per channel, the rotations looked up from words (bins) */
	float *norm;           /* smear: the level per slot */
	float complex *table;  /* the rotations (smear) or noise phases (mangle) to draw from */
	float **tmpf;          /* per channel, bins floats */
	float **noise;         /* mangle: per channel, bins complex: the frame's noise */
	mslot *ms;             /* mangle: per slot */

	/* smear */
	float a;               /* one-pole coefficient across frames */
	float phase;
	float gain;
	float wsum;            /* weight of the smoother so far, 1 - a^frames */
	float **smag;          /* smoothed magnitude per channel */

	/* mangle */
	sh_mangle_opts m;
	float complex **held, **held_rot, **prev; /* freeze: held frame, its turn per hop, last frame */
	float complex *bin_rot; /* a steady partial's turn per hop at each bin centre */
	float *ray;            /* Rayleigh quantiles for the noise magnitudes */
	float *advance;        /* phase advance per hop for each bin, wrapped */
	int64_t hold_left;
	float noise_gain;
};

static float **alloc_rows(int rows, int n)
{
	float **r = sh_calloc((size_t)rows, sizeof *r);
	for (int i = 0; i < rows; i++)
		r[i] = sh_calloc((size_t)n, sizeof(float));
	return r;
}

static float complex **alloc_crows(int rows, int n)
{
	float complex **r = sh_calloc((size_t)rows, sizeof *r);
	for (int i = 0; i < rows; i++)
		r[i] = sh_calloc((size_t)n, sizeof(float complex));
	return r;
}

static void free_rows(float **r, int rows)
{
	if (!r)
		return;
	for (int i = 0; i < rows; i++)
		free(r[i]);
	free(r);
}

/* x[k] *= y[k] without the C99 NaN/Inf recovery (the values are finite). */
static void cmul(float complex *restrict x, const float complex *restrict y, int n)
{
	float *xf = (float *)x;
	const float *yf = (const float *)y;
	for (int k = 0; k < n; k++) {
		float a = xf[2 * k], b = xf[2 * k + 1], c = yf[2 * k], d = yf[2 * k + 1];
		xf[2 * k] = a * c - b * d;
		xf[2 * k + 1] = a * d + b * c;
	}
}

/* ---------------------------------------------------------------- smear */

/* One channel's bins (interleaved re, im): smooth the power in sm, rescale each
 * bin to the smoothed magnitude keeping its phase (a bin that is empty now takes
 * the smoothed magnitude at phase 0), then rotate by rot when given. Every lane
 * does the same IEEE operations in the same order (no fused multiply-add), so
 * the SSE, AVX2 and scalar loops give the same bits. */
static inline void smear_one(float *restrict x, float *restrict sm, const float *restrict rot, int k,
                             float a, float b, float norm)
{
	float re = x[2 * k], im = x[2 * k + 1];
	float pw = re * re + im * im;
	float v = a * sm[k] + b * pw;
	sm[k] = v;
	float vt = v * norm, nr, ni;
	if (pw > 1e-30f) {
		float g = sqrtf(vt / pw);
		nr = re * g;
		ni = im * g;
	} else {
		nr = sqrtf(vt);
		ni = 0.0f;
	}
	if (rot) {
		float cr = rot[2 * k], ci = rot[2 * k + 1];
		float tr = nr * cr - ni * ci;
		ni = nr * ci + ni * cr;
		nr = tr;
	}
	x[2 * k] = nr;
	x[2 * k + 1] = ni;
}

#ifdef SH_SMEAR_SSE
static int smear_bins_sse(float *restrict x, float *restrict sm, const float *restrict rot, int n, float a,
                          float b, float norm)
{
	int k = 0;
	const __m128 va = _mm_set1_ps(a), vb = _mm_set1_ps(b), vn = _mm_set1_ps(norm);
	const __m128 tiny = _mm_set1_ps(1e-30f);
	for (; k + 4 <= n; k += 4) {
		__m128 x0 = _mm_loadu_ps(x + 2 * k), x1 = _mm_loadu_ps(x + 2 * k + 4);
		__m128 re = _mm_shuffle_ps(x0, x1, _MM_SHUFFLE(2, 0, 2, 0));
		__m128 im = _mm_shuffle_ps(x0, x1, _MM_SHUFFLE(3, 1, 3, 1));
		__m128 pw = _mm_add_ps(_mm_mul_ps(re, re), _mm_mul_ps(im, im));
		__m128 v = _mm_add_ps(_mm_mul_ps(va, _mm_loadu_ps(sm + k)), _mm_mul_ps(vb, pw));
		_mm_storeu_ps(sm + k, v);
		__m128 vt = _mm_mul_ps(v, vn);
		__m128 live = _mm_cmpgt_ps(pw, tiny);
		__m128 g = _mm_sqrt_ps(_mm_div_ps(vt, _mm_max_ps(pw, tiny)));
		__m128 nr = _mm_or_ps(_mm_and_ps(live, _mm_mul_ps(re, g)), _mm_andnot_ps(live, _mm_sqrt_ps(vt)));
		__m128 ni = _mm_and_ps(live, _mm_mul_ps(im, g));
		if (rot) {
			__m128 r0 = _mm_loadu_ps(rot + 2 * k), r1 = _mm_loadu_ps(rot + 2 * k + 4);
			__m128 cr = _mm_shuffle_ps(r0, r1, _MM_SHUFFLE(2, 0, 2, 0));
			__m128 ci = _mm_shuffle_ps(r0, r1, _MM_SHUFFLE(3, 1, 3, 1));
			__m128 tr = _mm_sub_ps(_mm_mul_ps(nr, cr), _mm_mul_ps(ni, ci));
			ni = _mm_add_ps(_mm_mul_ps(nr, ci), _mm_mul_ps(ni, cr));
			nr = tr;
		}
		_mm_storeu_ps(x + 2 * k, _mm_unpacklo_ps(nr, ni));
		_mm_storeu_ps(x + 2 * k + 4, _mm_unpackhi_ps(nr, ni));
	}
	return k;
}
#endif

#ifdef SH_SMEAR_AVX2
/* Eight bins at a time. target("avx2") does not enable FMA, so no product is
 * fused into a sum behind the intrinsics' back. */
__attribute__((target("avx2"))) static int smear_bins_avx2(float *restrict x, float *restrict sm,
                                                           const float *restrict rot, int n, float a, float b,
                                                           float norm)
{
	int k = 0;
	const __m256 va = _mm256_set1_ps(a), vb = _mm256_set1_ps(b), vn = _mm256_set1_ps(norm);
	const __m256 tiny = _mm256_set1_ps(1e-30f);
	for (; k + 8 <= n; k += 8) {
		/* re and im of bins k..k+7, in order */
		__m256 x0 = _mm256_loadu_ps(x + 2 * k), x1 = _mm256_loadu_ps(x + 2 * k + 8);
		__m256 re = _mm256_shuffle_ps(x0, x1, _MM_SHUFFLE(2, 0, 2, 0));
		__m256 im = _mm256_shuffle_ps(x0, x1, _MM_SHUFFLE(3, 1, 3, 1));
		re = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(re), _MM_SHUFFLE(3, 1, 2, 0)));
		im = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(im), _MM_SHUFFLE(3, 1, 2, 0)));
		__m256 pw = _mm256_add_ps(_mm256_mul_ps(re, re), _mm256_mul_ps(im, im));
		__m256 v = _mm256_add_ps(_mm256_mul_ps(va, _mm256_loadu_ps(sm + k)), _mm256_mul_ps(vb, pw));
		_mm256_storeu_ps(sm + k, v);
		__m256 vt = _mm256_mul_ps(v, vn);
		__m256 live = _mm256_cmp_ps(pw, tiny, _CMP_GT_OQ);
		__m256 g = _mm256_sqrt_ps(_mm256_div_ps(vt, _mm256_max_ps(pw, tiny)));
		__m256 nr = _mm256_mul_ps(re, g);
		if (_mm256_movemask_ps(live) != 0xff) /* a bin that is empty now: rare */
			nr = _mm256_blendv_ps(_mm256_sqrt_ps(vt), nr, live);
		__m256 ni = _mm256_and_ps(live, _mm256_mul_ps(im, g));
		if (rot) {
			__m256 r0 = _mm256_loadu_ps(rot + 2 * k), r1 = _mm256_loadu_ps(rot + 2 * k + 8);
			__m256 cr = _mm256_shuffle_ps(r0, r1, _MM_SHUFFLE(2, 0, 2, 0));
			__m256 ci = _mm256_shuffle_ps(r0, r1, _MM_SHUFFLE(3, 1, 3, 1));
			cr = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(cr), _MM_SHUFFLE(3, 1, 2, 0)));
			ci = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(ci), _MM_SHUFFLE(3, 1, 2, 0)));
			__m256 tr = _mm256_sub_ps(_mm256_mul_ps(nr, cr), _mm256_mul_ps(ni, ci));
			ni = _mm256_add_ps(_mm256_mul_ps(nr, ci), _mm256_mul_ps(ni, cr));
			nr = tr;
		}
		/* back to pairs: lo = bins 0,1 | 4,5, hi = bins 2,3 | 6,7 */
		__m256 lo = _mm256_unpacklo_ps(nr, ni), hi = _mm256_unpackhi_ps(nr, ni);
		_mm256_storeu_ps(x + 2 * k, _mm256_permute2f128_ps(lo, hi, 0x20));
		_mm256_storeu_ps(x + 2 * k + 8, _mm256_permute2f128_ps(lo, hi, 0x31));
	}
	return k;
}
#endif

static void smear_bins(float *restrict x, float *restrict sm, const float *restrict rot, int n, float a, float b,
                       float norm)
{
	int k = 0;
#ifdef SH_SMEAR_AVX2
	if (sh_stft_avx2())
		k = smear_bins_avx2(x, sm, rot, n, a, b, norm);
#endif
#ifdef SH_SMEAR_SSE
	k += smear_bins_sse(x + 2 * k, sm + k, rot ? rot + 2 * k : NULL, n - k, a, b, norm);
#endif
	for (; k < n; k++)
		smear_one(x, sm, rot, k, a, b, norm);
}

/* Random rotations come from a table of ROT_N angles spread evenly over
 * [-pi*phase, pi*phase] (times the level compensation), indexed by 12-bit slices
 * of the generator's output: five draws per 64-bit number. */
#define ROT_BITS 12
#define ROT_N (1 << ROT_BITS)

/* The rotations of one frame, from its words (one 64-bit number per ROT_PER
 * bins): ROT_PER lookups per word, unrolled. */
#define ROT_PER (64 / ROT_BITS)
#define ROT_WORDS(bins) (((bins) + ROT_PER - 1) / ROT_PER)
_Static_assert(ROT_PER == 5, "smear_rotations takes five rotations from a word");
static void smear_rotations(const sh_spectral *s, const uint64_t *restrict words, float complex *restrict rot)
{
	const float complex *restrict table = s->table;
	const uint64_t m = ROT_N - 1;
	int k = 0, q = 0;
	for (; k + ROT_PER <= s->bins; k += ROT_PER) {
		uint64_t x = words[q++];
		memcpy(&rot[k], &table[x & m], sizeof *rot);
		memcpy(&rot[k + 1], &table[(x >> ROT_BITS) & m], sizeof *rot);
		memcpy(&rot[k + 2], &table[(x >> 2 * ROT_BITS) & m], sizeof *rot);
		memcpy(&rot[k + 3], &table[(x >> 3 * ROT_BITS) & m], sizeof *rot);
		memcpy(&rot[k + 4], &table[(x >> 4 * ROT_BITS) & m], sizeof *rot);
	}
	for (uint64_t x = k < s->bins ? words[q] : 0; k < s->bins; k++, x >>= ROT_BITS)
		memcpy(&rot[k], &table[x & m], sizeof *rot);
}

/* The draws all channels share: the rotations and the level of this frame.
 * The rotations' words are drawn here, once, into the slot; each channel
 * looks its rotations up from them on its own thread. */
static void smear_shared(void *u, int64_t frame, int slot)
{
	(void)frame;
	sh_spectral *s = u;
	const float a = s->a, b = 1.0f - s->a;
	if (a == 0.0f && s->phase == 0.0f)
		return; /* untouched: exact identity */
	if (s->phase > 0.0f) {
		uint64_t *w = s->words + (size_t)slot * ROT_WORDS(s->bins);
		for (int q = 0; q < ROT_WORDS(s->bins); q++)
			w[q] = sh_rng_next(&s->rng);
	}
	/* Power is smoothed (so a steady sound keeps its level) and divided by the
	 * weight accumulated so far (so the start does not fade in from zero). */
	s->wsum = a * s->wsum + b;
	s->norm[slot] = 1.0f / s->wsum;
}

static void smear_channel(void *u, float complex *spec, int c, int bins, int64_t frame, int slot)
{
	(void)frame;
	sh_spectral *s = u;
	const float a = s->a, b = 1.0f - s->a;
	if (a == 0.0f && s->phase == 0.0f)
		return;
	float complex *rot = s->rot[c];
	if (s->phase > 0.0f)
		smear_rotations(s, s->words + (size_t)slot * ROT_WORDS(s->bins), rot);
	if (a == 0.0f)
		cmul(spec, rot, bins); /* phase only */
	else
		smear_bins((float *)spec, s->smag[c], s->phase > 0.0f ? (const float *)rot : NULL, bins, a,
		           b, s->norm[slot]);
}

static void power(const float complex *spec, float *out, int bins)
{
	const float *x = (const float *)spec;
	for (int k = 0; k < bins; k++)
		out[k] = x[2 * k] * x[2 * k] + x[2 * k + 1] * x[2 * k + 1];
}

/* Every channel's frame goes through the effect here, and past the watcher
 * when there is one. */
static void spectral_channel(void *u, float complex *spec, int c, int bins, int64_t frame, int slot)
{
	sh_spectral *s = u;
	if (!s->watch) {
		s->chan(u, spec, c, bins, frame, slot);
		return;
	}
	float *before = s->wpow[c], *after = s->wpow[c] + bins;
	power(spec, before, bins);
	s->chan(u, spec, c, bins, frame, slot);
	power(spec, after, bins);
	s->watch(s->watch_user, c, before, after, bins);
}

void sh_spectral_watch(sh_spectral *s, sh_spectral_watch_fn fn, void *user)
{
	if (!s->wpow)
		s->wpow = alloc_rows(s->channels, 2 * s->bins);
	s->watch = fn;
	s->watch_user = user;
}

static void spectral_emit(void *u, const float *buf, size_t frames)
{
	sh_spectral *s = u;
	s->emit(s->emit_user, buf, frames);
}

static sh_spectral *common_new(int kind, int size, int hop, int rate, int channels, uint64_t seed,
                               int jobs, sh_stft_shared_fn shared, sh_stft_channel_fn chan,
                               sh_stft_emit_fn emit, void *user)
{
	if (hop == 0)
		hop = size / 4;
	sh_spectral *s = sh_calloc(1, sizeof *s);
	s->emit = emit;
	s->emit_user = user;
	/* a thread per channel at most: the channels are the work that can be split */
	if (jobs > 1 && channels > 1 && !(s->pool = sh_pool_new(jobs < channels ? jobs : channels))) {
		free(s);
		return NULL;
	}
	s->chan = chan;
	s->stft = sh_stft_new_split(size, hop, channels, shared, spectral_channel,
	                            emit ? spectral_emit : NULL, s, s->pool);
	if (!s->stft) {
		sh_pool_free(s->pool);
		free(s);
		return NULL;
	}
	s->slots = sh_stft_slots(s->stft);
	sh_stft_raw(s->stft); /* the sh_proc driver compensates the latency */
	s->kind = kind;
	s->rate = rate;
	s->channels = channels;
	s->size = size;
	s->hop = hop;
	s->bins = size / 2 + 1;
	sh_rng_seed(&s->rng, seed);
	s->ginc = sh_stft_incoherent_gain(s->stft);
	s->tmpf = alloc_rows(channels, s->bins);
	return s;
}

sh_spectral *sh_smear_new(const sh_smear_opts *o, int rate, int channels, sh_stft_emit_fn emit,
                          void *user)
{
	if (!(o->blur >= 0 && o->blur <= 1) || !(o->phase >= 0 && o->phase <= 1)) {
		sh_set_error("blur and phase must be within 0..1");
		return NULL;
	}
	sh_spectral *s = common_new(KIND_SMEAR, o->size, o->hop, rate, channels, o->seed, o->jobs,
	                            smear_shared, smear_channel, emit, user);
	if (!s)
		return NULL;
	s->words = sh_calloc((size_t)s->slots * ROT_WORDS(s->bins), sizeof *s->words);
	s->rot = (float complex **)alloc_rows(channels, 2 * s->bins);
	s->norm = sh_calloc((size_t)s->slots, sizeof *s->norm);
	double tau = 3.0 * o->blur * o->blur; /* seconds */
	s->a = tau > 0 ? (float)exp(-(double)s->hop / (tau * rate)) : 0.0f;
	s->phase = (float)o->phase;
	double c = o->phase > 0 ? sin(M_PI * o->phase) / (M_PI * o->phase) : 1.0;
	s->gain = (float)(1.0 / sqrt(c * c + (1.0 - c * c) * s->ginc));
	s->smag = alloc_rows(channels, s->bins);
	s->table = sh_malloc(sizeof *s->table * ROT_N);
	for (int j = 0; j < ROT_N; j++) {
		double t = M_PI * o->phase * (2.0 * (j + 0.5) / ROT_N - 1.0);
		s->table[j] = s->gain * ((float)cos(t) + I * (float)sin(t));
	}
	return s;
}

/* ---------------------------------------------------------------- mangle */

/* The draws all channels share, in the order one frame has always made them:
 * freeze, shift, swaps, noise. */
static void mangle_shared(void *u, int64_t frame, int slot)
{
	sh_spectral *s = u;
	const sh_mangle_opts *m = &s->m;
	const int bins = s->bins;
	mslot *sl = &s->ms[slot];

	/* freeze: not before the first frame that is all input (no pre-roll zeros) */
	sl->capture = sl->holding = false;
	if (m->freeze > 0) {
		sl->capture = s->hold_left == 0 && frame >= s->size / s->hop - 1 &&
		              sh_rng_chance(&s->rng, m->freeze);
		if (sl->capture) {
			double secs = sh_rng_between(&s->rng, m->hold_min, m->hold_max);
			int64_t n = llround(secs * s->rate / s->hop);
			s->hold_left = n < 1 ? 1 : n;
		}
		if (s->hold_left > 0) {
			s->hold_left--;
			sl->holding = true;
		}
	}

	/* shift: drawn per frame, or fixed */
	int d = 0;
	if (m->shift_min != m->shift_max)
		d = (int)lround(sh_rng_between(&s->rng, m->shift_min, m->shift_max));
	else
		d = (int)lround(m->shift_min);
	if (d >= bins)
		d = bins;
	if (d <= -bins)
		d = -bins;
	sl->d = d;
	if (d != 0) {
		double ph = fmod(2.0 * M_PI * (double)d * (double)s->hop / s->size * (double)frame, 2.0 * M_PI);
		sl->r = (float)cos(ph) + I * (float)sin(ph);
	}

	/* Bins whose content no longer lines up from frame to frame (a shift drawn
	 * anew each frame, swapped bins, noise) lose level in the overlap-add; they
	 * are marked here and get the incoherent gain once, at the end. */
	memset(sl->moved, d != 0 && m->shift_min != m->shift_max, (size_t)bins);

	/* swap: pairs of bins (DC and Nyquist stay) */
	sl->nswap = 0;
	if (m->swap > 0 && bins > 3) {
		double want = m->swap * (bins - 2) / 2.0;
		int64_t n = (int64_t)want;
		if (sh_rng_chance(&s->rng, want - (double)n))
			n++;
		for (int64_t q = 0; q < n; q++) {
			int i = 1 + (int)sh_rng_below(&s->rng, (uint64_t)bins - 2);
			int j = 1 + (int)sh_rng_below(&s->rng, (uint64_t)bins - 2);
			if (i == j)
				continue;
			sl->moved[i] = sl->moved[j] = 1;
			sl->swaps[2 * sl->nswap] = i;
			sl->swaps[2 * sl->nswap + 1] = j;
			sl->nswap++;
		}
	}

	/* noise: one 64-bit draw per two bins; marked here (each channel draws
	 * the noise again on its own thread) and skipped */
	if (m->noise > 0) {
		sl->noise = s->rng;
		for (int k = 0; k < bins; k += 2)
			sh_rng_next(&s->rng);
	}
}

static void mangle_channel(void *u, float complex *spec, int c, int bins, int64_t frame, int slot)
{
	(void)frame;
	sh_spectral *s = u;
	const sh_mangle_opts *m = &s->m;
	const mslot *sl = &s->ms[slot];

	/* freeze: hold a captured frame, each bin turning every hop by the phase
	 * change it showed over the last hop (a phase vocoder's instantaneous
	 * frequency: the rotation is prev->cur normalised), so held partials keep
	 * their pitch */
	if (m->freeze > 0) {
		float complex *held = s->held[c], *held_rot = s->held_rot[c], *prev = s->prev[c];
		if (sl->capture)
			for (int k = 0; k < bins; k++) {
				float complex cur = spec[k], pv = prev[k];
				float re = crealf(cur) * crealf(pv) + cimagf(cur) * cimagf(pv);
				float im = cimagf(cur) * crealf(pv) - crealf(cur) * cimagf(pv);
				float mg = sqrtf(re * re + im * im);
				held_rot[k] = mg > 1e-30f ? re / mg + I * (im / mg) : s->bin_rot[k];
				held[k] = cur;
			}
		memcpy(prev, spec, sizeof(float complex) * (size_t)bins);
		if (sl->holding) {
			if (!sl->capture)
				cmul(held, held_rot, bins);
			memcpy(spec, held, sizeof(float complex) * (size_t)bins);
		}
	}

	/* shift: move every bin up or down by d bins, turning each frame's phases
	 * by 2 pi d hop m / size so a steady partial stays a steady partial (a true
	 * frequency shift by d * rate / size Hz) */
	const int d = sl->d;
	if (d != 0) {
		float complex *x = spec;
		if (d > 0) {
			memmove(x + d, x, sizeof *x * (size_t)(bins - d));
			memset(x, 0, sizeof *x * (size_t)d);
		} else {
			memmove(x, x - d, sizeof *x * (size_t)(bins + d));
			memset(x + bins + d, 0, sizeof *x * (size_t)-d);
		}
		const float complex r = sl->r;
		for (int k = 0; k < bins; k++)
			x[k] *= r;
	}

	const unsigned char *moved = sl->moved;
	const float ginc = (float)(1.0 / sqrt(s->ginc));
	for (int q = 0; q < sl->nswap; q++) {
		int i = sl->swaps[2 * q], j = sl->swaps[2 * q + 1];
		float complex t = spec[i];
		spec[i] = spec[j];
		spec[j] = t;
	}

	/* noise: an equal-power crossfade toward the noise shaped by the spectral
	 * envelope (the power averaged over +-8 bins), scaled for the overlap-add
	 * of incoherent frames */
	if (m->noise > 0) {
		const int r = 8;
		const float wet = (float)sin(m->noise * M_PI / 2) * ginc;
		const float dry = (float)cos(m->noise * M_PI / 2);
		float complex *x = spec;
		float *pw = s->tmpf[c];
		/* complex Gaussian noise of unit power, as a Rayleigh magnitude and a
		 * uniform phase, each from a 4096-entry table indexed by 12 bits of
		 * the generator (two bins per 64-bit draw) */
		float complex *noise = (float complex *)s->noise[c];
		sh_rng rng = sl->noise;
		uint64_t bits = 0;
		for (int k = 0; k < bins; k++) {
			if ((k & 1) == 0)
				bits = sh_rng_next(&rng);
			else
				bits >>= 24;
			noise[k] = s->ray[bits & (ROT_N - 1)] * s->table[(bits >> ROT_BITS) & (ROT_N - 1)];
		}
		for (int k = 0; k < bins; k++) {
			float re = crealf(x[k]), im = cimagf(x[k]);
			pw[k] = re * re + im * im;
		}
		double sum = 0;
		int lo = 0, hi = -1; /* window [lo, hi] */
		for (int k = 0; k < bins; k++) {
			int want_hi = k + r < bins - 1 ? k + r : bins - 1;
			int want_lo = k - r > 0 ? k - r : 0;
			while (hi < want_hi)
				sum += pw[++hi];
			while (lo < want_lo)
				sum -= pw[lo++];
			float env = (float)(sum > 0 ? sqrt(sum / (hi - lo + 1)) : 0.0);
			x[k] = dry * (moved[k] ? ginc : 1.0f) * x[k] + wet * env * noise[k];
		}
	} else {
		for (int k = 0; k < bins; k++)
			if (moved[k])
				spec[k] *= ginc;
	}
}

sh_spectral *sh_mangle_new(const sh_mangle_opts *o, int rate, int channels, sh_stft_emit_fn emit,
                           void *user)
{
	if (!(o->swap >= 0 && o->swap <= 1) || !(o->noise >= 0 && o->noise <= 1) ||
	    !(o->freeze >= 0 && o->freeze <= 1)) {
		sh_set_error("swap, noise and freeze must be within 0..1");
		return NULL;
	}
	if (!(o->hold_min > 0 && o->hold_min <= o->hold_max)) {
		sh_set_error("hold must be a positive range");
		return NULL;
	}
	sh_spectral *s = common_new(KIND_MANGLE, o->size, o->hop, rate, channels, o->seed, o->jobs,
	                            mangle_shared, mangle_channel, emit, user);
	if (!s)
		return NULL;
	s->m = *o;
	s->ms = sh_calloc((size_t)s->slots, sizeof *s->ms);
	for (int j = 0; j < s->slots; j++) {
		s->ms[j].swaps = sh_calloc((size_t)s->bins + 2, sizeof(int));
		s->ms[j].moved = sh_calloc((size_t)s->bins, 1);
	}
	s->noise = alloc_rows(channels, 2 * s->bins);
	s->held = alloc_crows(channels, s->bins);
	s->held_rot = alloc_crows(channels, s->bins);
	s->prev = alloc_crows(channels, s->bins);
	s->bin_rot = sh_calloc((size_t)s->bins, sizeof *s->bin_rot);
	s->ray = sh_malloc(sizeof(float) * ROT_N);
	s->table = sh_malloc(sizeof *s->table * ROT_N);
	for (int j = 0; j < ROT_N; j++) {
		double u = (j + 0.5) / ROT_N, t = M_PI * (2.0 * u - 1.0);
		s->ray[j] = (float)sqrt(-log(1.0 - u));
		s->table[j] = (float)cos(t) + I * (float)sin(t);
	}
	s->advance = sh_calloc((size_t)s->bins, sizeof(float));
	for (int k = 0; k < s->bins; k++) {
		double adv = fmod(2.0 * M_PI * k * s->hop / s->size, 2.0 * M_PI);
		if (adv > M_PI)
			adv -= 2.0 * M_PI;
		s->advance[k] = (float)adv;
		s->bin_rot[k] = (float)cos(adv) + I * (float)sin(adv);
	}
	return s;
}

/* ---------------------------------------------------------------- common */

void sh_spectral_push(sh_spectral *s, const float *in, size_t frames) { sh_stft_push(s->stft, in, frames); }
void sh_spectral_flush(sh_spectral *s) { sh_stft_flush(s->stft); }
int sh_spectral_latency(const sh_spectral *s) { return sh_stft_latency(s->stft); }
int sh_spectral_hop(const sh_spectral *s) { return s->hop; }

void sh_spectral_free(sh_spectral *s)
{
	if (!s)
		return;
	sh_stft_free(s->stft);
	sh_pool_free(s->pool);
	free(s->words);
	free_rows((float **)s->rot, s->channels);
	free_rows(s->noise, s->channels);
	free(s->norm);
	free(s->table);
	free_rows(s->tmpf, s->channels);
	free_rows(s->wpow, s->channels);
	for (int j = 0; s->ms && j < s->slots; j++) {
		free(s->ms[j].swaps);
		free(s->ms[j].moved);
	}
	free(s->ms);
	free_rows(s->smag, s->channels);
	free_rows((float **)s->held, s->channels);
	free_rows((float **)s->held_rot, s->channels);
	free_rows((float **)s->prev, s->channels);
	free(s->bin_rot);
	free(s->ray);
	free(s->advance);
	free(s);
}
