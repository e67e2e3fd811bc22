/* render.h -- play a cut list over a source: the rendering cutapply and chop share.
 *
 * Output boundary k is round(sum of the first k durations x rate); a piece reads
 * source samples from round(src x rate) for its output length, backwards when
 * reversed, times its gain. Silence pieces write zeros. */
#ifndef SHARDS_RENDER_H
#define SHARDS_RENDER_H

#include "audio.h"
#include "cutlist.h"

typedef enum {
	SH_CUT_FIT_NONE,  /* a cut past the source's end is an error */
	SH_CUT_FIT_SCALE, /* positions scaled by actual / listed source duration */
	SH_CUT_FIT_WRAP,  /* positions wrap around the source's end */
} sh_cut_fit;

int sh_parse_cut_fit(const char *text, sh_cut_fit *fit);

typedef struct {
	sh_cut_fit fit;
	double declick;   /* seconds of linear fade at each piece's edges; 0 = clean cuts */
} sh_render_opts;

/* Check that every cut fits the source (per opts->fit); -1 + sh_error() naming
 * the first cut that does not. `frames` is the source length, `rate` its rate. */
int sh_render_check(const sh_cutlist *cl, int64_t frames, double rate, const sh_render_opts *opts);

/* Render the whole list from src to out. Call sh_render_check first. 0, or -1
 * with sh_error() (a read or write error; a streaming source's cut that reaches
 * past its end). */
int sh_render_audio(const sh_cutlist *cl, sh_audio_source *src, int rate, int channels,
                    sh_audio_out *out, const sh_render_opts *opts);

/* Where piece i reads from on a grid of `rate` per second, after fitting:
 * the start index (may exceed the source with SH_CUT_FIT_WRAP: take it modulo). */
int64_t sh_render_piece_start(const sh_cutlist *cl, size_t i, int64_t len, int64_t frames, double rate,
                              const sh_render_opts *opts);

/* ---- video ---- */
#include "y4m.h"

/* What a dropped (silence) piece shows on video. */
typedef enum { SH_DROP_BLACK, SH_DROP_HOLD } sh_video_drop;

/* Render the list over a y4m stream at its own frame rate (F, 25:1 when absent):
 * output frame boundary k is round(sum x fps), a piece starts at source frame
 * round(src x fps). Reversed pieces play frames backwards; dropped pieces show
 * black or hold the last frame shown. A seekable source (file_fd >= 0, the
 * stream's descriptor) is indexed and read in place; otherwise frames are kept in
 * memory up to spool_limit bytes, then in a temporary file. out_path NULL or "-"
 * = stdout. */
/* The source frame each output frame shows when the list plays over FRAMES
 * source frames at FPS frames per second: the mapping sh_render_y4m plays.
 * An index in [0, FRAMES), or -1 for black (a dropped piece with
 * SH_DROP_BLACK, or with SH_DROP_HOLD before any frame was shown). A new array
 * of *n entries (never NULL). Call sh_render_check first. */
int64_t *sh_render_frame_map(const sh_cutlist *cl, int64_t frames, double fps, const sh_render_opts *opts,
                             sh_video_drop drop, size_t *n);

int sh_render_y4m(const sh_cutlist *cl, sh_y4m_in *in, int file_fd, const char *out_path,
                  const sh_render_opts *opts, sh_video_drop drop, size_t spool_limit); /* -1 + sh_error() */
#endif
