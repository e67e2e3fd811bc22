/* specmangle -- full spectral destruction: bin swaps, spectral noise, frame
 * freezes and bin shifts, seeded.
 *
 * STFT (FFTW) and overlap-add like specsmear(1), with the latency compensated:
 * the output is aligned with the input and exactly as long. The knobs and
 * their defaults are the mangle processor's (lib/dsp/proc_spectral.c).
 *
 * --plot draws the spectrogram before and after from the effect's own frames
 * as they pass (no second transform), in bounded memory. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "plot.h"
#include "proc.h"
#include "spectral.h"

static const char *plot_path; /* a picture of the spectrum before and after */

static sh_option options[] = {
	{.name = "plot", .type = SH_OPT_STRING, .dest = &plot_path, .arg = "FILE", .no_preset = true,
	 .help = "also draw the spectrogram before and after, a PNG in FILE"},
	{0},
};

static sh_spectra *pics;

static int check(sh_proc *p, const sh_option *opts)
{
	const char *out = *(const char **)sh_params_find((sh_option *)opts, "output")->dest;
	if (plot_path && !strcmp(plot_path, "-") && (!out || !strcmp(out, "-"))) {
		sh_set_error("--plot -: standard output carries the audio; name a file");
		return -1;
	}
	return 0;
}

/* The picture's file is checked before any audio is read. */
static int plan(sh_proc *p, sh_audio_in *in, const sh_option *opts)
{
	int fft, hop;
	if (!plot_path)
		return 0;
	if (sh_proc_spectral_sizes(p, &fft, &hop) != 0 ||
	    !(pics = sh_spectra_new(plot_path, 1200, 600, sh_audio_rate(in), sh_audio_channels(in), fft, hop)) ||
	    sh_proc_spectral_watch(p, sh_spectra_watch, pics) != 0) {
		sh_set_error("--plot %s", sh_error());
		return 1;
	}
	return 0;
}

static int run(sh_proc *p, sh_audio_in *in, sh_audio_out *out)
{
	int r = sh_proc_stream(p, in, out);
	if (r == 0 && pics) {
		const char *name = sh_audio_name(in), *slash = strrchr(name, '/');
		char title[300];
		snprintf(title, sizeof title, "specmangle: %s", slash ? slash + 1 : name);
		if ((r = sh_spectra_png(pics, title, (double)p->frames_in / sh_audio_rate(in))) != 0)
			sh_set_error("--plot %s", sh_error());
	}
	sh_spectra_free(pics);
	return r;
}

static const sh_proc_program specmangle = {
	.usage = "specmangle [-s P] [-N P] [-f P] [--hold MIN..MAX] [--shift MIN..MAX] [-n FFT] [--hop N] "
	         "[-j N] [--plot FILE.png] [-o FILE] [--seed N] [FILE]",
	.summary = "mangle a sound's spectrum: swap bins, add shaped noise, freeze, shift",
	.proc = "mangle",
	.has_jobs = true,
	.options = options,
	.check = check,
	.plan = plan,
	.run = run,
};

int main(int argc, char **argv) { return sh_proc_main(&specmangle, argc, argv); }
