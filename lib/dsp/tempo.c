/* tempo.c -- tempo by a comb-filtered, multi-band autocorrelation of the onset
 * envelope with a log-Gaussian prior, beats by dynamic programming. */
#include "tempo.h"

#include <fftw3.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "onsets.h"
#include "stft.h"

#define NENV (1 + SH_ODF_GROUPS)
#define COMB 4          /* multiples of the period the tempogram sums */
#define FINE_COMB 16    /* multiples used to refine the tempo */
#define GRID_STEP 0.002 /* relative step of the tempo grid (0.2%) */
#define HALF_BEAT_RATIO 0.70 /* off-beats this strong relative to beats double the tempo */
#define SWUNG_HALF_BEAT_RATIO 0.45 /* or this strong, when the half-beats are swung beats */
#define SWING_HALVES 0.2     /* swung eighths of the half-beat (at 1/3 and 5/6 of the beat) */
#define SWING_OFFBEAT 0.15   /* a swung off-beat at 2/3 of each doubled beat */
#define FIFTH_FIT_UP 1.10    /* 3T/2 replaces T when its beats land on onsets this much stronger */
#define FIFTH_SCORE 0.5      /* and its salience x prior is at least this share of T's */
#define BACKBEAT_MIN 0.2      /* the double or half replaces T when its kick and snare take turns this clearly */
#define BACKBEAT_LEAD 0.08    /* and this much more clearly than at T */
#define BACKBEAT_SCORE 0.5    /* and its salience x prior is at least this share of T's */
#define LINE_MAX_MOVE 0.03    /* the beats' fitted line may move a short excerpt's tempo this much */
#define METRE_MIN_CORR 0.1   /* accent autocorrelation needed to name a metre */
#define COMPOUND_RATIO 1.2   /* thirds of the beat this much stronger than the half: compound */

struct sh_tempo {
	sh_odf *odf;
	sh_tempo_opts opts;
	int rate;
};

void sh_tempo_opts_default(sh_tempo_opts *o)
{
	o->min_bpm = 50;
	o->max_bpm = 220;
	o->prior_bpm = 130;
	o->prior_width = 1.0;
	o->beats = true;
}

sh_tempo *sh_tempo_new(int rate, const sh_tempo_opts *opts)
{
	sh_tempo *t = sh_calloc(1, sizeof *t);
	if (opts)
		t->opts = *opts;
	else
		sh_tempo_opts_default(&t->opts);
	t->rate = rate;
	if (!(t->odf = sh_odf_new(rate))) {
		free(t);
		return NULL;
	}
	return t;
}

void sh_tempo_feed(sh_tempo *t, const float *mono, size_t n) { sh_odf_feed(t->odf, mono, n); }

void sh_tempo_free(sh_tempo *t)
{
	if (!t)
		return;
	sh_odf_free(t->odf);
	free(t);
}

void sh_tempo_result_free(sh_tempo_result *res)
{
	free(res->beats);
	res->beats = NULL;
	res->nbeats = 0;
}

/* Envelope conditioning: light smoothing (a 3-tap kernel), minus the local mean
 * over about a second, then scaled to unit variance. Returns false when flat. */
static bool condition(const float *in, size_t n, double fps, double *out)
{
	for (size_t i = 0; i < n; i++) {
		double a = i > 0 ? in[i - 1] : in[i], c = i + 1 < n ? in[i + 1] : in[i];
		out[i] = 0.25 * a + 0.5 * in[i] + 0.25 * c;
	}
	long w = lround(0.5 * fps);
	double *pre = sh_malloc((n + 1) * sizeof(double));
	pre[0] = 0;
	for (size_t i = 0; i < n; i++)
		pre[i + 1] = pre[i] + out[i];
	double var = 0;
	for (long i = 0; i < (long)n; i++) {
		long a = i - w < 0 ? 0 : i - w, b = i + w >= (long)n ? (long)n - 1 : i + w;
		double m = (pre[b + 1] - pre[a]) / (double)(b - a + 1);
		out[i] -= m;
	}
	free(pre);
	for (size_t i = 0; i < n; i++)
		var += out[i] * out[i];
	var /= n;
	if (!(var > 1e-12))
		return false;
	double s = 1.0 / sqrt(var);
	for (size_t i = 0; i < n; i++)
		out[i] *= s;
	return true;
}

/* Autocorrelation by FFT over signals of up to n frames: buffers and plans are
 * made once for the envelopes of one analysis. */
typedef struct {
	size_t m;
	float *buf;
	fftwf_complex *spec;
	fftwf_plan fwd, inv;
} acorr;

static void acorr_free(acorr *a);

/* 0, or -1 with sh_error() when the FFT cannot be set up (a freed A). */
static int acorr_init(acorr *a, size_t n)
{
	a->m = 1;
	while (a->m < 2 * n)
		a->m *= 2;
	a->buf = fftwf_alloc_real(a->m);
	a->spec = fftwf_alloc_complex(a->m / 2 + 1);
	a->fwd = a->inv = NULL;
	if (a->buf && a->spec) {
		sh_fftw_init();
		a->fwd = fftwf_plan_dft_r2c_1d((int)a->m, a->buf, a->spec, FFTW_ESTIMATE);
		a->inv = fftwf_plan_dft_c2r_1d((int)a->m, a->spec, a->buf, FFTW_ESTIMATE);
	}
	if (!a->fwd || !a->inv) {
		sh_set_error("cannot set up an FFT of %zu for the tempo autocorrelation", a->m);
		acorr_free(a);
		return -1;
	}
	return 0;
}

static void acorr_free(acorr *a)
{
	if (a->fwd)
		fftwf_destroy_plan(a->fwd);
	if (a->inv)
		fftwf_destroy_plan(a->inv);
	fftwf_free(a->buf);
	fftwf_free(a->spec);
}

/* Unbiased autocorrelation of x (length n) for lags 0..maxlag, normalised so
 * that lag 0 is 1; added into acc. */
static void autocorr_add(acorr *a, const double *x, size_t n, size_t maxlag, double *acc)
{
	size_t m = a->m;
	float *buf = a->buf;
	fftwf_complex *spec = a->spec;
	memset(buf, 0, m * sizeof(float));
	for (size_t i = 0; i < n; i++)
		buf[i] = (float)x[i];
	fftwf_execute(a->fwd);
	for (size_t k = 0; k <= m / 2; k++) {
		float re = spec[k][0], im = spec[k][1];
		spec[k][0] = re * re + im * im;
		spec[k][1] = 0;
	}
	fftwf_execute(a->inv);
	double r0 = (double)buf[0] / n;
	if (r0 > 0)
		for (size_t l = 0; l <= maxlag && l < n; l++)
			acc[l] += ((double)buf[l] / (double)(n - l)) / r0;
}

static double interp(const double *a, size_t n, double x)
{
	if (x < 0 || x > n - 1)
		return 0;
	size_t i = (size_t)x;
	double f = x - i;
	if (i + 1 >= n)
		return a[n - 1];
	return a[i] * (1 - f) + a[i + 1] * f;
}

/* The comb: salience of period p (frames) summed over its first k multiples. */
static double comb(const double *r, size_t nl, double p, int k)
{
	double s = 0, wsum = 0;
	for (int j = 1; j <= k; j++) {
		if (j * p > nl - 1)
			break;
		double w = 1.0 / sqrt((double)j);
		s += w * interp(r, nl, j * p);
		wsum += w;
	}
	return wsum > 0 ? s / wsum : 0;
}

static double prior(const sh_tempo_opts *o, double bpm)
{
	if (o->prior_width <= 0)
		return 1;
	double z = log2(bpm / o->prior_bpm) / o->prior_width;
	return exp(-0.5 * z * z);
}

/* Ellis' dynamic programming beat tracker over the conditioned envelope. */
static size_t track_beats(const double *env, size_t n, double fps, double period, double **beats)
{
	*beats = NULL;
	if (n < 2 || period < 2)
		return 0;
	double *score = sh_malloc(n * sizeof(double));
	long *from = sh_malloc(n * sizeof(long));
	const double tight = 100.0;
	long lo = (long)floor(period * 0.5), hi = (long)ceil(period * 2.0);
	for (long i = 0; i < (long)n; i++) {
		double best = -1e300;
		long arg = -1;
		for (long j = i - hi; j <= i - lo; j++) {
			if (j < 0)
				continue;
			double d = log((double)(i - j) / period);
			double s = score[j] - tight * d * d;
			if (s > best) {
				best = s;
				arg = j;
			}
		}
		double local = env[i] > 0 ? env[i] : env[i] * 0.5;
		if (arg >= 0 && best > 0) {
			score[i] = local + best;
			from[i] = arg;
		} else {
			score[i] = local;
			from[i] = -1;
		}
	}
	/* End at the best-scoring frame within the last period. */
	long end = (long)n - 1, start = (long)n - 1 - (long)ceil(period);
	if (start < 0)
		start = 0;
	for (long i = start; i < (long)n; i++)
		if (score[i] > score[end])
			end = i;
	size_t cnt = 0;
	for (long i = end; i >= 0; i = from[i])
		cnt++;
	double *b = sh_malloc(cnt * sizeof(double));
	size_t k = cnt;
	for (long i = end; i >= 0; i = from[i])
		b[--k] = i / fps;
	free(score);
	free(from);
	*beats = b;
	return cnt;
}

/* Refine: long combs pin the period down to a fraction of a frame. */
static double refine(const double *r, size_t nl, double fps, double bpm, double minb, double maxb)
{
	double fb = bpm, fs = -1e300;
	for (double f = -0.03; f <= 0.03 + 1e-9; f += 0.0005) {
		double b = bpm * (1 + f);
		if (b < minb || b > maxb)
			continue;
		double s = comb(r, nl, 60.0 * fps / b, FINE_COMB) + comb(r, nl, 60.0 * fps / b, COMB);
		if (s > fs) {
			fs = s;
			fb = b;
		}
	}
	return fb;
}

static double peak_near(const float *env, size_t n, double centre, double half)
{
	long a = lround(centre - half), b = lround(centre + half);
	if (a < 0)
		a = 0;
	if (b >= (long)n)
		b = (long)n - 1;
	double m = 0;
	for (long i = a; i <= b; i++)
		if (env[i] > m)
			m = env[i];
	return m;
}

/* Mean onset strength at PHASE (0..1) of the intervals between consecutive
 * beats, searched over +-WIDTH of the interval (at least a frame). */
static double at_phase(const float *env, size_t n, double fps, const double *beats, size_t nb, double phase,
                       double width)
{
	double s = 0;
	for (size_t i = 0; i + 1 < nb; i++) {
		double a = beats[i] * fps, d = beats[i + 1] * fps - a;
		s += peak_near(env, n, a + phase * d, fmax(1, width * d));
	}
	return nb > 1 ? s / (double)(nb - 1) : 0;
}

/* Mean onset strength halfway between consecutive beats (searched over the
 * middle third, which covers swung off-beats) over that at the beats. */
static double half_beat_ratio(const float *env, size_t n, double fps, const double *beats, size_t nb)
{
	double on = at_phase(env, n, fps, beats, nb, 0, 0);
	return on > 0 ? at_phase(env, n, fps, beats, nb, 0.5, 1.0 / 6) / on : 0;
}

/* Swing in the high band (hats, ride), as onset strength over the beats'.
 * Each half of the beat swung: onsets at 1/3 and 5/6 rather than 1/4 and 3/4. */
static double swung_halves(const float *env, size_t n, double fps, const double *beats, size_t nb)
{
	double on = at_phase(env, n, fps, beats, nb, 0, 0), w = 1.0 / 24;
	double swung = at_phase(env, n, fps, beats, nb, 1.0 / 3, w) + at_phase(env, n, fps, beats, nb, 5.0 / 6, w);
	double even = at_phase(env, n, fps, beats, nb, 0.25, w) + at_phase(env, n, fps, beats, nb, 0.75, w);
	return on > 0 ? 0.5 * (swung - even) / on : 0;
}

/* The off-beat swung: onsets about 2/3 of the way to the next beat rather than halfway. */
static double swung_offbeat(const float *env, size_t n, double fps, const double *beats, size_t nb)
{
	double on = at_phase(env, n, fps, beats, nb, 0, 0);
	double swung = at_phase(env, n, fps, beats, nb, 0.665, 0.085), half = at_phase(env, n, fps, beats, nb, 0.5, 1.0 / 16);
	return on > 0 ? (swung - half) / on : 0;
}

/* Mean onset strength at the beats over the envelope's mean. */
static double beat_fit(const float *env, size_t n, double fps, const double *beats, size_t nb)
{
	double m = 0, s = 0;
	for (size_t i = 0; i < n; i++)
		m += env[i];
	m /= (double)n;
	if (!nb || !(m > 0))
		return 0;
	for (size_t i = 0; i < nb; i++)
		s += peak_near(env, n, beats[i] * fps, 1);
	return s / (double)nb / m;
}

/* The tempo of the straight line through the beats (least squares), each
 * beat moved to the onset peak within two frames of it, placed between frames
 * by a parabola; 0 with fewer than 4 beats. */
static double beat_line(const float *env, size_t n, double fps, const double *beats, size_t nb)
{
	if (nb < 4)
		return 0;
	double si = 0, st = 0, sii = 0, sit = 0;
	for (size_t i = 0; i < nb; i++) {
		long c = lround(beats[i] * fps), m = c;
		for (long j = c - 2; j <= c + 2; j++)
			if (j >= 0 && j < (long)n && env[j] > env[m])
				m = j;
		double t = (double)m;
		if (m > 0 && m + 1 < (long)n) {
			double a = env[m - 1], b = env[m], d = env[m + 1], den = a - 2 * b + d;
			if (den < 0)
				t += 0.5 * (a - d) / den;
		}
		si += (double)i;
		st += t;
		sii += (double)i * i;
		sit += (double)i * t;
	}
	double k = (double)nb, slope = (k * sit - si * st) / (k * sii - si * si);
	return slope > 0 ? 60.0 * fps / slope : 0;
}

/* Beats per bar from the accents: the autocorrelation of the beats' onset
 * strengths at lags of 2, 3 and 4 beats; compound when the thirds of the beat
 * carry more onset strength than its half. */
static void metre(const float *env, const double *full, size_t n, double fps, const double *beats, size_t nb,
                  sh_tempo_result *res)
{
	res->metre = 0;
	res->compound = false;
	if (nb < 12)
		return;
	/* The accents: the conditioned envelope's peak at each beat, less the
	 * mean over the neighbouring 8 beats (so loudness drifts do not count). */
	double *a = sh_malloc(nb * sizeof(double)), *d = sh_malloc(nb * sizeof(double));
	for (size_t i = 0; i < nb; i++) {
		long lo = lround(beats[i] * fps) - 1, hi = lo + 2;
		double m = -1e300;
		for (long j = lo < 0 ? 0 : lo; j <= hi && j < (long)n; j++)
			m = fmax(m, full[j]);
		a[i] = m;
	}
	for (size_t i = 0; i < nb; i++) {
		size_t lo = i >= 4 ? i - 4 : 0, hi = i + 4 < nb ? i + 4 : nb - 1;
		double m = 0;
		for (size_t j = lo; j <= hi; j++)
			m += a[j];
		d[i] = a[i] - m / (double)(hi - lo + 1);
	}
	double c[5] = {0};
	for (int lag = 0; lag <= 4; lag++) {
		for (size_t i = 0; i + lag < nb; i++)
			c[lag] += d[i] * d[i + lag];
		c[lag] /= (double)(nb - lag);
	}
	if (c[0] > 0) {
		for (int lag = 2; lag <= 4; lag++)
			c[lag] /= c[0];
		if (c[3] > METRE_MIN_CORR && c[3] > c[2] && c[3] > c[4])
			res->metre = 3;
		else if (c[2] > METRE_MIN_CORR || c[4] > METRE_MIN_CORR)
			res->metre = c[4] + 0.05 >= c[2] ? 4 : 2;
	}
	double third = 0, half = 0, on = 0;
	for (size_t i = 0; i + 1 < nb; i++) {
		double x = beats[i] * fps, y = beats[i + 1] * fps, w = (y - x) / 12;
		third += 0.5 * (peak_near(env, n, x + (y - x) / 3, w) + peak_near(env, n, x + 2 * (y - x) / 3, w));
		half += peak_near(env, n, 0.5 * (x + y), w);
		on += peak_near(env, n, x, 1);
	}
	res->compound = third > COMPOUND_RATIO * half && third > 0.25 * on;
	free(a);
	free(d);
}

/* The backbeat: a kick (below 200 Hz) on every other beat and a snare (200 Hz
 * to 4 kHz) on the beats between. Each band's onset strength at the even beats
 * less that at the odd beats, over its total; the backbeat is the snare band's
 * share less the kick band's, 0..1 (1: the kick only on one of the two, the
 * snare only on the other). High at the tempo whose beats the kick and snare
 * take turns on; low at its double (kick, -, snare, -) and its half (every beat
 * a kick, the snare between), and near 0 when both bands are loud on the same
 * beats (a click, a bar accent) or there is no kick. */
static double backbeat(const sh_odf *odf, size_t n, double fps, const double *beats, size_t nb)
{
	if (nb < 8)
		return 0;
	const float *low = sh_odf_values(odf, 0), *lm = sh_odf_values(odf, 1), *hm = sh_odf_values(odf, 2);
	double kt = 0, mt = 0, ka = 0, ma = 0;
	for (size_t i = 0; i < nb; i++) {
		double c = beats[i] * fps, k = peak_near(low, n, c, 1), m = peak_near(lm, n, c, 1) + peak_near(hm, n, c, 1);
		kt += k;
		mt += m;
		ka += i % 2 ? -k : k;
		ma += i % 2 ? -m : m;
	}
	return kt > 0 && mt > 0 ? fmin(1, 0.5 * fabs(ma / mt - ka / kt)) : 0;
}

static int cmp_reading(const void *a, const void *b)
{
	double x = ((const sh_tempo_reading *)a)->score, y = ((const sh_tempo_reading *)b)->score;
	return x < y ? 1 : x > y ? -1 : 0;
}

/* Weigh the metrical readings of tempo t; returns the chosen tempo, fills
 * res->readings (chosen first) and the confidence. */
static double readings(const sh_tempo_opts *o, const sh_odf *odf, const double *r, size_t nl, const double *full,
                       const float *env, size_t n, double fps, double t, sh_tempo_result *res)
{
	static const double factors[SH_TEMPO_READINGS] = {1, 2, 0.5, 2.0 / 3, 1.5};
	sh_tempo_reading rd[SH_TEMPO_READINGS];
	size_t k = 0;
	double total = 0;
	for (int i = 0; i < SH_TEMPO_READINGS; i++) {
		double b = t * factors[i];
		if (b < o->min_bpm * 0.999 || b > o->max_bpm * 1.001)
			continue;
		if (i > 0)
			b = refine(r, nl, fps, b, o->min_bpm, o->max_bpm);
		double *bt;
		size_t nb = track_beats(full, n, fps, 60.0 * fps / b, &bt);
		sh_tempo_reading *x = &rd[k++];
		x->bpm = b;
		x->factor = factors[i];
		x->salience = fmax(0, fmin(1, comb(r, nl, 60.0 * fps / b, COMB)));
		x->fit = beat_fit(env, n, fps, bt, nb);
		x->prior = prior(o, b);
		x->score = x->salience * x->prior;
		x->backbeat = backbeat(odf, n, fps, bt, nb);
		total += x->score;
		free(bt);
	}
	/* The 3T/2 reading, when its beats land on clearly stronger onsets and its
	 * salience comes close, is the pulse T missed (T then read every other
	 * beat and the off-beat between). Not the other way: slower beats pick
	 * the stronger onsets anyway, so a better fit at 2T/3 proves nothing. */
	size_t pick = 0;
	for (size_t i = 1; i < k; i++)
		if (rd[i].factor == 1.5 && rd[i].fit > rd[0].fit * FIFTH_FIT_UP && rd[i].score > FIFTH_SCORE * rd[0].score)
			pick = i;
	/* The octave where the kick and the snare take turns on the beats (the
	 * backbeat of most drummed music) is the beat: a slow groove with busy
	 * hats is not read at double, nor drum and bass at half. Only octaves:
	 * in triple metre the kick and snare take turns at other ratios. */
	size_t first = pick;
	for (size_t i = 0; i < k; i++) {
		double f = rd[i].factor / rd[first].factor;
		if ((fabs(f - 2) < 1e-9 || fabs(f - 0.5) < 1e-9) && rd[i].backbeat >= BACKBEAT_MIN &&
		    rd[i].backbeat >= rd[first].backbeat + BACKBEAT_LEAD && rd[i].score >= BACKBEAT_SCORE * rd[first].score &&
		    (pick == first || rd[i].backbeat > rd[pick].backbeat))
			pick = i;
	}
	for (size_t i = 0; i < k; i++)
		rd[i].score = total > 0 ? rd[i].score / total : 0;
	sh_tempo_reading chosen = rd[pick];
	rd[pick] = rd[0];
	rd[0] = chosen;
	qsort(rd + 1, k - 1, sizeof rd[0], cmp_reading);
	memcpy(res->readings, rd, k * sizeof rd[0]);
	res->nreadings = k;
	double other = k > 1 ? rd[1].score : 0;
	double margin = chosen.score > 0 ? 2 * (1 - other / chosen.score) : 0;
	margin = margin < 0 ? 0 : margin > 1 ? 1 : margin;
	res->confidence = chosen.salience * margin;
	return chosen.bpm;
}

static int analyse(const sh_tempo_opts *o, sh_odf *odf, double energy, sh_tempo_result *res)
{
	memset(res, 0, sizeof *res);
	size_t n = sh_odf_frames(odf);
	double fps = sh_odf_rate(odf);
	res->duration = n / fps;
	if (n < (size_t)(2 * fps) || !(energy > 1e-6))
		return 0;
	/* A steady sound (DC, a drone) has an envelope but no rhythm: ask for at
	 * least four onsets before looking for a tempo. */
	sh_onset *on;
	size_t non = sh_onsets_pick(sh_odf_values(odf, -1), n, fps, NULL, &on);
	free(on);
	if (non < 4)
		return 0;
	double minb = o->min_bpm, maxb = o->max_bpm;
	size_t nl = (size_t)ceil(60.0 * fps / minb * FINE_COMB) + 2;
	if (nl > n - 1)
		nl = n - 1;
	double *r = sh_calloc(nl + 1, sizeof(double));
	double *x = sh_malloc(n * sizeof(double));
	double *full = sh_malloc(n * sizeof(double));
	/* Two views of the rhythm: the full-band envelope, and the sum of the
	 * sub-band envelopes each scaled to unit variance, so that a soft hi-hat
	 * pattern counts as much as a loud bass drum, and a kick and snare that
	 * alternate still make one pulse. */
	int used = 0;
	double *bal = sh_calloc(n, sizeof(double));
	acorr ac;
	if (acorr_init(&ac, n) != 0) {
		free(bal);
		free(x);
		free(r);
		free(full);
		return -1;
	}
	for (int g = -1; g < SH_ODF_GROUPS; g++) {
		if (!condition(sh_odf_values(odf, g), n, fps, x))
			continue;
		if (g == -1) {
			memcpy(full, x, n * sizeof(double));
			autocorr_add(&ac, x, n, nl, r);
			used++;
		} else {
			for (size_t i = 0; i < n; i++)
				bal[i] += x[i];
		}
	}
	double v = 0;
	for (size_t i = 0; i < n; i++)
		v += bal[i] * bal[i];
	if (v > 0) {
		autocorr_add(&ac, bal, n, nl, r);
		used++;
	}
	acorr_free(&ac);
	free(bal);
	free(x);
	if (!used) {
		free(r);
		free(full);
		return 0;
	}
	for (size_t l = 0; l <= nl; l++)
		r[l] /= used;
	nl++;
	/* Coarse search on a log grid. */
	double best = -1, bestb = 0, bests = 0;
	size_t ng = (size_t)ceil(log(maxb / minb) / log1p(GRID_STEP)) + 1;
	double *sc = sh_malloc(ng * sizeof(double));
	double *bp = sh_malloc(ng * sizeof(double));
	for (size_t i = 0; i < ng; i++) {
		double b = minb * pow(1 + GRID_STEP, (double)i);
		if (b > maxb)
			b = maxb;
		double s = comb(r, nl, 60.0 * fps / b, COMB);
		bp[i] = b;
		sc[i] = (s > 0 ? s : 0) * prior(o, b);
		if (sc[i] > best) {
			best = sc[i];
			bestb = b;
			bests = s;
		}
	}
	if (!(best > 0)) {
		free(sc);
		free(bp);
		free(r);
		free(full);
		return 0;
	}
	/* The runner-up: the best local maximum more than 8% away. */
	double alt = 0, altb = 0;
	for (size_t i = 1; i + 1 < ng; i++) {
		if (sc[i] < sc[i - 1] || sc[i] < sc[i + 1])
			continue;
		if (fabs(log(bp[i] / bestb)) < log(1.08))
			continue;
		if (sc[i] > alt) {
			alt = sc[i];
			altb = bp[i];
		}
	}
	free(sc);
	free(bp);
	double fb = refine(r, nl, fps, bestb, minb, maxb);
	/* Octave check: when the points halfway between the beats carry nearly
	 * as much onset strength as the beats themselves, they are beats too;
	 * so they are, with somewhat less strength, when each half of the beat
	 * is swung and the doubled beat has a swung off-beat (a fast shuffle
	 * rather than swung sixteenths). */
	if (fb * 2 <= maxb) {
		const float *high = sh_odf_values(odf, SH_ODF_GROUPS - 1);
		double *bt, *bt2;
		size_t nb = track_beats(full, n, fps, 60.0 * fps / fb, &bt);
		size_t nb2 = track_beats(full, n, fps, 30.0 * fps / fb, &bt2);
		double ratio = half_beat_ratio(sh_odf_values(odf, -1), n, fps, bt, nb);
		bool swung = swung_halves(high, n, fps, bt, nb) > SWING_HALVES &&
		             swung_offbeat(high, n, fps, bt2, nb2) > SWING_OFFBEAT;
		free(bt);
		free(bt2);
		if (ratio > HALF_BEAT_RATIO || (swung && ratio > SWUNG_HALF_BEAT_RATIO)) {
			altb = fb;
			alt = best;
			fb = refine(r, nl, fps, 2 * fb, minb, maxb);
		}
	}
	(void)bests;
	res->bpm = readings(o, odf, r, nl, full, sh_odf_values(odf, -1), n, fps, fb, res);
	if (res->nreadings > 1) {
		res->alt_bpm = res->readings[1].bpm;
		res->alt_confidence = res->readings[0].score > 0
		                          ? res->confidence * res->readings[1].score / res->readings[0].score
		                          : 0;
	} else if (altb > 0) {
		res->alt_bpm = altb;
		res->alt_confidence = res->confidence * alt / best;
	}
	double *bt;
	size_t nb = track_beats(full, n, fps, 60.0 * fps / res->bpm, &bt);
	if (n < FINE_COMB * 60.0 * fps / res->bpm) {
		/* Too short for the long comb: the beats' own onsets pin the period. */
		double *bt2;
		size_t nb2 = track_beats(full, n, fps, 30.0 * fps / res->bpm, &bt2);
		double b = 0.5 * beat_line(sh_odf_values(odf, -1), n, fps, bt2, nb2);
		free(bt2);
		if (b > 0 && fabs(b / res->bpm - 1) < LINE_MAX_MOVE && b >= minb && b <= maxb)
			res->bpm = res->readings[0].bpm = b;
	}
	metre(sh_odf_values(odf, -1), full, n, fps, bt, nb, res);
	if (o->beats) {
		res->beats = bt;
		res->nbeats = nb;
	} else
		free(bt);
	free(r);
	free(full);
	return 0;
}

static int check_opts(const sh_tempo_opts *o);

int sh_tempo_finish(sh_tempo *t, sh_tempo_result *res)
{
	sh_odf_flush(t->odf);
	if (check_opts(&t->opts) < 0) {
		memset(res, 0, sizeof *res);
		return -1;
	}
	return analyse(&t->opts, t->odf, sh_odf_energy(t->odf), res);
}

static int check_opts(const sh_tempo_opts *o)
{
	if (!(o->min_bpm >= 10 && o->max_bpm <= 1000 && o->min_bpm < o->max_bpm)) {
		sh_set_error("tempo range %g..%g BPM: must lie within 10..1000 with min < max",
		             o->min_bpm, o->max_bpm);
		return -1;
	}
	return 0;
}

int sh_tempo_estimate(const float *mono, size_t n, int rate, const sh_tempo_opts *opts,
                      sh_tempo_result *res)
{
	sh_tempo_opts def;
	if (!opts) {
		sh_tempo_opts_default(&def);
		opts = &def;
	}
	memset(res, 0, sizeof *res);
	if (rate < 1000 || rate > 768000) {
		sh_set_error("sample rate %d Hz: must lie within 1000..768000", rate);
		return -1;
	}
	if (check_opts(opts) < 0)
		return -1;
	sh_tempo *t = sh_tempo_new(rate, opts);
	if (!t)
		return -1;
	sh_tempo_feed(t, mono, n);
	int r = sh_tempo_finish(t, res);
	sh_tempo_free(t);
	return r;
}
