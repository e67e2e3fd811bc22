/* media.c -- fuzz the FFmpeg boundary (lib/media.h): probe whatever file it is,
 * then decode a few frames of video into y4m geometry and a few blocks of audio,
 * as avbond, colorkey and vscan do with files from anywhere. */
#include "fuzz.h"
#include "media.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	char path[64];
	int fd = fz_input_file("fuzz_media", data, size, path);
	if (fd < 0)
		return 0;
	sh_media *m = sh_media_open(path);
	if (m) {
		const sh_media_info *mi = sh_media_get_info(m);
		if (mi->has_video) {
			sh_media_video_opts o;
			sh_media_video_opts_default(&o);
			o.width = 64;
			o.height = 48;
			o.duration = 1;
			sh_y4m_info info;
			memset(&info, 0, sizeof info);
			if (sh_media_video_begin(m, &o, &info) == 0) {
				uint8_t *frame = malloc(info.frame_size);
				for (int i = 0; i < 8 && sh_media_video_read(m, frame) == 1; i++)
					;
				free(frame);
				sh_y4m_info_free(&info);
			}
		}
		sh_media_close(m);
	}
	m = sh_media_open(path);
	if (m) {
		if (sh_media_get_info(m)->has_audio && sh_media_audio_begin(m, 8000, 1, 0, 1) == 0) {
			float buf[1024];
			for (int i = 0; i < 16 && sh_media_audio_read(m, buf, 1024) > 0; i++)
				;
		}
		sh_media_close(m);
	}
	close(fd);
	return 0;
}
