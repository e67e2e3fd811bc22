/* onsets.c -- fuzz the onsets-file reader (lib/onsets.h sh_onsets_load): the
 * onsets program's JSON, a bare array of numbers or of {"t":..} objects. What it
 * gives must be finite, non-negative, strictly ascending. */
#include "fuzz.h"
#include "onsets.h"

#include <math.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = fz_input_file("fuzz_onsets", data, size, path);
	if (fd < 0)
		return 0;
	double *t = NULL;
	size_t n = 0;
	if (sh_onsets_load(path, &t, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			if (!isfinite(t[i]) || t[i] < 0 || (i && t[i] <= t[i - 1]))
				abort();
		if (n && !t)
			abort();
	}
	free(t);
	close(fd);
	return 0;
}
