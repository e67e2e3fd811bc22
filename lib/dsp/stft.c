/* stft.c -- streaming STFT analysis / overlap-add resynthesis; see stft.h. */
#include "stft.h"

#include <fftw3.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#define SH_HAVE_MXCSR 1
#endif
#if defined(__SSE2__)
#include <emmintrin.h>
#define SH_STFT_SSE 1
#endif
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>
#define SH_STFT_AVX2 1
#endif

#include "cli.h"
#include "jobs.h"

struct sh_stft {
	int size, hop, channels, bins;
	sh_stft_frame_fn frame_fn;
	sh_stft_emit_fn emit_fn;
	void *user;

	/* split mode (sh_stft_new_split): shared and per-channel callbacks, frames
	 * run in batches of `batch` hops (1 without threads) */
	sh_stft_shared_fn shared_fn;
	sh_stft_channel_fn chan_fn;
	sh_pool *pool;
	int batch;
	int pending;       /* complete hops waiting for their batch */
	float **ctime;     /* per channel FFT time buffer (fftwf_malloc) */

	float *win;        /* analysis window, size */
	float *synth;      /* synthesis window / (size * summed window product), size */
	float **in;        /* per channel: the last `size` input samples */
	float **acc;       /* per channel: overlap-add accumulator, size */
	float *time;       /* FFT time buffer (fftwf_malloc) */
	float complex **spec; /* per channel spectra (fftwf_malloc) */
	float *out;        /* one hop (split mode: one batch) of interleaved output */
	fftwf_plan fwd, inv;

	int cap;           /* length of the in and acc buffers */
	int base;          /* the current frame starts at in[c][base] and acc[c][base] */
	int fill;          /* input samples of the current hop received */
	int64_t frames_done;
	int64_t pushed;    /* input frames pushed */
	int64_t produced;  /* output frames produced, before latency compensation */
	int64_t emitted;   /* output frames emitted (after dropping the latency) */
	int finished;
	int raw;           /* emit every hop from the first, uncompensated (sh_stft_raw) */
};

void sh_stft_no_denormals(void)
{
#ifdef SH_HAVE_MXCSR
	/* FTZ (bit 15) and DAZ (bit 6) */
	_mm_setcsr(_mm_getcsr() | 0x8040);
#endif
}

static void fftw_thread_safe(void) { fftwf_make_planner_thread_safe(); }

void sh_fftw_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, fftw_thread_safe);
}

static sh_stft *stft_new(int size, int hop, int channels, sh_stft_frame_fn frame,
                         sh_stft_shared_fn shared, sh_stft_channel_fn chan, sh_stft_emit_fn emit,
                         void *user, sh_pool *pool)
{
	if (size < SH_STFT_MIN_SIZE || size > SH_STFT_MAX_SIZE || size % 2) {
		sh_set_error("FFT size %d is not an even number in %d..%d", size, SH_STFT_MIN_SIZE,
		             SH_STFT_MAX_SIZE);
		return NULL;
	}
	if (hop < 1 || hop > size / 2) {
		sh_set_error("hop %d is not in 1..%d (half the FFT size)", hop, size / 2);
		return NULL;
	}
	if (channels < 1 || channels > 64) {
		sh_set_error("%d channels is not in 1..64", channels);
		return NULL;
	}
	sh_stft_no_denormals();
	sh_stft *s = sh_calloc(1, sizeof *s);
	s->size = size;
	s->hop = hop;
	s->channels = channels;
	s->bins = size / 2 + 1;
	s->frame_fn = frame;
	s->shared_fn = shared;
	s->chan_fn = chan;
	s->pool = pool;
	s->emit_fn = emit;
	s->user = user;
	/* a batch long enough that the threads meet rarely (about 16384 frames),
	 * short enough to stay in the caches */
	s->batch = 1;
	if (chan && sh_pool_threads(pool) > 1 && channels > 1) {
		int b = 16384 / hop;
		s->batch = b < 4 ? 4 : b > 128 ? 128 : b;
	}

	s->win = sh_malloc(sizeof(float) * (size_t)size);
	s->synth = sh_malloc(sizeof(float) * (size_t)size);
	for (int i = 0; i < size; i++)
		s->win[i] = (float)(0.5 - 0.5 * cos(2.0 * M_PI * i / size));
	/* summed product of analysis and synthesis windows at each position in a hop */
	double *norm = sh_calloc((size_t)hop, sizeof *norm);
	for (int i = 0; i < size; i++)
		norm[i % hop] += (double)s->win[i] * s->win[i];
	for (int i = 0; i < size; i++)
		s->synth[i] = (float)(s->win[i] / (norm[i % hop] * size));
	free(norm);

	/* The buffers slide forward a hop per frame and move back to the start only
	 * when they reach the end, so samples are moved once every 16 hops or so. */
	s->cap = size + (s->batch > 16 ? s->batch : 16) * hop;
	s->in = sh_calloc((size_t)channels, sizeof *s->in);
	s->acc = sh_calloc((size_t)channels, sizeof *s->acc);
	s->spec = sh_calloc((size_t)channels, sizeof *s->spec);
	for (int c = 0; c < channels; c++) {
		s->in[c] = sh_calloc((size_t)s->cap, sizeof(float));
		s->acc[c] = sh_calloc((size_t)s->cap, sizeof(float));
		s->spec[c] = fftwf_malloc(sizeof(fftwf_complex) * (size_t)s->bins);
	}
	s->time = fftwf_malloc(sizeof(float) * (size_t)size);
	s->out = sh_malloc(sizeof(float) * (size_t)hop * (size_t)s->batch * (size_t)channels);
	bool buffers = s->time != NULL;
	for (int c = 0; c < channels; c++)
		buffers = buffers && s->spec[c];
	if (chan) {
		s->ctime = sh_calloc((size_t)channels, sizeof *s->ctime);
		for (int c = 0; c < channels; c++)
			buffers = buffers && (s->ctime[c] = fftwf_malloc(sizeof(float) * (size_t)size));
	}
	if (!buffers) {
		sh_set_error("out of memory for the FFT buffers (size %d, %d channels)", size, channels);
		sh_stft_free(s);
		return NULL;
	}
	sh_fftw_init();
	/* Plans are made once, on these buffers, and reused through the new-array
	 * execute functions for the other channels (same alignment from fftwf_malloc). */
	s->fwd = fftwf_plan_dft_r2c_1d(size, s->time, (fftwf_complex *)s->spec[0], FFTW_ESTIMATE);
	s->inv = fftwf_plan_dft_c2r_1d(size, (fftwf_complex *)s->spec[0], s->time,
	                               FFTW_ESTIMATE | FFTW_DESTROY_INPUT);
	if (!s->fwd || !s->inv) {
		sh_set_error("cannot plan an FFT of size %d", size);
		sh_stft_free(s);
		return NULL;
	}
	s->fill = 0;
	return s;
}

sh_stft *sh_stft_new(int size, int hop, int channels, sh_stft_frame_fn frame, sh_stft_emit_fn emit,
                     void *user)
{
	return stft_new(size, hop, channels, frame, NULL, NULL, emit, user, NULL);
}

sh_stft *sh_stft_new_split(int size, int hop, int channels, sh_stft_shared_fn shared,
                           sh_stft_channel_fn channel, sh_stft_emit_fn emit, void *user,
                           sh_pool *pool)
{
	if (!shared || !channel) {
		sh_set_error("a split STFT needs both callbacks");
		return NULL;
	}
	return stft_new(size, hop, channels, NULL, shared, channel, emit, user, pool);
}

int sh_stft_slots(const sh_stft *s) { return s->batch; }

void sh_stft_raw(sh_stft *s) { s->raw = 1; }

#ifdef SH_STFT_AVX2
/* Eight at a time. target("avx2") does not enable FMA: a product and a sum stay
 * two roundings, the same bits as the SSE and scalar loops. */
__attribute__((target("avx2"))) static int mul_avx2(float *restrict d, const float *restrict x,
                                                    const float *restrict w, int n)
{
	int i = 0;
	for (; i + 8 <= n; i += 8)
		_mm256_storeu_ps(d + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(w + i)));
	return i;
}

__attribute__((target("avx2"))) static int mul_add_avx2(float *restrict d, const float *restrict x,
                                                        const float *restrict w, int n)
{
	int i = 0;
	for (; i + 8 <= n; i += 8)
		_mm256_storeu_ps(d + i, _mm256_add_ps(_mm256_loadu_ps(d + i),
		                                      _mm256_mul_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(w + i))));
	return i;
}

#endif

bool sh_stft_avx2(void)
{
#ifdef SH_STFT_AVX2
	static int has = -1; /* threads that ask at once find the same answer */
	int h = __atomic_load_n(&has, __ATOMIC_RELAXED);
	if (h < 0) {
		h = __builtin_cpu_supports("avx2");
		__atomic_store_n(&has, h, __ATOMIC_RELAXED);
	}
	return h;
#else
	return false;
#endif
}

/* d[i] = x[i] * w[i] */
static void mul(float *restrict d, const float *restrict x, const float *restrict w, int n)
{
	int i = 0;
#ifdef SH_STFT_AVX2
	if (sh_stft_avx2())
		i = mul_avx2(d, x, w, n);
#endif
#ifdef SH_STFT_SSE
	for (; i + 4 <= n; i += 4)
		_mm_storeu_ps(d + i, _mm_mul_ps(_mm_loadu_ps(x + i), _mm_loadu_ps(w + i)));
#endif
	for (; i < n; i++)
		d[i] = x[i] * w[i];
}

/* d[i] += x[i] * w[i] */
static void mul_add(float *restrict d, const float *restrict x, const float *restrict w, int n)
{
	int i = 0;
#ifdef SH_STFT_AVX2
	if (sh_stft_avx2())
		i = mul_add_avx2(d, x, w, n);
#endif
#ifdef SH_STFT_SSE
	for (; i + 4 <= n; i += 4)
		_mm_storeu_ps(d + i, _mm_add_ps(_mm_loadu_ps(d + i),
		                                _mm_mul_ps(_mm_loadu_ps(x + i), _mm_loadu_ps(w + i))));
#endif
	for (; i < n; i++)
		d[i] += x[i] * w[i];
}

static void emit_hop(sh_stft *s, const float *out);

/* out = the channels' len samples from acc[c] + base, interleaved (stereo: a
 * pair of vectors at a time). */
static void interleave(float *restrict out, float *const *acc, int base, size_t len, int ch)
{
	if (ch == 2) {
		const float *restrict a = acc[0] + base, *restrict b = acc[1] + base;
		size_t i = 0;
#ifdef SH_STFT_SSE
		for (; i + 4 <= len; i += 4) {
			__m128 x = _mm_loadu_ps(a + i), y = _mm_loadu_ps(b + i);
			_mm_storeu_ps(out + 2 * i, _mm_unpacklo_ps(x, y));
			_mm_storeu_ps(out + 2 * i + 4, _mm_unpackhi_ps(x, y));
		}
#endif
		for (; i < len; i++) {
			out[2 * i] = a[i];
			out[2 * i + 1] = b[i];
		}
		return;
	}
	for (int c = 0; c < ch; c++) {
		const float *a = acc[c] + base;
		for (size_t i = 0; i < len; i++)
			out[i * ch + c] = a[i];
	}
}

/* The reverse: n interleaved frames of src into dst[c] + at. */
static void deinterleave(float *const *dst, int at, const float *restrict src, size_t n, int ch)
{
	if (ch == 2) {
		float *restrict a = dst[0] + at, *restrict b = dst[1] + at;
		size_t k = 0;
#ifdef SH_STFT_SSE
		for (; k + 4 <= n; k += 4) {
			__m128 x = _mm_loadu_ps(src + 2 * k), y = _mm_loadu_ps(src + 2 * k + 4);
			_mm_storeu_ps(a + k, _mm_shuffle_ps(x, y, _MM_SHUFFLE(2, 0, 2, 0)));
			_mm_storeu_ps(b + k, _mm_shuffle_ps(x, y, _MM_SHUFFLE(3, 1, 3, 1)));
		}
#endif
		for (; k < n; k++) {
			a[k] = src[2 * k];
			b[k] = src[2 * k + 1];
		}
		return;
	}
	for (int c = 0; c < ch; c++) {
		float *d = dst[c] + at;
		const float *p = src + c;
		for (size_t k = 0; k < n; k++)
			d[k] = p[k * (size_t)ch];
	}
}

/* One frame: the `in` buffers hold the last `size` samples. */
static void run_frame(sh_stft *s)
{
	const int n = s->size, h = s->hop;
	for (int c = 0; c < s->channels; c++) {
		mul(s->time, s->in[c] + s->base, s->win, n);
		fftwf_execute_dft_r2c(s->fwd, s->time, (fftwf_complex *)s->spec[c]);
	}
	if (s->frame_fn)
		s->frame_fn(s->user, s->spec, s->channels, s->bins, s->frames_done);
	s->frames_done++;
	if (!s->emit_fn)
		return;
	for (int c = 0; c < s->channels; c++) {
		fftwf_execute_dft_c2r(s->inv, (fftwf_complex *)s->spec[c], s->time);
		mul_add(s->acc[c] + s->base, s->time, s->synth, n);
	}
	/* the first hop of the accumulators is complete */
	interleave(s->out, s->acc, s->base, (size_t)h, s->channels);
	if (s->raw) {
		s->emit_fn(s->user, s->out, (size_t)h);
		return;
	}
	emit_hop(s, s->out);
}

/* Split mode: one channel through the frames of a batch, on any thread. */
static void batch_channel(void *ctx, int c)
{
	sh_stft *s = ctx;
	sh_stft_no_denormals(); /* this thread's too: flushed denormals are part of the result */
	const int n = s->size, h = s->hop;
	float *time = s->ctime[c];
	float complex *spec = s->spec[c];
	for (int j = 0; j < s->pending; j++) {
		const int at = s->base + j * h;
		mul(time, s->in[c] + at, s->win, n);
		fftwf_execute_dft_r2c(s->fwd, time, (fftwf_complex *)spec);
		s->chan_fn(s->user, spec, c, s->bins, s->frames_done + j, j);
		if (!s->emit_fn)
			continue;
		fftwf_execute_dft_c2r(s->inv, (fftwf_complex *)spec, time);
		mul_add(s->acc[c] + at, time, s->synth, n);
	}
}

/* Split mode: the frames waiting (s->pending hops from s->base): the shared
 * draws in frame order, the channels on the pool, then the output in order. */
static void run_batch(sh_stft *s)
{
	const int np = s->pending, h = s->hop, size = s->size;
	if (np == 0)
		return;
	for (int j = 0; j < np; j++)
		s->shared_fn(s->user, s->frames_done + j, j);
	sh_pool_run(s->pool, s->channels, batch_channel, s);
	s->frames_done += np;
	s->pending = 0;
	if (s->emit_fn) {
		/* the batch's hops of the accumulators are complete; interleaved here
		 * rather than by the threads, which would share the cache lines */
		interleave(s->out, s->acc, s->base, (size_t)np * h, s->channels);
		if (s->raw)
			s->emit_fn(s->user, s->out, (size_t)np * h);
		else
			for (int j = 0; j < np; j++)
				emit_hop(s, s->out + (size_t)j * h * s->channels);
	}
	s->base += np * h;
	if (s->base + size + s->batch * h > s->cap) {
		/* keep the overlap and any partial hop; the accumulators past it must be zero */
		for (int c = 0; c < s->channels; c++) {
			memmove(s->in[c], s->in[c] + s->base, sizeof(float) * (size_t)(size - h + s->fill));
			memmove(s->acc[c], s->acc[c] + s->base, sizeof(float) * (size_t)(size - h));
			memset(s->acc[c] + size - h, 0, sizeof(float) * (size_t)(s->cap - size + h));
		}
		s->base = 0;
	}
}

/* One hop of interleaved output, the latency compensated (not raw). */
static void emit_hop(sh_stft *s, const float *out)
{
	const int n = s->size, h = s->hop, ch = s->channels;
	int64_t start = s->produced; /* index of out[0] before compensation */
	s->produced += h;
	int64_t lat = n - h;
	int64_t from = start < lat ? lat - start : 0; /* skip the latency */
	if (from >= h)
		return;
	int64_t count = h - from;
	int64_t want = s->pushed - s->emitted; /* never more than came in */
	if (count > want)
		count = want;
	if (count <= 0)
		return;
	s->emit_fn(s->user, out + (size_t)from * ch, (size_t)count);
	s->emitted += count;
}

static void push_frames(sh_stft *s, const float *in, size_t n, int count_input)
{
	const int ch = s->channels, size = s->size, h = s->hop;
	size_t i = 0;
	while (i < n) {
		size_t take = (size_t)(h - s->fill);
		if (take > n - i)
			take = n - i;
		int at = s->base + size - h + s->pending * h + s->fill;
		if (in)
			deinterleave(s->in, at, in + i * (size_t)ch, take, ch);
		else
			for (int c = 0; c < ch; c++)
				memset(s->in[c] + at, 0, sizeof(float) * take);
		s->fill += (int)take;
		i += take;
		if (count_input)
			s->pushed += (int64_t)take;
		if (s->fill == h && s->chan_fn) {
			s->fill = 0;
			if (++s->pending == s->batch)
				run_batch(s);
		} else if (s->fill == h) {
			run_frame(s);
			s->fill = 0;
			s->base += h;
			if (s->base + size > s->cap) {
				/* keep the overlapping part; the accumulators past it must be zero */
				for (int c = 0; c < ch; c++) {
					memmove(s->in[c], s->in[c] + s->base, sizeof(float) * (size_t)(size - h));
					memmove(s->acc[c], s->acc[c] + s->base, sizeof(float) * (size_t)(size - h));
					memset(s->acc[c] + size - h, 0, sizeof(float) * (size_t)(s->cap - size + h));
				}
				s->base = 0;
			}
		}
	}
}

void sh_stft_push(sh_stft *s, const float *in, size_t n)
{
	if (s->finished)
		return;
	push_frames(s, in, n, 1);
}

void sh_stft_finish(sh_stft *s)
{
	if (s->finished)
		return;
	s->finished = 1;
	if (s->pushed == 0)
		return;
	/* Zeros until every input sample has been through all its frames (and, in
	 * resynthesis mode, come out): size - hop samples past the last input sample,
	 * rounded up to a whole hop. */
	int64_t target = s->pushed + s->size - s->hop; /* produced count needed */
	int64_t have = (s->frames_done + s->pending) * s->hop + s->fill;
	if (have < target) {
		int64_t need = target - have;
		/* round up to complete the last hop */
		int64_t total = have + need;
		int64_t rem = total % s->hop;
		if (rem)
			need += s->hop - rem;
		while (need > 0) {
			size_t k = need > s->hop ? (size_t)s->hop : (size_t)need;
			push_frames(s, NULL, k, 0);
			need -= (int64_t)k;
		}
	}
	sh_stft_flush(s);
}

void sh_stft_flush(sh_stft *s)
{
	if (s->chan_fn)
		run_batch(s);
}

void sh_stft_free(sh_stft *s)
{
	if (!s)
		return;
	if (s->fwd)
		fftwf_destroy_plan(s->fwd);
	if (s->inv)
		fftwf_destroy_plan(s->inv);
	for (int c = 0; c < s->channels; c++) {
		free(s->in[c]);
		free(s->acc[c]);
		fftwf_free(s->spec[c]);
		if (s->ctime)
			fftwf_free(s->ctime[c]);
	}
	free(s->ctime);
	free(s->in);
	free(s->acc);
	free(s->spec);
	fftwf_free(s->time);
	free(s->win);
	free(s->synth);
	free(s->out);
	free(s);
}

int sh_stft_size(const sh_stft *s) { return s->size; }
int sh_stft_hop(const sh_stft *s) { return s->hop; }
int sh_stft_bins(const sh_stft *s) { return s->bins; }
int sh_stft_latency(const sh_stft *s) { return s->size - s->hop; }
const float *sh_stft_window(const sh_stft *s) { return s->win; }

int64_t sh_stft_frame_centre(const sh_stft *s, int64_t m)
{
	return m * s->hop - s->size / 2 + s->hop;
}

double sh_stft_incoherent_gain(const sh_stft *s)
{
	/* A scrambled frame spreads the windowed segment's energy (sum w^2 / size of
	 * the input power) evenly over the frame; overlap-add then sums the squares of
	 * the synthesis window (which carries the 1/size of the inverse FFT) over
	 * the frames covering each sample, averaged over a hop. */
	double wa = 0, ws = 0;
	for (int i = 0; i < s->size; i++) {
		wa += (double)s->win[i] * s->win[i];
		double y = (double)s->synth[i] * s->size;
		ws += y * y;
	}
	return wa / s->size * ws / s->hop;
}

int sh_stft_check_sizes(int64_t fft, int64_t hop)
{
	if (fft % 2) {
		sh_set_error("--fft: %lld is odd: the window length must be even", (long long)fft);
		return -1;
	}
	if (hop > fft / 2) {
		sh_set_error("--hop: %lld is more than half of --fft %lld", (long long)hop, (long long)fft);
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- magspec */

struct sh_magspec {
	size_t n;
	float *win, *time, *mag;
	fftwf_complex *spec;
	fftwf_plan plan;
};

sh_magspec *sh_magspec_new(size_t n)
{
	sh_magspec *m = sh_calloc(1, sizeof *m);
	m->n = n;
	m->win = sh_malloc(n * sizeof(float));
	m->mag = sh_malloc((n / 2 + 1) * sizeof(float));
	m->time = fftwf_alloc_real(n);
	m->spec = fftwf_alloc_complex(n / 2 + 1);
	if (!m->time || !m->spec) {
		sh_set_error("out of memory for the FFT buffers (size %zu)", n);
		sh_magspec_free(m);
		return NULL;
	}
	sh_fftw_init();
	m->plan = fftwf_plan_dft_r2c_1d((int)n, m->time, m->spec, FFTW_ESTIMATE);
	if (!m->plan) {
		sh_set_error("cannot plan an FFT of size %zu", n);
		sh_magspec_free(m);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		m->win[i] = (float)(0.5 - 0.5 * cos(2 * M_PI * (i + 0.5) / n));
	return m;
}

const float *sh_magspec_run(sh_magspec *m, const float *x)
{
	mul(m->time, x, m->win, (int)m->n);
	fftwf_execute(m->plan);
	for (size_t k = 0; k <= m->n / 2; k++)
		m->mag[k] = sh_cmag(m->spec[k]);
	return m->mag;
}

const float *sh_magspec_window(const sh_magspec *m) { return m->win; }

void sh_magspec_free(sh_magspec *m)
{
	if (!m)
		return;
	if (m->plan)
		fftwf_destroy_plan(m->plan);
	fftwf_free(m->time);
	fftwf_free(m->spec);
	free(m->win);
	free(m->mag);
	free(m);
}
