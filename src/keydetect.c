/* keydetect -- musical key and mode of an audio file or stream, with a
 * confidence: tuned chroma against major and minor key profiles; "none" when
 * the sound has no tonal centre (noise, unpitched percussion). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cli.h"
#include "musickey.h"

/* Defaults. */
static bool json = false; /* JSON report: key, mode, confidence, runner-up, tuning, chroma */
#define LOW_CONFIDENCE 0.25 /* below this, a warning on stderr (after the answer) */

static sh_option options[] = {
	{.name = "json", .type = SH_OPT_FLAG, .dest = &json,
	 .help = "print a JSON report with confidence, runner-up, tuning and chroma"},
	{0},
};

static sh_key *key;
static int init(void *user, int rate) { return (key = sh_key_new(rate)) ? 0 : -1; }
static void feed(void *user, const float *x, size_t n) { sh_key_feed(key, x, n); }
static void discard(void)
{
	sh_key_free(key);
	key = NULL;
}

/* The key as a line, or the JSON report. */
static char *report(sh_analysis_input *in, size_t *length)
{
	const char *name = in->name;
	sh_key_result r;
	sh_key_finish(key, &r);
	discard();
	if (r.tonic < 0 && !r.atonal) {
		sh_set_error("%s: no key found: no pitched content (silence, or nothing between 60 Hz and 2.1 kHz)", name);
		return NULL;
	}
	char k1[32], k2[32], a[32], b[32], c[32], d[32], e[32];
	const size_t cap = 1024;
	char *txt = sh_malloc(cap);
	size_t len;
	/* "none" is a plain answer: the JSON report carries the measures behind it. */
	if (!r.atonal && r.confidence < LOW_CONFIDENCE)
		snprintf(in->warning, sizeof in->warning, "%s: low confidence %.2f: %s and %s are close", name, r.confidence,
		         sh_key_name(r.tonic, r.minor, k1, sizeof k1), sh_key_name(r.alt_tonic, r.alt_minor, k2, sizeof k2));
	if (!json) {
		len = (size_t)snprintf(txt, cap, "%s\n", sh_key_name(r.tonic, r.minor, k1, sizeof k1));
	} else if (r.atonal) {
		len = (size_t)snprintf(txt, cap,
		                       "{\"key\":\"none\",\"tonic\":null,\"mode\":null,\"confidence\":0,"
		                       "\"correlation\":%s,\"alternative\":null,\"tonality\":%s,\"flatness\":%s,\"pitch_classes\":%d,"
		                       "\"tuning_cents\":%s,\"chroma\":[",
		                       sh_format_fixed(b, r.correlation, 3), sh_format_fixed(d, r.tonality, 3),
		                       sh_format_fixed(e, r.flatness, 3), r.pitch_classes, sh_format_fixed(c, r.tuning_cents, 1));
	} else {
		len = (size_t)snprintf(txt, cap,
		                       "{\"key\":\"%s\",\"tonic\":\"%s\",\"mode\":\"%s\",\"confidence\":%s,"
		                       "\"correlation\":%s,\"alternative\":\"%s\",\"tonality\":%s,\"flatness\":%s,\"pitch_classes\":%d,"
		                       "\"tuning_cents\":%s,\"chroma\":[",
		                       sh_key_name(r.tonic, r.minor, k1, sizeof k1), sh_key_tonic_name(r.tonic, r.minor),
		                       r.minor ? "minor" : "major", sh_format_fixed(a, r.confidence, 3),
		                       sh_format_fixed(b, r.correlation, 3), sh_key_name(r.alt_tonic, r.alt_minor, k2, sizeof k2),
		                       sh_format_fixed(d, r.tonality, 3), sh_format_fixed(e, r.flatness, 3), r.pitch_classes,
		                       sh_format_fixed(c, r.tuning_cents, 1));
	}
	if (json) {
		for (int i = 0; i < 12; i++)
			len += (size_t)snprintf(txt + len, cap - len, "%s%s", i ? "," : "", sh_format_fixed(a, r.chroma[i], 3));
		len += (size_t)snprintf(txt + len, cap - len, "]}\n");
	}
	*length = len;
	return txt;
}

static const sh_analysis_program keydetect = {
	.usage = "keydetect [options] [FILE...]", .summary = "estimate the musical key and mode of audio",
	.options = options, .init = init, .feed = feed, .report = report, .discard = discard,
};

int main(int argc, char **argv) { return sh_analysis_main(&keydetect, argc, argv); }
