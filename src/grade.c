/* grade -- the curation manifest of any texture files: each file measured
 * (duration, RMS, peak, crest, centroid, rough pitch, loop seam error,
 * brightness) and graded A-F by thresholds, as CSV in the manifest's columns
 * or JSON; F files deleted on request; a contact sheet of them all.
 *     grade pads/a.wav pads/b.wav --delete-f --sheet sheet.png > manifest.csv
 * parse -> validate -> measure each file (a bad one warned about, skipped) ->
 * print -> sheet -> delete. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audio.h"
#include "cli.h"
#include "manifest.h"
#include "measure.h"
#include "plot.h"

static int check_settings(void);
static sh_program prog = {
	.check = check_settings,
	.usage = "grade [options] FILE...",
	.summary = "Measure and grade texture files A-F: the curation manifest as CSV or JSON, a contact sheet.",
};

static struct {
	const char *output, *sheet, *type, *source;
	bool json, delete_f, one_shot;
	double dark, bright;
	sh_tex_thresholds t;
	int64_t columns;
} opt = {
	.dark = SH_TEX_DARK_HZ,     /* Hz: centroid below is "dark" (sub, warm, muffled) */
	.bright = SH_TEX_BRIGHT_HZ, /* Hz: centroid above is "bright" (airy, hissy, glassy) */
	.t = SH_TEX_THRESHOLDS_DEFAULT,
	.columns = 4,               /* tiles across the contact sheet */
};

#define DB(nm, field, hlp)                                                                                 \
	{.name = nm, .type = SH_OPT_DOUBLE, .dest = &opt.t.field, .min = -200, .max = 0, .arg = "DB", \
	 .unit = "dBFS", .help = hlp}
#define CREST(nm, field, hlp)                                                                             \
	{.name = nm, .type = SH_OPT_DOUBLE, .dest = &opt.t.field, .min = 0, .max = 200, .arg = "DB", \
	 .unit = "dB", .help = hlp}
#define SEAM(nm, field, hlp) \
	{.name = nm, .type = SH_OPT_DOUBLE, .dest = &opt.t.field, .min = 0, .max = 2, .arg = "E", .help = hlp}

static sh_option options[] = {
	{.name = "output", .short_name = 'o', .type = SH_OPT_STRING, .dest = &opt.output, .arg = "FILE",
	 .no_preset = true, .help = "write the manifest to FILE (atomically) instead of standard output"},
	{.name = "json", .type = SH_OPT_FLAG, .dest = &opt.json, .help = "JSON (an array, one object a file) instead of CSV"},
	{.name = "type", .type = SH_OPT_STRING, .dest = &opt.type, .arg = "NAME",
	 .help = "the type column (pad, cloud, hiss, swell...; default: the file's folder pads/ clouds/ hiss/ swells/, else loop)"},
	{.name = "source", .type = SH_OPT_STRING, .dest = &opt.source, .arg = "NAME",
	 .help = "the source column (default: the folder above pads/ clouds/ hiss/ swells/, else empty)"},
	{.name = "one-shot", .type = SH_OPT_FLAG, .dest = &opt.one_shot,
	 .help = "the files are one-shots, not loops: no seam error (swells/ files always are)"},
	DB("silence", silence_db, "F below this RMS: silence"),
	{.name = "max-clip", .type = SH_OPT_DOUBLE, .dest = &opt.t.clip_fraction, .min = 0, .max = 1, .arg = "F",
	 .help = "F above this share of samples at full scale (|x| >= 0.999): clipping"},
	CREST("max-crest", f_crest_db, "F above this crest (peak over RMS): a spike in near silence"),
	DB("a-rms", a_rms_db, "A needs an RMS at least this"),
	CREST("a-crest", a_crest_db, "A needs a crest at most this"),
	SEAM("a-seam", a_seam, "A needs a seam error at most this (pitched loops)"),
	DB("b-rms", b_rms_db, "B needs an RMS at least this"),
	CREST("b-crest", b_crest_db, "B needs a crest at most this"),
	SEAM("b-seam", b_seam, "B needs a seam error at most this (pitched loops)"),
	DB("c-rms", c_rms_db, "C needs an RMS at least this"),
	CREST("c-crest", c_crest_db, "C needs a crest at most this"),
	SEAM("c-seam", c_seam, "C needs a seam error at most this (pitched loops); D is below C"),
	{.name = "dark", .type = SH_OPT_DOUBLE, .dest = &opt.dark, .min = 20, .max = 20000, .arg = "HZ", .unit = "Hz",
	 .help = "centroid below HZ tags a file dark (sub, warm, muffled)"},
	{.name = "bright", .type = SH_OPT_DOUBLE, .dest = &opt.bright, .min = 20, .max = 20000, .arg = "HZ",
	 .unit = "Hz", .help = "centroid above HZ tags a file bright (airy, hissy, glassy)"},
	{.name = "delete-f", .type = SH_OPT_FLAG, .dest = &opt.delete_f, .no_preset = true,
	 .help = "delete the files graded F (each named on stderr); nothing else is ever deleted"},
	{.name = "sheet", .type = SH_OPT_STRING, .dest = &opt.sheet, .arg = "PNG", .no_preset = true,
	 .help = "also draw a contact sheet to PNG: per file a spectrogram and waveform, its name and grade"},
	{.name = "columns", .type = SH_OPT_INT, .dest = &opt.columns, .min = 1, .max = 32, .arg = "N",
	 .help = "tiles across the contact sheet"},
	{0},
};

#define TILE_W 300
#define TILE_H 220
#define SHEET_MARGIN 40 /* the legend row and the empty axis under the tiles */
#define SPEC_ROWS 64
#define SPEC_COLS 512
#define WAVE_BINS 2048

typedef struct {
	const char *path;
	char *type, *source;
	bool ok;
	sh_tex_measures m;
	sh_wave *wave;
	sh_spectrogram *spec;
	float *power; /* a frame's power, for the spectrogram */
	int bins;
} item;

/* ---- the folder layout of an export (SOURCE/pads/FILE) ---- */

static const char *const type_dirs[][2] = {{"pads", "pad"}, {"clouds", "cloud"}, {"hiss", "hiss"}, {"swells", "swell"}};

/* The path's Nth folder from the end (0: the file's own), malloc'd; NULL when
 * there is none. */
static char *folder(const char *path, int nth)
{
	const char *end = strrchr(path, '/');
	for (int i = 0; end && i < nth; i++) {
		const char *p = end;
		while (p > path && p[-1] != '/')
			p--;
		end = p > path ? p - 1 : NULL;
	}
	if (!end)
		return NULL;
	const char *start = end;
	while (start > path && start[-1] != '/')
		start--;
	if (start == end)
		return NULL;
	char *s = sh_malloc((size_t)(end - start) + 1);
	memcpy(s, start, (size_t)(end - start));
	s[end - start] = 0;
	return s;
}

static void classify(item *it)
{
	char *dir = folder(it->path, 0);
	const char *type = NULL;
	for (size_t i = 0; dir && i < sizeof type_dirs / sizeof *type_dirs; i++)
		if (!strcmp(dir, type_dirs[i][0]))
			type = type_dirs[i][1];
	free(dir);
	it->type = sh_strdup(opt.type ? opt.type : type ? type : "loop");
	char *src = type ? folder(it->path, 1) : NULL;
	it->source = sh_strdup(opt.source ? opt.source : src ? src : "");
	free(src);
}

/* ---- measuring ---- */

static void spec_hook(void *user, const float complex *spec, int bins)
{
	item *it = user;
	for (int k = 0; k < bins; k++)
		it->power[k] = crealf(spec[k]) * crealf(spec[k]) + cimagf(spec[k]) * cimagf(spec[k]);
	sh_spectrogram_feed(it->spec, 0, it->power, bins);
}

/* 0, or -1 with sh_error(): the file cannot be read or holds nothing. */
static int measure(item *it)
{
	classify(it);
	sh_audio_in *in = sh_audio_open(it->path);
	if (!in)
		return -1;
	int rate = sh_audio_rate(in), ch = sh_audio_channels(in);
	size_t frames;
	float *x = sh_audio_slurp(in, &frames);
	sh_audio_close(in);
	if (!x)
		return -1;
	if (!frames) {
		free(x);
		sh_set_error("%s: no audio in it", it->path);
		return -1;
	}
	sh_tex_measure_opts mo = {
		.thresholds = opt.t, .dark_below = opt.dark, .bright_above = opt.bright,
		.loop = !opt.one_shot && strcmp(it->type, "swell") != 0,
	};
	if (opt.sheet) {
		int fft = sh_tex_fft_size(rate);
		/* frame m of lib/dsp/stft is centred at m hop - fft/2 + hop */
		sh_spectrogram_opts so = {.rate = rate, .fft = fft, .hop = fft / 4, .channels = 1, .rows = SPEC_ROWS,
		                          .max_cols = SPEC_COLS, .first = (double)(fft / 4 - fft / 2) / rate};
		it->bins = fft / 2 + 1;
		it->power = sh_malloc((size_t)it->bins * sizeof *it->power);
		it->spec = sh_spectrogram_new(&so);
		it->wave = sh_wave_new(rate, WAVE_BINS);
		if (!it->spec || !it->wave) {
			free(x);
			return -1;
		}
		mo.hook = spec_hook;
		mo.hook_user = it;
		float *mono = sh_malloc(frames * sizeof *mono);
		sh_audio_downmix(x, frames, ch, mono);
		sh_wave_feed(it->wave, mono, frames);
		free(mono);
	}
	int r = sh_tex_measure(x, (int64_t)frames, ch, rate, &mo, &it->m);
	free(x);
	return r;
}

/* ---- output ---- */

static char *fmt(char buf[32], int decimals, double v)
{
	snprintf(buf, 32, "%.*f", decimals, v);
	return buf;
}

static char *csv(const item *items, size_t n, size_t *len)
{
	sh_manifest man;
	sh_manifest_init(&man);
	for (size_t i = 0; i < n; i++) {
		const item *it = &items[i];
		if (!it->ok)
			continue;
		const sh_tex_measures *m = &it->m;
		char nums[7][32], g[2] = {m->grade, 0};
		const char *v[SH_MANIFEST_COLUMNS] = {
			it->path, it->source, it->type, fmt(nums[0], 3, m->duration), fmt(nums[1], 2, m->rms_db),
			fmt(nums[2], 2, m->peak_db), fmt(nums[3], 2, m->crest_db), fmt(nums[4], 1, m->centroid_hz),
			m->pitch_hz > 0 ? fmt(nums[5], 1, m->pitch_hz) : NULL,
			isnan(m->seam_error) ? NULL : fmt(nums[6], 4, m->seam_error), m->brightness, g};
		if (sh_manifest_put(&man, v) != 0)
			sh_die("%s", sh_error());
	}
	char *text = sh_manifest_format(&man, len);
	sh_manifest_free(&man);
	return text;
}

/* A number rounded as the CSV prints it. */
static json_t *num(double v, int decimals)
{
	char b[32];
	return json_real(strtod(fmt(b, decimals, v), NULL));
}

static char *json(const item *items, size_t n, size_t *len)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		const item *it = &items[i];
		if (!it->ok)
			continue;
		const sh_tex_measures *m = &it->m;
		char g[2] = {m->grade, 0};
		json_t *o = json_object();
		json_object_set_new(o, "filename", json_string(it->path));
		json_object_set_new(o, "source", json_string(it->source));
		json_object_set_new(o, "type", json_string(it->type));
		json_object_set_new(o, "duration", num(m->duration, 3));
		json_object_set_new(o, "rms_db", num(m->rms_db, 2));
		json_object_set_new(o, "peak_db", num(m->peak_db, 2));
		json_object_set_new(o, "crest_db", num(m->crest_db, 2));
		json_object_set_new(o, "centroid_hz", num(m->centroid_hz, 1));
		json_object_set_new(o, "pitch_hz", m->pitch_hz > 0 ? num(m->pitch_hz, 1) : json_null());
		json_object_set_new(o, "seam_error", isnan(m->seam_error) ? json_null() : num(m->seam_error, 4));
		json_object_set_new(o, "brightness", json_string(m->brightness));
		json_object_set_new(o, "grade", json_string(g));
		json_object_set_new(o, "clip_fraction", num(m->clip_fraction, 6));
		json_object_set_new(o, "rate", json_integer(m->rate));
		json_object_set_new(o, "channels", json_integer(m->channels));
		json_object_set_new(o, "frames", json_integer(m->frames));
		json_object_set_new(o, "why", json_string(m->why));
		json_array_append_new(a, o);
	}
	char *text = sh_json_text(a, 10, len);
	json_decref(a);
	if (!text)
		sh_die("%s", sh_error());
	return text;
}

/* ---- the contact sheet ---- */

static sh_rgb grade_colour(char g)
{
	return g == 'A' ? 0x40c080 : g == 'B' ? 0x90c040 : g == 'C' ? 0xd0c040 : g == 'D' ? 0xe08030 : 0xd04040;
}

static void put(uint8_t *rgb, int w, int h, int x, int y, sh_rgb c)
{
	size_t plane = (size_t)w * (size_t)h, at = (size_t)y * (size_t)w + (size_t)x;
	rgb[at] = (uint8_t)(c >> 16);
	rgb[plane + at] = (uint8_t)(c >> 8);
	rgb[2 * plane + at] = (uint8_t)c;
}

/* One tile's picture, W x H: the spectrogram over the top 60 %, the waveform
 * under it, the whole file across. */
static void tile_pixels(const item *it, uint8_t *rgb, int w, int h)
{
	int hs = h * 6 / 10;
	double secs = it->m.duration;
	float ref = sh_spectrogram_peak(it->spec), band[SPEC_ROWS];
	for (int x = 0; x < w; x++) {
		double a = secs * x / w, b = secs * (x + 1) / w;
		bool have = sh_spectrogram_column(it->spec, a, b, band);
		for (int y = 0; y < hs; y++) {
			int r = (int)((double)(hs - 1 - y) * SPEC_ROWS / hs);
			double db = have && ref > 0 && band[r] > 0 ? 10 * log10(band[r] / ref) : -80;
			put(rgb, w, h, x, y, sh_plot_db_colour(db < -80 ? -80 : db, 80));
		}
		float lo = 0, hi = 0;
		bool wv = sh_wave_range(it->wave, a, b, &lo, &hi);
		int mid = hs + (h - hs) / 2, half = (h - hs) / 2 - 1;
		for (int y = hs; y < h; y++) {
			double v = (double)(mid - y) / (half > 0 ? half : 1);
			bool on = wv && v <= hi + 1e-9 && v >= lo - 1e-9;
			put(rgb, w, h, x, y, on ? 0x3c6e96 : y == mid ? 0x303040 : 0x14141c);
		}
	}
}

static int draw_sheet(const item *items, size_t n)
{
	size_t shown = 0;
	for (size_t i = 0; i < n; i++)
		shown += items[i].ok;
	int cols = (int)(shown < (size_t)opt.columns ? (shown ? shown : 1) : (size_t)opt.columns);
	int rows = (int)((shown + (size_t)cols - 1) / (size_t)cols);
	if (!rows)
		rows = 1;
	sh_plot *p = sh_plot_new(cols * TILE_W, rows * TILE_H + SHEET_MARGIN, 0, cols);
	if (!p)
		return -1;
	double x0, y0, x1, y1;
	sh_plot_area(p, &x0, &y0, &x1, &y1);
	double cw = (x1 - x0) / cols, ch = (y1 - y0) / rows;
	int iw = (int)cw - 8, ih = (int)ch - 24;
	if (iw < 8)
		iw = 8;
	if (ih < 8)
		ih = 8;
	uint8_t *rgb = sh_malloc((size_t)iw * (size_t)ih * 3);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const item *it = &items[i];
		if (!it->ok)
			continue;
		int c = (int)(k % (size_t)cols), r = (int)(k / (size_t)cols);
		k++;
		double v_top = 1 - (double)r / rows, v_bot = 1 - (double)(r + 1) / rows, label_h = 20.0 / (y1 - y0);
		tile_pixels(it, rgb, iw, ih);
		sh_plot_image(p, c + 0.01, v_bot + 0.01, c + 0.99, v_top - label_h, rgb, NULL, iw, ih);
		const char *base = strrchr(it->path, '/');
		char label[160];
		snprintf(label, sizeof label, "%c  %.40s  %.1f dB", it->m.grade, base ? base + 1 : it->path, it->m.rms_db);
		if (!sh_plot_label(p, c + 0.5, v_top - label_h / 2, label, grade_colour(it->m.grade), cw - 4)) {
			snprintf(label, sizeof label, "%c  %.24s", it->m.grade, base ? base + 1 : it->path);
			sh_plot_label(p, c + 0.5, v_top - label_h / 2, label, grade_colour(it->m.grade), cw - 4);
		}
	}
	free(rgb);
	char title[64];
	snprintf(title, sizeof title, "grade: %zu file%s", shown, shown == 1 ? "" : "s");
	sh_plot_title(p, title);
	for (const char *g = "ABCDF"; *g; g++) {
		char s[2] = {*g, 0};
		sh_plot_legend(p, s, grade_colour(*g));
	}
	int rc = sh_plot_write_png(p, opt.sheet);
	if (rc != 0)
		sh_set_error("--sheet %s: %s", opt.sheet, sh_error());
	sh_plot_free(p);
	return rc;
}

/* The thresholds against one another, as --print-config checks them too. */
static int check_settings(void)
{
	if (sh_tex_thresholds_check(&opt.t) != 0)
		return -1;
	if (opt.dark > opt.bright) {
		sh_set_error("--dark %g is above --bright %g", opt.dark, opt.bright);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	if (first >= argc)
		sh_usage_error("no files to grade");
	if (opt.sheet && !strcmp(opt.sheet, "-") && !opt.output)
		sh_usage_error("--sheet -: standard output already carries the manifest (use -o FILE)");
	size_t n = (size_t)(argc - first);
	item *items = sh_calloc(n, sizeof *items);
	int status = 0;
	for (size_t i = 0; i < n; i++) {
		item *it = &items[i];
		it->path = argv[first + i];
		bool again = false; /* a file given twice is one row */
		for (size_t j = 0; j < i && !again; j++)
			again = !strcmp(items[j].path, it->path);
		if (again)
			continue;
		if (measure(it) == 0) {
			it->ok = true;
		} else {
			sh_warn("%s", sh_error());
			status = 1;
		}
		free(it->power);
		it->power = NULL;
	}
	size_t len;
	char *text = opt.json ? json(items, n, &len) : csv(items, n, &len);
	if (opt.output) {
		if (sh_write_file_atomic(opt.output, text, len) != 0)
			sh_die("%s", sh_error());
	} else if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
		sh_die("standard output: %s", strerror(errno));
	}
	free(text);
	if (opt.sheet && draw_sheet(items, n) != 0)
		sh_die("%s", sh_error());
	for (size_t i = 0; i < n; i++) {
		item *it = &items[i];
		if (opt.delete_f && it->ok && it->m.grade == 'F' && strcmp(it->path, "-") != 0) { /* stdin is no file */
			if (unlink(it->path) == 0) {
				fprintf(stderr, "grade: deleted %s (F: %s)\n", it->path, it->m.why);
			} else {
				sh_warn("%s: cannot delete: %s", it->path, strerror(errno));
				status = 1;
			}
		}
		sh_wave_free(it->wave);
		sh_spectrogram_free(it->spec);
		free(it->type);
		free(it->source);
	}
	free(items);
	return status;
}
