/* plot.c -- pictures through cairo: see plot.h. Text is cairo's toy API in a
 * sans face (fontconfig picks it); the PNG is encoded into memory and written
 * whole by the atomic writer, so a failed run leaves no half picture. */
#include "plot.h"

#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio.h"
#include "err.h"
#include "file.h"

/* ---- the waveform outline ---------------------------------------------- */

struct sh_wave {
	int rate;
	size_t max_bins, nbins;
	int64_t per_bin, fill, frames; /* frames per bin, in the open bin, fed */
	float *lo, *hi;
};

sh_wave *sh_wave_new(int rate, size_t max_bins)
{
	if (rate <= 0 || max_bins < 2) {
		sh_set_error("waveform: a rate of %d and %zu bins", rate, max_bins);
		return NULL;
	}
	sh_wave *w = sh_calloc(1, sizeof *w);
	w->rate = rate;
	w->max_bins = max_bins & ~(size_t)1;
	w->per_bin = 1;
	w->lo = sh_malloc(w->max_bins * sizeof *w->lo);
	w->hi = sh_malloc(w->max_bins * sizeof *w->hi);
	return w;
}

void sh_wave_free(sh_wave *w)
{
	if (!w)
		return;
	free(w->lo);
	free(w->hi);
	free(w);
}

/* Full: each pair of bins becomes one covering twice the frames. */
static void wave_halve(sh_wave *w)
{
	size_t n = w->nbins / 2;
	for (size_t i = 0; i < n; i++) {
		w->lo[i] = fminf(w->lo[2 * i], w->lo[2 * i + 1]);
		w->hi[i] = fmaxf(w->hi[2 * i], w->hi[2 * i + 1]);
	}
	w->nbins = n;
	w->per_bin *= 2;
}

void sh_wave_feed(sh_wave *w, const float *x, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (w->fill == 0) {
			if (w->nbins == w->max_bins) {
				/* the open bin is one of the pair now: it holds per_bin
				 * frames of the new size, of which none fed yet */
				wave_halve(w);
			}
			w->lo[w->nbins] = w->hi[w->nbins] = x[i];
			w->nbins++;
		} else {
			size_t b = w->nbins - 1;
			if (x[i] < w->lo[b])
				w->lo[b] = x[i];
			if (x[i] > w->hi[b])
				w->hi[b] = x[i];
		}
		if (++w->fill >= w->per_bin)
			w->fill = 0;
		w->frames++;
	}
}

double sh_wave_seconds(const sh_wave *w) { return (double)w->frames / w->rate; }

bool sh_wave_range(const sh_wave *w, double a, double b, float *lo, float *hi)
{
	if (!w->nbins || !(b > a))
		return false;
	double per = (double)w->per_bin / w->rate; /* seconds per bin */
	double fa = floor(a / per), fb = ceil(b / per);
	if (fb <= 0 || fa >= (double)w->nbins)
		return false;
	size_t i0 = fa < 0 ? 0 : (size_t)fa, i1 = fb > (double)w->nbins ? w->nbins : (size_t)fb;
	if (i1 <= i0)
		i1 = i0 + 1;
	float l = w->lo[i0], h = w->hi[i0];
	for (size_t i = i0 + 1; i < i1; i++) {
		l = fminf(l, w->lo[i]);
		h = fmaxf(h, w->hi[i]);
	}
	*lo = l;
	*hi = h;
	return true;
}

sh_wave *sh_wave_read(const char *path, size_t max_bins)
{
	sh_audio_in *in = sh_audio_open(path);
	if (!in)
		return NULL;
	int ch = sh_audio_channels(in);
	sh_wave *w = sh_wave_new(sh_audio_rate(in), max_bins);
	if (!w) {
		sh_audio_close(in);
		return NULL;
	}
	enum { BLOCK = 4096 };
	float *buf = sh_malloc((size_t)BLOCK * (size_t)ch * sizeof *buf), mono[BLOCK];
	ssize_t got;
	while ((got = sh_audio_read(in, buf, BLOCK)) > 0) {
		sh_audio_downmix(buf, (size_t)got, ch, mono);
		sh_wave_feed(w, mono, (size_t)got);
	}
	free(buf);
	sh_audio_close(in);
	if (got < 0) {
		sh_wave_free(w);
		return NULL;
	}
	return w;
}

/* ---- the spectrogram --------------------------------------------------- */

/* A band: the mean of bins [lo, hi) when it holds any, else the power at bin
 * lo + frac, between two bins (a band narrower than a bin, at the bottom). */
typedef struct {
	int lo, hi;
	float frac;
} band;

/* One channel's columns: sums of band power, PER frames each, the last open. */
typedef struct {
	float *sum;        /* ncols x rows */
	size_t ncols;
	int64_t per, fill, frames;
} sg_channel;

struct sh_spectrogram {
	int rate, hop, bins, rows, channels;
	size_t max_cols;
	double first, fmin, fmax;
	band *bands;
	sg_channel *ch;
};

sh_spectrogram *sh_spectrogram_new(const sh_spectrogram_opts *o)
{
	int rows = o->rows ? o->rows : 160;
	size_t max_cols = (o->max_cols ? o->max_cols : 1024) & ~(size_t)1;
	double fmin = o->fmin > 0 ? o->fmin : 30, fmax = o->rate / 2.0;
	if (o->rate <= 0 || o->fft < 2 || o->fft % 2 || o->hop < 1 || o->channels < 1 ||
	    o->channels > 64 || rows < 2 || rows > 4096 || max_cols < 2 || !(fmin < fmax)) {
		sh_set_error("spectrogram: a rate of %d, FFT %d, hop %d, %d channels, %d bands from %g Hz",
		             o->rate, o->fft, o->hop, o->channels, rows, fmin);
		return NULL;
	}
	sh_spectrogram *s = sh_calloc(1, sizeof *s);
	s->rate = o->rate;
	s->hop = o->hop;
	s->bins = o->fft / 2 + 1;
	s->rows = rows;
	s->channels = o->channels;
	s->max_cols = max_cols;
	s->first = o->first;
	s->fmin = fmin;
	s->fmax = fmax;
	s->bands = sh_calloc((size_t)rows, sizeof *s->bands);
	double hz_per_bin = (double)o->rate / o->fft;
	for (int r = 0; r < rows; r++) {
		double ka = fmin * pow(fmax / fmin, (double)r / rows) / hz_per_bin;
		double kb = fmin * pow(fmax / fmin, (double)(r + 1) / rows) / hz_per_bin;
		band *b = &s->bands[r];
		b->lo = (int)ceil(ka);
		b->hi = (int)ceil(kb);
		if (b->hi > s->bins)
			b->hi = s->bins;
		if (b->hi <= b->lo) {
			double kc = sqrt(ka * kb);
			b->lo = (int)floor(kc);
			b->frac = (float)(kc - b->lo);
			if (b->lo >= s->bins - 1) {
				b->lo = s->bins - 1;
				b->frac = 0;
			}
			b->hi = b->lo;
		}
	}
	s->ch = sh_calloc((size_t)o->channels, sizeof *s->ch);
	for (int c = 0; c < o->channels; c++) {
		s->ch[c].sum = sh_malloc(max_cols * (size_t)rows * sizeof(float));
		s->ch[c].per = 1;
	}
	return s;
}

void sh_spectrogram_free(sh_spectrogram *s)
{
	if (!s)
		return;
	for (int c = 0; c < s->channels; c++)
		free(s->ch[c].sum);
	free(s->ch);
	free(s->bands);
	free(s);
}

int sh_spectrogram_rows(const sh_spectrogram *s) { return s->rows; }
double sh_spectrogram_fmin(const sh_spectrogram *s) { return s->fmin; }
double sh_spectrogram_fmax(const sh_spectrogram *s) { return s->fmax; }

void sh_spectrogram_feed(sh_spectrogram *s, int channel, const float *power, int bins)
{
	if (channel < 0 || channel >= s->channels || bins != s->bins)
		return;
	sg_channel *c = &s->ch[channel];
	const int rows = s->rows;
	if (c->fill == 0) {
		if (c->ncols == s->max_cols) {
			/* full: each pair of columns becomes one covering twice the frames */
			size_t n = c->ncols / 2;
			for (size_t i = 0; i < n; i++) {
				float *d = c->sum + i * rows, *a = c->sum + 2 * i * rows, *b = a + rows;
				for (int r = 0; r < rows; r++)
					d[r] = a[r] + b[r];
			}
			c->ncols = n;
			c->per *= 2;
		}
		memset(c->sum + c->ncols * rows, 0, (size_t)rows * sizeof(float));
		c->ncols++;
	}
	float *col = c->sum + (c->ncols - 1) * rows;
	for (int r = 0; r < rows; r++) {
		const band *b = &s->bands[r];
		float v;
		if (b->hi > b->lo) {
			double sum = 0;
			for (int k = b->lo; k < b->hi; k++)
				sum += power[k];
			v = (float)(sum / (b->hi - b->lo));
		} else {
			v = power[b->lo] + b->frac * (power[b->lo + (b->lo + 1 < bins)] - power[b->lo]);
		}
		col[r] += v;
	}
	if (++c->fill >= c->per)
		c->fill = 0;
	c->frames++;
}

/* Frames in column I of channel C. */
static int64_t col_frames(const sg_channel *c, size_t i)
{
	return i + 1 < c->ncols || c->fill == 0 ? c->per : c->fill;
}

bool sh_spectrogram_column(const sh_spectrogram *s, double a, double b, float *out)
{
	const double dt = (double)s->hop / s->rate;
	int64_t f0 = (int64_t)ceil((a - s->first) / dt - 1e-9), f1 = (int64_t)ceil((b - s->first) / dt - 1e-9);
	if (f1 <= f0) { /* between two frames: the nearest */
		f0 = (int64_t)floor(((a + b) / 2 - s->first) / dt + 0.5);
		f1 = f0 + 1;
	}
	for (int r = 0; r < s->rows; r++)
		out[r] = 0;
	bool any = false;
	for (int ch = 0; ch < s->channels; ch++) {
		const sg_channel *c = &s->ch[ch];
		int64_t g0 = f0 < 0 ? 0 : f0, g1 = f1 > c->frames ? c->frames : f1;
		if (g1 <= g0)
			continue;
		size_t i0 = (size_t)(g0 / c->per), i1 = (size_t)((g1 - 1) / c->per);
		int64_t n = 0;
		for (size_t i = i0; i <= i1; i++)
			n += col_frames(c, i);
		for (size_t i = i0; i <= i1; i++) {
			const float *col = c->sum + i * s->rows;
			for (int r = 0; r < s->rows; r++)
				out[r] += col[r] / (float)n;
		}
		any = true;
	}
	return any;
}

float sh_spectrogram_peak(const sh_spectrogram *s)
{
	/* the channels summed, column by column, as sh_spectrogram_column reads them */
	float peak = 0;
	size_t ncols = 0;
	for (int ch = 0; ch < s->channels; ch++)
		if (s->ch[ch].ncols > ncols)
			ncols = s->ch[ch].ncols;
	float *acc = sh_malloc((size_t)s->rows * sizeof *acc);
	for (size_t i = 0; i < ncols; i++) {
		for (int r = 0; r < s->rows; r++)
			acc[r] = 0;
		for (int ch = 0; ch < s->channels; ch++) {
			const sg_channel *c = &s->ch[ch];
			if (i >= c->ncols)
				continue;
			const float *col = c->sum + i * s->rows;
			float n = (float)col_frames(c, i);
			for (int r = 0; r < s->rows; r++)
				acc[r] += col[r] / n;
		}
		for (int r = 0; r < s->rows; r++)
			if (acc[r] > peak)
				peak = acc[r];
	}
	free(acc);
	return peak;
}

/* ---- the canvas -------------------------------------------------------- */

enum { FONT_PX = 11, MAX_LEGEND = 16 };

struct sh_plot {
	cairo_surface_t *surf;
	cairo_t *cr;
	int w, h;
	double t0, t1;
	double x0, y0, x1, y1; /* the plot area */
	double legend_y, axis_y; /* text baselines; 0: no room for the row */
	double marker_end;     /* right edge of the last marker label */
	char *title;
	struct {
		char *text;
		sh_rgb c;
	} legend[MAX_LEGEND];
	int nlegend;
};

static void set_rgb(cairo_t *cr, sh_rgb c, double alpha)
{
	cairo_set_source_rgba(cr, ((c >> 16) & 255) / 255.0, ((c >> 8) & 255) / 255.0, (c & 255) / 255.0, alpha);
}

static double text_width(sh_plot *p, const char *s)
{
	cairo_text_extents_t e;
	cairo_text_extents(p->cr, s, &e);
	return e.x_advance;
}

/* TEXT with its left end at x and its baseline at y. */
static void text_at(sh_plot *p, double x, double y, const char *s, sh_rgb c)
{
	set_rgb(p->cr, c, 1);
	cairo_move_to(p->cr, x, y);
	cairo_show_text(p->cr, s);
}

sh_plot *sh_plot_new(int w, int h, double t0, double t1)
{
	if (w < 16 || h < 16 || w > 16384 || h > 16384) {
		sh_set_error("a picture of %dx%d pixels (16..16384 each way)", w, h);
		return NULL;
	}
	if (!(t1 > t0) || !isfinite(t0) || !isfinite(t1)) {
		sh_set_error("an empty time window (%g to %g seconds)", t0, t1);
		return NULL;
	}
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
		sh_set_error("a %dx%d picture: %s", w, h, cairo_status_to_string(cairo_surface_status(s)));
		cairo_surface_destroy(s);
		return NULL;
	}
	sh_plot *p = sh_calloc(1, sizeof *p);
	p->surf = s;
	p->cr = cairo_create(s);
	p->w = w;
	p->h = h;
	p->t0 = t0;
	p->t1 = t1;
	cairo_select_font_face(p->cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(p->cr, FONT_PX);
	/* rows of text only when the picture has room for them and a plot */
	double top = 4, bottom = h - 4;
	if (h >= 96) {
		p->legend_y = top + FONT_PX;
		top += FONT_PX + 6;
	}
	if (h >= 64) {
		p->axis_y = bottom - 2;
		bottom -= FONT_PX + 6;
	}
	p->x0 = 6;
	p->x1 = w - 6;
	p->y0 = top;
	p->y1 = bottom;
	set_rgb(p->cr, 0x121218, 1);
	cairo_paint(p->cr);
	set_rgb(p->cr, 0x16161e, 1);
	cairo_rectangle(p->cr, p->x0, p->y0, p->x1 - p->x0, p->y1 - p->y0);
	cairo_fill(p->cr);
	p->marker_end = -1e9;
	return p;
}

void sh_plot_free(sh_plot *p)
{
	if (!p)
		return;
	cairo_destroy(p->cr);
	cairo_surface_destroy(p->surf);
	free(p->title);
	for (int i = 0; i < p->nlegend; i++)
		free(p->legend[i].text);
	free(p);
}

void sh_plot_area(const sh_plot *p, double *x0, double *y0, double *x1, double *y1)
{
	*x0 = p->x0;
	*y0 = p->y0;
	*x1 = p->x1;
	*y1 = p->y1;
}

double sh_plot_x(const sh_plot *p, double t) { return p->x0 + (t - p->t0) * (p->x1 - p->x0) / (p->t1 - p->t0); }
double sh_plot_y(const sh_plot *p, double v) { return p->y1 - v * (p->y1 - p->y0); }

/* Clip drawing to the plot area. */
static void clip_area(sh_plot *p)
{
	cairo_save(p->cr);
	cairo_rectangle(p->cr, p->x0, p->y0, p->x1 - p->x0, p->y1 - p->y0);
	cairo_clip(p->cr);
}

/* A tick's label: seconds with the step's decimals, or m:ss from a minute on. */
static void tick_label(char *buf, size_t n, double t, double step, bool minutes)
{
	int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
	if (dec > 3)
		dec = 3;
	if (!minutes) {
		snprintf(buf, n, "%.*fs", dec, t);
		return;
	}
	double a = fabs(t);
	int m = (int)floor(a / 60 + 1e-9);
	double s = a - 60.0 * m;
	if (s < 0)
		s = 0;
	snprintf(buf, n, "%s%d:%0*.*f", t < 0 ? "-" : "", m, dec ? dec + 3 : 2, dec, s);
}

typedef void label_fn(char *buf, size_t n, double t, double step, const void *ctx);

/* An axis of time or beats: the first of STEPS whose ticks leave room for the
 * WIDEST label, a grid line at each and, under the area, each tick's LABEL
 * where it does not touch the one before. */
static void draw_axis(sh_plot *p, const double *steps, size_t nsteps, const char *widest, label_fn *label,
                      const void *ctx)
{
	double pps = (p->x1 - p->x0) / (p->t1 - p->t0);
	double need = text_width(p, widest) + 14;
	double step = steps[nsteps - 1];
	for (size_t i = 0; i < nsteps; i++)
		if (steps[i] * pps >= need) {
			step = steps[i];
			break;
		}
	double first = ceil(p->t0 / step - 1e-9) * step;
	clip_area(p);
	set_rgb(p->cr, 0x2c2c38, 1);
	cairo_set_line_width(p->cr, 1);
	for (double t = first; t <= p->t1 + 1e-9; t += step) {
		double x = floor(sh_plot_x(p, t)) + 0.5;
		cairo_move_to(p->cr, x, p->y0);
		cairo_line_to(p->cr, x, p->y1);
	}
	cairo_stroke(p->cr);
	cairo_restore(p->cr);
	if (!p->axis_y)
		return;
	char buf[64];
	double last_end = -1e9;
	for (long k = 0;; k++) {
		double t = first + k * step;
		if (t > p->t1 + 1e-9)
			break;
		label(buf, sizeof buf, t, step, ctx);
		double tw = text_width(p, buf), x = sh_plot_x(p, t) - tw / 2;
		if (x < 1)
			x = 1;
		if (x + tw > p->w - 1)
			x = p->w - 1 - tw;
		if (x < last_end + 6 || x < 0)
			continue;
		text_at(p, x, p->axis_y, buf, 0xb0b0bc);
		last_end = x + tw;
	}
}

static void time_label(char *buf, size_t n, double t, double step, const void *minutes)
{
	tick_label(buf, n, fabs(t) < step * 1e-6 ? 0 : t, step, *(const bool *)minutes);
}

void sh_plot_time_axis(sh_plot *p)
{
	static const double steps[] = {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30,
	                               60, 120, 300, 600, 900, 1800, 3600, 7200, 18000, 36000, 86400};
	bool minutes = fmax(fabs(p->t0), fabs(p->t1)) >= 60;
	char widest[64];
	tick_label(widest, sizeof widest, -p->t1, 0.001, minutes);
	draw_axis(p, steps, sizeof steps / sizeof *steps, widest, time_label, &minutes);
}

static void beat_label(char *buf, size_t n, double t, double step, const void *bpm_p)
{
	(void)step;
	double bpm = *(const double *)bpm_p;
	if (bpm > 0)
		snprintf(buf, n, "%g (%.*fs)", t, t * 60 / bpm < 10 ? 2 : 1, t * 60 / bpm);
	else
		snprintf(buf, n, "%g", t);
}

void sh_plot_beat_axis(sh_plot *p, double bpm)
{
	static const double steps[] = {0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16384, 65536};
	char widest[64];
	if (bpm > 0)
		snprintf(widest, sizeof widest, "%.2f (%.2fs)", p->t1, p->t1 * 60 / bpm);
	else
		snprintf(widest, sizeof widest, "%.2f", p->t1);
	draw_axis(p, steps, sizeof steps / sizeof *steps, widest, beat_label, &bpm);
}

void sh_plot_bars(sh_plot *p, double bpm, double offset, int beats_per_bar)
{
	if (!(bpm > 0) || beats_per_bar < 1)
		return;
	double bar = beats_per_bar * 60.0 / bpm, pps = (p->x1 - p->x0) / (p->t1 - p->t0);
	long every = 1, label_every = 1;
	while (bar * every * pps < 4 && every < (1L << 30))
		every *= 2;
	char buf[32];
	snprintf(buf, sizeof buf, "%ld", (long)ceil((p->t1 - offset) / bar) + 1);
	double need = text_width(p, buf) + 8;
	label_every = every;
	while (bar * label_every * pps < need && label_every < (1L << 30))
		label_every *= 2;
	long k0 = (long)ceil((p->t0 - offset) / bar - 1e-9), k1 = (long)floor((p->t1 - offset) / bar + 1e-9);
	if (k0 < 0)
		k0 = 0;
	clip_area(p);
	cairo_set_line_width(p->cr, 1);
	set_rgb(p->cr, 0xc08030, 0.45);
	for (long k = k0; k <= k1; k++) {
		if (k % every)
			continue;
		double x = floor(sh_plot_x(p, offset + k * bar)) + 0.5;
		cairo_move_to(p->cr, x, p->y0);
		cairo_line_to(p->cr, x, p->y1);
	}
	cairo_stroke(p->cr);
	if (p->y1 - p->y0 >= FONT_PX + 4)
		for (long k = k0; k <= k1; k++) {
			if (k % label_every)
				continue;
			snprintf(buf, sizeof buf, "%ld", k + 1);
			text_at(p, sh_plot_x(p, offset + k * bar) + 2, p->y0 + FONT_PX, buf, 0xe0a050);
		}
	cairo_restore(p->cr);
}

static bool wave_column(void *user, double a, double b, float *lo, float *hi)
{
	return sh_wave_range(user, a, b, lo, hi);
}

void sh_plot_wave(sh_plot *p, const sh_wave *w, double v0, double v1, sh_rgb c)
{
	sh_plot_wave_fn(p, wave_column, (void *)w, v0, v1, c);
}

void sh_plot_wave_fn(sh_plot *p, sh_plot_column_fn fn, void *user, double v0, double v1, sh_rgb c)
{
	double ya = sh_plot_y(p, v0), yb = sh_plot_y(p, v1), mid = (ya + yb) / 2, half = fabs(ya - yb) / 2;
	double spp = (p->t1 - p->t0) / (p->x1 - p->x0);
	clip_area(p);
	set_rgb(p->cr, c, 1);
	for (int x = (int)p->x0; x < (int)ceil(p->x1); x++) {
		double a = p->t0 + (x - p->x0) * spp;
		float lo, hi;
		if (!fn(user, a, a + spp, &lo, &hi))
			continue;
		lo = fmaxf(-1, fminf(1, lo));
		hi = fmaxf(-1, fminf(1, hi));
		double top = mid - hi * half, bot = mid - lo * half;
		if (bot - top < 1)
			bot = top + 1;
		cairo_rectangle(p->cr, x, top, 1, bot - top);
	}
	cairo_fill(p->cr);
	cairo_restore(p->cr);
}

/* The dB colour map, dark to bright (after matplotlib's magma): stops at
 * fractions of the range, in between linear in RGB. */
sh_rgb sh_plot_db_colour(double db, double range_db)
{
	static const struct {
		double at;
		sh_rgb c;
	} stops[] = {{0, 0x0c0c1c}, {0.25, 0x3b0f70}, {0.5, 0x8c2981},
	             {0.7, 0xde4968}, {0.85, 0xfe9f6d}, {1, 0xfcfdbf}};
	double t = range_db > 0 ? (db + range_db) / range_db : 1;
	if (!(t > 0))
		t = 0;
	if (t > 1)
		t = 1;
	size_t i = 1;
	while (i + 1 < sizeof stops / sizeof *stops && t > stops[i].at)
		i++;
	double u = (t - stops[i - 1].at) / (stops[i].at - stops[i - 1].at);
	sh_rgb a = stops[i - 1].c, b = stops[i].c, out = 0;
	for (int sh = 0; sh <= 16; sh += 8) {
		double x = ((a >> sh) & 255) + u * ((double)((b >> sh) & 255) - ((a >> sh) & 255));
		out |= (sh_rgb)lround(x) << sh;
	}
	return out;
}

/* TEXT at (x, baseline y) on a dark box, readable over a picture. */
static void boxed_text(sh_plot *p, double x, double y, const char *text, sh_rgb c)
{
	double tw = text_width(p, text);
	set_rgb(p->cr, 0x121218, 0.7);
	cairo_rectangle(p->cr, x - 2, y - FONT_PX + 1, tw + 4, FONT_PX + 2);
	cairo_fill(p->cr);
	text_at(p, x, y, text, c);
}

/* An image of W x H pixels to fill by hand: its bytes and row stride; NULL when
 * cairo cannot make it (the picture is drawn without it). */
static cairo_surface_t *pixel_surface(cairo_format_t format, int w, int h, unsigned char **data, int *stride)
{
	cairo_surface_t *img = cairo_image_surface_create(format, w, h);
	if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(img);
		return NULL;
	}
	cairo_surface_flush(img);
	*data = cairo_image_surface_get_data(img);
	*stride = cairo_image_surface_get_stride(img);
	return img;
}

void sh_plot_spectrogram(sh_plot *p, const sh_spectrogram *s, double v0, double v1, float ref,
                         double range_db, const char *label)
{
	int xa = (int)ceil(p->x0), xb = (int)floor(p->x1);
	int ya = (int)ceil(sh_plot_y(p, v1)), yb = (int)floor(sh_plot_y(p, v0));
	int pw = xb - xa, ph = yb - ya, rows = s->rows;
	if (pw < 1 || ph < 1)
		return;
	unsigned char *data;
	int stride;
	cairo_surface_t *img = pixel_surface(CAIRO_FORMAT_RGB24, pw, ph, &data, &stride);
	if (!img)
		return;
	float *col = sh_malloc((size_t)rows * sizeof *col);
	double *db = sh_malloc((size_t)rows * sizeof *db);
	double spp = (p->t1 - p->t0) / (p->x1 - p->x0), floor_db = -range_db - 1;
	if (!(ref > 0))
		ref = 1;
	for (int x = 0; x < pw; x++) {
		double a = p->t0 + (xa + x - p->x0) * spp;
		bool have = sh_spectrogram_column(s, a, a + spp, col);
		for (int r = 0; r < rows; r++)
			db[r] = col[r] > 0 ? 10 * log10(col[r] / ref) : floor_db;
		for (int y = 0; y < ph; y++) {
			/* the band under this pixel's centre, between two bands' centres */
			sh_rgb c = 0x16161e;
			if (have) {
				double u = (ph - y - 0.5) / ph * rows - 0.5;
				int r0 = u < 0 ? 0 : (int)u;
				if (r0 > rows - 1)
					r0 = rows - 1;
				int r1 = r0 + 1 < rows ? r0 + 1 : r0;
				double f = u - r0;
				f = f < 0 ? 0 : f > 1 ? 1 : f;
				c = sh_plot_db_colour(db[r0] + f * (db[r1] - db[r0]), range_db);
			}
			uint32_t *px = (uint32_t *)(data + (size_t)y * stride) + x;
			*px = c;
		}
	}
	free(col);
	free(db);
	cairo_surface_mark_dirty(img);
	cairo_save(p->cr);
	cairo_set_source_surface(p->cr, img, xa, ya);
	cairo_rectangle(p->cr, xa, ya, pw, ph);
	cairo_fill(p->cr);
	cairo_restore(p->cr);
	cairo_surface_destroy(img);

	/* a few frequencies up the left edge, as far apart as the text needs */
	static const double marks[] = {50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000};
	double lf0 = log(s->fmin), lf1 = log(s->fmax), last_y = 1e9;
	set_rgb(p->cr, 0xe8e8f0, 0.6);
	cairo_set_line_width(p->cr, 1);
	for (size_t i = 0; i < sizeof marks / sizeof *marks; i++) {
		double f = marks[i];
		if (f <= s->fmin || f >= s->fmax)
			continue;
		double y = yb - (log(f) - lf0) / (lf1 - lf0) * ph;
		if (last_y - y < FONT_PX + 6 || y - ya < FONT_PX + 2)
			continue;
		char buf[40];
		if (f >= 1000)
			snprintf(buf, sizeof buf, "%g kHz", f / 1000);
		else
			snprintf(buf, sizeof buf, "%g Hz", f);
		double yl = floor(y) + 0.5;
		set_rgb(p->cr, 0xe8e8f0, 0.6);
		cairo_move_to(p->cr, xa, yl);
		cairo_line_to(p->cr, xa + 5, yl);
		cairo_stroke(p->cr);
		boxed_text(p, xa + 8, y + FONT_PX * 0.35, buf, 0xd8d8e0);
		last_y = y;
	}
	if (label && ph >= FONT_PX + 4) {
		double tw = text_width(p, label);
		if (tw + 8 < pw)
			boxed_text(p, xb - tw - 4, ya + FONT_PX + 2, label, 0xf0f0f8);
	}
}

bool sh_plot_label(sh_plot *p, double t, double v, const char *text, sh_rgb c, double max_w)
{
	double tw = text_width(p, text);
	if (tw > max_w)
		return false;
	double x = sh_plot_x(p, t) - tw / 2, y = sh_plot_y(p, v) + FONT_PX * 0.35;
	if (x < p->x0 || x + tw > p->x1 || y - FONT_PX < p->y0 - 1 || y > p->y1 + 1)
		return false;
	text_at(p, x, y, text, c);
	return true;
}

void sh_plot_span(sh_plot *p, double a, double b, double v0, double v1, sh_rgb c, double alpha, const char *label)
{
	double xa = sh_plot_x(p, a), xb = sh_plot_x(p, b), ya = sh_plot_y(p, v1), yb = sh_plot_y(p, v0);
	clip_area(p);
	set_rgb(p->cr, c, alpha);
	cairo_rectangle(p->cr, xa, ya, fmax(xb - xa, 1), fmax(yb - ya, 1));
	cairo_fill(p->cr);
	cairo_restore(p->cr);
	if (label && yb - ya >= FONT_PX)
		sh_plot_label(p, (a + b) / 2, (v0 + v1) / 2, label, 0xe8e8f0, xb - xa - 2);
}

void sh_plot_image(sh_plot *p, double t0, double v0, double t1, double v1, const uint8_t *rgb,
                   const uint8_t *alpha, int w, int h)
{
	unsigned char *data;
	int stride;
	cairo_surface_t *img = pixel_surface(CAIRO_FORMAT_ARGB32, w, h, &data, &stride);
	if (!img)
		return;
	size_t n = (size_t)w * (size_t)h;
	for (int y = 0; y < h; y++) {
		uint32_t *row = (uint32_t *)(data + (size_t)y * stride);
		for (int x = 0; x < w; x++) {
			size_t i = (size_t)y * w + x;
			uint32_t a = alpha ? alpha[i] : 255;
			/* cairo's ARGB32 is premultiplied */
			uint32_t r = (rgb[i] * a + 127) / 255, g = (rgb[n + i] * a + 127) / 255,
			         b = (rgb[2 * n + i] * a + 127) / 255;
			row[x] = a << 24 | r << 16 | g << 8 | b;
		}
	}
	cairo_surface_mark_dirty(img);
	double xa = sh_plot_x(p, t0), xb = sh_plot_x(p, t1), ya = sh_plot_y(p, v1), yb = sh_plot_y(p, v0);
	double scale = fmin((xb - xa) / w, (yb - ya) / h);
	double dw = w * scale, dh = h * scale, x = xa + ((xb - xa) - dw) / 2, y = ya + ((yb - ya) - dh) / 2;
	clip_area(p);
	if (alpha) {
		const double sq = 8;
		for (int j = 0; j * sq < dh; j++)
			for (int i = 0; i * sq < dw; i++) {
				set_rgb(p->cr, (i + j) & 1 ? 0x9a9aa2 : 0x6a6a72, 1);
				cairo_rectangle(p->cr, x + i * sq, y + j * sq, fmin(sq, dw - i * sq), fmin(sq, dh - j * sq));
				cairo_fill(p->cr);
			}
	}
	cairo_save(p->cr);
	cairo_translate(p->cr, x, y);
	cairo_scale(p->cr, scale, scale);
	cairo_set_source_surface(p->cr, img, 0, 0);
	cairo_pattern_set_filter(cairo_get_source(p->cr), CAIRO_FILTER_GOOD);
	cairo_rectangle(p->cr, 0, 0, w, h);
	cairo_fill(p->cr);
	cairo_restore(p->cr);
	set_rgb(p->cr, 0x50505c, 1);
	cairo_set_line_width(p->cr, 1);
	cairo_rectangle(p->cr, floor(x) + 0.5, floor(y) + 0.5, floor(dw), floor(dh));
	cairo_stroke(p->cr);
	cairo_restore(p->cr);
	cairo_surface_destroy(img);
}

void sh_plot_segment(sh_plot *p, double t0, double v0, double t1, double v1, sh_rgb c, double width)
{
	clip_area(p);
	set_rgb(p->cr, c, 1);
	cairo_set_line_width(p->cr, width);
	cairo_set_line_cap(p->cr, CAIRO_LINE_CAP_SQUARE);
	cairo_move_to(p->cr, sh_plot_x(p, t0), sh_plot_y(p, v0));
	cairo_line_to(p->cr, sh_plot_x(p, t1), sh_plot_y(p, v1));
	cairo_stroke(p->cr);
	cairo_restore(p->cr);
}

void sh_plot_marker(sh_plot *p, double t, sh_rgb c, double width, const char *label)
{
	double x = floor(sh_plot_x(p, t)) + 0.5; /* on a pixel, not smeared over two */
	clip_area(p);
	set_rgb(p->cr, c, 0.7); /* the waveform shows through */
	cairo_set_line_width(p->cr, width);
	cairo_move_to(p->cr, x, p->y0);
	cairo_line_to(p->cr, x, p->y1);
	cairo_stroke(p->cr);
	if (label && p->y1 - p->y0 >= 2 * FONT_PX) {
		double tw = text_width(p, label);
		if (x + 2 >= p->marker_end + 4 && x + 2 + tw <= p->x1) {
			text_at(p, x + 2, p->y0 + 2 * FONT_PX + 2, label, c);
			p->marker_end = x + 2 + tw;
		}
	}
	cairo_restore(p->cr);
}

void sh_plot_title(sh_plot *p, const char *text)
{
	free(p->title);
	p->title = sh_strdup(text);
}

void sh_plot_legend(sh_plot *p, const char *text, sh_rgb c)
{
	if (p->nlegend == MAX_LEGEND)
		return;
	p->legend[p->nlegend].text = sh_strdup(text);
	p->legend[p->nlegend].c = c;
	p->nlegend++;
}

/* The title and legend along the top row, as far as they fit. */
static void draw_legend(sh_plot *p)
{
	if (!p->legend_y)
		return;
	double x = p->x0, right = p->x1;
	if (p->title) {
		double tw = text_width(p, p->title);
		if (x + tw <= right) {
			text_at(p, x, p->legend_y, p->title, 0xe8e8f0);
			x += tw + 16;
		}
	}
	for (int i = 0; i < p->nlegend; i++) {
		double tw = text_width(p, p->legend[i].text);
		if (x + 14 + tw > right)
			break;
		set_rgb(p->cr, p->legend[i].c, 1);
		cairo_rectangle(p->cr, x, p->legend_y - 9, 10, 10);
		cairo_fill(p->cr);
		text_at(p, x + 14, p->legend_y, p->legend[i].text, 0xc8c8d4);
		x += 14 + tw + 14;
	}
}

typedef struct {
	unsigned char *data;
	size_t len, cap;
} membuf;

static cairo_status_t png_chunk(void *closure, const unsigned char *data, unsigned int n)
{
	membuf *m = closure;
	if (m->len + n > m->cap) {
		m->cap = (m->len + n) * 2;
		m->data = sh_realloc(m->data, m->cap, 1);
	}
	memcpy(m->data + m->len, data, n);
	m->len += n;
	return CAIRO_STATUS_SUCCESS;
}

int sh_plot_write_png(sh_plot *p, const char *path)
{
	draw_legend(p);
	cairo_surface_flush(p->surf);
	membuf m = {0};
	cairo_status_t st = cairo_surface_write_to_png_stream(p->surf, png_chunk, &m);
	if (st != CAIRO_STATUS_SUCCESS) {
		free(m.data);
		sh_set_error("PNG encoding: %s", cairo_status_to_string(st));
		return -1;
	}
	int r = sh_write_file_atomic(path, (const char *)m.data, m.len);
	free(m.data);
	return r;
}

int sh_plot_audio_png(const char *path, int w, int h, const char *title, const sh_wave *wave,
                      const sh_plot_marks *marks, size_t nmarks, double bpm, double offset)
{
	double len = sh_wave_seconds(wave);
	sh_plot *p = sh_plot_new(w, h, 0, len > 0 ? len : 1);
	if (!p)
		return -1;
	sh_plot_time_axis(p);
	sh_plot_bars(p, bpm, offset, 4);
	sh_plot_wave(p, wave, 0.02, 0.86, 0x3c6e96);
	if (title)
		sh_plot_title(p, title);
	sh_plot_legend(p, "waveform", 0x3c6e96);
	char buf[96];
	for (size_t k = 0; k < nmarks; k++) {
		const sh_plot_marks *m = &marks[k];
		p->marker_end = -1e9;
		for (size_t i = 0; i < m->n; i++) {
			snprintf(buf, sizeof buf, "%zu", i + 1);
			sh_plot_marker(p, m->t[i], m->c, 1, m->numbered ? buf : NULL);
		}
		snprintf(buf, sizeof buf, "%s (%zu)", m->legend, m->n);
		sh_plot_legend(p, buf, m->c);
	}
	if (bpm > 0) {
		snprintf(buf, sizeof buf, "bars at %.1f BPM", bpm);
		sh_plot_legend(p, buf, 0xc08030);
	}
	int r = sh_plot_write_png(p, path);
	sh_plot_free(p);
	return r;
}

int sh_plot_check_path(const char *path)
{
	if (!path || strcmp(path, "-") == 0)
		return 0;
	sh_atomic *a = sh_atomic_open(path);
	if (!a)
		return -1;
	sh_atomic_abort(a);
	return 0;
}

struct sh_spectra {
	char *path;
	int w, h;
	sh_spectrogram *before, *after;
};

sh_spectra *sh_spectra_new(const char *path, int w, int h, int rate, int channels, int fft, int hop)
{
	if (sh_plot_check_path(path) != 0)
		return NULL;
	/* the columns a picture this wide can show, fewer with many channels */
	size_t cols = 1024;
	while (cols > 64 && (size_t)channels * cols > 8192)
		cols /= 2;
	sh_spectrogram_opts o = {.rate = rate, .fft = fft, .hop = hop, .channels = channels,
	                         .max_cols = cols, .first = (double)(hop - fft / 2) / rate};
	sh_spectra *s = sh_calloc(1, sizeof *s);
	s->path = sh_strdup(path);
	s->w = w;
	s->h = h;
	if (!(s->before = sh_spectrogram_new(&o)) || !(s->after = sh_spectrogram_new(&o))) {
		sh_spectra_free(s);
		return NULL;
	}
	return s;
}

void sh_spectra_watch(void *spectra, int channel, const float *before, const float *after, int bins)
{
	sh_spectra *s = spectra;
	sh_spectrogram_feed(s->before, channel, before, bins);
	sh_spectrogram_feed(s->after, channel, after, bins);
}

void sh_spectra_free(sh_spectra *s)
{
	if (!s)
		return;
	sh_spectrogram_free(s->before);
	sh_spectrogram_free(s->after);
	free(s->path);
	free(s);
}

int sh_spectra_png(sh_spectra *s, const char *title, double seconds)
{
	enum { RANGE_DB = 90 };
	sh_plot *p = sh_plot_new(s->w, s->h, 0, seconds > 0 ? seconds : 1);
	if (!p)
		return -1;
	sh_plot_time_axis(p);
	float a = sh_spectrogram_peak(s->before), b = sh_spectrogram_peak(s->after);
	float ref = a > b ? a : b;
	/* half a line of text between the two, where it fits */
	double gap = (p->y1 - p->y0) > 8 * FONT_PX ? (FONT_PX / 4.0) / (p->y1 - p->y0) : 0.01;
	sh_plot_spectrogram(p, s->before, 0.5 + gap, 1, ref, RANGE_DB, "input");
	sh_plot_spectrogram(p, s->after, 0, 0.5 - gap, ref, RANGE_DB, "output");
	if (title)
		sh_plot_title(p, title);
	char buf[32];
	for (int db = 0; db >= -RANGE_DB; db -= 30) {
		snprintf(buf, sizeof buf, "%d dB", db);
		sh_plot_legend(p, buf, sh_plot_db_colour(db, RANGE_DB));
	}
	int r = sh_plot_write_png(p, s->path);
	sh_plot_free(p);
	return r;
}
