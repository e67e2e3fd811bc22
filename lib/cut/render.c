/* render.c -- cut lists over audio; see render.h. */
#define _GNU_SOURCE
#include "render.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 65536 /* frames per read; pieces longer than this stream through */

int sh_parse_cut_fit(const char *text, sh_cut_fit *fit)
{
	if (!strcmp(text, "none"))
		*fit = SH_CUT_FIT_NONE;
	else if (!strcmp(text, "scale"))
		*fit = SH_CUT_FIT_SCALE;
	else if (!strcmp(text, "wrap"))
		*fit = SH_CUT_FIT_WRAP;
	else {
		sh_set_error("'%s' is not a fit mode (none, scale, wrap)", text);
		return -1;
	}
	return 0;
}

int64_t sh_render_piece_start(const sh_cutlist *cl, size_t i, int64_t len, int64_t frames, double rate,
                              const sh_render_opts *opts)
{
	const sh_cut *c = &cl->cuts[i];
	double src = c->src;
	if (opts->fit == SH_CUT_FIT_SCALE && cl->src_duration > 0)
		src *= ((double)frames / rate) / cl->src_duration;
	int64_t s = sh_seconds_to_index(src, rate);
	if (opts->fit == SH_CUT_FIT_SCALE && s + len > frames)
		s = frames - len; /* keep the piece's length; end it at the source's end */
	if (s < 0)
		s = 0;
	if (opts->fit == SH_CUT_FIT_WRAP && frames > 0)
		s %= frames;
	return s;
}

int sh_render_check(const sh_cutlist *cl, int64_t frames, double rate, const sh_render_opts *opts)
{
	double cum = 0;
	int64_t prev = 0;
	if (opts->fit == SH_CUT_FIT_WRAP && frames <= 0) {
		for (size_t i = 0; i < cl->n; i++)
			if (!cl->cuts[i].silence) {
				sh_set_error("the source is empty: nothing to wrap around");
				return -1;
			}
	}
	for (size_t i = 0; i < cl->n; i++) {
		cum += cl->cuts[i].dur;
		int64_t next = sh_seconds_to_index(cum, rate);
		int64_t len = next - prev;
		prev = next;
		if (cl->cuts[i].silence || len <= 0 || opts->fit == SH_CUT_FIT_WRAP)
			continue;
		int64_t s = sh_render_piece_start(cl, i, len, frames, rate, opts);
		/* one sample of slack: independent rounding of src and of the output boundaries */
		if (s + len > frames + 1 || (opts->fit == SH_CUT_FIT_SCALE && len > frames)) {
			sh_set_error("cut %zu (src %.6f s, dur %.6f s) reaches past the source's end at %.6f s "
			             "(--fit scale or --fit wrap reuse a list across lengths)",
			             i, cl->cuts[i].src, cl->cuts[i].dur, (double)frames / rate);
			return -1;
		}
	}
	return 0;
}

static void reverse_frames(float *buf, size_t n, size_t ch)
{
	for (size_t a = 0, b = n - 1; a < b; a++, b--)
		for (size_t c = 0; c < ch; c++) {
			float t = buf[a * ch + c];
			buf[a * ch + c] = buf[b * ch + c];
			buf[b * ch + c] = t;
		}
}

/* Source frames [start, start+n) with wrapping when asked; -1 + sh_error(). */
static int get_frames(sh_audio_source *src, int64_t start, size_t n, float *buf, size_t ch, bool wrap)
{
	int64_t frames = sh_audio_source_frames(src);
	if (!wrap || frames <= 0)
		return sh_audio_source_get(src, start, n, buf);
	while (n > 0) {
		start %= frames;
		size_t k = (size_t)(frames - start) < n ? (size_t)(frames - start) : n;
		if (sh_audio_source_get(src, start, k, buf) != 0)
			return -1;
		buf += k * ch;
		start += (int64_t)k;
		n -= k;
	}
	return 0;
}

/* A streaming source: does piece i, [s, s+len), end inside it? Reads up to its
 * end; -1 + sh_error() when it does not, or on a read error. */
static int check_streamed_piece(const sh_cutlist *cl, size_t i, sh_audio_source *src, int64_t s, int64_t len,
                                int rate)
{
	int64_t held = sh_audio_source_ensure(src, s + len);
	if (held < 0)
		return -1;
	/* one sample of slack, as in sh_render_check */
	if (held + 1 < s + len) {
		const sh_cut *c = &cl->cuts[i];
		sh_set_error("cut %zu (src %.6f s, dur %.6f s) reaches past the source's end at %.6f s "
		             "(--fit scale or --fit wrap reuse a list across lengths)",
		             i, c->src, c->dur, (double)held / rate);
		return -1;
	}
	return 0;
}

int sh_render_audio(const sh_cutlist *cl, sh_audio_source *src, int rate, int channels,
                    sh_audio_out *out, const sh_render_opts *opts)
{
	int rc = -1;
	size_t ch = (size_t)channels;
	float *buf = sh_malloc(BLOCK * ch * sizeof(float));
	int64_t frames = sh_audio_source_frames(src);
	bool wrap = opts->fit == SH_CUT_FIT_WRAP;
	int64_t fade = opts->declick > 0 ? sh_seconds_to_index(opts->declick, rate) : 0;
	/* A streaming source (a pipe read on demand) has no length yet: each piece is
	 * checked as it comes, and everything before the earliest start still ahead
	 * is released, so a list that moves forward streams in bounded memory. */
	bool lazy = frames < 0;
	int64_t *keep = NULL;
	size_t npieces = 0, piece = 0;
	if (lazy) {
		sh_cut_walk w = sh_cut_walk_start(cl, rate);
		size_t k;
		int64_t n;
		while (sh_cut_walk_next(&w, &k, &n))
			npieces++;
		keep = sh_malloc((npieces + 1) * sizeof *keep);
		keep[npieces] = INT64_MAX;
		w = sh_cut_walk_start(cl, rate);
		for (size_t p = 0; sh_cut_walk_next(&w, &k, &n); p++)
			keep[p] = cl->cuts[k].silence ? INT64_MAX : sh_render_piece_start(cl, k, n, frames, rate, opts);
		for (size_t p = npieces; p-- > 0;)
			if (keep[p + 1] < keep[p])
				keep[p] = keep[p + 1];
	}
	sh_progress prog;
	sh_progress_start(&prog, "rendering");
	sh_cut_walk walk = sh_cut_walk_start(cl, rate);
	size_t i;
	int64_t len;
	while (sh_cut_walk_next(&walk, &i, &len)) {
		const sh_cut *c = &cl->cuts[i];
		int64_t s = c->silence ? 0 : sh_render_piece_start(cl, i, len, frames, rate, opts);
		if (lazy) {
			sh_audio_source_release(src, keep[piece++]);
			if (!c->silence && check_streamed_piece(cl, i, src, s, len, rate) != 0)
				goto done;
		}
		int64_t f = fade * 2 > len ? len / 2 : fade;
		for (int64_t done = 0; done < len;) {
			size_t k = (size_t)(len - done) < BLOCK ? (size_t)(len - done) : BLOCK;
			if (c->silence) {
				memset(buf, 0, k * ch * sizeof(float));
			} else if (!c->reverse) {
				if (get_frames(src, s + done, k, buf, ch, wrap) != 0)
					goto done;
			} else {
				/* backwards: the block that ends where the last one began */
				if (get_frames(src, s + len - done - (int64_t)k, k, buf, ch, wrap) != 0)
					goto done;
				reverse_frames(buf, k, ch);
			}
			if (c->gain != 1 && !c->silence) {
				float g = (float)c->gain;
				for (size_t j = 0; j < k * ch; j++)
					buf[j] *= g;
			}
			if (f > 0 && !c->silence) {
				for (size_t j = 0; j < k; j++) {
					int64_t pos = done + (int64_t)j;
					int64_t edge = pos < len - 1 - pos ? pos : len - 1 - pos;
					if (edge < f) {
						float g = (float)(edge + 1) / (float)(f + 1);
						for (size_t cc = 0; cc < ch; cc++)
							buf[j * ch + cc] *= g;
					}
				}
			}
			if (sh_audio_write(out, buf, k) != 0)
				goto done;
			done += (int64_t)k;
		}
		if ((i & 255) == 0)
			sh_progress_update(&prog, (double)i / (double)cl->n);
	}
	rc = 0;
done:
	sh_progress_end(&prog);
	free(keep);
	free(buf);
	return rc;
}

/* ---------------------------------------------------------------- video */

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "y4m.h"

/* Frames of a y4m stream, random access: a seekable file is indexed and read in
 * place; a pipe is kept in memory first, in a temporary file beyond. */
typedef struct {
	size_t frame_size, count, in_memory;
	uint8_t **mem;
	int spool_fd;
	int file_fd;      /* indexed file, or -1 */
	off_t *offsets;   /* where each frame's pixels start in file_fd */
} frame_store;

/* Index a y4m file: one small read per frame header, no pixels touched; -1 +
 * sh_error() on a read error or a bad or truncated frame. */
static int index_frames(frame_store *fs, int fd, const char *name, size_t frame_size)
{
	char buf[SH_Y4M_MAX_HEADER];
	fs->frame_size = frame_size;
	fs->file_fd = fd;
	fs->spool_fd = -1;
	size_t cap = 0;
	off_t off = 0;
	bool header = true;
	for (;;) {
		ssize_t n = pread(fd, buf, sizeof buf, off);
		if (n < 0) {
			sh_set_error("%s: read error: %s", name, strerror(errno));
			return -1;
		}
		if (n == 0)
			return 0;
		char *nl = memchr(buf, '\n', (size_t)n);
		if (!nl || (!header && (n < 5 || memcmp(buf, "FRAME", 5)))) {
			sh_set_error("%s: bad or truncated frame header after frame %zu", name, fs->count);
			return -1;
		}
		off += nl - buf + 1;
		if (header) {
			header = false;
			continue;
		}
		struct stat st;
		if (fstat(fd, &st) == 0 && off + (off_t)frame_size > st.st_size) {
			sh_set_error("%s: truncated frame %zu", name, fs->count);
			return -1;
		}
		if (fs->count == cap) {
			cap = cap ? cap * 2 : 1024;
			fs->offsets = sh_realloc(fs->offsets, cap, sizeof *fs->offsets);
		}
		fs->offsets[fs->count++] = off;
		off += (off_t)frame_size;
	}
}

/* Read a piped stream whole: memory first, a spool file beyond; -1 + sh_error(). */
static int store_frames(frame_store *fs, sh_y4m_in *in, size_t spool_limit)
{
	fs->file_fd = -1;
	fs->frame_size = sh_y4m_in_info(in)->frame_size;
	size_t max_mem = spool_limit / fs->frame_size;
	if (max_mem < 1)
		max_mem = 1;
	fs->spool_fd = -1;
	uint8_t *frame = sh_malloc(fs->frame_size);
	size_t cap = 0;
	int r;
	while ((r = sh_y4m_read_frame(in, frame)) > 0) {
		if (fs->count < max_mem) {
			if (fs->count == cap) {
				cap = cap ? cap * 2 : 64;
				fs->mem = sh_realloc(fs->mem, cap, sizeof *fs->mem);
			}
			fs->mem[fs->count] = frame;
			frame = sh_malloc(fs->frame_size);
			fs->in_memory++;
		} else {
			if (fs->spool_fd < 0 && (fs->spool_fd = sh_spool_file()) < 0)
				r = -1;
			else if (sh_write_all(fs->spool_fd, frame, fs->frame_size) != 0)
				r = -1;
			if (r < 0)
				break;
		}
		fs->count++;
	}
	free(frame);
	return r < 0 ? -1 : 0;
}

static void free_frames(frame_store *fs)
{
	for (size_t k = 0; k < fs->in_memory; k++)
		free(fs->mem[k]);
	free(fs->mem);
	free(fs->offsets);
	if (fs->spool_fd >= 0)
		close(fs->spool_fd);
}

/* Frame i, from memory or read into scratch; NULL + sh_error(). */
static const uint8_t *get_frame(frame_store *fs, size_t i, uint8_t *scratch)
{
	if (i < fs->in_memory)
		return fs->mem[i];
	int r = fs->file_fd >= 0
	        ? sh_pread_all(fs->file_fd, scratch, fs->frame_size, fs->offsets[i], "source")
	        : sh_pread_all(fs->spool_fd, scratch, fs->frame_size, (off_t)(i - fs->in_memory) * (off_t)fs->frame_size,
	                       "spool file");
	return r != 0 ? NULL : scratch;
}

static void black_frame(const sh_y4m_info *info, uint8_t *f)
{
	memset(f, sh_y4m_full_range(info) ? 0 : 16, info->plane_size[0]);
	memset(f + info->plane_size[0], 128, info->frame_size - info->plane_size[0]);
}

int64_t *sh_render_frame_map(const sh_cutlist *cl, int64_t frames, double fps, const sh_render_opts *opts,
                             sh_video_drop drop, size_t *n)
{
	size_t cap = 1024, count = 0;
	int64_t *map = sh_malloc(cap * sizeof *map);
	int64_t held = -1;
	sh_cut_walk walk = sh_cut_walk_start(cl, fps);
	size_t i;
	int64_t len;
	while (sh_cut_walk_next(&walk, &i, &len)) {
		const sh_cut *c = &cl->cuts[i];
		int64_t s = c->silence ? 0 : sh_render_piece_start(cl, i, len, frames, fps, opts);
		for (int64_t j = 0; j < len; j++) {
			int64_t idx;
			if (c->silence) {
				idx = drop == SH_DROP_HOLD ? held : -1;
			} else if (frames <= 0) {
				idx = -1;
			} else {
				idx = c->reverse ? s + len - 1 - j : s + j;
				if (opts->fit == SH_CUT_FIT_WRAP)
					idx %= frames;
				if (idx >= frames) /* the half-frame slack at the very end */
					idx = frames - 1;
				held = idx;
			}
			if (count == cap) {
				cap *= 2;
				map = sh_realloc(map, cap, sizeof *map);
			}
			map[count++] = idx;
		}
	}
	*n = count;
	return map;
}

/* Play the list from the frames in fs to out; -1 + sh_error(). */
static int play_frames(const sh_cutlist *cl, frame_store *fs, double fps, sh_y4m_out *out, const sh_y4m_info *info,
                       const sh_render_opts *opts, sh_video_drop drop)
{
	int rc = 0;
	uint8_t *scratch = sh_malloc(fs->frame_size), *black = sh_malloc(fs->frame_size);
	black_frame(info, black);
	size_t n;
	int64_t *map = sh_render_frame_map(cl, (int64_t)fs->count, fps, opts, drop, &n);
	for (size_t j = 0; j < n; j++) {
		const uint8_t *f = map[j] < 0 ? black : get_frame(fs, (size_t)map[j], scratch);
		if (!f || sh_y4m_write_frame(out, f) != 0) {
			rc = -1;
			break;
		}
	}
	free(map);
	free(scratch);
	free(black);
	return rc;
}

int sh_render_y4m(const sh_cutlist *cl, sh_y4m_in *in, int file_fd, const char *out_path,
                  const sh_render_opts *opts, sh_video_drop drop, size_t spool_limit)
{
	const sh_y4m_info *info = sh_y4m_in_info(in);
	double fps = info->fps_num > 0 && info->fps_den > 0 ? (double)info->fps_num / info->fps_den : 25.0;
	frame_store fs = {0};
	int rc = file_fd >= 0 ? index_frames(&fs, file_fd, "source", info->frame_size)
	                      : store_frames(&fs, in, spool_limit);
	if (rc == 0)
		rc = sh_render_check(cl, (int64_t)fs.count, fps, opts);
	if (rc == 0) {
		sh_y4m_out *out = sh_y4m_create(out_path, info);
		rc = out ? play_frames(cl, &fs, fps, out, info, opts, drop) : -1;
		if (rc == 0)
			rc = sh_y4m_finish(out);
		else
			sh_y4m_abort(out);
	}
	free_frames(&fs);
	return rc;
}
