/* bpm -- tempo of an audio file or stream: the BPM, or with --json the BPM,
 * its confidence, the metre, the beat times and the ranked alternative
 * readings (double, half, two thirds, three halves). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cli.h"
#include "onsets.h"
#include "plot.h"
#include "tempo.h"

/* Defaults. */
static double min_bpm = 50;   /* slowest tempo considered: raise it to stop half-time answers on slow grooves */
static double max_bpm = 220;  /* fastest: lower it to stop double-time answers on busy hi-hats */
static double centre = 130;   /* where the tempo prior peaks: low favours half-time feels, high favours double-time */
static double width = 1.0;    /* prior width in octaves: narrow trusts the prior, wide trusts the signal */
static bool json = false;     /* JSON report with beats and the alternative tempo */
static const char *plot_path; /* a picture of the waveform with the beats and bars */
static const char *range;     /* LO..HI: --min and --max in one */
#define LOW_CONFIDENCE 0.3    /* below this, a warning on stderr (after the answer) names the alternative */

static sh_option options[] = {
	{.name = "min", .type = SH_OPT_DOUBLE, .dest = &min_bpm, .min = 10, .max = 1000, .arg = "BPM",
	 .unit = "BPM", .help = "slowest tempo considered, 10..1000"},
	{.name = "max", .type = SH_OPT_DOUBLE, .dest = &max_bpm, .min = 10, .max = 1000, .arg = "BPM",
	 .unit = "BPM", .help = "fastest tempo considered, 10..1000"},
	{.name = "prior", .type = SH_OPT_DOUBLE, .dest = &centre, .min = 20, .max = 500, .arg = "BPM",
	 .unit = "BPM", .help = "centre of the tempo prior, 20..500"},
	{.name = "prior-width", .type = SH_OPT_DOUBLE, .dest = &width, .min = 0, .max = 10, .arg = "OCT",
	 .unit = "octaves", .help = "width of the prior, 0 = flat, 0..10"},
	{.name = "range", .type = SH_OPT_STRING, .dest = &range, .arg = "LO..HI",
	 .help = "tempo range in BPM, as --min LO --max HI (e.g. 70..180)"},
	{.name = "json", .type = SH_OPT_FLAG, .dest = &json,
	 .help = "print a JSON report: bpm, confidence, beats, alternative"},
	{.name = "plot", .type = SH_OPT_STRING, .dest = &plot_path, .arg = "FILE", .no_preset = true,
	 .help = "also draw the waveform with the onsets, beats and bars marked, a PNG in FILE"},
	{0},
};

static sh_tempo *tempo;
static sh_tempo_opts topts;
static sh_wave *wave;  /* --plot: the waveform's outline */
static sh_odf *odf;    /* --plot: the onsets, as onsets(1) picks them (before its strength floor) */

static int init(void *user, int rate)
{
	if (plot_path && (!(wave = sh_wave_new(rate, 4800)) || !(odf = sh_odf_new(rate))))
		return -1;
	return (tempo = sh_tempo_new(rate, &topts)) ? 0 : -1;
}
static void discard(void)
{
	sh_tempo_free(tempo);
	sh_odf_free(odf);
	sh_wave_free(wave);
	tempo = NULL;
	odf = NULL;
	wave = NULL;
}
static void feed(void *user, const float *x, size_t n)
{
	sh_tempo_feed(tempo, x, n);
	if (wave) {
		sh_wave_feed(wave, x, n);
		sh_odf_feed(odf, x, n);
	}
}

/* The picture --plot asks for: 0, or -1 with sh_error() naming the file. */
static int plot(const char *name, const sh_tempo_result *r, double start)
{
	sh_odf_flush(odf);
	sh_onset_opts oo;
	sh_onset_opts_default(&oo);
	sh_onset *on = NULL;
	size_t cnt = sh_onsets_pick(sh_odf_values(odf, -1), sh_odf_frames(odf), sh_odf_rate(odf), &oo, &on);
	double *t = sh_malloc((cnt ? cnt : 1) * sizeof *t), *b = sh_malloc((r->nbeats ? r->nbeats : 1) * sizeof *b);
	for (size_t i = 0; i < cnt; i++)
		t[i] = on[i].t;
	for (size_t i = 0; i < r->nbeats; i++) /* the picture's axis is the section's */
		b[i] = r->beats[i] - start;
	sh_plot_marks m[2] = {
		{.t = t, .n = cnt, .c = 0x8c8ca0, .legend = "onsets"},
		{.t = b, .n = r->nbeats, .c = 0xff5a3c, .legend = "beats"},
	};
	char title[256];
	snprintf(title, sizeof title, "%s: %.2f BPM", name, r->bpm);
	int res = sh_plot_audio_png(plot_path, 1200, 300, title, wave, m, 2, r->bpm, r->nbeats ? b[0] : 0);
	free(t);
	free(b);
	free(on);
	if (res != 0)
		sh_set_error("--plot %s: %s", plot_path, sh_error());
	return res;
}

/* The tempo range, and the analysis options from the knobs */
static int check(int files)
{
	if (plot_path && files > 1) {
		sh_set_error("--plot draws one input: give one FILE");
		return -1;
	}
	if (range) {
		const char *dots = strstr(range, "..");
		char lo_text[64] = "", *end1 = NULL, *end2 = NULL;
		if (dots && (size_t)(dots - range) < sizeof lo_text)
			memcpy(lo_text, range, (size_t)(dots - range));
		double lo = strtod(lo_text, &end1), hi = dots ? strtod(dots + 2, &end2) : 0;
		if (!dots || !*lo_text || *end1 || end2 == dots + 2 || *end2 || !(lo >= 10 && hi <= 1000)) {
			sh_set_error("--range '%s': expected LO..HI in BPM within 10..1000, like 70..180", range);
			return -1;
		}
		min_bpm = lo;
		max_bpm = hi;
	}
	if (min_bpm >= max_bpm) {
		sh_set_error("--min %g must be below --max %g", min_bpm, max_bpm);
		return -1;
	}
	sh_tempo_opts_default(&topts);
	topts.min_bpm = min_bpm;
	topts.max_bpm = max_bpm;
	topts.prior_bpm = centre;
	topts.prior_width = width;
	topts.beats = json || plot_path;
	return 0;
}

/* The tempo as a line, or the JSON report. */
static char *report(sh_analysis_input *in, size_t *length)
{
	const char *name = in->name;
	sh_tempo_result r;
	int found = sh_tempo_finish(tempo, &r);
	sh_tempo_free(tempo);
	tempo = NULL;
	if (found < 0) {
		discard();
		sh_set_error("%s: %s", name, sh_error());
		return NULL;
	}
	if (r.bpm <= 0) {
		sh_set_error("%s: no tempo found: %s", name,
		             r.duration < 2 ? "shorter than 2 seconds" : "no rhythmic onsets (silence or a steady sound)");
		sh_tempo_result_free(&r);
		discard();
		return NULL;
	}
	/* beats at the input's times, wherever the section starts */
	for (size_t i = 0; i < r.nbeats; i++)
		r.beats[i] += in->start;
	int plotted = plot_path ? plot(name, &r, in->start) : 0;
	discard();
	if (plotted != 0) {
		sh_tempo_result_free(&r);
		return NULL;
	}
	char a[32], b[32], c[32], d[32], e[32], f[32];
	if (r.confidence < LOW_CONFIDENCE && r.alt_bpm > 0)
		snprintf(in->warning, sizeof in->warning, "%s: low confidence %.2f: %.2f BPM, or perhaps %.2f BPM", name,
		         r.confidence, r.bpm, r.alt_bpm);
	else if (r.confidence < LOW_CONFIDENCE)
		snprintf(in->warning, sizeof in->warning, "%s: low confidence %.2f", name, r.confidence);
	size_t cap = 1024 + r.nbeats * 16, len = 0;
	char *txt = sh_malloc(cap);
	if (!json) {
		len = (size_t)snprintf(txt, cap, "%.2f\n", r.bpm);
	} else {
		len += (size_t)snprintf(txt + len, cap - len, "{\"bpm\":%s,\"confidence\":%s,",
		                        sh_format_fixed(a, r.bpm, 3), sh_format_fixed(b, r.confidence, 3));
		if (r.metre)
			len += (size_t)snprintf(txt + len, cap - len, "\"metre\":\"%s\",\"beats_per_bar\":%d,",
			                        r.metre == 3 ? (r.compound ? "9/8" : "3/4")
			                        : r.metre == 2 ? (r.compound ? "6/8" : "2/4")
			                                       : (r.compound ? "12/8" : "4/4"),
			                        r.metre);
		else
			len += (size_t)snprintf(txt + len, cap - len, "\"metre\":null,\"beats_per_bar\":null,");
		len += (size_t)snprintf(txt + len, cap - len, "\"compound\":%s,", r.compound ? "true" : "false");
		if (r.alt_bpm > 0)
			len += (size_t)snprintf(txt + len, cap - len, "\"alternative\":{\"bpm\":%s,\"confidence\":%s},",
			                        sh_format_fixed(a, r.alt_bpm, 3), sh_format_fixed(b, r.alt_confidence, 3));
		else
			len += (size_t)snprintf(txt + len, cap - len, "\"alternative\":null,");
		len += (size_t)snprintf(txt + len, cap - len, "\"readings\":[");
		for (size_t i = 0; i < r.nreadings; i++) {
			const sh_tempo_reading *x = &r.readings[i];
			len += (size_t)snprintf(txt + len, cap - len,
			                        "%s{\"bpm\":%s,\"factor\":%s,\"score\":%s,\"salience\":%s,\"fit\":%s,\"backbeat\":%s}",
			                        i ? "," : "", sh_format_fixed(a, x->bpm, 3), sh_format_fixed(b, x->factor, 3),
			                        sh_format_fixed(c, x->score, 3), sh_format_fixed(d, x->salience, 3),
			                        sh_format_fixed(e, x->fit, 3), sh_format_fixed(f, x->backbeat, 3));
		}
		len += (size_t)snprintf(txt + len, cap - len, "],\"duration\":%s,", sh_format_fixed(a, r.duration, 3));
		if (in->section)
			len += (size_t)snprintf(txt + len, cap - len, "\"start\":%s,", sh_format_fixed(a, in->start, 6));
		len += (size_t)snprintf(txt + len, cap - len, "\"beats\":[");
		for (size_t i = 0; i < r.nbeats; i++)
			len += (size_t)snprintf(txt + len, cap - len, "%s%s", i ? "," : "", sh_format_fixed(a, r.beats[i], 3));
		len += (size_t)snprintf(txt + len, cap - len, "]}\n");
	}
	sh_tempo_result_free(&r);
	*length = len;
	return txt;
}

static const sh_analysis_program bpm = {
	.usage = "bpm [options] [FILE...]", .summary = "estimate the tempo (BPM) and beats of audio",
	.options = options, .check = check, .init = init, .feed = feed, .report = report, .discard = discard,
};

int main(int argc, char **argv) { return sh_analysis_main(&bpm, argc, argv); }
