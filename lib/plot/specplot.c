/* specplot.c -- --plot FILE for the spectral programs on the processor driver
 * (specsmear, specmangle): the option row and the driver's hooks that draw the
 * spectrogram before and after from the processor's own frames (sh_spectra). */
#include "specplot.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "spectral.h"

static const char *plot_path;
static sh_spectra *pics;

sh_option sh_specplot_options[] = {
	{.name = "plot", .type = SH_OPT_STRING, .dest = &plot_path, .arg = "FILE", .no_preset = true,
	 .help = "also draw the spectrogram before and after, a PNG in FILE"},
	{0},
};

int sh_specplot_check(sh_proc *p, const sh_option *opts)
{
	(void)p;
	const char *out = *(const char **)sh_params_find((sh_option *)opts, "output")->dest;
	if (plot_path && !strcmp(plot_path, "-") && (!out || !strcmp(out, "-"))) {
		sh_set_error("--plot -: standard output carries the audio; name a file");
		return -1;
	}
	return 0;
}

/* The picture's file is checked before any audio is read. */
int sh_specplot_plan(sh_proc *p, sh_audio_in *in, const sh_option *opts)
{
	(void)opts;
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

int sh_specplot_run(sh_proc *p, sh_audio_in *in, sh_audio_out *out)
{
	int r = sh_proc_stream(p, in, out);
	if (r == 0 && pics) {
		const char *name = sh_audio_name(in), *slash = strrchr(name, '/');
		char title[300];
		snprintf(title, sizeof title, "%s: %s", sh_progname, slash ? slash + 1 : name);
		if ((r = sh_spectra_png(pics, title, (double)p->frames_in / sh_audio_rate(in))) != 0)
			sh_set_error("--plot %s", sh_error());
	}
	sh_spectra_free(pics);
	pics = NULL;
	return r;
}
