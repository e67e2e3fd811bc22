/* specplot.h -- --plot FILE for a spectral program on the processor driver:
 * the spectrogram before and after, drawn from the processor's own frames as
 * they pass (no second transform), in bounded memory (sh_spectra). A program
 * takes the option rows and the three hooks:
 *   .options = sh_specplot_options, .check = sh_specplot_check,
 *   .plan = sh_specplot_plan, .run = sh_specplot_run
 * check refuses "--plot -" while the audio goes to standard output; plan
 * checks the picture's file before any audio is read; run streams, then draws
 * it titled "PROGRAM: INPUT". */
#ifndef SHARDS_SPECPLOT_H
#define SHARDS_SPECPLOT_H

#include "plot.h"
#include "proc.h"

extern sh_option sh_specplot_options[];
int sh_specplot_check(sh_proc *p, const sh_option *opts);
int sh_specplot_plan(sh_proc *p, sh_audio_in *in, const sh_option *opts);
int sh_specplot_run(sh_proc *p, sh_audio_in *in, sh_audio_out *out);

#endif
