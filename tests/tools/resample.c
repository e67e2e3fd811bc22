/* resample -- test tool: audio in (file or stdin), resampled by libshards to
 * RATE, AU float out. Exercises sh_audio_resample_to on its own.
 *   resample RATE [SOURCE] */
#include <stdlib.h>

#include "audio.h"
#include "cli.h"

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	if (argc < 2)
		sh_usage_error("usage: resample RATE [SOURCE]");
	sh_audio_in *in = sh_audio_open(argc > 2 ? argv[2] : "-");
	if (!in || sh_audio_resample_to(in, atoi(argv[1])) != 0)
		sh_die("%s", sh_error());
	int ch = sh_audio_channels(in);
	sh_audio_out *out = sh_audio_create(NULL, sh_audio_rate(in), ch, NULL);
	if (!out)
		sh_die("%s", sh_error());
	float *buf = sh_malloc(1000 * (size_t)ch * sizeof(float));
	ssize_t n;
	while ((n = sh_audio_read(in, buf, 1000)) > 0)
		if (sh_audio_write(out, buf, (size_t)n) != 0)
			sh_die("%s", sh_error());
	if (n < 0 || sh_audio_finish(out) != 0)
		sh_die("%s", sh_error());
	free(buf);
	sh_audio_close(in);
	return 0;
}
