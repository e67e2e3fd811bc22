/* scales.c -- fuzz the pitch-set file reader (lib/seq/scales.h
 * sh_scales_add_file) for both registries: one JSON object of name -> ascending
 * offsets, 0..11 for scales, 0..48 for chords. Whatever it accepts must be
 * findable by name and keep its promises. */
#include "fuzz.h"
#include "scales.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = fz_input_file("fuzz_scales", data, size, path);
	if (fd < 0)
		return 0;
	for (int k = 0; k < 2; k++) {
		const sh_set_kind *kind = k ? &sh_chord_kind : &sh_scale_kind;
		sh_scales reg = {.kind = kind};
		if (sh_scales_add_file(&reg, path) == 0) {
			for (size_t i = 0; i < reg.n; i++) {
				const sh_scale *s = &reg.s[i];
				if (s->n < 1 || s->n > SH_SCALE_MAX || !*s->name || strchr(s->name, ','))
					abort();
				for (int j = 0; j < s->n; j++)
					if (s->step[j] < 0 || s->step[j] > kind->max_offset || (j && s->step[j] <= s->step[j - 1]))
						abort();
				if (sh_scales_find(&reg, s->name) == NULL)
					abort();
			}
			free(sh_scales_names(&reg));
		}
		sh_scales_free(&reg);
	}
	close(fd);
	return 0;
}
