/* grains.h -- granular clouds from a recording (grainify; the afterglow cloud
 * maker): a pool of grains drawn from a source and filtered for junk, then
 * scattered over a cloud of any length.
 *
 * The pool. Each grain gets a length in the cloud drawn uniformly between
 * len_min and len_max frames, and a pitch drawn uniformly between pitch_lo and
 * pitch_hi semitones, plus `shift` (a transposition to a key). A grain pitched
 * by s semitones reads r = 2^(s/12) times its length from the source (the tape
 * effect: up is shorter and higher), from a start drawn uniformly over the
 * source. That stretch is judged on all its channels before anything is done
 * to it, and a junk grain is skipped and counted under the first of these that
 * holds:
 *   silent     its RMS is below rms_floor_db dBFS;
 *   clipped    more than max_clip of its samples reach |x| >= SH_GRAIN_CLIP_LEVEL
 *              (the level of padmine's clipping grade);
 *   dc         the mean of one of its channels is further than max_dc from 0;
 *   skewed     its spectral balance leans away from the source's: its centroid
 *              is more than max_skew_oct octaves from the source's typical
 *              centroid, the median over SH_GRAIN_PROBES single frames spaced
 *              evenly through the source (the frames below the RMS floor left
 *              out; with fewer than 4 left, the check is off).
 * A grain that passes is mixed to mono (the mean of its channels), resampled to
 * its length with libsoxr (high quality, linear phase; none at 0 semitones, where
 * the samples are copied) and shaped by the window. At most `attempts` times the
 * pool's size are drawn in all; a pool that holds fewer grains than asked
 * still makes a cloud, one with none is an error.
 *
 * Centroids. The magnitude-weighted mean frequency (bins 1 and up) of the
 * summed magnitude spectra of Hann frames of sh_grain_fft_size(rate) samples
 * (the smallest power of two from 256 of at least 40 ms: 2048 at 44.1 and 48
 * kHz) at a quarter-frame hop: the definition padmine's brightness uses. A
 * grain shorter than a frame is one zero-padded frame.
 *
 * The cloud. Grain onsets are `hop` frames apart, each moved by up to
 * jitter * hop / 2 either way (so they stay in order); the first lies one
 * longest grain before the cloud starts, so the cloud is as dense at its first
 * frame as in its middle, and onsets go on until the end, the last grains cut
 * off there: no silent tail. The pool is cycled: a round plays every grain of
 * the pool once in a fresh random order, then the next round begins. Each
 * placement is panned on its own, at a position drawn uniformly within
 * +-spread, with the equal-power law (left cos, right sin of (p + 1) pi/4;
 * spread 0 gives both channels the same samples). The cloud's first and last
 * `fade` frames fade in and out (half cosine). A cloud renders block by block
 * in memory bounded by the pool and the grains sounding at once; rewound, it
 * renders the same frames again (a peak measured in one pass scales the next). */
#ifndef SHARDS_GRAINS_H
#define SHARDS_GRAINS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "audio.h"
#include "measure.h"
#include "rng.h"

#define SH_GRAIN_CLIP_LEVEL 0.999 /* |x| at or above: a clipped sample */
#define SH_GRAIN_PROBES 64        /* frames the source's typical centroid is taken from */
#define SH_GRAIN_MAX_POOL 100000
/* Brightness tags from a centroid, as padmine's defaults: below dark is
 * "dark" (sub, warm, muffled), above bright "bright" (airy, hissy, glassy). */
#define SH_GRAIN_DARK_HZ SH_TEX_DARK_HZ
#define SH_GRAIN_BRIGHT_HZ SH_TEX_BRIGHT_HZ

typedef enum {
	SH_GRAIN_HANN,     /* raised cosine: the smooth default */
	SH_GRAIN_TRIANGLE, /* linear up and down: a little more body, a corner at the top */
	SH_GRAIN_TUKEY,    /* flat top, cosine tapers over a quarter at each end: dense, close to the source */
	SH_GRAIN_GAUSS,    /* bell of deviation 1/6 of the grain, its tails lowered to 0: soft, airy */
	SH_GRAIN_BLACKMAN, /* narrower than Hann: the most transparent, the most pulse */
	SH_GRAIN_NWINDOWS
} sh_grain_window;

/* "hann|triangle|tukey|gauss|blackman", in enum order */
#define SH_GRAIN_WINDOW_NAMES "hann|triangle|tukey|gauss|blackman"
/* The window named NAME: 0, or -1 with sh_error() naming the choices. */
int sh_grain_window_parse(const char *name, sh_grain_window *w);
const char *sh_grain_window_name(sh_grain_window w);
/* N values of the window, 0 at both ends' outer edges (sampled at i + 0.5). */
void sh_grain_window_fill(sh_grain_window w, float *out, size_t n);

typedef struct {
	int64_t len_min, len_max;  /* a grain's length in the cloud, frames, 1 <= min <= max */
	size_t grains;             /* the pool's size, 1..SH_GRAIN_MAX_POOL */
	double pitch_lo, pitch_hi; /* semitones, each grain within */
	double shift;              /* semitones added to every grain */
	sh_grain_window window;
	double rms_floor_db;       /* below: silent (-200 or lower: off) */
	double max_clip;           /* share of clipped samples above which a grain is junk (1: off) */
	double max_dc;             /* |mean| of a channel above: DC offset (1 or more: off) */
	double max_skew_oct;       /* octaves from the source's centroid (0: off) */
	int attempts;              /* candidates drawn per grain asked for, at most */
} sh_grain_opts;

typedef struct {
	size_t drawn, kept;        /* candidates drawn, grains kept */
	size_t silent, clipped, dc, skewed; /* skipped, by the first reason */
	double ref_centroid_hz;    /* the source's typical centroid; 0 when the skew check is off */
	double r_min, r_max;       /* the reading ratios the pitch range allows */
} sh_grain_stats;

typedef struct {
	float **grain;             /* mono, windowed */
	int64_t *len;
	double *semitones;
	size_t n;
	int64_t longest;
} sh_grain_pool;

/* sh_grain_fft_size: the centroid frame for RATE. */
int sh_grain_fft_size(int rate);
/* The shortest source (frames) a pool with these options can be drawn from. */
int64_t sh_grain_min_source(const sh_grain_opts *o);

/* Draw the pool from SRC (its length known) with RNG. NULL with sh_error() on a
 * read error, a source too short for a grain, or when every candidate was junk
 * (the message gives the counts); *st is filled either way. */
sh_grain_pool *sh_grains_gather(sh_audio_source *src, int rate, int channels, const sh_grain_opts *o, sh_rng *rng,
                                sh_grain_stats *st);
void sh_grain_pool_free(sh_grain_pool *p);

/* ---- the cloud ---- */
typedef struct {
	int64_t frames;  /* the cloud's length */
	int channels;    /* 1 (no placement) or 2 */
	double hop;      /* frames between onsets, >= 1 */
	double jitter;   /* 0..1 */
	double spread;   /* 0..1 */
	int64_t fade;    /* frames at each end */
} sh_cloud_opts;

typedef struct sh_cloud sh_cloud;
/* The cloud of POOL (which must outlive it), its draws from a copy of RNG. */
sh_cloud *sh_cloud_new(const sh_grain_pool *pool, const sh_cloud_opts *o, const sh_rng *rng);
/* The next frames, up to N (interleaved, unscaled): how many, 0 at the end. */
size_t sh_cloud_render(sh_cloud *c, float *out, size_t n);
/* Back to the first frame: the same frames again. */
void sh_cloud_rewind(sh_cloud *c);
size_t sh_cloud_placements(const sh_cloud *c); /* grains placed so far */
void sh_cloud_free(sh_cloud *c);

/* ---- centroid and brightness: lib/tex/measure.h's (sh_centroid_*,
 * sh_brightness_tag) ---- */

#endif
