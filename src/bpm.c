/* bpm -- tempo of an audio file or stream: the BPM, or with --json the BPM,
 * its confidence, the beat times and the alternative (usually octave) tempo. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cli.h"
#include "tempo.h"

/* Defaults. */
static double min_bpm = 50;   /* slowest tempo considered: raise it to stop half-time answers on slow grooves */
static double max_bpm = 220;  /* fastest: lower it to stop double-time answers on busy hi-hats */
static double centre = 130;   /* where the tempo prior peaks: low favours half-time feels, high favours double-time */
static double width = 1.0;    /* prior width in octaves: narrow trusts the prior, wide trusts the signal */
static bool json = false;     /* JSON report with beats and the alternative tempo */

static sh_option options[] = {
	{.name = "min", .type = SH_OPT_DOUBLE, .dest = &min_bpm, .min = 10, .max = 1000, .arg = "BPM",
	 .unit = "BPM", .help = "slowest tempo considered, 10..1000"},
	{.name = "max", .type = SH_OPT_DOUBLE, .dest = &max_bpm, .min = 10, .max = 1000, .arg = "BPM",
	 .unit = "BPM", .help = "fastest tempo considered, 10..1000"},
	{.name = "prior", .type = SH_OPT_DOUBLE, .dest = &centre, .min = 20, .max = 500, .arg = "BPM",
	 .unit = "BPM", .help = "centre of the tempo prior, 20..500"},
	{.name = "prior-width", .type = SH_OPT_DOUBLE, .dest = &width, .min = 0, .max = 10, .arg = "OCT",
	 .unit = "octaves", .help = "width of the prior, 0 = flat, 0..10"},
	{.name = "json", .short_name = 'j', .type = SH_OPT_FLAG, .dest = &json,
	 .help = "print a JSON report: bpm, confidence, beats, alternative"},
	{0},
};

static sh_tempo *tempo;
static sh_tempo_opts topts;

static int init(void *user, int rate) { return (tempo = sh_tempo_new(rate, &topts)) ? 0 : -1; }
static void feed(void *user, const float *x, size_t n) { sh_tempo_feed(tempo, x, n); }

/* The tempo range, and the analysis options from the knobs */
static int check(void)
{
	if (min_bpm >= max_bpm) {
		sh_set_error("--min %g must be below --max %g", min_bpm, max_bpm);
		return -1;
	}
	sh_tempo_opts_default(&topts);
	topts.min_bpm = min_bpm;
	topts.max_bpm = max_bpm;
	topts.prior_bpm = centre;
	topts.prior_width = width;
	topts.beats = json;
	return 0;
}

/* The tempo as a line, or the JSON report. */
static char *report(const char *name, ssize_t frames, size_t *length)
{
	sh_tempo_result r;
	int found = sh_tempo_finish(tempo, &r);
	sh_tempo_free(tempo);
	if (found < 0) {
		sh_set_error("%s: %s", name, sh_error());
		return NULL;
	}
	if (r.bpm <= 0) {
		sh_set_error("%s: no tempo found: %s", name,
		             r.duration < 2 ? "shorter than 2 seconds" : "no rhythmic onsets (silence or a steady sound)");
		sh_tempo_result_free(&r);
		return NULL;
	}
	char a[32], b[32];
	size_t cap = 256 + r.nbeats * 16, len = 0;
	char *txt = sh_malloc(cap);
	if (!json) {
		len = (size_t)snprintf(txt, cap, "%.2f\n", r.bpm);
	} else {
		len += (size_t)snprintf(txt + len, cap - len, "{\"bpm\":%s,\"confidence\":%s,",
		                        sh_format_fixed(a, r.bpm, 3), sh_format_fixed(b, r.confidence, 3));
		if (r.alt_bpm > 0)
			len += (size_t)snprintf(txt + len, cap - len, "\"alternative\":{\"bpm\":%s,\"confidence\":%s},",
			                        sh_format_fixed(a, r.alt_bpm, 3), sh_format_fixed(b, r.alt_confidence, 3));
		else
			len += (size_t)snprintf(txt + len, cap - len, "\"alternative\":null,");
		len += (size_t)snprintf(txt + len, cap - len, "\"duration\":%s,\"beats\":[",
		                        sh_format_fixed(a, r.duration, 3));
		for (size_t i = 0; i < r.nbeats; i++)
			len += (size_t)snprintf(txt + len, cap - len, "%s%s", i ? "," : "", sh_format_fixed(a, r.beats[i], 3));
		len += (size_t)snprintf(txt + len, cap - len, "]}\n");
	}
	sh_tempo_result_free(&r);
	*length = len;
	return txt;
}

static const sh_analysis_program bpm = {
	.usage = "bpm [options] [FILE]", .summary = "estimate the tempo (BPM) and beats of audio",
	.options = options, .check = check, .init = init, .feed = feed, .report = report,
};

int main(int argc, char **argv) { return sh_analysis_main(&bpm, argc, argv); }
