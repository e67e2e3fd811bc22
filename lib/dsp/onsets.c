/* onsets.c -- onset-strength envelope (band-wise log spectral flux), onset
 * picking with an adaptive threshold, and the onsets-file loader. */
#include "onsets.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "stft.h"

#define ODF_FMIN 30.0
#define ODF_FMAX 16000.0
#define ODF_BANDS_PER_OCTAVE 3.0
#define ODF_COMPRESS 1000.0

static const double group_edges[SH_ODF_GROUPS - 1] = {200.0, 800.0, 4000.0};

struct sh_odf {
	int rate;
	size_t hop, n;          /* hop and window length in samples */
	float *fifo;            /* n + hop samples waiting to be framed */
	size_t fill;
	sh_magspec *ms;
	int nbands;
	int *bin_band;          /* band of each bin, -1 for none */
	int *band_group;
	float *band_count;
	float *level, *prev;    /* band log-levels, this frame and the previous */
	bool have_prev;
	float *env[1 + SH_ODF_GROUPS];
	size_t frames, cap;
	double norm;            /* magnitude normalisation (2 / window sum) */
	double energy;          /* sum of squares of the input */
	size_t samples;
	bool flushed;
};

sh_odf *sh_odf_new(int rate)
{
	sh_odf *o = sh_calloc(1, sizeof *o);
	o->rate = rate;
	o->hop = (size_t)lround(rate * 0.01);
	if (o->hop < 1)
		o->hop = 1;
	size_t n = 64;
	while (n < rate * 0.0232)
		n *= 2;
	o->n = n;
	o->fifo = sh_calloc(n + o->hop, sizeof(float));
	o->fill = n / 2; /* frame 0 is centred on the first sample */
	if (!(o->ms = sh_magspec_new(n))) {
		free(o->fifo);
		free(o);
		return NULL;
	}
	const float *win = sh_magspec_window(o->ms);
	double wsum = 0;
	for (size_t i = 0; i < n; i++)
		wsum += win[i];
	o->norm = 2.0 / wsum;
	/* Bins to log-spaced bands; bands without a bin are skipped. */
	double fmax = fmin(ODF_FMAX, rate * 0.5 * 0.95);
	size_t nbins = n / 2 + 1;
	o->bin_band = sh_malloc(nbins * sizeof(int));
	int maxband = (int)floor(ODF_BANDS_PER_OCTAVE * log2(fmax / ODF_FMIN)) + 1;
	if (maxband < 1)
		maxband = 1;
	int *remap = sh_malloc((size_t)maxband * sizeof(int));
	double *centre = sh_calloc((size_t)maxband, sizeof(double));
	for (int b = 0; b < maxband; b++)
		remap[b] = -1;
	for (size_t k = 0; k < nbins; k++) {
		double f = (double)k * rate / n;
		o->bin_band[k] = -1;
		if (f < ODF_FMIN || f > fmax)
			continue;
		int b = (int)floor(ODF_BANDS_PER_OCTAVE * log2(f / ODF_FMIN));
		if (b >= maxband)
			b = maxband - 1;
		o->bin_band[k] = b;
	}
	int nb = 0;
	for (size_t k = 0; k < nbins; k++) {
		int b = o->bin_band[k];
		if (b < 0)
			continue;
		if (remap[b] < 0) {
			remap[b] = nb++;
			centre[remap[b]] = ODF_FMIN * pow(2.0, (b + 0.5) / ODF_BANDS_PER_OCTAVE);
		}
		o->bin_band[k] = remap[b];
	}
	if (nb == 0) { /* absurdly low rate: one band of everything */
		for (size_t k = 1; k < nbins; k++)
			o->bin_band[k] = 0;
		nb = 1;
		centre[0] = rate / 4.0;
	}
	o->nbands = nb;
	o->band_group = sh_malloc((size_t)nb * sizeof(int));
	o->band_count = sh_calloc((size_t)nb, sizeof(float));
	for (int b = 0; b < nb; b++) {
		int g = 0;
		while (g < SH_ODF_GROUPS - 1 && centre[b] >= group_edges[g])
			g++;
		o->band_group[b] = g;
	}
	for (size_t k = 0; k < nbins; k++)
		if (o->bin_band[k] >= 0)
			o->band_count[o->bin_band[k]] += 1;
	free(remap);
	free(centre);
	o->level = sh_calloc((size_t)nb, sizeof(float));
	o->prev = sh_calloc((size_t)nb, sizeof(float));
	o->cap = 1024;
	for (int g = 0; g <= SH_ODF_GROUPS; g++)
		o->env[g] = sh_malloc(o->cap * sizeof(float));
	return o;
}

static void odf_frame(sh_odf *o)
{
	size_t nbins = o->n / 2 + 1;
	const float *mag = sh_magspec_run(o->ms, o->fifo);
	memset(o->level, 0, (size_t)o->nbands * sizeof(float));
	for (size_t k = 0; k < nbins; k++) {
		int b = o->bin_band[k];
		if (b >= 0)
			o->level[b] += mag[k];
	}
	float sum[1 + SH_ODF_GROUPS] = {0};
	int cnt[1 + SH_ODF_GROUPS] = {0};
	for (int b = 0; b < o->nbands; b++) {
		float l = (float)log1p(ODF_COMPRESS * o->norm * o->level[b] / o->band_count[b]);
		float d = l - o->prev[b]; /* before the first frame: silence */
		if (d < 0)
			d = 0;
		o->prev[b] = l;
		sum[0] += d;
		cnt[0]++;
		sum[1 + o->band_group[b]] += d;
		cnt[1 + o->band_group[b]]++;
	}
	o->have_prev = true;
	if (o->frames == o->cap) {
		o->cap *= 2;
		for (int g = 0; g <= SH_ODF_GROUPS; g++)
			o->env[g] = sh_realloc(o->env[g], o->cap, sizeof(float));
	}
	for (int g = 0; g <= SH_ODF_GROUPS; g++)
		o->env[g][o->frames] = cnt[g] ? sum[g] / cnt[g] : 0.0f;
	o->frames++;
}

static void odf_push(sh_odf *o, const float *x, size_t n, bool count)
{
	while (n > 0) {
		size_t room = o->n - o->fill;
		size_t take = n < room ? n : room;
		if (x) {
			memcpy(o->fifo + o->fill, x, take * sizeof(float));
			if (count)
				for (size_t i = 0; i < take; i++)
					o->energy += (double)x[i] * x[i];
			x += take;
		} else {
			memset(o->fifo + o->fill, 0, take * sizeof(float));
		}
		o->fill += take;
		n -= take;
		if (o->fill == o->n) {
			odf_frame(o);
			memmove(o->fifo, o->fifo + o->hop, (o->n - o->hop) * sizeof(float));
			o->fill = o->n - o->hop;
		}
	}
}

void sh_odf_feed(sh_odf *o, const float *mono, size_t n)
{
	if (o->flushed || n == 0)
		return;
	o->samples += n;
	odf_push(o, mono, n, true);
}

void sh_odf_flush(sh_odf *o)
{
	if (o->flushed)
		return;
	/* Frames up to the one centred on the last sample. */
	size_t want = o->samples ? (o->samples - 1) / o->hop + 1 : 0;
	while (o->frames < want)
		odf_push(o, NULL, o->hop, false);
	o->frames = want < o->frames ? want : o->frames;
	o->flushed = true;
}

size_t sh_odf_frames(const sh_odf *o) { return o->frames; }
double sh_odf_rate(const sh_odf *o) { return (double)o->rate / o->hop; }
int sh_odf_hop(const sh_odf *o) { return (int)o->hop; }
const float *sh_odf_values(const sh_odf *o, int group)
{
	if (group < -1 || group >= SH_ODF_GROUPS)
		group = -1;
	return o->env[group + 1];
}
double sh_odf_energy(const sh_odf *o)
{
	return o->samples ? sqrt(o->energy / o->samples) : 0.0;
}

void sh_odf_free(sh_odf *o)
{
	if (!o)
		return;
	sh_magspec_free(o->ms);
	free(o->fifo);
	free(o->bin_band);
	free(o->band_group);
	free(o->band_count);
	free(o->level);
	free(o->prev);
	for (int g = 0; g <= SH_ODF_GROUPS; g++)
		free(o->env[g]);
	free(o);
}

/* ---- picking ---- */

void sh_onset_opts_default(sh_onset_opts *o)
{
	o->threshold = 0.1;
	o->min_gap = 0.03;
	o->min_strength = 0;
}

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return (x > y) - (x < y);
}

size_t sh_onsets_pick(const float *env, size_t n, double fps, const sh_onset_opts *opts,
                      sh_onset **out)
{
	sh_onset_opts def;
	if (!opts) {
		sh_onset_opts_default(&def);
		opts = &def;
	}
	*out = NULL;
	if (n < 3)
		return 0;
	float *sorted = sh_malloc(n * sizeof(float));
	memcpy(sorted, env, n * sizeof(float));
	qsort(sorted, n, sizeof(float), cmp_float);
	double scale = sorted[(size_t)(0.95 * (n - 1))];
	double top = sorted[n - 1];
	free(sorted);
	if (scale < 1e-4 * top)
		scale = 1e-4 * top;
	if (top < 1e-6)
		return 0;
	long wmax = lround(0.03 * fps), wpre = lround(0.1 * fps), wpost = lround(0.07 * fps);
	if (wmax < 1)
		wmax = 1;
	/* Prefix sums for the running mean. */
	double *pre = sh_malloc((n + 1) * sizeof(double));
	pre[0] = 0;
	for (size_t i = 0; i < n; i++)
		pre[i + 1] = pre[i] + env[i];
	size_t cap = 64, cnt = 0;
	sh_onset *o = sh_malloc(cap * sizeof *o);
	double last = -1e9, peakmax = 0;
	for (long i = 0; i < (long)n; i++) {
		float v = env[i];
		if (v <= 0)
			continue;
		bool ismax = true;
		for (long j = i - wmax; j <= i + wmax && ismax; j++) {
			if (j < 0 || j >= (long)n || j == i)
				continue;
			if (env[j] > v || (env[j] == v && j < i))
				ismax = false;
		}
		if (!ismax)
			continue;
		long a = i - wpre < 0 ? 0 : i - wpre, b = i + wpost >= (long)n ? (long)n - 1 : i + wpost;
		double mean = (pre[b + 1] - pre[a]) / (double)(b - a + 1);
		if (v < mean + opts->threshold * scale)
			continue;
		double t = i / fps;
		if (t - last < opts->min_gap)
			continue;
		if (cnt == cap) {
			cap *= 2;
			o = sh_realloc(o, cap, sizeof *o);
		}
		o[cnt].t = t;
		o[cnt].strength = v;
		if (v > peakmax)
			peakmax = v;
		cnt++;
		last = t;
	}
	free(pre);
	size_t kept = 0;
	for (size_t i = 0; i < cnt; i++) {
		o[i].strength = peakmax > 0 ? o[i].strength / peakmax : 0;
		if (opts->min_strength <= 0 || round(o[i].strength * 1000) / 1000 >= opts->min_strength)
			o[kept++] = o[i];
	}
	cnt = kept;
	if (cnt == 0) {
		free(o);
		o = NULL;
	}
	*out = o;
	return cnt;
}

/* ---- sample-accurate refinement ---- */

struct sh_onset_refiner {
	int rate, cell;   /* samples per cell */
	double acc;       /* energy of the cell being filled */
	int in_cell;
	float *e;         /* energy per cell */
	size_t n, cap;
};

sh_onset_refiner *sh_onset_refiner_new(int rate)
{
	sh_onset_refiner *r = sh_calloc(1, sizeof *r);
	r->rate = rate;
	r->cell = (int)lround(rate / 2000.0);
	if (r->cell < 1)
		r->cell = 1;
	return r;
}

void sh_onset_refiner_feed(sh_onset_refiner *r, const float *x, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		r->acc += (double)x[i] * x[i];
		if (++r->in_cell == r->cell) {
			if (r->n == r->cap) {
				r->cap = r->cap ? 2 * r->cap : 4096;
				r->e = sh_realloc(r->e, r->cap, sizeof *r->e);
			}
			r->e[r->n++] = (float)r->acc;
			r->acc = 0;
			r->in_cell = 0;
		}
	}
}

/* Mean energy of cells [a, b) (cells before the start count as silence). */
static double cells_mean(const sh_onset_refiner *r, long a, long b)
{
	double s = 0;
	for (long k = a; k < b; k++)
		if (k >= 0 && k < (long)r->n)
			s += r->e[k];
	return s / (double)(b - a);
}

void sh_onset_refine(const sh_onset_refiner *r, sh_onset *on, size_t *n)
{
	const double cell_s = (double)r->cell / r->rate;
	const long before = lround(0.005 / cell_s), after = lround(0.002 / cell_s);
	const long back = lround(0.025 / cell_s), ahead = lround(0.015 / cell_s);
	size_t kept = 0;
	for (size_t i = 0; i < *n; i++) {
		long c0 = (long)floor(on[i].t / cell_s);
		/* the loudest 2 ms of the window sets a floor 40 dB under it, so the
		 * faint first samples of a sound (or dither after digital silence) do
		 * not pass for its attack */
		double loudest = 0;
		for (long k = c0 - back; k <= c0 + ahead; k++)
			if (k >= 0 && k + after <= (long)r->n) {
				double post = cells_mean(r, k, k + after);
				if (post > loudest)
					loudest = post;
			}
		const double floor_e = 1e-4 * loudest + 1e-20;
		long best = -1;
		double best_rise = 4; /* 6 dB at least */
		for (long k = c0 - back; k <= c0 + ahead; k++) {
			if (k < 0 || k + after > (long)r->n)
				continue;
			double pre = cells_mean(r, k - before, k), post = cells_mean(r, k, k + after);
			double rise = post / (pre + floor_e);
			if (post > 0 && rise > best_rise) {
				best_rise = rise;
				best = k;
			}
		}
		double t = best >= 0 ? (double)best * cell_s : on[i].t;
		if (kept && t - on[kept - 1].t < 0.001)
			continue;
		on[kept] = on[i];
		on[kept].t = t < 0 ? 0 : t;
		kept++;
	}
	*n = kept;
}

void sh_onset_refiner_free(sh_onset_refiner *r)
{
	if (!r)
		return;
	free(r->e);
	free(r);
}

/* ---- onset files ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int sh_onsets_load(const char *path, double **times, size_t *n)
{
	*times = NULL;
	*n = 0;
	const char *name = (!path || !strcmp(path, "-")) ? "stdin" : path;
	size_t len;
	char *text = sh_read_file(path ? path : "-", (size_t)1 << 30, &len);
	if (!text) /* sh_read_file's message names the file */
		return -1;
	json_error_t jerr;
	json_t *root = json_loadb(text, len, 0, &jerr);
	free(text);
	if (!root) {
		sh_set_error("%s: not JSON: line %d: %s", name, jerr.line, jerr.text);
		return -1;
	}
	json_t *arr = root;
	if (json_is_object(root))
		arr = json_object_get(root, "onsets");
	if (!json_is_array(arr)) {
		sh_set_error("%s: not an onsets file: no \"onsets\" array", name);
		json_decref(root);
		return -1;
	}
	size_t cnt = json_array_size(arr);
	double *t = cnt ? sh_malloc(cnt * sizeof(double)) : NULL;
	for (size_t i = 0; i < cnt; i++) {
		json_t *e = json_array_get(arr, i), *v = e;
		if (json_is_object(e))
			v = json_object_get(e, "t");
		if (!json_is_number(v)) {
			sh_set_error("%s: onset %zu: no time (a number or an object with \"t\")", name, i);
			free(t);
			json_decref(root);
			return -1;
		}
		double x = json_number_value(v);
		if (!isfinite(x) || x < 0) {
			sh_set_error("%s: onset %zu: time %g is not a finite number >= 0", name, i, x);
			free(t);
			json_decref(root);
			return -1;
		}
		t[i] = x;
	}
	json_decref(root);
	if (cnt > 1)
		qsort(t, cnt, sizeof(double), cmp_double);
	size_t m = 0;
	for (size_t i = 0; i < cnt; i++)
		if (m == 0 || t[i] != t[m - 1])
			t[m++] = t[i];
	if (m == 0) {
		free(t);
		t = NULL;
	}
	*times = t;
	*n = m;
	return 0;
}
