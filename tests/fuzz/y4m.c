/* y4m.c -- fuzz the YUV4MPEG2 reader (lib/y4m.c): the stream header on its own
 * (whatever it accepts must format and parse back to the same geometry), then the
 * whole stream through sh_y4m_open_fd and sh_y4m_read_frame on a pipe. */
#include "fuzz.h"
#include "y4m.h"

static void header_round_trip(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t len = nl ? (size_t)(nl - data) + 1 : size;
	char *line = fz_strndup(data, len);
	sh_y4m_info info;
	memset(&info, 0, sizeof info);
	if (sh_y4m_parse_header(line, len, &info) == 0) {
		if (info.width < 1 || info.height < 1 || info.width > SH_Y4M_MAX_DIM ||
		    info.height > SH_Y4M_MAX_DIM || info.frame_size == 0 ||
		    info.frame_size > SH_Y4M_MAX_FRAME)
			abort();
		char buf[SH_Y4M_MAX_HEADER + 64];
		size_t n = sh_y4m_format_header(&info, buf, sizeof buf);
		if (n > 0 && n < sizeof buf) {
			sh_y4m_info again;
			memset(&again, 0, sizeof again);
			if (sh_y4m_parse_header(buf, n, &again) != 0)
				abort(); /* our own header must read back */
			if (again.width != info.width || again.height != info.height ||
			    again.chroma != info.chroma || again.frame_size != info.frame_size)
				abort();
			sh_y4m_info_free(&again);
		}
		sh_y4m_info copy;
		sh_y4m_info_copy(&copy, &info);
		sh_y4m_info_free(&copy);
		sh_y4m_info_free(&info);
	}
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_init("fuzz_y4m");
	header_round_trip(data, size);
	size_t used;
	int fd = fz_pipe(data, size, &used);
	if (fd < 0)
		return 0;
	sh_y4m_in *in = sh_y4m_open_fd(fd, "stdin", NULL, 0);
	if (in) {
		const sh_y4m_info *info = sh_y4m_in_info(in);
		/* a frame the input cannot fill is refused as truncated; allocate only
		 * what could be read, as the sizes are already bounded by the parser */
		if (info->frame_size <= ((size_t)16 << 20)) {
			uint8_t *frame = malloc(info->frame_size);
			if (!frame)
				abort();
			for (int i = 0; i < 100000 && sh_y4m_read_frame(in, frame) == 1; i++)
				;
			free(frame);
		}
		sh_y4m_close(in);
	}
	close(fd);
	return 0;
}
