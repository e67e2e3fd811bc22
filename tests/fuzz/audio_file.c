/* audio_file.c -- fuzz the file entry of lib/audio.c: sh_audio_open on a named
 * file, which sniffs AU and WAV for the in-place reader and hands anything else to
 * libsndfile (AIFF, FLAC, CAF, ...); then reads, seeks and reads through
 * sh_audio_source (random access with zero padding).
 *
 * Ogg files go to their own harness, audio_ogg (this file built with OGG_ONLY):
 * libvorbis leaks its codec set-up on every bad Vorbis header (suppressed by that
 * stack in tests/lsan.supp), and libFuzzer stops checking for leaks after a
 * thousand inputs that leak only what is suppressed. Kept apart, this harness
 * checks every input of every other format for leaks for as long as it runs. */
#include "fuzz.h"
#include "audio.h"

#include <math.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool ogg = size >= 4 && memcmp(data, "OggS", 4) == 0;
#ifdef OGG_ONLY
	if (!ogg)
		return 0;
#else
	if (ogg)
		return 0;
#endif
	char path[64];
	int fd = fz_input_file("fuzz_audio_file", data, size, path);
	if (fd < 0)
		return 0;
	sh_audio_in *in = sh_audio_open(path);
	if (in) {
		int ch = sh_audio_channels(in);
		if (ch < 1 || ch > SH_MAX_CHANNELS)
			abort();
		float *buf = malloc(sizeof(float) * 512 * (size_t)ch);
		int64_t total = 0;
		ssize_t r;
		while ((r = sh_audio_read(in, buf, 512)) > 0) {
			for (ssize_t i = 0; i < r * ch; i++)
				if (!isfinite(buf[i]))
					abort();
			if ((total += r) > (int64_t)1 << 22)
				break;
		}
		if (r >= 0 && sh_audio_seekable(in) && sh_audio_frames(in) > 0) {
			int64_t frames = sh_audio_frames(in);
			if (sh_audio_seek(in, frames - 1) == 0)
				sh_audio_read(in, buf, 512);
		}
		free(buf);
		sh_audio_close(in);
	}
	close(fd);
	return 0;
}
