/* keydetect -- musical key and mode of an audio file or stream, with a
 * confidence: tuned chroma against major and minor key profiles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cli.h"
#include "musickey.h"

static const char usage[] = "keydetect [options] [FILE]";

/* Defaults. */
static bool json = false; /* JSON report: key, mode, confidence, runner-up, tuning, chroma */
static const char *out_path = "-";

static sh_option options[] = {
	{"json", 'j', SH_OPT_FLAG, &json, 0, 0, NULL, 0, false, NULL, "print a JSON report with confidence, runner-up, tuning and chroma"},
	{"output", 'o', SH_OPT_STRING, &out_path, 0, 0, NULL, 0, true, "FILE", "write the result to FILE (default stdout)"},
	{0},
};

static sh_key *key;
static void init(void *user, int rate) { key = sh_key_new(rate); }
static void feed(void *user, const float *x, size_t n) { sh_key_feed(key, x, n); }

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	sh_program prog = {usage, "estimate the musical key and mode of audio", false, 0, false};
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	if (argc - first > 1)
		sh_usage_error("one input at a time (got %d)", argc - first);
	const char *name; /* owned: the source as named in messages */
	sh_analysis_stream(first < argc ? argv[first] : "-", init, feed, NULL, &name);
	sh_key_result r;
	sh_key_finish(key, &r);
	sh_key_free(key);
	if (r.tonic < 0)
		sh_die("%s: no key found: no pitched content (silence, or nothing between 60 Hz and 2.1 kHz)", name);
	char k1[32], k2[32], a[32], b[32], c[32];
	char txt[1024];
	size_t len;
	if (!json) {
		len = (size_t)snprintf(txt, sizeof txt, "%s\n", sh_key_name(r.tonic, r.minor, k1, sizeof k1));
	} else {
		len = (size_t)snprintf(txt, sizeof txt,
		                       "{\"key\":\"%s\",\"tonic\":\"%s\",\"mode\":\"%s\",\"confidence\":%s,"
		                       "\"correlation\":%s,\"alternative\":\"%s\",\"tuning_cents\":%s,\"chroma\":[",
		                       sh_key_name(r.tonic, r.minor, k1, sizeof k1), sh_key_tonic_name(r.tonic, r.minor),
		                       r.minor ? "minor" : "major", sh_format_fixed(a, r.confidence, 3),
		                       sh_format_fixed(b, r.correlation, 3), sh_key_name(r.alt_tonic, r.alt_minor, k2, sizeof k2),
		                       sh_format_fixed(c, r.tuning_cents, 1));
		for (int i = 0; i < 12; i++)
			len += (size_t)snprintf(txt + len, sizeof txt - len, "%s%s", i ? "," : "", sh_format_fixed(a, r.chroma[i], 3));
		len += (size_t)snprintf(txt + len, sizeof txt - len, "]}\n");
	}
	if (sh_write_file_atomic(out_path, txt, len) != 0)
		sh_die("%s", sh_error());
	free((char *)name);
	return 0;
}
