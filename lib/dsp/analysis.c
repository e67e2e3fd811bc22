/* analysis.c -- block reader with mono downmix for the analysis programs. */
#include "analysis.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio.h"
#include "cli.h"

#define BLOCK 8192

ssize_t sh_analysis_stream(const char *path, int (*init)(void *user, int rate), sh_mono_fn fn,
                           void *user, const char **name)
{
	sh_audio_in *in = sh_audio_open(path ? path : "-");
	if (!in)
		return -1;
	int ch = sh_audio_channels(in), rate = sh_audio_rate(in);
	if (name)
		*name = sh_strdup(sh_audio_name(in));
	if (init(user, rate) != 0) {
		sh_audio_close(in);
		return -1;
	}
	float *buf = sh_malloc((size_t)BLOCK * ch * sizeof(float));
	float *mono = sh_malloc((size_t)BLOCK * sizeof(float));
	ssize_t total = 0, got;
	while ((got = sh_audio_read(in, buf, BLOCK)) > 0) {
		sh_audio_downmix(buf, (size_t)got, ch, mono);
		fn(user, mono, (size_t)got);
		total += got;
	}
	sh_audio_close(in);
	free(buf);
	free(mono);
	return got < 0 ? -1 : total;
}

int sh_analysis_main(const sh_analysis_program *a, int argc, char **argv)
{
	sh_init(argc, argv);
	const char *out_path = "-", *name = NULL;
	size_t n = 0, len;
	while (a->options[n].name)
		n++;
	sh_option *opts = sh_calloc(n + 2, sizeof *opts);
	memcpy(opts, a->options, n * sizeof *opts);
	opts[n] = (sh_option){.name = "output", .short_name = 'o', .type = SH_OPT_STRING, .dest = &out_path,
	                      .no_preset = true, .arg = "FILE", .help = "write the result to FILE (default stdout)"};
	sh_program prog = {.usage = a->usage, .summary = a->summary};
	int status = SH_EXIT_USAGE, first = sh_parse_options(&prog, opts, argc, argv);
	char *txt = NULL;
	if (first <= 0) {
		status = sh_parse_status(first);
		goto done;
	}
	if (argc - first > 1) {
		sh_set_error("one input at a time (got %d)", argc - first);
		goto failed;
	}
	if (a->check && a->check() != 0)
		goto failed;
	status = SH_EXIT_FAIL;
	ssize_t frames = sh_analysis_stream(first < argc ? argv[first] : "-", a->init, a->feed, NULL, &name);
	if (frames < 0 || !(txt = a->report(name, frames, &len)) || sh_write_file_atomic(out_path, txt, len) != 0)
		goto failed;
	status = SH_EXIT_OK;
	goto done;
failed:
	sh_warn("%s", sh_error());
done:
	free(txt);
	free((char *)name);
	free(opts);
	return status;
}
