/* audio_stream.c -- fuzz the AU/WAV stream parser (lib/audio.c) on a pipe, the way
 * stdin reaches it, and on a seekable in-memory file (the in-place reader with
 * seeking), reading every frame. */
#include "fuzz.h"
#include "audio.h"

#include <math.h>

static void drain(sh_audio_in *in, int seek)
{
	int ch = sh_audio_channels(in), rate = sh_audio_rate(in);
	if (ch < 1 || ch > SH_MAX_CHANNELS || rate < SH_MIN_RATE || rate > SH_MAX_RATE)
		abort(); /* the parser promised validated values */
	float *buf = malloc(sizeof(float) * 257 * (size_t)ch);
	if (!buf)
		abort();
	int64_t total = 0;
	for (;;) {
		ssize_t r = sh_audio_read(in, buf, 257);
		if (r <= 0)
			break;
		for (ssize_t i = 0; i < r * ch; i++)
			if (!isfinite(buf[i]))
				abort(); /* non-finite samples must be an error, never passed on */
		total += r;
		if (total > (int64_t)1 << 24)
			break;
	}
	if (seek && sh_audio_seekable(in)) {
		int64_t frames = sh_audio_frames(in);
		if (frames >= 0 && sh_audio_seek(in, frames / 2) == 0)
			sh_audio_read(in, buf, 257);
		sh_audio_seek(in, 0);
		sh_audio_read(in, buf, 1);
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_init("fuzz_audio_stream");
	size_t used;
	int fd = fz_pipe(data, size, &used);
	if (fd >= 0) {
		/* stdin-style: the first bytes sniffed by the caller are handed over */
		size_t pre = used < 4 ? used : 4;
		uint8_t head[4];
		ssize_t got = pre ? read(fd, head, pre) : 0;
		sh_audio_in *in = sh_audio_open_fd(fd, "stdin", head, got > 0 ? (size_t)got : 0);
		if (in) {
			drain(in, 0);
			sh_audio_close(in);
		}
		close(fd);
	}
	fd = fz_memfd(data, size);
	if (fd >= 0) {
		sh_audio_in *in = sh_audio_open_fd(fd, "stdin", NULL, 0);
		if (in) {
			drain(in, 1);
			sh_audio_close(in);
		}
		close(fd);
	}
	return 0;
}
