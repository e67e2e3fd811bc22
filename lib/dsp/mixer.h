/* mixer.h -- N audio inputs summed into one stream, each with its own gain,
 * equal-power pan, place in the mix, part used and loops.
 *
 * Every input is read block by block and never held whole: a file is read in
 * place (and seeked back to loop), a pipe that loops is kept by the
 * sh_audio_source spool (memory, then a temporary file). Inputs whose rate is
 * not the mix's go through the `resample` processor (libsoxr, very high
 * quality). Files libsndfile cannot read (a video's soundtrack, AAC, ...) are
 * decoded with FFmpeg (lib/io/media.h).
 *
 * Channels: the mix has the most channels of any input unless told. An input
 * of N channels into a mix of C:
 *   N = 1, C >= 2   equal-power pan into channels 0 and 1: L = cos t, R = sin t,
 *                   t = (pan + 1) pi / 4, so pan 0 is -3 dB on each side;
 *                   channels 2.. get nothing
 *   N = 2, C >= 2   channel i to channel i; pan is a balance: the side panned
 *                   towards stays at 0 dB, the other is min(1, sqrt 2 cos t)
 *                   (left) or min(1, sqrt 2 sin t) (right), the same law
 *   2 < N <= C      channel i to channel i (pan refused)
 *   N > C           input channel i into output channel i mod C, each output
 *                   channel the mean of the inputs that land on it (C = 1: the
 *                   mean of all; stereo to mono is (L + R) / 2)
 * then the input's gain.
 *
 * Fades: an input may fade in over its first fade_in and out over its last
 * fade_out (mix time) of the part as placed, loops included: a linear ramp,
 * the gain of frame k of F being (k + 1/2) / F; where both overlap (a part
 * shorter than the two) the gains multiply. A mix that ends while an input
 * still sounds cuts it there unfaded. No fade: the samples are untouched. */
#ifndef SHARDS_MIXER_H
#define SHARDS_MIXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "units.h"

/* One input as the command line gives it. */
typedef struct {
	char *path;              /* "-": stdin (allocated) */
	double gain_db;          /* -120..40 */
	double pan;              /* -1..1 */
	bool has_start, has_trim, has_len;
	sh_duration start;       /* where it begins in the mix (seconds or output samples) */
	bool after;              /* start=+DUR: START counts from where the input before ends */
	bool has_end;
	sh_duration end;         /* where it stops in the mix, cut unfaded (seconds or output samples) */
	sh_duration trim;        /* where the part used begins in the input (its own samples) */
	sh_duration len;         /* how long the part is (its own samples) */
	int64_t loops;           /* times the part plays; 0: until the mix ends */
	bool has_fade_in, has_fade_out;
	sh_duration fade_in;     /* a ramp up over the first this long of it in the mix */
	sh_duration fade_out;    /* a ramp down over the last this long */
} sh_mix_input;

#define SH_MIX_GAIN_MIN (-120.0)
#define SH_MIX_GAIN_MAX 40.0
#define SH_MIX_LOOPS_MAX 1000000000

/* Parse an operand FILE[:GAIN[:PAN]][:KEY=VALUE]... (KEY: gain, pan, start,
 * end, trim, len, loop, fadein, fadeout) into IN (in->path allocated; free with sh_mix_input_free).
 * FILE is the whole operand when that names an existing file, else the
 * longest part before a ':' that does, else the part before the first ':'.
 * 0, or -1 + sh_error() naming the operand, the field and the range. */
int sh_mix_parse(const char *operand, sh_mix_input *in);
void sh_mix_input_free(sh_mix_input *in);

typedef struct {
	int rate;              /* 0: the first input's */
	int channels;          /* 0: the most of any input (1..64) */
	bool shortest;         /* end with the input that ends first */
	bool has_duration;     /* the mix is exactly this long (padded with silence) */
	sh_duration duration;
	size_t spool_limit;    /* bytes of a looping pipe held in memory before spooling */
} sh_mixer_opts;

typedef struct sh_mixer sh_mixer;

/* Open every input and plan the mix. NULL + sh_error() naming the input that
 * failed. *usage is set when the problem is the command line's (every input
 * loops forever and no duration is given, a pan on a many-channel input...). */
sh_mixer *sh_mixer_open(const sh_mix_input *inputs, int n, const sh_mixer_opts *opts, bool *usage);
int sh_mixer_rate(const sh_mixer *m);
int sh_mixer_channels(const sh_mixer *m);
/* Up to N frames of the mix into BUF (N * channels floats): always N until the
 * last block. Frames, 0 at the end, -1 + sh_error(). */
ssize_t sh_mixer_read(sh_mixer *m, float *buf, size_t n);
void sh_mixer_close(sh_mixer *m);

#endif
