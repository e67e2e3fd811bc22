/* envelope.h -- one-shot level envelopes with named shapes, and peak
 * normalisation: what swell(1) lays over a sound and hiss(1) over each flicker
 * burst.
 *
 * A shape is a curve c(u) that rises from c(0) = 0 to c(1) = 1 over the
 * fraction u of a rise:
 *     linear   u                                 an even ramp in amplitude
 *     exp      (1000^u - 1) / 999                even in decibels over 60 dB: slow
 *                                                at first, the last of it fast
 *     log      log10(1 + 999 u) / 3              the inverse of exp: fast at
 *                                                first, then a slow approach
 *     sine     sin(pi u / 2)                     a quarter sine: the equal-power fade
 *     scurve   (1 - cos(pi u)) / 2               a half cosine: gentle at both ends
 * A decay is the same curve run backwards: its gain at the fraction v of the
 * decay is c(1 - v), so an exp decay falls evenly in decibels (fast, then a
 * long tail) and a log one holds, then drops.
 *
 * An envelope over N frames rises over its first RISE frames and decays over
 * its last DECAY frames: the gain at frame i is the smaller of
 *     rise part   c_rise(i / RISE) while i < RISE, else 1
 *     decay part  c_decay((N - 1 - i) / DECAY) while i > N - 1 - DECAY, else 1
 * so the first and the last frame are silent (a one-shot never starts or ends
 * on a click), the level is whole from frame RISE to frame N - 1 - DECAY, and
 * when RISE + DECAY = N the peak is where the rise ends. */
#ifndef SHARDS_ENVELOPE_H
#define SHARDS_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

typedef enum { SH_ENV_LINEAR, SH_ENV_EXP, SH_ENV_LOG, SH_ENV_SINE, SH_ENV_SCURVE } sh_env_shape;

/* The names, in the order of sh_env_shape, as a CHOICE list. */
#define SH_ENV_SHAPES "linear|exp|log|sine|scurve"

/* The shape named NAME (whole word); -1 with sh_error() naming the known ones. */
int sh_env_shape_parse(const char *name, sh_env_shape *out);
const char *sh_env_shape_name(sh_env_shape s);
/* "RISE" or "RISE,DECAY": one shape for both, or one each. -1 + sh_error(). */
int sh_env_shapes_parse(const char *text, sh_env_shape *rise, sh_env_shape *decay);

/* c(u) for u in [0, 1] (clamped outside). */
double sh_env_curve(sh_env_shape s, double u);

typedef struct {
	int64_t rise, decay;      /* frames; 0 for none */
	sh_env_shape rise_shape, decay_shape;
} sh_env;

/* The gain at frame I of an envelope over N frames. */
double sh_env_gain(const sh_env *e, int64_t n, int64_t i);
/* Multiply N interleaved frames of CHANNELS channels by the envelope. */
void sh_env_apply(const sh_env *e, float *x, int64_t n, int channels);

/* Scale COUNT samples so that the largest magnitude is PEAK_DB dBFS. Returns the
 * peak found before scaling; digital silence (peak 0) is left as it is. */
double sh_normalize_peak(float *x, size_t count, double peak_db);

#endif
