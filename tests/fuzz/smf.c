/* smf.c -- fuzz the Standard MIDI File note reader (lib/io/midi.h
 * sh_smf_note_starts): any bytes are read or refused with a reason; what is read
 * are finite beats from 0 to a billion. */
#include "fuzz.h"
#include "midi.h"

#include <math.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_init("fuzz_smf");
	double *beats = NULL;
	size_t n = 0;
	if (sh_smf_note_starts("input", data, size, &beats, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			if (!isfinite(beats[i]) || beats[i] < 0 || beats[i] > 1e9)
				abort();
	} else if (beats || n || strncmp(sh_error(), "input: ", 7)) {
		abort();
	}
	free(beats);
	return 0;
}
