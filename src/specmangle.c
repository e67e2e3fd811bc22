/* specmangle -- full spectral destruction: bin swaps, spectral noise, frame
 * freezes and bin shifts, seeded.
 *
 * STFT (FFTW) and overlap-add like specsmear(1), with the latency compensated:
 * the output is aligned with the input and exactly as long. The knobs and
 * their defaults are the mangle processor's (lib/dsp/proc_spectral.c).
 *
 * --plot draws the spectrogram before and after from the effect's own frames
 * as they pass (no second transform), in bounded memory. */
#include "proc.h"
#include "specplot.h"

static const sh_proc_program specmangle = {
	.usage = "specmangle [-s P] [-N P] [-f P] [--hold MIN..MAX] [--shift MIN..MAX] [-n FFT] [--hop N] "
	         "[-j N] [--plot FILE.png] [-o FILE] [--seed N] [FILE]",
	.summary = "mangle a sound's spectrum: swap bins, add shaped noise, freeze, shift",
	.proc = "mangle",
	.has_jobs = true,
	.options = sh_specplot_options,
	.check = sh_specplot_check,
	.plan = sh_specplot_plan,
	.run = sh_specplot_run,
};

int main(int argc, char **argv) { return sh_proc_main(&specmangle, argc, argv); }
