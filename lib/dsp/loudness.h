/* loudness.h -- EBU R128 / ITU-R BS.1770 loudness of a stream fed in blocks:
 * integrated loudness, loudness range, true peak and sample peak, measured by
 * libebur128.
 *
 * A meter takes interleaved float frames in any number of blocks and reports
 * at the end (or at any moment) what it was asked to measure. True peak is the
 * costly part (libebur128 oversamples 4x below 96 kHz): with jobs > 1 each
 * channel's true peak runs on a state of its own, beside the loudness, on the
 * threads of a pool; the values are the same bytes as with one job, since
 * every channel is interpolated alone either way.
 *
 * Memory: libebur128 keeps one energy per 100 ms block for the gating (about
 * 2 MB an hour of input), so the result is exact rather than binned. */
#ifndef SHARDS_LOUDNESS_H
#define SHARDS_LOUDNESS_H

#include <stddef.h>
#include <stdint.h>

/* What to measure (or together). */
enum {
	SH_LOUD_INTEGRATED = 1,  /* integrated loudness (gated, BS.1770-4) */
	SH_LOUD_RANGE = 2,       /* loudness range (EBU Tech 3342) */
	SH_LOUD_SAMPLE_PEAK = 4, /* the largest sample */
	SH_LOUD_TRUE_PEAK = 8,   /* the largest sample of the 4x (2x at 96 kHz) oversampled signal */
	SH_LOUD_ALL = 15,
};

typedef struct {
	double integrated;  /* LUFS; -INFINITY when no 400 ms block passed the gates
	                       (silence, or less than 0.4 s of audio) */
	double range;       /* LU; 0 when too short to tell */
	double threshold;   /* LUFS: the relative gate of the integrated loudness; -INFINITY as above */
	double true_peak;   /* dBTP, the loudest channel; -INFINITY for digital silence */
	double sample_peak; /* dBFS, the loudest channel; -INFINITY for digital silence */
	int64_t frames;     /* frames fed */
} sh_loudness;

typedef struct sh_meter sh_meter;

/* A meter for RATE and CHANNELS measuring WHAT (SH_LOUD_* or'ed), using up to
 * JOBS threads. NULL with sh_error() for a layout libebur128 refuses. */
sh_meter *sh_meter_new(int rate, int channels, unsigned what, int jobs);
/* FRAMES interleaved frames (any count). 0, or -1 with sh_error(). */
int sh_meter_add(sh_meter *m, const float *buf, size_t frames);
/* What was measured so far; a field not asked for is NAN. 0, or -1 + sh_error(). */
int sh_meter_result(sh_meter *m, sh_loudness *out);
void sh_meter_free(sh_meter *m);

#endif
