/* voices.h -- a sample player: one-shot and pitched sample voices mixed to
 * stereo, with a voice limit, choke groups and looping regions.
 *
 * The player knows frames, never beats: a program turns event times into
 * frames (lib/seq/timing.h) and calls sh_voices_render up to a hit's frame,
 * then starts the hit, so the hit's first sample is the next frame written.
 * Everything is exact integer bookkeeping, so the output does not depend on
 * how the rendering is cut into blocks, and two programs that start the same
 * hits at the same frames write the same bytes (sampler and pattern do).
 *
 * Samples are read whole (sh_audio_open, resampled to the player's rate with
 * libsoxr when their rate differs) and kept as stereo: a mono sample goes to
 * both sides, more than two channels are mixed down to mono first. A note that
 * is not at its region's key centre plays a copy of the sample resampled by
 * libsoxr (high quality) by the ratio 2^((pitch - centre)/12): varispeed, so
 * higher notes are shorter. Each (sample, pitch to the cent) is resampled once
 * and kept. */
#ifndef SHARDS_VOICES_H
#define SHARDS_VOICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audio.h"

enum { SH_LOOP_NONE, SH_LOOP_ONESHOT, SH_LOOP_CONTINUOUS };

/* What a trigger name or a range of notes plays. */
typedef struct {
	const char *name;        /* trigger name (copied); NULL: notes only */
	int sample;              /* from sh_voices_load */
	bool keyed;              /* an SFZ region: notes lokey..hikey, lovel..hivel pick it */
	int lokey, hikey;        /* 0..127 */
	int lovel, hivel;        /* 0..127 (velocity 0..1 times 127, rounded) */
	double keycenter;        /* the note at which the sample plays as recorded */
	int loop_mode;           /* SH_LOOP_*: NONE stops at note-off, ONESHOT ignores it */
	int64_t loop_start, loop_end; /* CONTINUOUS: frames of the file, end inclusive */
	int choke;               /* choke group, -1: none */
	double gain;             /* linear */
} sh_region;

typedef struct sh_voices sh_voices;

/* A player at RATE Hz with at most MAX_VOICES sounding at once (the oldest is
 * faded out over FADE frames to make room; choked voices fade the same way);
 * notes fade over RELEASE frames after their gate. */
sh_voices *sh_voices_new(int rate, int max_voices, int64_t fade, int64_t release);
void sh_voices_free(sh_voices *v);
/* Read an audio file as a sample: its index, or -1 with sh_error() naming the
 * file. The same path loaded twice is read once. */
int sh_voices_load(sh_voices *v, const char *path);
/* Add a region (copied): 0, or -1 with sh_error() (a bad loop, a bad range). */
int sh_voices_add_region(sh_voices *v, const sh_region *r);
/* Is there a region for trigger NAME? */
bool sh_voices_has(const sh_voices *v, const char *name);
/* Start the regions of trigger NAME at the next frame, at linear GAIN: how
 * many voices started (0: no region has that name). */
int sh_voices_trigger(sh_voices *v, const char *name, double gain);
/* Start a note at the next frame: VELOCITY 0..1 (gain = velocity squared),
 * GATE frames before it releases. Keyed (SFZ) regions play when the player has
 * any; otherwise the region named NAME, or the first region, at pitch
 * relative to its key centre. How many voices started; -1 with sh_error()
 * when resampling failed. */
int sh_voices_note(sh_voices *v, double pitch, double velocity, int64_t gate, const char *name);
/* Mix the next N frames into OUT (2N floats, overwritten). */
void sh_voices_render(sh_voices *v, float *out, size_t n);
/* Frames until every voice has ended (0: silent). */
int64_t sh_voices_tail(const sh_voices *v);
/* Frames rendered so far. */
int64_t sh_voices_pos(const sh_voices *v);
/* Render and write to OUT (stereo) every frame before UNTIL: 0, or -1 with
 * sh_error(). */
int sh_voices_write_until(sh_voices *v, sh_audio_out *out, int64_t until);
/* The same, then every voice to its end: how a render finishes. */
int sh_voices_ring_out(sh_voices *v, sh_audio_out *out, int64_t until);

#endif
