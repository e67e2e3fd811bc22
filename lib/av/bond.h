/* bond.h -- bond a sound to a picture: what avbond and avglitch share.
 *
 * The bonded video is exactly as long as the audio: round(samples x fps / rate)
 * frames. A folder's pictures (name order, non-pictures skipped) switch at the
 * audio's transients, every N beats or at times from a file; a switch lands on
 * the frame nearest its time, and one in the first half frame is ignored. */
#ifndef SHARDS_BOND_H
#define SHARDS_BOND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "media.h"
#include "onsets.h"
#include "rng.h"

typedef enum { SH_BOND_STILL, SH_BOND_FOLDER, SH_BOND_CLIP } sh_bond_kind;

/* What VISUAL is: a folder, a still picture or a clip; a still or a clip is
 * left open in *m. -1 + sh_error() when it is missing or unreadable. */
int sh_bond_open_visual(const char *visual, sh_bond_kind *kind, sh_media **m);

/* The pictures in DIR, in name order, as paths (the caller frees each and the
 * array); files that are not pictures are warned about and skipped. NULL +
 * sh_error() when DIR cannot be read or holds no picture. */
char **sh_bond_scan_folder(const char *dir, size_t *n);

/* One still frame of PATH at the geometry in VO; the first call (*frame NULL)
 * fixes the size (VO's width and height are set from it) and allocates *frame.
 * -1 + sh_error(). */
int sh_bond_decode_still(const char *path, sh_media_video_opts *vo, sh_y4m_info *info, uint8_t **frame);

/* Read the audio at PATH once: its length in samples and rate, and when ODF is
 * not NULL its onset envelope (*odf, flushed). -1 + sh_error(). */
int sh_bond_read_audio(const char *path, int64_t *samples, int *rate, sh_odf **odf);

/* The bonded video's length: round(samples x fps / rate), in integers. */
int64_t sh_bond_frames(int64_t samples, int rate, sh_rational fps);

/* When a folder's picture switches. */
typedef struct {
	const char *onsets_file; /* the times in this file (onsets' JSON), or */
	double every, bpm;       /* every N beats at BPM (every > 0), or */
	double threshold;        /* at the transients of ODF: sensitivity 0..1 */
	double min_gap;          /* and the shortest time between them, seconds */
} sh_bond_switch_opts;

/* Switch times in seconds (*sw, the caller frees); ODF is used (and freed) for
 * transients. -1 + sh_error(). */
int sh_bond_switch_times(const sh_bond_switch_opts *o, sh_odf *odf, int64_t samples, int rate, double **sw,
                         size_t *nsw);

/* The picture each of NFRAMES frames shows (a new array): from picture 0, one
 * step at each switch, to the next in order or (SHUFFLE) to a random other one
 * drawn from RNG. */
size_t *sh_bond_pictures(const double *sw, size_t nsw, size_t npictures, int64_t nframes, sh_rational fps,
                         bool shuffle, sh_rng *rng);

#endif
