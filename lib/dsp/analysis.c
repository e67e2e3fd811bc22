/* analysis.c -- block reader with mono downmix for the analysis programs. */
#include "analysis.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio.h"
#include "cli.h"

#define BLOCK 8192

size_t sh_analysis_stream(const char *path, void (*init)(void *user, int rate), sh_mono_fn fn,
                          void *user, const char **name)
{
	sh_audio_in *in = sh_audio_open_or_die(path ? path : "-");
	int ch = sh_audio_channels(in), rate = sh_audio_rate(in);
	if (name)
		*name = sh_strdup(sh_audio_name(in));
	init(user, rate);
	float *buf = sh_malloc((size_t)BLOCK * ch * sizeof(float));
	float *mono = sh_malloc((size_t)BLOCK * sizeof(float));
	size_t total = 0, got;
	while ((got = sh_audio_read_or_die(in, buf, BLOCK)) > 0) {
		sh_audio_downmix(buf, got, ch, mono);
		fn(user, mono, got);
		total += got;
	}
	sh_audio_close(in);
	free(buf);
	free(mono);
	return total;
}

