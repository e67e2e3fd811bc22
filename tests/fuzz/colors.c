/* colors.c -- fuzz the colour parsers of the keyer (lib/keying.h): one colour and
 * comma-separated lists, bounded at SH_KEY_MAX_COLORS. */
#include "fuzz.h"
#include "chromakey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_init("fuzz_colors");
	char *s = fz_strndup(data, size);
	uint32_t rgb[SH_KEY_MAX_COLORS + 8];
	int n = -1;
	if (sh_parse_color(s, rgb) == 0 && rgb[0] > 0xffffff)
		abort();
	if (sh_parse_colors(s, rgb, &n) == 0) {
		if (n < 1 || n > SH_KEY_MAX_COLORS)
			abort();
		for (int i = 0; i < n; i++)
			if (rgb[i] > 0xffffff)
				abort();
	}
	free(s);
	return 0;
}
