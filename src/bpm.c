/* bpm -- tempo of an audio file or stream: the BPM, or with --json the BPM,
 * its confidence, the beat times and the alternative (usually octave) tempo. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cli.h"
#include "tempo.h"

static const char usage[] = "bpm [options] [FILE]";

/* Defaults. */
static double min_bpm = 50;   /* slowest tempo considered: raise it to stop half-time answers on slow grooves */
static double max_bpm = 220;  /* fastest: lower it to stop double-time answers on busy hi-hats */
static double centre = 130;   /* where the tempo prior peaks: low favours half-time feels, high favours double-time */
static double width = 1.0;    /* prior width in octaves: narrow trusts the prior, wide trusts the signal */
static bool json = false;     /* JSON report with beats and the alternative tempo */
static const char *out_path = "-";

static sh_option options[] = {
	{"min", 0, SH_OPT_DOUBLE, &min_bpm, 10, 1000, NULL, 0, false, "BPM", "slowest tempo considered (default 50, 10..1000)"},
	{"max", 0, SH_OPT_DOUBLE, &max_bpm, 10, 1000, NULL, 0, false, "BPM", "fastest tempo considered (default 220, 10..1000)"},
	{"prior", 0, SH_OPT_DOUBLE, &centre, 20, 500, NULL, 0, false, "BPM", "centre of the tempo prior (default 130, 20..500)"},
	{"prior-width", 0, SH_OPT_DOUBLE, &width, 0, 10, NULL, 0, false, "OCT", "width of the prior in octaves, 0 = flat (default 1, 0..10)"},
	{"json", 'j', SH_OPT_FLAG, &json, 0, 0, NULL, 0, false, NULL, "print a JSON report: bpm, confidence, beats, alternative"},
	{"output", 'o', SH_OPT_STRING, &out_path, 0, 0, NULL, 0, true, "FILE", "write the result to FILE (default stdout)"},
	{0},
};

static sh_tempo *tempo;
static sh_tempo_opts topts;

static void init(void *user, int rate) { tempo = sh_tempo_new(rate, &topts); }
static void feed(void *user, const float *x, size_t n) { sh_tempo_feed(tempo, x, n); }

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	sh_program prog = {usage, "estimate the tempo (BPM) and beats of audio", false, 0, false};
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	if (argc - first > 1)
		sh_usage_error("one input at a time (got %d)", argc - first);
	if (min_bpm >= max_bpm)
		sh_usage_error("--min %g must be below --max %g", min_bpm, max_bpm);
	sh_tempo_opts_default(&topts);
	topts.min_bpm = min_bpm;
	topts.max_bpm = max_bpm;
	topts.prior_bpm = centre;
	topts.prior_width = width;
	topts.beats = json;
	const char *name; /* owned: the source as named in messages */
	sh_analysis_stream(first < argc ? argv[first] : "-", init, feed, NULL, &name);
	sh_tempo_result r;
	if (sh_tempo_finish(tempo, &r) < 0)
		sh_die("%s: %s", name, sh_error());
	sh_tempo_free(tempo);
	if (r.bpm <= 0)
		sh_die("%s: no tempo found: %s", name,
		       r.duration < 2 ? "shorter than 2 seconds" : "no rhythmic onsets (silence or a steady sound)");
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
	if (sh_write_file_atomic(out_path, txt, len) != 0)
		sh_die("%s", sh_error());
	free(txt);
	sh_tempo_result_free(&r);
	free((char *)name);
	return 0;
}
