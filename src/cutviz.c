/* cutviz -- draw a cut list as a PNG timeline: output time runs left to right
 * on an axis in seconds (and bars when the list has a tempo), source position
 * bottom to top. Forward pieces rise (cyan), reversed pieces fall (magenta),
 * dropped pieces are red bars along the bottom, the faint diagonal is where an
 * untouched source would lie, and given the source audio, its waveform as the
 * cuts play it lies behind them. Drawn with lib/plot (cairo). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cutlist.h"
#include "plot.h"

static int check_span(void);

static sh_program prog = {
	.usage = "cutviz [options] [CUTS]",
	.summary = "Draw a cut list (file or stdin) as a PNG timeline on stdout or -o FILE.",
	.max_operands = 1,
	.check = check_span,
};

static struct {
	const char *output, *source;
	int64_t width, height; /* small for thumbnails, wide to read 10 ms slices */
	double from, to;       /* the window of output time, seconds; to 0 = the end */
	double bpm;            /* bar lines; 0 = the list's own tempo, if it has one */
} opt = {.width = 1200, .height = 400};

static sh_option options[] = {
	{.name = "output", .short_name = 'o', .type = SH_OPT_STRING, .dest = &opt.output, .arg = "FILE",
	 .no_preset = true, .help = "write the PNG to FILE instead of stdout"},
	{.name = "width", .short_name = 'W', .type = SH_OPT_INT, .dest = &opt.width, .min = 64, .max = 16384,
	 .unit = "px", .help = "picture width: small for thumbnails, wide to read 10 ms slices"},
	{.name = "height", .short_name = 'H', .type = SH_OPT_INT, .dest = &opt.height, .min = 64, .max = 16384,
	 .unit = "px", .help = "picture height"},
	{.name = "source", .short_name = 's', .type = SH_OPT_STRING, .dest = &opt.source, .arg = "AUDIO",
	 .no_preset = true, .help = "the source audio: its waveform, as the cuts play it, behind them"},
	{.name = "from", .type = SH_OPT_DOUBLE, .dest = &opt.from, .min = 0, .max = SH_CUTLIST_MAX_SECONDS,
	 .unit = "s", .arg = "SECONDS", .help = "start of the window of output time to draw"},
	{.name = "to", .type = SH_OPT_DOUBLE, .dest = &opt.to, .min = 0, .max = SH_CUTLIST_MAX_SECONDS,
	 .unit = "s", .arg = "SECONDS", .help = "end of the window; 0 is the end of the list"},
	{.name = "bpm", .short_name = 'b', .type = SH_OPT_DOUBLE, .dest = &opt.bpm, .min = 0, .max = 1000,
	 .unit = "BPM", .arg = "BPM", .help = "bar lines at this tempo, 4 beats a bar; 0 takes the list's own tempo, if any"},
	{0},
};

enum { WAVE_BINS = 1 << 16 }; /* the source outline: 512 KiB however long it is */

#define C_FWD 0x28d2ff
#define C_REV 0xff46c8
#define C_DROP 0xeb3228
#define C_DIAG 0x80809a
#define C_BAND 0x1e1e28
#define C_WAVE 0x2c5470

typedef struct {
	const sh_cutlist *cl;
	double *start; /* output time of each cut's start, and the total after them */
	const sh_wave *wave;
} timeline;

/* The first cut that ends after T. */
static size_t cut_at(const timeline *tl, double t)
{
	size_t lo = 0, hi = tl->cl->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (tl->start[mid + 1] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A column of output time [a, b): the source's min and max over what the cuts
 * overlapping it play there. */
static bool column(void *user, double a, double b, float *lo, float *hi)
{
	const timeline *tl = user;
	bool any = false;
	for (size_t i = cut_at(tl, a); i < tl->cl->n && tl->start[i] < b; i++) {
		const sh_cut *c = &tl->cl->cuts[i];
		if (c->silence)
			continue;
		double ca = fmax(a, tl->start[i]) - tl->start[i], cb = fmin(b, tl->start[i + 1]) - tl->start[i];
		double sa = c->reverse ? c->src + c->dur - cb : c->src + ca, sb = sa + (cb - ca);
		float l, h;
		if (!sh_wave_range(tl->wave, sa, sb, &l, &h))
			continue;
		float g = (float)c->gain;
		l *= g;
		h *= g;
		if (g < 0) {
			float s = l;
			l = h;
			h = s;
		}
		*lo = any ? fminf(*lo, l) : l;
		*hi = any ? fmaxf(*hi, h) : h;
		any = true;
	}
	return any;
}

/* The list's own tempo: made_by.options.bpm, as the slicers record it. */
static double list_bpm(const sh_cutlist *cl)
{
	json_t *o = cl->made_by ? json_object_get(cl->made_by, "options") : NULL;
	json_t *b = o ? json_object_get(o, "bpm") : NULL;
	return json_is_number(b) && json_number_value(b) > 0 ? json_number_value(b) : 0;
}

static void draw(const sh_cutlist *cl, const sh_wave *wave, sh_plot *p, double t0, double t1)
{
	timeline tl = {.cl = cl, .wave = wave, .start = sh_malloc((cl->n + 1) * sizeof(double))};
	tl.start[0] = 0;
	for (size_t i = 0; i < cl->n; i++)
		tl.start[i + 1] = tl.start[i] + cl->cuts[i].dur;
	size_t first = cut_at(&tl, t0), last = first;
	while (last < cl->n && tl.start[last] < t1)
		last++;
	/* the source range the window's pieces play, so a window is readable */
	double slo = INFINITY, shi = 0;
	for (size_t i = first; i < last; i++)
		if (!cl->cuts[i].silence) {
			slo = fmin(slo, cl->cuts[i].src);
			shi = fmax(shi, cl->cuts[i].src + cl->cuts[i].dur);
		}
	if (t0 == 0 && t1 >= tl.start[cl->n]) /* the whole list: the whole source */
		slo = 0, shi = fmax(shi, cl->src_duration);
	if (!(shi > slo))
		slo = 0, shi = fmax(1, cl->src_duration);
	double ax0, ay0, ax1, ay1;
	sh_plot_area(p, &ax0, &ay0, &ax1, &ay1);
	double pps = (ax1 - ax0) / (t1 - t0), drop_v = fmin(0.04, 8 / (ay1 - ay0));
	/* source seconds -> a fraction up, above the band of dropped pieces */
	double vs = (1 - drop_v - 0.02) / (shi - slo), vb = drop_v + 0.01;
#define SV(s) (vb + ((s) - slo) * vs)

	/* alternate faint columns show piece boundaries, where they are wide enough */
	for (size_t i = first; i < last; i++)
		if (i % 2 && cl->cuts[i].dur * pps >= 3)
			sh_plot_span(p, tl.start[i], tl.start[i + 1], 0, 1, C_BAND, 1, NULL);
	if (wave)
		sh_plot_wave_fn(p, column, &tl, vb, 1, C_WAVE);
	sh_plot_time_axis(p);
	double bpm = opt.bpm > 0 ? opt.bpm : list_bpm(cl);
	sh_plot_bars(p, bpm, 0, 4);
	/* the diagonal an untouched source would draw */
	sh_plot_segment(p, slo, SV(slo), shi, SV(shi), C_DIAG, 1);

	double thick = ay1 - ay0 >= 250 ? 2 : 1;
	for (size_t i = first; i < last; i++) {
		const sh_cut *c = &cl->cuts[i];
		double a = tl.start[i], b = tl.start[i + 1];
		if (c->silence)
			sh_plot_span(p, a, b, 0, drop_v, C_DROP, 1, NULL);
		else if (c->reverse)
			sh_plot_segment(p, a, SV(c->src + c->dur), b, SV(c->src), C_REV, thick);
		else
			sh_plot_segment(p, a, SV(c->src), b, SV(c->src + c->dur), C_FWD, thick);
	}
	/* cut numbers as messages name them ("cut 8"), under the bar numbers,
	 * where a piece is wide enough to hold one */
	double v = 1 - 24.0 / (ay1 - ay0);
	char buf[48];
	for (size_t i = first; i < last; i++) {
		double w = (tl.start[i + 1] - tl.start[i]) * pps - 2;
		double mid = (fmax(tl.start[i], t0) + fmin(tl.start[i + 1], t1)) / 2;
		snprintf(buf, sizeof buf, "cut %zu", i);
		if (!sh_plot_label(p, mid, v, buf, 0xc8c8d4, w)) {
			snprintf(buf, sizeof buf, "%zu", i);
			sh_plot_label(p, mid, v, buf, 0xc8c8d4, w);
		}
	}
#undef SV
	snprintf(buf, sizeof buf, "%zu cuts, %.3g s", cl->n, tl.start[cl->n]);
	sh_plot_title(p, buf);
	sh_plot_legend(p, "forward", C_FWD);
	sh_plot_legend(p, "reversed", C_REV);
	sh_plot_legend(p, "dropped", C_DROP);
	sh_plot_legend(p, "untouched source", C_DIAG);
	if (wave)
		sh_plot_legend(p, "source audio", C_WAVE);
	if (bpm > 0) {
		snprintf(buf, sizeof buf, "bars at %g BPM", bpm);
		sh_plot_legend(p, buf, 0xc08030);
	}
	free(tl.start);
}

/* One option against another, so --print-config refuses what a run would. */
static int check_span(void)
{
	if (opt.to > 0 && opt.to <= opt.from) {
		sh_set_error("--to %g must be after --from %g", opt.to, opt.from);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	if (!opt.output || !strcmp(opt.output, "-"))
		if (sh_stdout_binary() != 0)
			sh_die("%s", sh_error());
	sh_cutlist *cl = sh_cutlist_load(first < argc ? argv[first] : "-");
	if (!cl)
		sh_die("%s", sh_error());
	double total = sh_cutlist_duration(cl);
	double t0 = opt.from, t1 = opt.to > 0 ? opt.to : total;
	if (!(t1 > t0)) {
		if (opt.from > 0)
			sh_die("--from %g is at or past the end of the list (%g s)", opt.from, total);
		t1 = t0 + 1; /* an empty list: an empty second */
	}
	sh_wave *wave = NULL;
	if (opt.source && !(wave = sh_wave_read(opt.source, WAVE_BINS)))
		sh_die("%s", sh_error());
	sh_plot *p = sh_plot_new((int)opt.width, (int)opt.height, t0, t1);
	if (!p)
		sh_die("%s", sh_error());
	draw(cl, wave, p, t0, t1);
	if (sh_plot_write_png(p, opt.output) != 0)
		sh_die("%s", sh_error());
	sh_plot_free(p);
	sh_wave_free(wave);
	sh_cutlist_free(cl);
	return 0;
}
