/* seam.c -- the seam search of a loop, direct or through an FFT, and its
 * crossfade; see seam.h. */
#include "seam.h"

#include <fftw3.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "stft.h"

#define SILENT 1e-12            /* a denominator at most this: ncc 0 (seam.h) */
#define MAX_SPAN ((int64_t)1 << 27) /* samples compared and searched over at most */

sh_seam_sizes sh_seam_sizes_at(double crossfade, double search, int rate)
{
	sh_seam_sizes z;
	z.fade = (int64_t)lround(crossfade * rate);
	z.cmp = (int64_t)lround(SH_SEAM_MIN_COMPARE * rate);
	if (z.cmp < z.fade)
		z.cmp = z.fade;
	z.search = (int64_t)lround(search * rate);
	return z;
}

double sh_seam_overhang(double crossfade, double search)
{
	return search + (crossfade > SH_SEAM_MIN_COMPARE ? crossfade : SH_SEAM_MIN_COMPARE);
}

void sh_seam_range(int64_t len, int64_t search, int64_t *lo, int64_t *hi)
{
	*lo = -search > 1 - len ? -search : 1 - len;
	*hi = search;
}

struct sh_seam {
	int64_t cmp, search;
	sh_seam_method method;
	int n;                 /* FFT length, 0 without FFT */
	float *time;           /* n samples */
	fftwf_complex *hx, *ty;/* the head's and the tail's spectra, n/2 + 1 bins */
	fftwf_plan fwd, inv;
	double *pre;           /* running sums of the tail's squares, 2 search + cmp + 1 */
	double *upper;         /* per offset: bound on its ncc, or NAN when it is exactly 0 */
};

/* The FFT length for N samples: the smallest power of two, unless a product of
 * 2, 3 and 5 is under three quarters of it (FFTW plans and runs powers of two
 * fastest: planning is most of the search's cost at these sizes). */
static int64_t fft_length(int64_t n)
{
	int64_t pow2 = 1, best;
	while (pow2 < n)
		pow2 *= 2;
	best = pow2;
	for (int64_t p5 = 1; p5 < 2 * n; p5 *= 5)
		for (int64_t p35 = p5; p35 < 2 * n; p35 *= 3) {
			int64_t m = p35;
			while (m < n)
				m *= 2;
			if (m < best)
				best = m;
		}
	return 4 * best < 3 * pow2 ? best : pow2;
}

sh_seam *sh_seam_new(int64_t cmp, int64_t search, sh_seam_method method)
{
	if (cmp < 1 || search < 0 || cmp > MAX_SPAN || search > MAX_SPAN || cmp + 2 * search > MAX_SPAN) {
		sh_set_error("a seam comparing %lld samples with an end moving by %lld: sizes outside 1..%lld",
		             (long long)cmp, (long long)search, (long long)MAX_SPAN);
		return NULL;
	}
	sh_seam *s = sh_calloc(1, sizeof *s);
	s->cmp = cmp;
	s->search = search;
	s->method = method;
	if (method != SH_SEAM_FFT || search == 0)
		return s; /* one offset, or every one summed: no transform */
	int64_t ny = cmp + 2 * search;
	s->n = (int)fft_length(ny);
	s->time = fftwf_alloc_real((size_t)s->n);
	s->hx = fftwf_alloc_complex((size_t)s->n / 2 + 1);
	s->ty = fftwf_alloc_complex((size_t)s->n / 2 + 1);
	s->pre = malloc(((size_t)ny + 1) * sizeof *s->pre);
	s->upper = malloc(((size_t)2 * search + 1) * sizeof *s->upper);
	if (!s->time || !s->hx || !s->ty || !s->pre || !s->upper) {
		sh_set_error("out of memory for a seam search over %lld samples", (long long)ny);
		sh_seam_free(s);
		return NULL;
	}
	sh_fftw_init();
	/* made once on these buffers; every transform runs through the new-array
	 * execute functions on buffers of the same alignment (fftwf_alloc) */
	s->fwd = fftwf_plan_dft_r2c_1d(s->n, s->time, s->hx, FFTW_ESTIMATE);
	s->inv = fftwf_plan_dft_c2r_1d(s->n, s->hx, s->time, FFTW_ESTIMATE | FFTW_DESTROY_INPUT);
	if (!s->fwd || !s->inv) {
		sh_set_error("cannot plan an FFT of %d samples for the seam search", s->n);
		sh_seam_free(s);
		return NULL;
	}
	return s;
}

void sh_seam_free(sh_seam *s)
{
	if (!s)
		return;
	if (s->fwd)
		fftwf_destroy_plan(s->fwd);
	if (s->inv)
		fftwf_destroy_plan(s->inv);
	fftwf_free(s->time);
	fftwf_free(s->hx);
	fftwf_free(s->ty);
	free(s->pre);
	free(s->upper);
	free(s);
}

double sh_seam_energy(const float *x, int64_t n)
{
	double e = 0;
	for (int64_t j = 0; j < n; j++)
		e += (double)x[j] * x[j];
	return e;
}

double sh_seam_ncc(const float *head, const float *y, int64_t cmp, double e0)
{
	double dot = 0, eb = 0;
	for (int64_t j = 0; j < cmp; j++) {
		dot += (double)head[j] * y[j];
		eb += (double)y[j] * y[j];
	}
	double den = sqrt(e0 * eb);
	return den > SILENT ? dot / den : 0;
}

/* The K-th offset of the search order 0, +1, -1, +2, -2, ... */
static int64_t nth_offset(int64_t k) { return (k & 1) ? (k + 1) / 2 : -(k / 2); }

/* The FFT screen: bounds on every offset's ncc from the single-precision
 * correlation. Fills s->upper with the upper bounds (NAN where the ncc is
 * exactly 0) and returns the greatest lower bound over all offsets. */
static double screen(sh_seam *s, const float *head, const float *tail, int64_t cnt, double e0)
{
	const int64_t cmp = s->cmp, ny = cnt - 1 + cmp;
	const int n = s->n, bins = n / 2 + 1;
	float *t = s->time;
	memcpy(t, head, (size_t)cmp * sizeof *t);
	memset(t + cmp, 0, (size_t)(n - cmp) * sizeof *t);
	fftwf_execute_dft_r2c(s->fwd, t, s->hx);
	memcpy(t, tail, (size_t)ny * sizeof *t);
	memset(t + ny, 0, (size_t)(n - ny) * sizeof *t);
	fftwf_execute_dft_r2c(s->fwd, t, s->ty);
	/* conj(X) Y: the spectrum of sum_j x[j] y[j + t], circular over n >= ny, so
	 * without wrap for t < cnt; and the norms the error bound needs, over all
	 * n bins (each bin between the ends stands for two) */
	double x_inf = 0, y_inf = 0, x1 = 0, y1 = 0, z1 = 0, z2 = 0;
	for (int k = 0; k < bins; k++) {
		double xr = s->hx[k][0], xi = s->hx[k][1], yr = s->ty[k][0], yi = s->ty[k][1];
		double zr = xr * yr + xi * yi, zi = xr * yi - xi * yr;
		double xm = sqrt(xr * xr + xi * xi), ym = sqrt(yr * yr + yi * yi), w = k == 0 || 2 * k == n ? 1 : 2;
		x_inf = xm > x_inf ? xm : x_inf;
		y_inf = ym > y_inf ? ym : y_inf;
		x1 += w * xm;
		y1 += w * ym;
		z1 += w * xm * ym;
		z2 += w * (zr * zr + zi * zi);
		s->hx[k][0] = (float)zr;
		s->hx[k][1] = (float)zi;
	}
	fftwf_execute_dft_c2r(s->inv, s->hx, t);
	double *pre = s->pre, xa = 0, ya = 0;
	pre[0] = 0;
	for (int64_t j = 0; j < ny; j++) {
		pre[j + 1] = pre[j] + (double)tail[j] * tail[j];
		ya += fabs(tail[j]);
	}
	for (int64_t j = 0; j < cmp; j++)
		xa += fabs(head[j]);

	/* How far the single-precision correlation may be from the exact one, at
	 * any offset. A transform of length n errs by at most about
	 * a = 4 FLT_EPSILON (log2 n + 1) relative to its input (the classic bound
	 * for the Cooley-Tukey FFT is some 3.4 FLT_EPSILON log2 n), either as a
	 * whole (2-norm) or bin by bin (against the sum of the input's magnitudes),
	 * which gives two bounds on every value of the correlation; the smaller
	 * holds. With |.| the 2-norm and |.|1 the sum of magnitudes:
	 *   a (|x| |Y|inf + |y| |X|inf) + (a + 2 FLT_EPSILON) |Z| / sqrt(n)
	 *   (a |x|1 |Y|1 + a |y|1 |X|1 + (a + 2 FLT_EPSILON) |Z|1) / n + a^2 |x|1 |y|1
		 * The first is the tighter on noise (spread spectra), the second on tones.
	 * The largest errors measured (tones from 31 Hz to 20 kHz, noise, a
	 * constant, the Nyquist frequency, a square wave, impulses, a chirp;
	 * lengths 4320 to 150000) are 200 times below it or more. */
	const double eps = FLT_EPSILON, a = 4 * eps * (log2((double)n) + 1);
	const double e_norm = a * (sqrt(e0) * y_inf + sqrt(pre[ny]) * x_inf) + (a + 2 * eps) * sqrt(z2 / n);
	const double e_bins = (a * xa * y1 + a * ya * x1 + (a + 2 * eps) * z1) / n + a * a * xa * ya;
	const double err = e_norm < e_bins ? e_norm : e_bins;
	/* the denominators: running sums against the direct sums, both rounded in
	 * double precision (squares of floats are exact) */
	const double slack = (double)(2 * ny + 2 * cmp + 16) * DBL_EPSILON;
	const double eta = slack * pre[ny];
	const double e0hi = e0 * (1 + slack), e0lo = e0 * (1 - slack);
	double lower = -INFINITY;
	for (int64_t i = 0; i < cnt; i++) {
		double eb = pre[i + cmp] - pre[i];
		double dhi = sqrt(e0hi * (eb + eta)) * (1 + slack);
		double dlo = eb - eta > 0 ? sqrt(e0lo * (eb - eta)) * (1 - slack) : 0;
		if (dhi <= SILENT) {
			s->upper[i] = NAN; /* exactly 0, as the direct sum gives */
			if (lower < 0)
				lower = 0;
			continue;
		}
		double c = t[i] / (double)n, dl = dlo > SILENT ? dlo : SILENT;
		double lo = c - err >= 0 ? (c - err) / dhi : (c - err) / dl;
		double hi = c + err >= 0 ? (c + err) / dl : (c + err) / dhi;
		if (dlo <= SILENT) { /* the direct sum may find it silent: 0 */
			lo = lo < 0 ? lo : 0;
			hi = hi > 0 ? hi : 0;
		}
		if (lo > lower)
			lower = lo;
		s->upper[i] = hi;
	}
	return lower;
}

int sh_seam_find(sh_seam *s, const float *head, const float *tail, int64_t lo, int64_t hi, sh_seam_result *r)
{
	if (lo > 0 || hi < 0 || hi - lo > 2 * s->search) {
		sh_set_error("seam offsets %lld..%lld: outside what the search was made for (+-%lld)", (long long)lo,
		             (long long)hi, (long long)s->search);
		return -1;
	}
	const int64_t cmp = s->cmp, cnt = hi - lo + 1;
	const int64_t reach = 2 * (-lo > hi ? -lo : hi);
	double e0 = sh_seam_energy(head, cmp);
	bool fft = s->n > 0 && cnt > 1;
	/* a silent start: every denominator is 0, every ncc 0, and the first
	 * offset, 0, wins */
	const bool silent = fft && e0 == 0;
	double best = silent ? 0 : -2;
	double lower = fft && !silent ? screen(s, head, tail, cnt, e0) : 0;
	/* an offset whose bound is below the greatest lower bound by more than the
	 * rounding of two direct sums is certainly not the greatest */
	const double margin = (double)(4 * cmp + 64) * DBL_EPSILON;
	int64_t best_d = 0, summed = 0;
	for (int64_t k = 0; k <= reach && !silent; k++) {
		int64_t d = nth_offset(k);
		if (d < lo || d > hi)
			continue;
		double v;
		if (fft && isnan(s->upper[d - lo])) {
			v = 0;
		} else if (fft && s->upper[d - lo] < lower - margin) {
			continue;
		} else {
			v = sh_seam_ncc(head, tail + (d - lo), cmp, e0);
			summed++;
		}
		if (v > best) {
			best = v;
			best_d = d;
		}
	}
	r->offset = best_d;
	r->ncc = best;
	r->error = 1 - best > 0 ? 1 - best : 0;
	r->summed = summed;
	return 0;
}

void sh_seam_crossfade(float *loop, const float *past, int64_t from, int64_t count, int64_t fade, int channels)
{
	for (int64_t j = 0; j < count; j++) {
		int64_t i = from + j;
		double ph = M_PI / 2 * (i + 0.5) / fade;
		float gin = (float)sin(ph), gout = (float)cos(ph);
		for (int c = 0; c < channels; c++)
			loop[j * channels + c] = loop[j * channels + c] * gin + past[j * channels + c] * gout;
	}
}
