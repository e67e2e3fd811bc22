/* drone.h -- drones from a tonal source (drone; the afterglow drone maker):
 * the source time-stretched and pitch-shifted with Rubber Band (lib/dsp/stretch,
 * offline: studied whole, then stretched), then through each of a set of colour
 * variants (the warm, airy and dark processors of lib/dsp/proc_filter.c, run
 * through the processor interface), optionally folded to mono and normalised to
 * a sample peak.
 *
 * One render is one (stretch, pitch) pair: Rubber Band runs once and its output
 * fans out to one processor chain per variant, each writing its own output, so
 * a set of variants costs one stretch. The output is exactly
 * round(source frames x stretch) frames long (lib/dsp/stretch pads or trims
 * Rubber Band's last block; the filters' latency is compensated by the
 * processor driver). Nothing is random: the same source and options give the
 * same samples.
 *
 * Memory: the stretcher's (Rubber Band holds a few seconds of analysis), plus,
 * when normalising, nothing: each variant's output goes to an unlinked spool
 * file in $TMPDIR (as large as that output) while its peak is measured, and is
 * scaled on the way out. */
#ifndef SHARDS_DRONE_H
#define SHARDS_DRONE_H

#include <stdbool.h>
#include <stddef.h>

#include "audio.h"

/* The variants: "dry" (no filter) and the colour processors by name. */
#define SH_DRONE_VARIANTS "dry, warm, airy, dark"
#define SH_DRONE_MAX_VARIANTS 4

typedef struct {
	double stretch;          /* output duration / source duration, > 0 */
	double pitch;            /* semitones (any key shift included) */
	bool formant;            /* keep the formant envelope when shifting */
	bool faster;             /* Rubber Band's R2 engine instead of R3 */
	const char *variants[SH_DRONE_MAX_VARIANTS];
	size_t nvariants;
	double amount;           /* the colour processors' amount, 0..1 */
	bool mono;               /* fold to one channel (the mono processor) before the colour */
	bool normalize;          /* scale each output so its sample peak is peak_db */
	double peak_db;          /* dBFS, <= 0 */
} sh_drone_opts;

/* The variant named NAME (a string that lives as long as the run), or NULL
 * with sh_error() naming the valid ones. */
const char *sh_drone_variant(const char *name);

/* The channels a render writes for a source of CHANNELS. */
int sh_drone_channels(const sh_drone_opts *o, int channels);

/* Render SRC (RATE, CHANNELS) stretched and shifted as O says, each variant i
 * into OUTS[i] (created by the caller with sh_drone_channels channels at RATE;
 * not finished here). Returns 0, or -1 with sh_error(). */
int sh_drone_render(const sh_drone_opts *o, sh_audio_source *src, int rate, int channels,
                    sh_audio_out *const *outs);

/* The same in two steps, for renders on threads: sh_drone_new sets up the
 * variants' processors (their parameter tables are not to be set from two
 * threads at once: call it on one thread), sh_drone_run does the work on any
 * thread (one run per sh_drone; SRC read by no other thread meanwhile, unless
 * it is a pipe's, held in memory or a spool file). NULL or -1 with sh_error(). */
typedef struct sh_drone sh_drone;
sh_drone *sh_drone_new(const sh_drone_opts *o, int rate, int channels, sh_audio_out *const *outs);
int sh_drone_run(sh_drone *d, sh_audio_source *src);
void sh_drone_free(sh_drone *d);

/* *SHIFT: the semitones that take the source's tonic to TO_TONIC by the
 * shortest interval (-6..+5, +6 for a tritone). The source's key is detected as
 * keydetect(1) does, unless FROM_TONIC >= 0 gives it. The mode plays no part: a
 * drone sounds its tonic, so a C drone goes to A for Am as for A. *found_tonic
 * and *found_minor say what was detected or given. 0, or -1 with sh_error() when
 * the source has no tonal content (silence) or cannot be read. */
int sh_drone_key_shift(sh_audio_source *src, int rate, int channels, int from_tonic, int to_tonic,
                       int *shift, int *found_tonic, bool *found_minor);

/* "pad_s4_p+7_warm.wav": STEM, the target key when there is one (KEY, e.g. "Am",
 * or NULL), the stretch, the pitch shift asked for (signed, 0 bare) and the
 * variant; numbers in their shortest form. A malloc'd string. */
char *sh_drone_file_name(const char *stem, const char *key, double stretch, double pitch,
                         const char *variant, const char *ext);


#endif
