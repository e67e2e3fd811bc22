/* onsets -- transient detection: log-magnitude spectral flux over log-spaced
 * bands with an adaptive threshold; prints the onset times and strengths as
 * JSON, only those at least as strong as --threshold. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cli.h"
#include "onsets.h"
#include "plot.h"

/* Defaults. */
static double threshold = 0.1; /* the weakest strength printed: low keeps every ghost note and hi-hat tick, high
                                  only the hardest hits */
#define PICK 0.1               /* how far a peak must rise above its surroundings (sh_onset_opts), or
                                  --threshold when lower */
static sh_duration gap = {0.03, SH_DUR_SECONDS}; /* shortest spacing: short keeps flams and rolls, long keeps one hit per gesture */

static const char *plot_path; /* a picture of the waveform with the onsets marked */

static sh_option options[] = {
	{.name = "threshold", .short_name = 't', .type = SH_OPT_DOUBLE, .dest = &threshold, .min = 0,
	 .max = 1, .arg = "T", .help = "weakest onset kept: its strength, relative to the input's strongest, 0..1"},
	{.name = "min-gap", .short_name = 'g', .type = SH_OPT_DURATION, .dest = &gap, .scale = 0.001,
	 .arg = "DUR", .help = "shortest time between onsets (a bare number is ms)"},
	{.name = "plot", .type = SH_OPT_STRING, .dest = &plot_path, .arg = "FILE", .no_preset = true,
	 .help = "also draw the waveform with the onsets marked, a PNG in FILE"},
	{0},
};

static sh_odf *odf;
static sh_onset_refiner *refiner;
static sh_wave *wave;

static void discard(void)
{
	sh_onset_refiner_free(refiner);
	sh_odf_free(odf);
	sh_wave_free(wave);
	refiner = NULL;
	odf = NULL;
	wave = NULL;
}
static int init(void *user, int rate)
{
	refiner = sh_onset_refiner_new(rate);
	if (plot_path && !(wave = sh_wave_new(rate, 4800)))
		return -1;
	return (odf = sh_odf_new(rate)) ? 0 : -1;
}
static void feed(void *user, const float *x, size_t n)
{
	sh_odf_feed(odf, x, n);
	sh_onset_refiner_feed(refiner, x, n);
	if (wave)
		sh_wave_feed(wave, x, n);
}

/* The picture --plot asks for: 0, or -1 with sh_error() naming the file. */
static int plot(const char *name, const sh_onset *on, size_t cnt)
{
	double *t = sh_malloc((cnt ? cnt : 1) * sizeof *t);
	for (size_t i = 0; i < cnt; i++) /* the picture's axis is the section's */
		t[i] = on[i].t;
	sh_plot_marks m = {.t = t, .n = cnt, .c = 0xff5a3c, .legend = "onsets", .numbered = true};
	int r = sh_plot_audio_png(plot_path, 1200, 300, name, wave, &m, 1, 0, 0);
	free(t);
	if (r != 0)
		sh_set_error("--plot %s: %s", plot_path, sh_error());
	return r;
}

static double min_gap; /* seconds */
static int check(int files)
{
	if (plot_path && files > 1) {
		sh_set_error("--plot draws one input: give one FILE");
		return -1;
	}
	if (sh_duration_seconds(&gap, 0, 0, 0, &min_gap) < 0) {
		sh_set_error("--min-gap: %s", sh_error());
		return -1;
	}
	return 0;
}

/* The onset times as JSON, at the input's times (the section's start added). */
static char *report(sh_analysis_input *in, size_t *length)
{
	const char *name = in->name;
	sh_odf_flush(odf);
	sh_onset_opts oo = {threshold < PICK ? threshold : PICK, min_gap, threshold};
	sh_onset *on = NULL;
	size_t cnt = sh_onsets_pick(sh_odf_values(odf, -1), sh_odf_frames(odf), sh_odf_rate(odf), &oo, &on);
	sh_onset_refine(refiner, on, &cnt); /* from the envelope's 10 ms grid to the sample */
	int plotted = plot_path ? plot(name, on, cnt) : 0;
	discard();
	if (plotted != 0) {
		free(on);
		return NULL;
	}
	size_t cap = 512 + cnt * 64, len = 0;
	char *txt = sh_malloc(cap);
	char a[40], b[32];
	len += (size_t)snprintf(txt + len, cap - len, "{\"onsets\":[");
	for (size_t i = 0; i < cnt; i++) {
		sh_format_number(a, sizeof a, in->start + on[i].t); /* every digit: cuts land on the sample */
		len += (size_t)snprintf(txt + len, cap - len, "%s\n{\"t\":%s,\"strength\":%s}", i ? "," : "", a,
		                        sh_format_fixed(b, on[i].strength, 3));
	}
	len += (size_t)snprintf(txt + len, cap - len, "%s],\n\"count\":%zu,\"duration\":%s,", cnt ? "\n" : "", cnt,
	                        sh_format_fixed(a, in->rate ? (double)in->frames / in->rate : 0, 4));
	if (in->section) {
		sh_format_number(a, sizeof a, in->start);
		len += (size_t)snprintf(txt + len, cap - len, "\"start\":%s,", a);
	}
	len += (size_t)snprintf(txt + len, cap - len,
	                        "\"rate\":%d,\"made_by\":{\"program\":\"onsets\",\"options\":{\"threshold\":%s,\"min_gap\":%s}}}\n",
	                        in->rate, sh_format_fixed(a, threshold, 4), sh_format_fixed(b, min_gap, 4));
	free(on);
	*length = len;
	return txt;
}

static const sh_analysis_program onsets = {
	.usage = "onsets [options] [FILE...]", .summary = "detect onsets (transients) and print their times as JSON",
	.options = options, .check = check, .init = init, .feed = feed, .report = report, .discard = discard,
};

int main(int argc, char **argv) { return sh_analysis_main(&onsets, argc, argv); }
