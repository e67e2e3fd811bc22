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

void sh_plot_time_axis(sh_plot *p)
{
	static const double steps[] = {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30,
	                               60, 120, 300, 600, 900, 1800, 3600, 7200, 18000, 36000, 86400};
	double pps = (p->x1 - p->x0) / (p->t1 - p->t0);
	bool minutes = fmax(fabs(p->t0), fabs(p->t1)) >= 60;
	char buf[64];
	tick_label(buf, sizeof buf, -p->t1, 0.001, minutes); /* the widest label */
	double need = text_width(p, buf) + 14;
	double step = steps[sizeof steps / sizeof *steps - 1];
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
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
	double last_end = -1e9;
	for (long k = 0;; k++) {
		double t = first + k * step;
		if (t > p->t1 + 1e-9)
			break;
		tick_label(buf, sizeof buf, fabs(t) < step * 1e-6 ? 0 : t, step, minutes);
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

void sh_plot_beat_axis(sh_plot *p, double bpm)
{
	static const double steps[] = {0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16384, 65536};
	double pps = (p->x1 - p->x0) / (p->t1 - p->t0);
	char buf[64];
	/* the widest label, so neighbours never touch */
	if (bpm > 0)
		snprintf(buf, sizeof buf, "%.2f (%.2fs)", p->t1, p->t1 * 60 / bpm);
	else
		snprintf(buf, sizeof buf, "%.2f", p->t1);
	double need = text_width(p, buf) + 14;
	double step = steps[sizeof steps / sizeof *steps - 1];
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
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
	double last_end = -1e9;
	for (long k = 0;; k++) {
		double t = first + k * step;
		if (t > p->t1 + 1e-9)
			break;
		if (bpm > 0)
			snprintf(buf, sizeof buf, "%g (%.*fs)", t, t * 60 / bpm < 10 ? 2 : 1, t * 60 / bpm);
		else
			snprintf(buf, sizeof buf, "%g", t);
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
