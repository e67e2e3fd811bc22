/* specsmear -- blur a sound's spectrum across time and scramble its phases.
 *
 * STFT (FFTW), magnitudes smoothed frame to frame, phases rotated at random,
 * overlap-add resynthesis. Streams with a fixed latency that it compensates:
 * the output is aligned with the input and exactly as long. The knobs and
 * their defaults are the smear processor's (lib/dsp/proc_spectral.c). */
#include "proc.h"

static const sh_proc_program specsmear = {
	.usage = "specsmear [-b BLUR] [-p PHASE] [-n FFT] [--hop N] [-j N] [-o FILE] [--seed N] [FILE]",
	.summary = "blur a sound's spectrum across time and randomise its phases",
	.proc = "smear",
	.has_jobs = true,
};

int main(int argc, char **argv) { return sh_proc_main(&specsmear, argc, argv); }
