/* scales.c -- fuzz the scale-file reader (lib/scales.h sh_scales_add_file): one
 * JSON object of name -> ascending offsets 0..11. Whatever it accepts must be
 * findable by name and keep its promises. */
#include "fuzz.h"
#include "scales.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = fz_input_file("fuzz_scales", data, size, path);
	if (fd < 0)
		return 0;
	sh_scales reg = {0};
	if (sh_scales_add_file(&reg, path) == 0) {
		for (size_t i = 0; i < reg.n; i++) {
			const sh_scale *s = &reg.s[i];
			if (s->n < 1 || s->n > SH_SCALE_MAX)
				abort();
			for (int k = 0; k < s->n; k++)
				if (s->step[k] < 0 || s->step[k] > 11 || (k && s->step[k] <= s->step[k - 1]))
					abort();
			if (sh_scales_find(&reg, s->name) == NULL)
				abort();
		}
		free(sh_scales_names(&reg));
	}
	sh_scales_free(&reg);
	close(fd);
	return 0;
}
