/* y4m.c -- YUV4MPEG2 streams; see y4m.h.
 *
 * Reading: a header line of at most SH_Y4M_MAX_HEADER bytes is parsed and checked
 * (magic, dimensions within SH_Y4M_MAX_DIM, frame size within SH_Y4M_MAX_FRAME with
 * overflow-checked arithmetic, a supported chroma) before anything is allocated for
 * frames. Frames are read whole: the buffered part is copied, the rest is read
 * straight into the caller's buffer, looping on short reads, so a pipe that
 * delivers one byte at a time gives the same frames as a file. Parameters on a
 * FRAME line are accepted and ignored. Unknown header tokens (X-tags and others)
 * are kept in info.xtags and written back by sh_y4m_format_header.
 *
 * Writing: a file is written under a temporary name and renamed into place by
 * sh_y4m_finish (sh_atomic_*), so a failed run leaves nothing behind; stdout
 * refuses a terminal, and a reader that goes away (EPIPE) ends the program
 * quietly with status 0. */
#define _GNU_SOURCE
#include "y4m.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "cli.h"

#define MAGIC "YUV4MPEG2"
#define IN_BUFSIZE (1u << 16)
#define OUT_BUFSIZE (1u << 18)

static const struct {
	const char *tag;
	sh_chroma chroma;
} chroma_tags[] = {
	{"420jpeg", SH_CHROMA_420}, {"420mpeg2", SH_CHROMA_420}, {"420paldv", SH_CHROMA_420},
	{"420", SH_CHROMA_420},     {"422", SH_CHROMA_422},      {"444", SH_CHROMA_444},
	{"mono", SH_CHROMA_MONO},
};
#define SUPPORTED_CHROMA "420jpeg, 420mpeg2, 420paldv, 420, 422, 444, mono"

/* ---------------------------------------------------------------- header */

/* Digits only, no sign, no overflow past INT_MAX. */
static int parse_uint(const char *s, size_t n, int *out)
{
	if (n == 0)
		return -1;
	long long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
		if (v > INT_MAX)
			return -1;
	}
	*out = (int)v;
	return 0;
}

/* "N:D" with both non-negative integers. */
static int parse_ratio(const char *s, size_t n, int *num, int *den)
{
	const char *colon = memchr(s, ':', n);
	if (!colon)
		return -1;
	return parse_uint(s, (size_t)(colon - s), num) || parse_uint(colon + 1, n - (size_t)(colon - s) - 1, den)
	               ? -1
	               : 0;
}

int sh_y4m_layout(sh_y4m_info *info)
{
	if (info->width < 1 || info->height < 1 || info->width > SH_Y4M_MAX_DIM ||
	    info->height > SH_Y4M_MAX_DIM) {
		sh_set_error("frame size %dx%d is out of bounds (1..%d on each side)", info->width,
		             info->height, SH_Y4M_MAX_DIM);
		return -1;
	}
	size_t w = (size_t)info->width, h = (size_t)info->height;
	switch (info->chroma) {
	case SH_CHROMA_420:
		info->cw = (info->width + 1) / 2;
		info->ch = (info->height + 1) / 2;
		break;
	case SH_CHROMA_422:
		info->cw = (info->width + 1) / 2;
		info->ch = info->height;
		break;
	case SH_CHROMA_444:
		info->cw = info->width;
		info->ch = info->height;
		break;
	case SH_CHROMA_MONO:
		info->cw = info->ch = 0;
		break;
	default:
		sh_set_error("unknown chroma layout %d", (int)info->chroma);
		return -1;
	}
	/* w, h <= 16384, so each product fits easily in size_t; check the sum anyway */
	if (w > SIZE_MAX / h) {
		sh_set_error("frame size %dx%d overflows", info->width, info->height);
		return -1;
	}
	size_t luma = w * h;
	size_t chroma = (size_t)info->cw * (size_t)info->ch;
	if (chroma > (SIZE_MAX - luma) / 2) {
		sh_set_error("frame size %dx%d overflows", info->width, info->height);
		return -1;
	}
	size_t total = luma + 2 * chroma;
	if (total > SH_Y4M_MAX_FRAME) {
		sh_set_error("frame of %dx%d (%zu bytes) is larger than the %u-byte limit", info->width,
		             info->height, total, SH_Y4M_MAX_FRAME);
		return -1;
	}
	info->plane_size[0] = luma;
	info->plane_size[1] = info->plane_size[2] = chroma;
	info->frame_size = total;
	return 0;
}

static void append_xtag(sh_y4m_info *info, const char *tok, size_t n)
{
	size_t old = info->xtags ? strlen(info->xtags) : 0;
	char *s = sh_realloc(info->xtags, old + n + 2, 1);
	if (old)
		s[old++] = ' ';
	memcpy(s + old, tok, n);
	s[old + n] = 0;
	info->xtags = s;
}

int sh_y4m_parse_header(const char *line, size_t len, sh_y4m_info *info)
{
	memset(info, 0, sizeof *info);
	info->interlace = '?';
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > SH_Y4M_MAX_HEADER) {
		sh_set_error("stream header longer than %d bytes", SH_Y4M_MAX_HEADER);
		return -1;
	}
	if (len < sizeof MAGIC - 1 || memcmp(line, MAGIC, sizeof MAGIC - 1) != 0 ||
	    (len > sizeof MAGIC - 1 && line[sizeof MAGIC - 1] != ' ')) {
		sh_set_error("not a YUV4MPEG2 stream (bad magic)");
		return -1;
	}
	if (memchr(line, 0, len)) {
		sh_set_error("stream header contains a NUL byte");
		return -1;
	}
	bool have_w = false, have_h = false, have_c = false;
	size_t i = sizeof MAGIC - 1;
	while (i < len) {
		while (i < len && line[i] == ' ')
			i++;
		if (i >= len)
			break;
		size_t start = i;
		while (i < len && line[i] != ' ')
			i++;
		const char *tok = line + start;
		size_t n = i - start;
		const char *val = tok + 1;
		size_t vn = n - 1;
		switch (tok[0]) {
		case 'W':
			if (parse_uint(val, vn, &info->width) || info->width < 1 ||
			    info->width > SH_Y4M_MAX_DIM) {
				sh_set_error("bad width '%.*s' (1..%d)", (int)(vn > 40 ? 40 : vn), val,
				             SH_Y4M_MAX_DIM);
				goto fail;
			}
			have_w = true;
			break;
		case 'H':
			if (parse_uint(val, vn, &info->height) || info->height < 1 ||
			    info->height > SH_Y4M_MAX_DIM) {
				sh_set_error("bad height '%.*s' (1..%d)", (int)(vn > 40 ? 40 : vn), val,
				             SH_Y4M_MAX_DIM);
				goto fail;
			}
			have_h = true;
			break;
		case 'F':
			if (parse_ratio(val, vn, &info->fps_num, &info->fps_den) ||
			    (info->fps_num == 0) != (info->fps_den == 0)) {
				sh_set_error("bad frame rate '%.*s' (N:D)", (int)(vn > 40 ? 40 : vn), val);
				goto fail;
			}
			break;
		case 'A':
			if (parse_ratio(val, vn, &info->aspect_num, &info->aspect_den)) {
				sh_set_error("bad pixel aspect '%.*s' (N:D)", (int)(vn > 40 ? 40 : vn), val);
				goto fail;
			}
			break;
		case 'I':
			if (vn != 1 || !strchr("ptbm?", val[0])) {
				sh_set_error("bad interlacing '%.*s' (p, t, b, m or ?)", (int)(vn > 40 ? 40 : vn),
				             val);
				goto fail;
			}
			info->interlace = val[0];
			break;
		case 'C': {
			size_t k;
			for (k = 0; k < sizeof chroma_tags / sizeof *chroma_tags; k++)
				if (strlen(chroma_tags[k].tag) == vn && memcmp(chroma_tags[k].tag, val, vn) == 0)
					break;
			if (k == sizeof chroma_tags / sizeof *chroma_tags) {
				sh_set_error("unsupported chroma 'C%.*s' (supported: %s)", (int)(vn > 40 ? 40 : vn),
				             val, SUPPORTED_CHROMA);
				goto fail;
			}
			info->chroma = chroma_tags[k].chroma;
			snprintf(info->chroma_tag, sizeof info->chroma_tag, "%s", chroma_tags[k].tag);
			have_c = true;
			break;
		}
		default:
			append_xtag(info, tok, n);
			break;
		}
	}
	if (!have_w || !have_h) {
		sh_set_error("stream header lacks the %s", !have_w ? "width (W)" : "height (H)");
		goto fail;
	}
	if (!have_c) { /* the format's default */
		info->chroma = SH_CHROMA_420;
		snprintf(info->chroma_tag, sizeof info->chroma_tag, "420jpeg");
	}
	if (sh_y4m_layout(info) != 0)
		goto fail;
	return 0;
fail:
	free(info->xtags);
	info->xtags = NULL;
	return -1;
}

size_t sh_y4m_format_header(const sh_y4m_info *info, char *buf, size_t cap)
{
	static const char *deftag[] = {"420jpeg", "422", "444", "mono"};
	const char *tag = info->chroma_tag[0] ? info->chroma_tag : deftag[info->chroma];
	int fn = info->fps_num, fd = info->fps_den;
	if (fn <= 0 || fd <= 0)
		fn = 25, fd = 1;
	size_t n = 0;
	int r = snprintf(buf, cap, MAGIC " W%d H%d F%d:%d", info->width, info->height, fn, fd);
	if (r > 0)
		n = (size_t)r < cap ? (size_t)r : cap;
#define ADD(...)                                                                   \
	do {                                                                       \
		if (n < cap) {                                                     \
			int k = snprintf(buf + n, cap - n, __VA_ARGS__);           \
			if (k > 0)                                                 \
				n = n + (size_t)k < cap ? n + (size_t)k : cap;     \
		}                                                                  \
	} while (0)
	if (info->interlace && info->interlace != '?')
		ADD(" I%c", info->interlace);
	/* always written (A0:0 = unknown), as ffmpeg and mjpegtools do */
	ADD(" A%d:%d", info->aspect_den > 0 ? info->aspect_num : 0, info->aspect_den > 0 ? info->aspect_den : 0);
	ADD(" C%s", tag);
	if (info->xtags && *info->xtags)
		ADD(" %s", info->xtags);
	ADD("\n");
#undef ADD
	if (n >= cap && cap > 0) { /* truncated: keep it a line */
		n = cap - 1;
		buf[n] = 0;
		if (n > 0)
			buf[n - 1] = '\n';
	}
	return n;
}

void sh_y4m_info_free(sh_y4m_info *info)
{
	free(info->xtags);
	info->xtags = NULL;
}

void sh_y4m_info_copy(sh_y4m_info *dst, const sh_y4m_info *src)
{
	*dst = *src;
	dst->xtags = src->xtags ? sh_strdup(src->xtags) : NULL;
}

/* ---------------------------------------------------------------- input */

struct sh_y4m_in {
	int fd;
	bool own_fd;
	char *name;
	sh_y4m_info info;
	uint8_t *buf;
	size_t cap, pos, len;
	bool eof;
	uint64_t frames;
};

/* Read more bytes after the buffered ones; 1 = got some, 0 = end, -1 = error. */
static int fill(sh_y4m_in *in)
{
	if (in->eof)
		return 0;
	if (in->pos > 0) {
		memmove(in->buf, in->buf + in->pos, in->len - in->pos);
		in->len -= in->pos;
		in->pos = 0;
	}
	if (in->len == in->cap)
		return 1;
	for (;;) {
		ssize_t r = read(in->fd, in->buf + in->len, in->cap - in->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			sh_set_error("%s: read error: %s", in->name, strerror(errno));
			return -1;
		}
		if (r == 0) {
			in->eof = true;
			return 0;
		}
		in->len += (size_t)r;
		return 1;
	}
}

/* A line of at most SH_Y4M_MAX_HEADER bytes plus '\n'. Returns 1 with *line pointing
 * into the buffer (length *n without '\n'; valid until the next read), 0 at a clean
 * end (no bytes at all), -1 on a truncated or overlong line. */
static int read_line(sh_y4m_in *in, const char *what, const char **line, size_t *n)
{
	size_t scanned = 0;
	for (;;) {
		const uint8_t *start = in->buf + in->pos;
		size_t avail = in->len - in->pos;
		const uint8_t *nl = avail > scanned ? memchr(start + scanned, '\n', avail - scanned) : NULL;
		if (nl) {
			*line = (const char *)start;
			*n = (size_t)(nl - start);
			in->pos += *n + 1;
			if (*n > SH_Y4M_MAX_HEADER) {
				sh_set_error("%s: %s longer than %d bytes", in->name, what, SH_Y4M_MAX_HEADER);
				return -1;
			}
			return 1;
		}
		scanned = avail;
		if (avail > SH_Y4M_MAX_HEADER) {
			sh_set_error("%s: %s longer than %d bytes (or not a YUV4MPEG2 stream)", in->name, what,
			             SH_Y4M_MAX_HEADER);
			return -1;
		}
		/* reject a wrong magic early rather than reading on */
		if (in->frames == 0 && strcmp(what, "stream header") == 0 && avail > 0 &&
		    memcmp(start, MAGIC, avail < 9 ? avail : 9) != 0) {
			sh_set_error("%s: not a YUV4MPEG2 stream (bad magic)", in->name);
			return -1;
		}
		int r = fill(in);
		if (r < 0)
			return -1;
		if (r == 0) {
			if (in->len - in->pos == 0)
				return 0;
			sh_set_error("%s: %s cut short", in->name, what);
			return -1;
		}
	}
}

sh_y4m_in *sh_y4m_open_fd(int fd, const char *name, const void *pre, size_t npre)
{
	sh_y4m_in *in = sh_calloc(1, sizeof *in);
	in->fd = fd;
	sh_pipe_grow(fd); /* a frame is megabytes: fewer turns between writer and reader */
	in->name = sh_strdup(name ? name : "stdin");
	in->cap = IN_BUFSIZE > npre ? IN_BUFSIZE : npre;
	in->buf = sh_malloc(in->cap);
	if (npre)
		memcpy(in->buf, pre, npre);
	in->len = npre;
	const char *line;
	size_t n;
	int r = read_line(in, "stream header", &line, &n);
	if (r <= 0) {
		if (r == 0)
			sh_set_error("%s: empty input (no YUV4MPEG2 header)", in->name);
		goto fail;
	}
	if (sh_y4m_parse_header(line, n, &in->info) != 0) {
		sh_set_error("%s: %s", in->name, sh_error());
		goto fail;
	}
	return in;
fail:
	free(in->buf);
	free(in->name);
	free(in);
	return NULL;
}

sh_y4m_in *sh_y4m_open(const char *path)
{
	if (!path || strcmp(path, "-") == 0) {
		sh_y4m_in *in = sh_y4m_open_fd(0, "stdin", NULL, 0);
		return in;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		sh_set_error("%s: %s", path, strerror(errno));
		return NULL;
	}
	sh_y4m_in *in = sh_y4m_open_fd(fd, path, NULL, 0);
	if (!in) {
		close(fd);
		return NULL;
	}
	in->own_fd = true;
	return in;
}

const sh_y4m_info *sh_y4m_in_info(const sh_y4m_in *in) { return &in->info; }

int sh_y4m_read_frame(sh_y4m_in *in, uint8_t *buf)
{
	const char *line;
	size_t n;
	int r = read_line(in, "frame header", &line, &n);
	if (r == 0)
		return 0;
	if (r < 0) {
		sh_set_error("%s (frame %llu)", sh_error(), (unsigned long long)in->frames + 1);
		return -1;
	}
	if (n < 5 || memcmp(line, "FRAME", 5) != 0 || (n > 5 && line[5] != ' ')) {
		sh_set_error("%s: frame %llu: bad frame header (expected FRAME)", in->name,
		             (unsigned long long)in->frames + 1);
		return -1;
	}
	size_t need = in->info.frame_size, got = in->len - in->pos;
	if (got > need)
		got = need;
	memcpy(buf, in->buf + in->pos, got);
	in->pos += got;
	while (got < need) {
		ssize_t k = in->eof ? 0 : read(in->fd, buf + got, need - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			sh_set_error("%s: read error: %s", in->name, strerror(errno));
			return -1;
		}
		if (k == 0) {
			in->eof = true;
			sh_set_error("%s: truncated frame %llu: %zu of %zu bytes", in->name,
			             (unsigned long long)in->frames + 1, got, need);
			return -1;
		}
		got += (size_t)k;
	}
	in->frames++;
	return 1;
}

void sh_y4m_close(sh_y4m_in *in)
{
	if (!in)
		return;
	if (in->own_fd)
		close(in->fd);
	sh_y4m_info_free(&in->info);
	free(in->buf);
	free(in->name);
	free(in);
}

/* ---------------------------------------------------------------- output */

struct sh_y4m_out {
	int fd;
	sh_atomic *atomic;
	sh_y4m_info info;
	uint8_t *buf;
	size_t len, cap;
	bool header_written;
};

/* FFmpeg refuses a stream header line longer than this (its newline included). */
#define FFMPEG_HEADER_MAX 96

/* INFO's X-tags without those starting with PREFIX. */
static void drop_xtags(sh_y4m_info *info, const char *prefix)
{
	char *old = info->xtags;
	info->xtags = NULL;
	for (char *save = NULL, *t = old ? strtok_r(old, " ", &save) : NULL; t; t = strtok_r(NULL, " ", &save))
		if (strncmp(t, prefix, strlen(prefix)) != 0)
			append_xtag(info, t, strlen(t));
	free(old);
}

static bool fits_ffmpeg(const sh_y4m_info *info)
{
	char hdr[SH_Y4M_MAX_HEADER + 128];
	return sh_y4m_format_header(info, hdr, sizeof hdr) <= FFMPEG_HEADER_MAX;
}

/* The run's seed, when it matters, as the X-tag XSHARDS_SEED=N, in place of
 * one an input passed on (that was another run's). The header must stay short
 * enough for FFmpeg: XYSCSS (mjpegtools' repeat of the C field) goes first, and
 * a header that still does not fit carries no seed (it is printed at exit). */
static void tag_seed(sh_y4m_info *info)
{
	uint64_t seed;
	if (!sh_seed_to_carry(&seed))
		return;
	sh_y4m_info tagged;
	sh_y4m_info_copy(&tagged, info);
	drop_xtags(&tagged, "XSHARDS_SEED=");
	char tag[40];
	int n = snprintf(tag, sizeof tag, "XSHARDS_SEED=%llu", (unsigned long long)seed);
	append_xtag(&tagged, tag, (size_t)n);
	if (!fits_ffmpeg(&tagged)) {
		drop_xtags(&tagged, "XYSCSS=");
		if (!fits_ffmpeg(&tagged)) {
			sh_y4m_info_free(&tagged);
			return;
		}
	}
	sh_y4m_info_free(info);
	*info = tagged;
	sh_seed_carried(seed);
}

/* The stream header goes out with the first frame, not at create: by then the
 * first frame is made, so a seed its making drew from is known to matter. */
static void put_header(sh_y4m_out *out)
{
	if (out->header_written)
		return;
	out->header_written = true;
	tag_seed(&out->info);
	char hdr[SH_Y4M_MAX_HEADER + 128];
	size_t n = sh_y4m_format_header(&out->info, hdr, sizeof hdr);
	memcpy(out->buf, hdr, n); /* nothing is buffered before it */
	out->len = n;
}

static int out_flush(sh_y4m_out *out)
{
	if (out->len) {
		if (sh_write_named(out->fd, out->buf, out->len, sh_atomic_path(out->atomic)) != 0)
			return -1;
		out->len = 0;
	}
	return 0;
}

sh_y4m_out *sh_y4m_create(const char *path, const sh_y4m_info *info)
{
	sh_y4m_info check;
	sh_y4m_info_copy(&check, info);
	if (sh_y4m_layout(&check) != 0) {
		sh_set_error("cannot write y4m: %s", sh_error());
		sh_y4m_info_free(&check);
		return NULL;
	}
	int fd = 1;
	sh_atomic *atomic = NULL;
	if (!path || strcmp(path, "-") == 0) {
		if (sh_stdout_binary() != 0) {
			sh_y4m_info_free(&check);
			return NULL;
		}
	} else {
		atomic = sh_atomic_open(path);
		if (!atomic) {
			sh_y4m_info_free(&check);
			return NULL;
		}
		fd = sh_atomic_fd(atomic);
	}
	sh_y4m_out *out = sh_calloc(1, sizeof *out);
	out->info = check;
	out->fd = fd;
	sh_pipe_grow(fd);
	out->atomic = atomic;
	out->cap = OUT_BUFSIZE;
	out->buf = sh_malloc(out->cap);
	return out;
}

int sh_y4m_write_frame(sh_y4m_out *out, const uint8_t *buf)
{
	static const char fh[] = "FRAME\n";
	put_header(out);
	size_t fs = out->info.frame_size;
	if (out->len + 6 + fs <= out->cap) {
		memcpy(out->buf + out->len, fh, 6);
		memcpy(out->buf + out->len + 6, buf, fs);
		out->len += 6 + fs;
		return 0;
	}
	if (out->len + 6 > out->cap && out_flush(out) != 0)
		return -1;
	memcpy(out->buf + out->len, fh, 6);
	out->len += 6;
	/* one system call for the pending bytes and the frame */
	struct iovec iov[2] = {{out->buf, out->len}, {(void *)buf, fs}};
	size_t total = out->len + fs, done = 0;
	while (done < total) {
		ssize_t w = writev(out->fd, iov, 2);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			/* let sh_write_all report the error (EPIPE: quiet exit 0) */
			const char *name = sh_atomic_path(out->atomic);
			if (iov[0].iov_len && sh_write_named(out->fd, iov[0].iov_base, iov[0].iov_len, name) != 0)
				return -1;
			if (sh_write_named(out->fd, iov[1].iov_base, iov[1].iov_len, name) != 0)
				return -1;
			break;
		}
		done += (size_t)w;
		size_t k = (size_t)w;
		for (int i = 0; i < 2 && k; i++) {
			size_t t = k < iov[i].iov_len ? k : iov[i].iov_len;
			iov[i].iov_base = (char *)iov[i].iov_base + t;
			iov[i].iov_len -= t;
			k -= t;
		}
	}
	out->len = 0;
	return 0;
}

static void out_free(sh_y4m_out *out)
{
	sh_y4m_info_free(&out->info);
	free(out->buf);
	free(out);
}

int sh_y4m_finish(sh_y4m_out *out)
{
	if (!out)
		return 0;
	put_header(out);
	if (out_flush(out) != 0) {
		sh_y4m_abort(out);
		return -1;
	}
	int r = out->atomic ? sh_atomic_commit(out->atomic) : 0;
	out_free(out);
	return r;
}

void sh_y4m_abort(sh_y4m_out *out)
{
	if (!out)
		return;
	if (out->atomic)
		sh_atomic_abort(out->atomic);
	out_free(out);
}

bool sh_y4m_full_range(const sh_y4m_info *info)
{
	const char *x = info->xtags;
	while (x && *x) {
		const char *sp = strchr(x, ' ');
		size_t n = sp ? (size_t)(sp - x) : strlen(x);
		if (n == 16 && strncmp(x, "XCOLORRANGE=FULL", 16) == 0)
			return true;
		x = sp ? sp + 1 : NULL;
	}
	return false;
}
