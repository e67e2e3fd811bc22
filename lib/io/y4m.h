/* y4m.h -- YUV4MPEG2 streams: header parsed and validated before any allocation,
 * frames read whole whatever the pipe delivers, unknown X-tags carried through.
 * Supported chroma: 420jpeg, 420mpeg2, 420paldv, 420 (all 4:2:0), 422, 444, mono. */
#ifndef SHARDS_Y4M_H
#define SHARDS_Y4M_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SH_Y4M_MAX_DIM 16384          /* width and height bound */
#define SH_Y4M_MAX_FRAME (1u << 30)   /* bytes in one frame */
#define SH_Y4M_MAX_HEADER 4096        /* bytes in the stream or a frame header line */

typedef enum { SH_CHROMA_420, SH_CHROMA_422, SH_CHROMA_444, SH_CHROMA_MONO } sh_chroma;

typedef struct {
	int width, height;
	int fps_num, fps_den;         /* F; 0/0 when absent (readers default to 25:1) */
	int aspect_num, aspect_den;   /* A; 0:0 unknown */
	char interlace;               /* I: p t b m, '?' when absent */
	sh_chroma chroma;
	char chroma_tag[16];          /* as written: "420jpeg", "444", ... */
	char *xtags;                  /* other tokens (X..., unknown), space-separated, or NULL */
	/* derived */
	size_t plane_size[3];         /* Y, Cb, Cr bytes (Cb/Cr 0 for mono) */
	int cw, ch;                   /* chroma plane width and height */
	size_t frame_size;            /* sum of planes */
} sh_y4m_info;

/* Parse a stream header line (without or with the trailing '\n'); -1 + sh_error()
 * on anything malformed, unsupported or too large. */
int sh_y4m_parse_header(const char *line, size_t len, sh_y4m_info *info);
/* Fill the derived sizes from width, height and chroma (-1 when too large). */
int sh_y4m_layout(sh_y4m_info *info);
/* Format a header line ending in '\n' into buf; returns its length. */
size_t sh_y4m_format_header(const sh_y4m_info *info, char *buf, size_t cap);
void sh_y4m_info_free(sh_y4m_info *info);
/* Copy src into dst (duplicating xtags). */
void sh_y4m_info_copy(sh_y4m_info *dst, const sh_y4m_info *src);

typedef struct sh_y4m_in sh_y4m_in;
/* Open a file or "-" (stdin) and read its header; NULL + sh_error() on failure. */
sh_y4m_in *sh_y4m_open(const char *path);
/* Open on a descriptor whose first bytes (already read, e.g. to sniff the magic)
 * are given in `pre`/`npre`. */
sh_y4m_in *sh_y4m_open_fd(int fd, const char *name, const void *pre, size_t npre);
const sh_y4m_info *sh_y4m_in_info(const sh_y4m_in *in);
/* Read the next frame into buf (frame_size bytes). 1 = frame, 0 = clean end,
 * -1 + sh_error() on a truncated frame or a bad frame header. */
int sh_y4m_read_frame(sh_y4m_in *in, uint8_t *buf);
void sh_y4m_close(sh_y4m_in *in);

typedef struct sh_y4m_out sh_y4m_out;
/* Write to a file (atomically) or "-"/NULL (stdout; refuses a terminal); NULL +
 * sh_error() on a bad layout, a terminal or an unwritable path. */
sh_y4m_out *sh_y4m_create(const char *path, const sh_y4m_info *info);
/* 0, or -1 + sh_error() on a write error. */
int sh_y4m_write_frame(sh_y4m_out *out, const uint8_t *buf);
/* Flush, rename a file into place and free: 0, or -1 + sh_error() (the file is
 * removed). NULL is a no-op. */
int sh_y4m_finish(sh_y4m_out *out);
/* Give up: remove the half-written file and free. NULL is a no-op. */
void sh_y4m_abort(sh_y4m_out *out);

/* Does the header say full range? (XCOLORRANGE=FULL among the X-tags.) */
bool sh_y4m_full_range(const sh_y4m_info *info);

#endif
