/* biquad.h -- second-order filter sections: the audio EQ cookbook's designs and
 * a chain of sections that runs interleaved audio and glides to new settings.
 *
 * The designs are Robert Bristow-Johnson's "Cookbook formulae for audio EQ
 * biquad filter coefficients" (the bilinear transform of the analog
 * prototypes, warped to meet the analog response at the centre frequency).
 * A chain holds up to SH_BQ_MAX sections in series, run in transposed direct
 * form II with its state in double, one state per channel. A new setting does
 * not jump: the coefficients move toward it one sample at a time (a one-pole
 * glide of about 10 ms), the same for every channel, so a sweep driven by live
 * changes does not click and the output does not depend on block sizes. Any
 * mix of two stable sections is stable (the stable (a1, a2) form a triangle,
 * which is convex), so the glide never passes through an unstable filter. */
#ifndef SHARDS_BIQUAD_H
#define SHARDS_BIQUAD_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
	SH_BQ_LOWPASS,   /* -12 dB/octave above freq; q sets the resonance at freq */
	SH_BQ_HIGHPASS,  /* -12 dB/octave below freq */
	SH_BQ_BANDPASS,  /* a band around freq, 0 dB at its peak; q is the narrowness */
	SH_BQ_NOTCH,     /* a hole at freq */
	SH_BQ_LOWSHELF,  /* gain below freq */
	SH_BQ_HIGHSHELF, /* gain above freq */
	SH_BQ_PEAK,      /* gain in a bell around freq */
} sh_bq_type;

/* One section, a0 normalised to 1:
 * H(z) = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2) */
typedef struct {
	double b0, b1, b2, a1, a2;
} sh_bq_coefs;

/* The section of type T at FREQ Hz (0 < FREQ < RATE/2), quality Q (> 0) and, for
 * shelves and peaks, GAIN_DB (a shelf's Q: 0.707 is the cookbook's slope 1, the
 * steepest without a bump). A shelf or peak with no gain is exactly the
 * identity (b0 = 1, the rest 0). */
void sh_bq_design(sh_bq_coefs *c, sh_bq_type t, double freq, double q, double gain_db, double rate);
/* The section that passes everything unchanged. */
void sh_bq_identity(sh_bq_coefs *c);

#define SH_BQ_MAX 4

/* What a section is: the knobs sh_bq_design takes. */
typedef struct {
	sh_bq_type type;
	double freq, q, gain_db;
} sh_bq_shape;

typedef struct {
	int sections, channels;
	double rate;
	double step;               /* the glide's share per sample */
	bool gliding;              /* some section is still on its way to its target */
	sh_bq_shape target[SH_BQ_MAX];
	double tlf[SH_BQ_MAX], tlq[SH_BQ_MAX];              /* the targets' log freq, log q */
	double lf[SH_BQ_MAX], lq[SH_BQ_MAX], db[SH_BQ_MAX]; /* where the glide is: log freq, log q, dB */
	sh_bq_coefs k[SH_BQ_MAX];  /* the sections as they are now */
	double *state;             /* channels x sections x 2 */
} sh_bq_chain;

/* SECTIONS (1..SH_BQ_MAX) in series for CHANNELS interleaved channels at RATE,
 * silent; set them before running. Free with sh_bq_chain_free. */
void sh_bq_chain_init(sh_bq_chain *b, int sections, int channels, double rate);
void sh_bq_chain_free(sh_bq_chain *b);
/* New shapes for every section (TARGET[0..sections-1], types as before once
 * running): taken at once when GLIDE is false (before the first sample), else
 * glided to: the frequency and q move on a log scale, the gain in dB, each a
 * one-pole of 10 ms, and every sample on the way is a true cookbook section
 * (gliding the coefficients instead would overshoot audibly on big jumps). */
void sh_bq_chain_set(sh_bq_chain *b, const sh_bq_shape *target, bool glide);
/* FRAMES interleaved frames from IN to OUT (they may be the same buffer). */
void sh_bq_chain_run(sh_bq_chain *b, const float *in, float *out, size_t frames);

#endif
