/* specsmear -- blur a sound's spectrum across time and scramble its phases.
 *
 * STFT (FFTW), magnitudes smoothed frame to frame, phases rotated at random,
 * overlap-add resynthesis. Streams with a fixed latency that it compensates:
 * the output is aligned with the input and exactly as long. The knobs and
 * their defaults are the smear processor's (lib/dsp/proc_spectral.c).
 *
 * --plot draws the spectrogram before and after from the effect's own frames
 * as they pass (no second transform), in bounded memory. */
#include "proc.h"
#include "specplot.h"

static const sh_proc_program specsmear = {
	.usage = "specsmear [-b BLUR] [-p PHASE] [-n FFT] [--hop N] [-j N] [--plot FILE.png] [-o FILE] "
	         "[--seed N] [FILE]",
	.summary = "blur a sound's spectrum across time and randomise its phases",
	.proc = "smear",
	.has_jobs = true,
	.options = sh_specplot_options,
	.check = sh_specplot_check,
	.plan = sh_specplot_plan,
	.run = sh_specplot_run,
};

int main(int argc, char **argv) { return sh_proc_main(&specsmear, argc, argv); }
