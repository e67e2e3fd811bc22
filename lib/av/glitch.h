/* glitch.h -- the one-pass AV glitch render (avglitch): a sound bonded to a
 * still, a folder of pictures or a clip, both cut by one cut list, encoded.
 *
 * It gives what this chain gives, without its bonded video in between:
 *     avbond AUDIO VISUAL | cutapply CUTS - > cut.y4m
 *     cutapply CUTS AUDIO -o cut.wav;  avmux -o OUT cut.wav cut.y4m
 * Each output frame is mapped to the frame of the bonded video it shows
 * (sh_render_frame_map), and that frame to the picture it is (sh_bond_pictures):
 * pictures are decoded once each, kept in memory, and handed to the encoder
 * as often as they show. A clip is decoded once, forward; the frames the list
 * uses are kept in memory up to a limit, then in a temporary file ($TMPDIR).
 * The cut audio is rendered into a float WAV (a temporary file, or the kept
 * DIR/cut.wav), which the encoder reads as avmux would. */
#ifndef SHARDS_GLITCH_H
#define SHARDS_GLITCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bond.h"
#include "cutlist.h"
#include "encode.h"
#include "render.h"

typedef struct {
	const char *audio, *visual, *output;
	sh_rational fps;
	sh_media_video_opts vo;      /* the picture's geometry and fit (fps set) */
	sh_bond_switch_opts sw;      /* a folder's switch times */
	bool shuffle_pictures;       /* a folder: random pictures from rng */
	sh_rng *rng;
	double start;                /* a clip: where to start in it */
	bool loop;                   /* a clip shorter than the audio loops (else holds) */
	sh_render_opts ro;
	sh_video_drop drop;
	sh_encode_opts eo;           /* crf, preset, tune, audio_kbps, comment, container */
	double preview;              /* seconds: encode only these (0: all) */
	int threads;                 /* decoding */
	size_t memory;               /* bytes of a clip's frames kept in memory */
	const char *keep;            /* a folder for cuts.json and cut.wav, or NULL */
} sh_glitch_opts;

typedef struct sh_glitch sh_glitch;
/* Open the visual and read the audio (its length and, for a folder switching
 * at transients, its onsets); NULL + sh_error(). O is kept (not copied) until
 * sh_glitch_free: start and preview may be set once the audio's rate is known. */
sh_glitch *sh_glitch_open(const sh_glitch_opts *o);
int64_t sh_glitch_samples(const sh_glitch *g);
int sh_glitch_rate(const sh_glitch *g);
int64_t sh_glitch_frames(const sh_glitch *g);   /* the bonded video's */
sh_bond_kind sh_glitch_kind(const sh_glitch *g);
/* Render CL (checked against the audio and the bonded video first) into the
 * output; with opts->keep, DIR/cuts.json (CL_TEXT) and DIR/cut.wav appear with
 * it. 0, or -1 + sh_error() with nothing left behind. */
int sh_glitch_render(sh_glitch *g, const sh_cutlist *cl, const char *cl_text);
void sh_glitch_free(sh_glitch *g);

#endif
