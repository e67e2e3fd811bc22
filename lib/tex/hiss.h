/* hiss.h -- hiss and air: high-frequency loops and flicker bursts drawn from
 * percussive recordings or from synthetic noise (hiss; the afterglow hiss maker).
 *
 * Material. From a source, a stretch is taken at a random place (seeded): of
 * SH_HISS_CANDIDATES places drawn, the one whose quietest quarter holds the
 * most energy in the band after filtering (then the one with the most in all),
 * so a loop or a burst does not land on the silence between two hits. Without a source the material is white Gaussian noise, drawn
 * afresh for every stretch. A source whose channel count differs from the
 * output's is mixed to mono and copied to every output channel.
 *
 * Filter. Either a band, LOW..HIGH Hz, or a high-pass at one frequency, each
 * edge a fourth-order Butterworth slope (-3 dB at the edge, 24 dB an octave
 * beyond it) made of two processors of lib/dsp (highpass or lowpass at q
 * 0.5412 and at q 1.3066): the same sound as
 *     dsp highpass freq=LOW q=0.5412 : highpass freq=LOW q=1.3066 :
 *         lowpass freq=HIGH q=0.5412 : lowpass freq=HIGH q=1.3066
 * Every stretch is filtered from silence with a lead-in of the material before
 * it (at least 50 ms, and eight periods of the lowest edge), so no stretch
 * starts on the filter's own transient.
 *
 * Loops. A loop of N frames is cut from N + F frames of filtered material (F
 * the crossfade): the F frames past the end are blended into the start with
 * an equal-power (sine/cosine) crossfade, so the last frame leads into the
 * first as it did in the material, with no click. Then the tremolo processor
 * of lib/dsp pulses the level (full at the start, dipping by DEPTH half a
 * cycle later); its rate is moved to the nearest whole number of cycles in the
 * loop (one at least), so the pulse is seamless too. Last the loop is
 * normalised to the peak level asked for.
 *
 * Flicker bursts. COUNT bursts of lengths drawn within a range, each with a
 * fast linear attack (10 ms) and release (50 ms), both shortened in proportion
 * in a burst under 60 ms, and each normalised to the peak level; between two
 * bursts a gap of digital silence, its length drawn within a range. No
 * tremolo: a burst is too short to pulse. */
#ifndef SHARDS_HISS_H
#define SHARDS_HISS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audio.h"
#include "rng.h"
#include "units.h"

#define SH_HISS_CANDIDATES 8     /* places tried for each stretch of a source */
#define SH_HISS_ATTACK 0.010     /* seconds: a burst's attack */
#define SH_HISS_RELEASE 0.050    /* seconds: a burst's release */
#define SH_HISS_FLOOR_DB (-45.0) /* a stretch of a source whose energy in the band is this
                                    far below its whole energy holds nothing there: what
                                    came through is the filter's skirt (a 1 kHz tone
                                    through the default band reads about -48 dB) */

typedef struct {
	int rate, channels;      /* of the output */
	bool highpass;           /* a high-pass at highpass_hz instead of the band */
	double band_lo, band_hi; /* Hz */
	double highpass_hz;
	double crossfade;        /* seconds (loops) */
	double trem_rate;        /* Hz before rounding to whole cycles; 0: no tremolo */
	double trem_depth;       /* 0..1 */
	double peak_db;          /* dBFS of each loop or burst */
} sh_hiss_opts;

typedef struct sh_hiss sh_hiss;

/* Hiss drawn from SRC (of SRC_CHANNELS channels at o->rate), or from noise when
 * SRC is NULL. Draws come from RNG, in a fixed order. NULL + sh_error() when
 * the filter does not fit the rate. */
sh_hiss *sh_hiss_new(sh_audio_source *src, int src_channels, const sh_hiss_opts *o, sh_rng *rng);
void sh_hiss_free(sh_hiss *h);

/* A seamless loop of exactly FRAMES frames into *out (malloc'd, interleaved).
 * *trem_rate is the tremolo rate used (after rounding; 0 without), *from the
 * source frame the loop's material starts at (-1: noise). -1 + sh_error() when
 * the source is too short for the loop or holds nothing in the band, or cannot
 * be read. */
int sh_hiss_loop(sh_hiss *h, int64_t frames, float **out, double *trem_rate, int64_t *from);

typedef struct {
	int64_t start, frames; /* where a burst lies in the output */
	int64_t from;          /* where its material starts in the source (-1: noise) */
} sh_hiss_burst;

/* COUNT bursts, their lengths drawn within BURST and the gaps between them
 * within GAP (seconds), into *out (*frames long); BURSTS (COUNT entries, may be
 * NULL) says where each one lies. -1 + sh_error() as sh_hiss_loop. */
int sh_hiss_flicker(sh_hiss *h, int count, sh_range burst, sh_range gap, float **out, int64_t *frames,
                    sh_hiss_burst *bursts);

#endif
