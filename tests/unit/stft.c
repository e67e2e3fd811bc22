/* Unit tests for lib/stft: identity resynthesis, latency, block-size invariance. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "jobs.h"
#include "rng.h"
#include "stft.h"
#include "tap.h"

typedef struct {
	float *buf;
	size_t n, cap;
	int ch;
} sink;

static void emit(void *u, const float *b, size_t frames)
{
	sink *k = u;
	size_t add = frames * (size_t)k->ch;
	if (k->n + add > k->cap) {
		k->cap = (k->n + add) * 2;
		k->buf = sh_realloc(k->buf, k->cap, sizeof(float));
	}
	memcpy(k->buf + k->n, b, add * sizeof(float));
	k->n += add;
}

static int frames_seen;
static void count_frames(void *u, float complex *const *spec, int channels, int bins, int64_t m)
{
	(void)u; (void)spec; (void)channels; (void)bins;
	if (m == frames_seen)
		frames_seen++;
}

/* Push n frames of x in blocks of random size 1..maxblock (0: all at once), then finish. */
static void push_blocks(sh_stft *s, const float *x, size_t n, int ch, size_t maxblock, uint64_t seed)
{
	sh_rng r;
	sh_rng_seed(&r, seed);
	for (size_t i = 0; i < n;) {
		size_t b = maxblock ? 1 + (size_t)sh_rng_below(&r, maxblock) : n;
		if (b > n - i)
			b = n - i;
		sh_stft_push(s, x + i * (size_t)ch, b);
		i += b;
	}
	sh_stft_finish(s);
}

/* Run n frames of x through an untouched STFT, pushing blocks of random size
 * 1..maxblock (0: all at once). */
static sink run(const float *x, size_t n, int ch, int size, int hop, size_t maxblock, uint64_t seed)
{
	sink k = {0};
	k.ch = ch;
	sh_stft *s = sh_stft_new(size, hop, ch, count_frames, emit, &k);
	push_blocks(s, x, n, ch, maxblock, seed);
	sh_stft_free(s);
	return k;
}

/* Split mode: each frame's shared call draws a gain per bin (kept in its
 * slot), each channel scales its bins by it, the channel's own way. */
typedef struct {
	sink k;         /* first: the emit callback's user is this object too */
	sh_rng rng;
	float *gain;    /* bins per slot */
	int bins;
	int64_t next;   /* the frame the shared call expects: in order */
	bool order_ok;
} split_fx;

static void split_shared(void *u, int64_t frame, int slot)
{
	split_fx *f = u;
	f->order_ok = f->order_ok && frame == f->next++;
	for (int k = 0; k < f->bins; k++)
		f->gain[(size_t)slot * f->bins + k] = (float)sh_rng_uniform(&f->rng);
}

static void split_channel(void *u, float complex *spec, int c, int bins, int64_t frame, int slot)
{
	(void)frame;
	const split_fx *f = u;
	for (int k = 0; k < bins; k++)
		spec[k] *= f->gain[(size_t)slot * bins + k] * (c + 1);
}

/* Run x through a split STFT with THREADS threads, in random blocks of
 * 1..maxblock; *order: the shared calls came in frame order. */
static sink run_split(const float *x, size_t n, int ch, int size, int hop, int threads,
                      size_t maxblock, bool *order)
{
	sh_pool *pool = threads > 1 ? sh_pool_new(threads) : NULL;
	split_fx f = {.k.ch = ch, .bins = size / 2 + 1, .order_ok = true};
	sh_rng_seed(&f.rng, 99);
	sh_stft *s = sh_stft_new_split(size, hop, ch, split_shared, split_channel, emit, &f, pool);
	f.gain = sh_calloc((size_t)sh_stft_slots(s) * f.bins, sizeof(float));
	push_blocks(s, x, n, ch, maxblock, 5);
	sh_stft_free(s);
	sh_pool_free(pool);
	free(f.gain);
	*order = f.order_ok;
	return f.k;
}

int main(void)
{
	sh_rng r;
	sh_rng_seed(&r, 7);
	const size_t n = 10007;
	const int ch = 2;
	float *x = sh_malloc(sizeof(float) * n * ch);
	for (size_t i = 0; i < n * ch; i++)
		x[i] = (float)(sh_rng_uniform(&r) * 2 - 1);

	int sizes[][2] = {{2048, 512}, {1024, 256}, {2048, 1024}, {512, 100}, {16, 8}, {1000, 333}};
	for (size_t t = 0; t < sizeof sizes / sizeof *sizes; t++) {
		frames_seen = 0;
		sink k = run(x, n, ch, sizes[t][0], sizes[t][1], 0, 1);
		double maxerr = 0;
		for (size_t i = 0; i < n * ch && i < k.n; i++)
			maxerr = fmax(maxerr, fabs(k.buf[i] - x[i]));
		CHECK(k.n == n * ch, "size %d hop %d: output length %zu equals input %zu", sizes[t][0],
		      sizes[t][1], k.n / ch, n);
		CHECK(maxerr < 1e-5, "size %d hop %d: identity within float rounding (max error %g)",
		      sizes[t][0], sizes[t][1], maxerr);
		CHECK(frames_seen > 0, "size %d hop %d: frames numbered from 0 in order", sizes[t][0],
		      sizes[t][1]);
		free(k.buf);
	}

	sink a = run(x, n, ch, 2048, 512, 0, 1);
	sink b = run(x, n, ch, 2048, 512, 7, 2);
	sink c = run(x, n, ch, 2048, 512, 3000, 3);
	CHECK(a.n == b.n && memcmp(a.buf, b.buf, a.n * sizeof(float)) == 0,
	      "output identical when pushed in blocks of 1..7 frames");
	CHECK(a.n == c.n && memcmp(a.buf, c.buf, a.n * sizeof(float)) == 0,
	      "output identical when pushed in blocks of 1..3000 frames");
	free(a.buf); free(b.buf); free(c.buf);

	/* short input: one sample, and nothing */
	sink one = run(x, 1, ch, 2048, 512, 0, 1);
	CHECK(one.n == (size_t)ch && fabs(one.buf[0] - x[0]) < 1e-6, "one sample in, the same sample out");
	free(one.buf);
	/* raw mode: every hop out from the first, the input delayed by size - hop */
	{
		sink k = {.ch = ch};
		sh_stft *raw = sh_stft_new(1024, 256, ch, NULL, emit, &k);
		sh_stft_raw(raw);
		sh_stft_push(raw, x, 5000);
		double err = 0;
		for (size_t i = 768 * (size_t)ch; i < k.n; i++)
			err = fmax(err, fabs(k.buf[i] - x[i - 768 * (size_t)ch]));
		CHECK(k.n == 4864 * (size_t)ch && err < 1e-5,
		      "raw: 19 whole hops out for 5000 frames in, the input 768 frames late (max error %g)", err);
		sh_stft_free(raw);
		free(k.buf);
	}
	/* split mode: shared draws in frame order, channels on 1, 2 or 3 threads
	 * (batches of hops), any block sizes: the same bytes, as long as the input */
	{
		bool o1, o2, o3;
		sink s1 = run_split(x, n, ch, 1024, 256, 1, 0, &o1);
		sink s2 = run_split(x, n, ch, 1024, 256, 2, 7, &o2);
		sink s3 = run_split(x, n, ch, 1024, 256, 3, 3000, &o3);
		CHECK(s1.n == n * (size_t)ch && o1 && o2 && o3,
		      "split: as long as the input, shared calls in frame order");
		CHECK(s1.n == s2.n && memcmp(s1.buf, s2.buf, s1.n * sizeof(float)) == 0,
		      "split: 2 threads, blocks of 1..7: the bytes of one thread");
		CHECK(s1.n == s3.n && memcmp(s1.buf, s3.buf, s1.n * sizeof(float)) == 0,
		      "split: 3 threads, blocks of 1..3000: the bytes of one thread");
		free(s1.buf); free(s2.buf); free(s3.buf);
		sink t1 = run_split(x, 3, ch, 16, 8, 1, 0, &o1);
		sink t2 = run_split(x, 3, ch, 16, 8, 2, 0, &o2);
		CHECK(t1.n == 3 * (size_t)ch && t1.n == t2.n && memcmp(t1.buf, t2.buf, t1.n * sizeof(float)) == 0,
		      "split: 3 frames through a 16-sample window, 1 and 2 threads alike");
		free(t1.buf); free(t2.buf);
	}
	sink none = run(x, 0, ch, 2048, 512, 0, 1);
	CHECK(none.n == 0, "no input, no output");

	sh_stft *s = sh_stft_new(2048, 512, 1, NULL, NULL, NULL);
	double g = sh_stft_incoherent_gain(s);
	CHECK(fabs(g - 0.25) < 1e-3, "incoherent gain at 75%% overlap is 0.25 (%g)", g);
	CHECK(sh_stft_latency(s) == 1536, "latency is size - hop");
	sh_stft_free(s);
	CHECK(sh_stft_new(2047, 512, 1, NULL, NULL, NULL) == NULL, "odd size refused");
	CHECK(sh_stft_check_sizes(2047, 0) != 0 && strstr(sh_error(), "odd") &&
	          sh_stft_check_sizes(2048, 1025) != 0 && sh_stft_check_sizes(2048, 0) == 0,
	      "sizes as given on a command line: odd window and long hop refused, as errors");
	CHECK(sh_stft_new(2048, 1025, 1, NULL, NULL, NULL) == NULL, "hop above size/2 refused");

	/* magspec: a sine centred on bin 32 of 1024 reads amplitude * n / 4 there,
	 * its neighbours half that (Hann), and nothing two bins away */
	{
		const size_t len = 1024;
		float *sine = malloc(len * sizeof(float));
		for (size_t i = 0; i < len; i++)
			sine[i] = (float)(0.5 * sin(2 * M_PI * 32 * (i + 0.5) / len));
		sh_magspec *m = sh_magspec_new(len);
		const float *mag = sh_magspec_run(m, sine);
		CHECK(fabs(mag[32] - 0.5 * len / 4) < 1e-3 * len, "magspec: sine on bin 32 reads A*n/4 (%g)", mag[32]);
		CHECK(fabs(mag[31] - mag[32] / 2) < 1e-3 * len && fabs(mag[33] - mag[32] / 2) < 1e-3 * len &&
		          mag[30] < 1e-3 && mag[34] < 1e-3 && mag[0] < 1e-3,
		      "magspec: Hann main lobe of three bins (%g %g | %g %g)", mag[31], mag[33], mag[30], mag[34]);
		const float *w = sh_magspec_window(m);
		CHECK(w[0] > 0 && w[0] == w[len - 1] && fabsf(w[len / 2] - 1) < 1e-5f,
		      "magspec: window sampled at the sample centres, symmetric, no zero ends");
		sh_magspec_free(m);
		free(sine);
	}
	free(x);
	return tap_failed;
}
