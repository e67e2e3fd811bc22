/* swell.h -- swell one-shots: a stretch of a sound (stretched and
 * pitch-shifted first, if asked, by Rubber Band) under a rise and decay
 * envelope of named shapes, normalised to a peak level (swell; the afterglow
 * drone maker's swells).
 *
 * The sound is the whole source (from a given start on), or, given a
 * duration, that much of it: from the start, else from the middle (the
 * source's steadiest part, as a rule, and away from its attack and tail). Stretch and pitch run first, over the
 * whole source, in Rubber Band's offline mode (lib/dsp/stretch: the source is
 * studied, then stretched; exactly round(frames x stretch) frames come out),
 * and the swell is cut from what comes out; only the frames of the swell are
 * kept. The envelope is envelope.h's: the rise over the first frames, the
 * decay over the last, the whole level between. */
#ifndef SHARDS_SWELL_H
#define SHARDS_SWELL_H

#include <stdbool.h>
#include <stdint.h>

#include "audio.h"
#include "envelope.h"

typedef struct {
	double rise, decay;        /* seconds, > 0 */
	sh_env_shape rise_shape, decay_shape;
	double duration;           /* seconds of the swell; 0: the whole (stretched) source, from start on */
	double start;              /* seconds into the (stretched) source; < 0: centred (or 0 without duration) */
	double stretch;            /* time ratio: 2 twice as long; 1 none */
	double pitch;              /* semitones; 0 none */
	double peak_db;            /* dBFS */
	bool mono;                 /* fold to one channel (the mean) before normalising */
} sh_swell_opts;

/* What came out: the swell, and where it was cut. */
typedef struct {
	float *audio;              /* frames x channels, interleaved (malloc'd) */
	int64_t frames;
	int channels;              /* the source's, or 1 with mono */
	int64_t start;             /* first frame in the (stretched) source */
	int64_t source_frames;     /* the (stretched) source's length */
	int64_t rise, decay;       /* the envelope's frames */
	double peak_before;        /* the peak before normalisation (0: silence) */
} sh_swell;

/* The swell of SRC (RATE, CHANNELS). -1 + sh_error() when the source cannot be
 * read or stretched, or is too short for the swell (or for its rise and decay). */
int sh_swell_make(sh_audio_source *src, int rate, int channels, const sh_swell_opts *o, sh_swell *out);

#endif
