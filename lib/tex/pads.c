/* pads.c -- pad mining: analysis, candidate choice, seamless loops, grading. */
#include "pads.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "measure.h"
#include "onsets.h"
#include "seam.h"
#include "stft.h"

#define BLOCK 65536

/* ---- analysis ---- */

typedef struct {
	int rate, hop, size;
	float *ms;      /* mean square per frame */
	size_t nms, capms;
	double acc;     /* partial frame */
	int accn;
	float *cent;    /* centroid per STFT frame */
	size_t ncent, capcent;
} feat;

static void push_f(float **v, size_t *n, size_t *cap, float x)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 4096;
		*v = sh_realloc(*v, *cap, sizeof **v);
	}
	(*v)[(*n)++] = x;
}

static void on_frame(void *user, float complex *const *spec, int channels, int bins, int64_t frame)
{
	feat *f = user;
	double num = 0, den = 0;
	for (int k = 1; k < bins; k++) {
		double m = sh_cmag(spec[0][k]);
		num += m * k;
		den += m;
	}
	push_f(&f->cent, &f->ncent, &f->capcent, den > 1e-9 ? (float)(num / den * f->rate / f->size) : 0.0f);
}

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return x < y ? -1 : x > y;
}

typedef struct {
	double inst;
	int64_t frame;
} win;

/* Spread (standard deviation) over frames [i, i + wf) of a value whose prefix
 * sums are s and whose squares' prefix sums are s2, over `count` values. */
static double spread(const double *s, const double *s2, size_t i, size_t wf, double count)
{
	double m = (s[i + wf] - s[i]) / count;
	double v = (s2[i + wf] - s2[i]) / count - m * m;
	return sqrt(v > 0 ? v : 0);
}

static int cmp_win(const void *a, const void *b)
{
	const win *x = a, *y = b;
	if (x->inst != y->inst)
		return x->inst < y->inst ? -1 : 1;
	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

/* the seam's lengths in samples: crossfade, the stretch compared across it, and
 * how far the end may move (lib/tex/seam.h) */
static void seam_lengths(const sh_pad_opts *o, int rate, int64_t *fade, int64_t *cmp, int64_t *search)
{
	sh_seam_sizes z = sh_seam_sizes_at(o->crossfade, o->seam_search, rate);
	*fade = z.fade;
	*cmp = z.cmp;
	*search = z.search;
}

double sh_pad_overhang(const sh_pad_opts *o) { return sh_seam_overhang(o->crossfade, o->seam_search); }

ssize_t sh_pads_find(sh_audio_source *src, int rate, int channels, const sh_pad_opts *o, sh_pad **out,
                     sh_pad_survey *survey)
{
	int64_t total = sh_audio_source_frames(src);
	memset(survey, 0, sizeof *survey);
	survey->frames = total;
	survey->loudest_db = -INFINITY;
	survey->fewest_onsets = INFINITY;
	*out = NULL;
	/* level and brightness frames on the onset envelope's grid */
	sh_odf *odf = sh_odf_new(rate);
	if (!odf)
		return -1;
	feat f = {.rate = rate, .hop = sh_odf_hop(odf), .size = sh_tex_fft_size(rate)};
	sh_stft *st = sh_stft_new(f.size, f.hop, 1, on_frame, NULL, &f);
	if (!st) {
		sh_odf_free(odf);
		return -1;
	}
	float *buf = sh_malloc((size_t)BLOCK * channels * sizeof *buf);
	float *mono = sh_malloc((size_t)BLOCK * sizeof *mono);
	for (int64_t pos = 0; pos < total; pos += BLOCK) {
		size_t n = (size_t)(total - pos < BLOCK ? total - pos : BLOCK);
		if (sh_audio_source_get(src, pos, n, buf) != 0) {
			free(buf);
			free(mono);
			sh_stft_free(st);
			sh_odf_free(odf);
			free(f.ms);
			free(f.cent);
			return -1;
		}
		sh_audio_downmix(buf, n, channels, mono);
		sh_odf_feed(odf, mono, n);
		sh_stft_push(st, mono, n);
		for (size_t i = 0; i < n; i++) {
			f.acc += (double)mono[i] * mono[i];
			if (++f.accn == f.hop) {
				push_f(&f.ms, &f.nms, &f.capms, (float)(f.acc / f.hop));
				f.acc = 0;
				f.accn = 0;
			}
		}
	}
	free(buf);
	free(mono);
	sh_odf_flush(odf);
	sh_stft_finish(st);
	sh_stft_free(st);

	size_t nf = f.nms;
	size_t nodf = sh_odf_frames(odf);
	const float *env = sh_odf_values(odf, -1);
	const double fps = sh_odf_rate(odf); /* frames a second, of every per-frame series */
	sh_onset *ons = NULL;
	size_t nons = sh_onsets_pick(env, nodf, fps, NULL, &ons);
	/* beating and tremolo in a sustained sound make faint peaks; only onsets that
	 * rise clearly count */
	size_t kept_ons = 0;
	for (size_t q = 0; q < nons; q++) {
		size_t fi = (size_t)lround(ons[q].t * fps);
		if (fi < nodf && env[fi] >= SH_PAD_ONSET_FLOOR)
			ons[kept_ons++] = ons[q];
	}
	nons = kept_ons;
	/* prefix sums over frames */
	double *p_ms = sh_calloc(nf + 1, sizeof *p_ms), *p_db = sh_calloc(nf + 1, sizeof *p_db),
	       *p_db2 = sh_calloc(nf + 1, sizeof *p_db2), *p_lc = sh_calloc(nf + 1, sizeof *p_lc),
	       *p_lc2 = sh_calloc(nf + 1, sizeof *p_lc2), *p_odf = sh_calloc(nf + 1, sizeof *p_odf);
	int32_t *p_cnt = sh_calloc(nf + 1, sizeof *p_cnt), *p_on = sh_calloc(nf + 1, sizeof *p_on);
	int k0 = (int)lround((f.size / 2.0 - f.hop / 2.0) / f.hop);
	size_t oi = 0;
	for (size_t i = 0; i < nf; i++) {
		double ms = f.ms[i];
		double db = 10 * log10(ms + 1e-10);
		p_ms[i + 1] = p_ms[i] + ms;
		p_db[i + 1] = p_db[i] + db;
		p_db2[i + 1] = p_db2[i] + db * db;
		double lc = 0;
		int valid = 0;
		size_t ci = i + (size_t)k0;
		if (ms > 1e-7 && ci < f.ncent && f.cent[ci] > 0) {
			lc = log2(f.cent[ci]);
			valid = 1;
		}
		p_lc[i + 1] = p_lc[i] + lc;
		p_lc2[i + 1] = p_lc2[i] + lc * lc;
		p_cnt[i + 1] = p_cnt[i] + valid;
		p_odf[i + 1] = p_odf[i] + (i < nodf ? env[i] : 0);
		int on = 0;
		while (oi < nons && ons[oi].t * fps < i + 1.0) {
			on++;
			oi++;
		}
		p_on[i + 1] = p_on[i] + on;
	}
	double flux_ref = 1e-9;
	if (nodf) {
		float *sorted = sh_malloc(nodf * sizeof *sorted);
		memcpy(sorted, env, nodf * sizeof *sorted);
		qsort(sorted, nodf, sizeof *sorted, cmp_float);
		flux_ref += sorted[(size_t)(0.95 * (nodf - 1))];
		free(sorted);
	}
	free(ons);
	sh_odf_free(odf);
	free(f.ms);
	free(f.cent);

	/* windows of every duration */
	size_t nd = o->ndurations;
	int64_t fade, cmp, search;
	seam_lengths(o, rate, &fade, &cmp, &search);
	win **lists = sh_calloc(nd, sizeof *lists);
	size_t *counts = sh_calloc(nd, sizeof *counts);
	int64_t *spans = sh_calloc(nd, sizeof *spans);
	for (size_t d = 0; d < nd; d++) {
		int64_t len = (int64_t)lround(o->durations[d] * rate);
		spans[d] = len + search + cmp;
		size_t wf = (size_t)((spans[d] + f.hop - 1) / f.hop);
		if (wf > nf || spans[d] > total)
			continue;
		lists[d] = sh_malloc((nf - wf + 1) * sizeof **lists);
		for (size_t i = 0; i + wf <= nf; i++) {
			if ((int64_t)i * f.hop + spans[d] > total)
				break;
			survey->windows++;
			double rms_db = 10 * log10((p_ms[i + wf] - p_ms[i]) / wf + 1e-20);
			double onset_rate = p_on[i + wf] - p_on[i];
			if (rms_db > survey->loudest_db)
				survey->loudest_db = rms_db;
			if (rms_db < o->rms_gate_db)
				continue;
			if (onset_rate < survey->fewest_onsets)
				survey->fewest_onsets = onset_rate;
			if (onset_rate > o->onset_gate)
				continue;
			survey->passed++;
			int cnt = p_cnt[i + wf] - p_cnt[i];
			double std_db = spread(p_db, p_db2, i, wf, (double)wf);
			double std_oct = cnt > 1 ? spread(p_lc, p_lc2, i, wf, cnt) : 0;
			double flux = (p_odf[i + wf] - p_odf[i]) / wf;
			double inst = flux / flux_ref + std_db / 3 + std_oct * 3;
			lists[d][counts[d]++] = (win){inst, (int64_t)i};
		}
		qsort(lists[d], counts[d], sizeof **lists, cmp_win);
	}

	/* round by round, longest first: the steadiest window not overlapping a chosen one */
	size_t *order = sh_malloc(nd * sizeof *order);
	for (size_t d = 0; d < nd; d++)
		order[d] = d;
	for (size_t a = 0; a < nd; a++)
		for (size_t b = a + 1; b < nd; b++)
			if (o->durations[order[b]] > o->durations[order[a]]) {
				size_t t = order[a];
				order[a] = order[b];
				order[b] = t;
			}
	size_t *next = sh_calloc(nd, sizeof *next);
	sh_pad *pads = sh_calloc(o->max_candidates ? o->max_candidates : 1, sizeof *pads);
	size_t np = 0;
	bool any = true;
	while (np < o->max_candidates && any) {
		any = false;
		for (size_t oi2 = 0; oi2 < nd && np < o->max_candidates; oi2++) {
			size_t d = order[oi2];
			while (next[d] < counts[d]) {
				win w = lists[d][next[d]++];
				int64_t s = w.frame * f.hop, e = s + spans[d];
				bool clash = false;
				for (size_t j = 0; j < np && !clash; j++)
					clash = s < pads[j].start + pads[j].span && pads[j].start < e;
				if (clash)
					continue;
				size_t wf = (size_t)((spans[d] + f.hop - 1) / f.hop);
				size_t i = (size_t)w.frame;
				sh_pad *p = &pads[np++];
				p->start = s;
				p->span = spans[d];
				p->target = o->durations[d];
				p->instability = w.inst;
				p->window_rms_db = 10 * log10((p_ms[i + wf] - p_ms[i]) / wf + 1e-20);
				p->onsets = p_on[i + wf] - p_on[i];
				p->flux = (p_odf[i + wf] - p_odf[i]) / wf / flux_ref;
				int cnt = p_cnt[i + wf] - p_cnt[i];
				p->level_std_db = spread(p_db, p_db2, i, wf, (double)wf);
				p->centroid_std_oct = cnt > 1 ? spread(p_lc, p_lc2, i, wf, cnt) : 0;
				any = true;
				break;
			}
		}
	}
	for (size_t d = 0; d < nd; d++)
		free(lists[d]);
	free(lists);
	free(counts);
	free(spans);
	free(order);
	free(next);
	free(p_ms);
	free(p_db);
	free(p_db2);
	free(p_lc);
	free(p_lc2);
	free(p_odf);
	free(p_cnt);
	free(p_on);
	if (!np) {
		free(pads);
		pads = NULL;
	}
	*out = pads;
	return np;
}

/* ---- loops ---- */

int sh_pad_grade_rank(char g) { return sh_tex_grade_rank(g); }

int sh_pad_make(sh_audio_source *src, int rate, int channels, const sh_pad_opts *o, sh_pad *p)
{
	int64_t len = (int64_t)lround(p->target * rate);
	int64_t fade, cmp, search;
	seam_lengths(o, rate, &fade, &cmp, &search);
	int64_t span = p->span; /* len + search + cmp, as sh_pads_find laid it out */
	float *a = sh_malloc((size_t)span * channels * sizeof *a);
	float *m = sh_malloc((size_t)span * sizeof *m);
	if (sh_audio_source_get(src, p->start, (size_t)span, a) != 0) {
		free(a);
		free(m);
		return -1;
	}
	sh_audio_downmix(a, (size_t)span, channels, m);
	/* the seam: the end whose continuation matches the start best; ties go to the
	 * length nearest the target (lib/tex/seam.h) */
	int64_t lo, hi;
	sh_seam_range(len, search, &lo, &hi);
	sh_seam *seam = sh_seam_new(cmp, search, SH_SEAM_FFT);
	sh_seam_result sr;
	if (!seam || sh_seam_find(seam, m, m + len + lo, lo, hi, &sr) != 0) {
		sh_seam_free(seam);
		free(a);
		free(m);
		return -1;
	}
	sh_seam_free(seam);
	int64_t n = len + sr.offset;
	p->seam_error = sr.error;
	/* the loop: the audio past the end fades out over the start as the start fades in */
	float *y = sh_malloc((size_t)n * channels * sizeof *y);
	memcpy(y, a, (size_t)n * channels * sizeof *y);
	sh_seam_crossfade(y, a + n * channels, 0, fade < n ? fade : n, fade, channels);
	/* levels, clipping (in the source), centroid, pitch: lib/tex/measure.h's */
	sh_tex_levels(y, (size_t)(n * channels), &p->rms_db, &p->peak_db, &p->crest_db);
	p->clip_fraction = sh_tex_clip_fraction(a, (size_t)((n + fade) * channels));
	sh_audio_downmix(y, (size_t)n, channels, m);
	sh_centroid *cen = sh_centroid_new(rate);
	if (!cen) {
		free(y);
		free(a);
		free(m);
		return -1;
	}
	sh_centroid_feed(cen, m, (size_t)n);
	p->centroid_hz = sh_centroid_finish(cen);
	p->pitch_hz = sh_tex_rough_pitch(m, n, rate);
	p->brightness = sh_brightness_tag(p->centroid_hz, o->dark_below, o->bright_above);
	p->frames = n;
	p->audio = y;
	p->made = true;
	const sh_tex_thresholds t = SH_TEX_THRESHOLDS_DEFAULT;
	p->grade = sh_tex_grade(&t, p->rms_db, p->crest_db, p->clip_fraction, p->seam_error, p->pitch_hz, &p->why);
	free(a);
	free(m);
	return 0;
}

void sh_pads_free(sh_pad *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(p[i].audio);
	free(p);
}
