/* measure.c -- the texture measures and grades; see measure.h. */
#include "measure.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audio.h"
#include "cli.h"
#include "seam.h"
#include "stft.h"

/* ---- centroid and brightness ---- */

int sh_tex_fft_size(int rate)
{
	int n = 256;
	while (n < rate * 0.04)
		n *= 2;
	return n;
}

struct sh_centroid {
	sh_stft *st;
	double *mag;
	int bins, size, rate;
	sh_centroid_hook hook;
	void *user;
};

static void centroid_frame(void *user, float complex *const *spec, int channels, int bins, int64_t frame)
{
	sh_centroid *c = user;
	for (int k = 0; k < bins; k++)
		c->mag[k] += sh_cmag(spec[0][k]);
	if (c->hook)
		c->hook(c->user, spec[0], bins);
}

sh_centroid *sh_centroid_new_hooked(int rate, sh_centroid_hook hook, void *user)
{
	sh_centroid *c = sh_calloc(1, sizeof *c);
	c->rate = rate;
	c->size = sh_tex_fft_size(rate);
	c->bins = c->size / 2 + 1;
	c->hook = hook;
	c->user = user;
	c->mag = sh_calloc((size_t)c->bins, sizeof *c->mag);
	if (!(c->st = sh_stft_new(c->size, c->size / 4, 1, centroid_frame, NULL, c))) {
		free(c->mag);
		free(c);
		return NULL;
	}
	return c;
}

sh_centroid *sh_centroid_new(int rate) { return sh_centroid_new_hooked(rate, NULL, NULL); }

void sh_centroid_feed(sh_centroid *c, const float *mono, size_t n) { sh_stft_push(c->st, mono, n); }

double sh_centroid_finish(sh_centroid *c)
{
	sh_stft_finish(c->st);
	sh_stft_free(c->st);
	double num = 0, den = 0;
	for (int k = 1; k < c->bins; k++) {
		num += c->mag[k] * k;
		den += c->mag[k];
	}
	double hz = den > 1e-9 ? num / den * c->rate / c->size : 0;
	free(c->mag);
	free(c);
	return hz;
}

const char *sh_brightness_tag(double hz, double dark_below, double bright_above)
{
	return hz < dark_below ? "dark" : hz > bright_above ? "bright" : "mid";
}

/* ---- levels ---- */

void sh_tex_levels(const float *x, size_t count, double *rms_db, double *peak_db, double *crest_db)
{
	double sum = 0, peak = 0;
	for (size_t i = 0; i < count; i++) {
		double v = fabs(x[i]);
		sum += v * v;
		if (v > peak)
			peak = v;
	}
	double r = 10 * log10(sum / (double)(count ? count : 1) + 1e-20);
	double p = 20 * log10(peak + 1e-10);
	*crest_db = p - r;
	*rms_db = r < -200 ? -200 : r;
	*peak_db = p < -200 ? -200 : p;
}

double sh_tex_clip_fraction(const float *x, size_t count)
{
	int64_t clipped = 0;
	for (size_t i = 0; i < count; i++)
		clipped += fabsf(x[i]) >= SH_TEX_CLIP_LEVEL;
	return count ? (double)clipped / (double)count : 0;
}

/* ---- pitch ---- */

/* Direct autocorrelation: a few hundred lags of a 50 ms window, cheap enough
 * that an FFT would buy nothing. */
double sh_tex_rough_pitch(const float *x, int64_t n, int rate)
{
	int lo = rate / 1000, hi = rate / 50;
	int64_t w = (int64_t)lround(0.05 * rate);
	if (n < w + hi + 1)
		return 0;
	const float *s = x + (n - w - hi) / 2;
	int nl = hi - lo + 1;
	double *r = sh_malloc((size_t)nl * sizeof *r);
	double e0 = 0;
	for (int64_t j = 0; j < w; j++)
		e0 += (double)s[j] * s[j];
	double el = 0;
	for (int64_t j = 0; j < w; j++)
		el += (double)s[j + lo] * s[j + lo];
	double best = -1;
	for (int t = lo; t <= hi; t++) {
		if (t > lo)
			el += (double)s[t + w - 1] * s[t + w - 1] - (double)s[t - 1] * s[t - 1];
		double dot = 0;
		for (int64_t j = 0; j < w; j++)
			dot += (double)s[j] * s[j + t];
		double den = sqrt(e0 * (el > 0 ? el : 0));
		r[t - lo] = den > 1e-12 ? dot / den : 0;
		if (r[t - lo] > best)
			best = r[t - lo];
	}
	double hz = 0;
	if (best >= 0.8)
		for (int i = 1; i + 1 < nl; i++)
			if (r[i] >= 0.95 * best && r[i] >= r[i - 1] && r[i] >= r[i + 1]) {
				double a = r[i - 1], b = r[i], c = r[i + 1], den = a - 2 * b + c;
				double off = fabs(den) > 1e-12 ? 0.5 * (a - c) / den : 0;
				hz = rate / (lo + i + off);
				break;
			}
	free(r);
	return hz;
}

/* ---- the seam of a finished loop ---- */

double sh_tex_loop_seam(const float *x, int64_t n, int rate)
{
	sh_seam_sizes sz = sh_seam_sizes_at(0, 0, rate);
	int64_t cmp = sz.cmp, half = cmp / 2;
	int64_t search = (int64_t)lround(SH_TEX_SEAM_SEARCH * rate);
	if (cmp < 2 || n < cmp + half + search)
		return NAN;
	/* the stretch across the wrap */
	float *head = sh_malloc((size_t)cmp * sizeof *head);
	memcpy(head, x + n - half, (size_t)half * sizeof *head);
	memcpy(head + half, x, (size_t)(cmp - half) * sizeof *head);
	double e0 = sh_seam_energy(head, cmp), best = -2;
	/* stretches ending L samples before the wrap stretch's end ... its start
	 * is at n - half - L, and it ends before n (L > half) */
	for (int64_t l = half + 1; l <= half + search; l++) {
		double r = sh_seam_ncc(head, x + n - half - l, cmp, e0);
		if (r > best)
			best = r;
	}
	free(head);
	double e = 1 - best;
	return e > 0 ? e : 0;
}

/* ---- grades ---- */

char sh_tex_grade(const sh_tex_thresholds *t, double rms_db, double crest_db, double clip_fraction, double seam_error,
                  double pitch_hz, const char **why)
{
	const char *w;
	char g;
	/* the phase of the seam matters for pitched sound only: unpitched sound
	 * (noise, ensembles, air) crossfades evenly at equal power whatever it is */
	double seam = pitch_hz > 0 && !isnan(seam_error) ? seam_error : 0;
	if (rms_db < t->silence_db)
		g = 'F', w = "silence";
	else if (clip_fraction > t->clip_fraction)
		g = 'F', w = "clipping";
	else if (crest_db > t->f_crest_db)
		g = 'F', w = "extreme crest";
	else if (rms_db >= t->a_rms_db && crest_db <= t->a_crest_db && seam <= t->a_seam)
		g = 'A', w = "loud, even, seamless";
	else if (rms_db >= t->b_rms_db && crest_db <= t->b_crest_db && seam <= t->b_seam)
		g = 'B', w = "good";
	else if (rms_db >= t->c_rms_db && crest_db <= t->c_crest_db && seam <= t->c_seam)
		g = 'C', w = "usable";
	else
		g = 'D', w = "quiet, peaky or a rough seam";
	if (why)
		*why = w;
	return g;
}

int sh_tex_grade_rank(char g)
{
	switch (g) {
	case 'A': return 0;
	case 'B': return 1;
	case 'C': return 2;
	case 'D': return 3;
	case 'F': return 5;
	default: return -1;
	}
}

int sh_tex_thresholds_check(const sh_tex_thresholds *t)
{
	const double v[] = {t->silence_db, t->clip_fraction, t->f_crest_db, t->a_rms_db, t->a_crest_db, t->a_seam,
	                    t->b_rms_db, t->b_crest_db, t->b_seam, t->c_rms_db, t->c_crest_db, t->c_seam};
	for (size_t i = 0; i < sizeof v / sizeof *v; i++)
		if (!isfinite(v[i])) {
			sh_set_error("a threshold is not a number");
			return -1;
		}
	if (t->a_rms_db < t->b_rms_db || t->b_rms_db < t->c_rms_db) {
		sh_set_error("RMS thresholds must not rise from A to C (A %g, B %g, C %g dBFS)", t->a_rms_db, t->b_rms_db,
		             t->c_rms_db);
		return -1;
	}
	if (t->a_crest_db > t->b_crest_db || t->b_crest_db > t->c_crest_db) {
		sh_set_error("crest thresholds must not fall from A to C (A %g, B %g, C %g dB)", t->a_crest_db,
		             t->b_crest_db, t->c_crest_db);
		return -1;
	}
	if (t->a_seam > t->b_seam || t->b_seam > t->c_seam) {
		sh_set_error("seam thresholds must not fall from A to C (A %g, B %g, C %g)", t->a_seam, t->b_seam,
		             t->c_seam);
		return -1;
	}
	return 0;
}

/* ---- everything ---- */

int sh_tex_measure(const float *x, int64_t frames, int channels, int rate, const sh_tex_measure_opts *o,
                   sh_tex_measures *m)
{
	memset(m, 0, sizeof *m);
	m->frames = frames;
	m->channels = channels;
	m->rate = rate;
	m->duration = (double)frames / rate;
	size_t count = (size_t)frames * (size_t)channels;
	sh_tex_levels(x, count, &m->rms_db, &m->peak_db, &m->crest_db);
	m->clip_fraction = sh_tex_clip_fraction(x, count);
	float *mono = sh_malloc((size_t)(frames ? frames : 1) * sizeof *mono);
	sh_audio_downmix(x, (size_t)frames, channels, mono);
	sh_centroid *c = sh_centroid_new_hooked(rate, o->hook, o->hook_user);
	if (!c) {
		free(mono);
		return -1;
	}
	sh_centroid_feed(c, mono, (size_t)frames);
	m->centroid_hz = sh_centroid_finish(c);
	m->pitch_hz = sh_tex_rough_pitch(mono, frames, rate);
	m->seam_error = o->loop ? sh_tex_loop_seam(mono, frames, rate) : NAN;
	free(mono);
	m->brightness = sh_brightness_tag(m->centroid_hz, o->dark_below, o->bright_above);
	m->grade = sh_tex_grade(&o->thresholds, m->rms_db, m->crest_db, m->clip_fraction, m->seam_error, m->pitch_hz,
	                        &m->why);
	return 0;
}
