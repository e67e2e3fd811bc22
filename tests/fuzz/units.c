/* units.c -- fuzz the small text parsers every command line goes through:
 * durations (sh_parse_duration, sh_duration_seconds), ranges, frame rates, strict
 * numbers, sizes, chroma, bit depths, fits, key names (colours: colors.c). Each line of the input
 * is given to every parser; whatever they accept must be finite and in range. */
#include "fuzz.h"
#include "audio.h"
#include "musickey.h"
#include "media.h"
#include "render.h"

#include <math.h>

static void one(const char *s)
{
	sh_duration d;
	if (sh_parse_duration(s, 0.001, &d) == 0) {
		if (!isfinite(d.amount))
			abort();
		double sec;
		if (sh_duration_seconds(&d, 120, 30, 48000, &sec) == 0 && !isfinite(sec))
			abort();
		sh_duration_seconds(&d, 0, 0, 0, &sec);
	}
	sh_parse_duration(s, 1, &d);
	sh_range r;
	if (sh_parse_range(s, &r) == 0 && (!isfinite(r.lo) || !isfinite(r.hi) || r.lo > r.hi))
		abort();
	sh_rational q;
	if (sh_parse_rate(s, &q) == 0 && (q.num <= 0 || q.den <= 0))
		abort();
	double x;
	if (sh_parse_double(s, &x) == 0 && !isfinite(x))
		abort();
	int64_t i;
	sh_parse_int64(s, &i);
	int w, h;
	if (sh_parse_size(s, &w, &h) == 0 && (w < 2 || h < 2 || w > 16384 || h > 16384))
		abort();
	sh_chroma c;
	char tag[16];
	sh_parse_chroma(s, &c, tag);
	sh_parse_bits(s);
	sh_parse_frame_fit(s);
	sh_cut_fit cf;
	sh_parse_cut_fit(s, &cf);
	int tonic;
	bool minor;
	if (sh_key_parse(s, &tonic, &minor) == 0 && (tonic < 0 || tonic > 11))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_init("fuzz_units");
	char *text = fz_strndup(data, size);
	char *save = NULL;
	int lines = 0;
	for (char *tok = strtok_r(text, "\n", &save); tok && lines < 64; tok = strtok_r(NULL, "\n", &save), lines++)
		one(tok);
	if (!memchr(data, '\n', size))
		one(text); /* an empty input too */
	free(text);
	return 0;
}
