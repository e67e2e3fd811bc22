/* onsets -- transient detection: log-magnitude spectral flux over log-spaced
 * bands with an adaptive threshold; prints the onset times as JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cli.h"
#include "onsets.h"

static const char usage[] = "onsets [options] [FILE]";

/* Defaults. */
static double threshold = 0.1; /* low: every ghost note and hi-hat tick; high: only the hardest hits */
static sh_duration gap = {30, SH_DUR_SECONDS}; /* shortest spacing (ms): short keeps flams and rolls, long keeps one hit per gesture */
static const char *out_path = "-";

static sh_option options[] = {
	{"threshold", 't', SH_OPT_DOUBLE, &threshold, 0, 1, NULL, 0, false, "T", "how far above the local mean a peak must rise, 0..1 (default 0.1)"},
	{"min-gap", 'g', SH_OPT_DURATION, &gap, 0, 0, NULL, 0.001, false, "DUR", "shortest time between onsets (default 30ms)"},
	{"output", 'o', SH_OPT_STRING, &out_path, 0, 0, NULL, 0, true, "FILE", "write the JSON to FILE (default stdout)"},
	{0},
};

static sh_odf *odf;
static int in_rate;

static void init(void *user, int rate)
{
	in_rate = rate;
	odf = sh_odf_new(rate);
}
static void feed(void *user, const float *x, size_t n) { sh_odf_feed(odf, x, n); }

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	sh_program prog = {usage, "detect onsets (transients) and print their times as JSON", false, 0, false};
	gap.amount = 0.03; /* the default in seconds; flags give ms by default */
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	if (argc - first > 1)
		sh_usage_error("one input at a time (got %d)", argc - first);
	double min_gap;
	if (sh_duration_seconds(&gap, 0, 0, 0, &min_gap) < 0)
		sh_usage_error("--min-gap: %s", sh_error());
	const char *name; /* owned: the source as named in messages */
	size_t frames = sh_analysis_stream(first < argc ? argv[first] : "-", init, feed, NULL, &name);
	sh_odf_flush(odf);
	sh_onset_opts oo = {threshold, min_gap};
	sh_onset *on = NULL;
	size_t cnt = sh_onsets_pick(sh_odf_values(odf, -1), sh_odf_frames(odf), sh_odf_rate(odf), &oo, &on);
	sh_odf_free(odf);
	size_t cap = 512 + cnt * 48 + strlen(name) * 6, len = 0;
	char *txt = sh_malloc(cap);
	char a[32], b[32];
	len += (size_t)snprintf(txt + len, cap - len, "{\"onsets\":[");
	for (size_t i = 0; i < cnt; i++)
		len += (size_t)snprintf(txt + len, cap - len, "%s\n{\"t\":%s,\"strength\":%s}", i ? "," : "",
		                        sh_format_fixed(a, on[i].t, 4), sh_format_fixed(b, on[i].strength, 3));
	len += (size_t)snprintf(txt + len, cap - len, "%s],\n\"count\":%zu,\"duration\":%s,\"rate\":%d,",
	                        cnt ? "\n" : "", cnt, sh_format_fixed(a, in_rate ? (double)frames / in_rate : 0, 4), in_rate);
	len += (size_t)snprintf(txt + len, cap - len,
	                        "\"made_by\":{\"program\":\"onsets\",\"options\":{\"threshold\":%s,\"min_gap\":%s}}}\n",
	                        sh_format_fixed(a, threshold, 4), sh_format_fixed(b, min_gap, 4));
	if (sh_write_file_atomic(out_path, txt, len) != 0)
		sh_die("%s", sh_error());
	free(txt);
	free(on);
	free((char *)name);
	return 0;
}
