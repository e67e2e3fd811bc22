/* seam.h -- seamless loops: where a loop should end so that it leads back into
 * its start (the seam search), and the crossfade that joins the two (padmine's
 * pads and loopify's loops).
 *
 * The seam search. A loop of a target length LEN starts at the first sample of
 * a stretch of audio; its end may move by D samples, -search <= D <= search, so
 * that the audio just past the end (the CMP samples from LEN + D) matches the
 * CMP samples at the start in phase. CMP is the crossfade, or 10 ms if that is
 * longer. The match is the normalised cross-correlation, on the mono mix,
 *     ncc(D) = sum x[j] y[j] / sqrt(sum x[j]^2 * sum y[j]^2),   j < CMP,
 * x the start and y the audio from LEN + D, summed in double precision in the
 * order of j; it is 0 when the square root is at most 1e-12 (silence). The
 * seam error is 1 - ncc at the chosen D, at least 0: 0 when the end continues
 * into the start in phase, about 1 for unrelated sound, up to 2 in antiphase.
 *
 * The tie rule: the greatest ncc wins; among equal values the first in the
 * order D = 0, +1, -1, +2, -2, ... (the length nearest the target, and the
 * longer of two as near), which is also the order the direct search visits.
 *
 * Two methods give the same D and the same ncc, bit for bit:
 *   direct  every ncc(D) summed as above: CMP multiply-adds for each of the
 *           2 search + 1 offsets (some 3 10^9 for a 2 s crossfade and a
 *           200 ms search at 44.1 kHz);
 *   fft     the numerators of every offset at once as one cross-correlation
 *           through a real FFT (single-precision FFTW, planned once per
 *           object), the denominators from running sums of squares. The
 *           single-precision values are only a screen: with a bound on their
 *           rounding error (from the transforms' norms) every offset that could
 *           still be the greatest is summed again exactly as the direct method
 *           sums it, and the tie rule picks among those. An offset is left out
 *           only when its value is certainly below another's, so the choice is
 *           the direct one; a signal that matches itself equally well at very
 *           many offsets (a steady pure tone: one per period) costs one direct
 *           sum for each of them.
 *
 * The crossfade: the first FADE samples of the loop are the start fading in
 * (sin) while the audio past the end fades out (cos) over it, equal power,
 * gains at the sample centres: sin(pi/2 (i + 1/2) / FADE), so the last sample
 * of the loop leads into its first as it led on in the source. */
#ifndef SHARDS_SEAM_H
#define SHARDS_SEAM_H

#include <stddef.h>
#include <stdint.h>

#define SH_SEAM_MIN_COMPARE 0.01 /* seconds compared across a seam at least */

/* The seam's lengths in samples at RATE: the crossfade, the stretch compared
 * across the seam (the crossfade, SH_SEAM_MIN_COMPARE at least) and how far
 * the end may move, from seconds. */
typedef struct {
	int64_t fade, cmp, search;
} sh_seam_sizes;
sh_seam_sizes sh_seam_sizes_at(double crossfade, double search, int rate);
/* Seconds a loop reads past its target length at most: the search and the
 * stretch compared. */
double sh_seam_overhang(double crossfade, double search);

/* The offsets a loop of LEN samples may end at: -search..search, but never so
 * far back that the loop would hold less than one sample. */
void sh_seam_range(int64_t len, int64_t search, int64_t *lo, int64_t *hi);

typedef enum { SH_SEAM_FFT, SH_SEAM_DIRECT } sh_seam_method;

typedef struct sh_seam sh_seam;

/* A searcher for seams comparing CMP samples (>= 1) with ends that move by up
 * to SEARCH samples (>= 0): its buffers and FFT plans are made here, once, for
 * every search through it. NULL with sh_error() when the sizes are too large
 * or the FFT cannot be planned. */
sh_seam *sh_seam_new(int64_t cmp, int64_t search, sh_seam_method method);
void sh_seam_free(sh_seam *s);

typedef struct {
	int64_t offset;  /* D: the loop is LEN + D samples long */
	double ncc;      /* the correlation there */
	double error;    /* the seam error, 1 - ncc, at least 0 */
	int64_t summed;  /* offsets summed directly (all of them with the direct method) */
} sh_seam_result;

/* Search offsets LO..HI (LO <= 0 <= HI, HI - LO at most twice the object's
 * SEARCH): HEAD holds the CMP samples at the loop's start (mono), TAIL the
 * HI - LO + CMP samples from LEN + LO on. 0, or -1 with sh_error() for sizes
 * the object was not made for. */
int sh_seam_find(sh_seam *s, const float *head, const float *tail, int64_t lo, int64_t hi, sh_seam_result *r);

/* ncc at one offset, summed as the direct search sums it: HEAD and Y hold CMP
 * samples each; E0 is the head's sum of squares (sh_seam_energy). */
double sh_seam_ncc(const float *head, const float *y, int64_t cmp, double e0);
double sh_seam_energy(const float *x, int64_t n);

/* The crossfade over COUNT frames of a loop from frame FROM on (FROM + COUNT
 * <= FADE): LOOP (interleaved, CHANNELS) holds those frames of the start and
 * becomes the loop's; PAST holds the same frames of the audio past the end. */
void sh_seam_crossfade(float *loop, const float *past, int64_t from, int64_t count, int64_t fade, int channels);

#endif
