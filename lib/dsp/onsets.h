/* onsets.h -- onset-strength envelopes, onset picking, and onset files.
 *
 * The envelope (an "onset detection function") is log-magnitude spectral flux:
 * each STFT frame's magnitudes are pooled into log-spaced bands (about 3 a
 * octave, 30 Hz up to 16 kHz or Nyquist), compressed with log(1 + 1000 m), and
 * the positive band-wise differences from the previous frame are summed. The
 * envelope runs at about 100 frames a second whatever the sample rate (the hop
 * is the nearest whole number of samples to 10 ms), with a window of about
 * 23 ms; frame i is centred at i * hop / rate seconds. Besides the full-band
 * sum it keeps SH_ODF_GROUPS sub-band sums (low, low-mid, high-mid, high),
 * which tempo estimation uses to hear a bass drum apart from a hi-hat.
 *
 * Memory is the envelope itself (4 * (1 + SH_ODF_GROUPS) bytes a frame). */
#ifndef SHARDS_ONSETS_H
#define SHARDS_ONSETS_H

#include <stdbool.h>
#include <stddef.h>

#define SH_ODF_GROUPS 4

typedef struct sh_odf sh_odf;

/* rate in Hz (1000..768000). NULL with sh_error() when the FFT cannot be set up. */
sh_odf *sh_odf_new(int rate);
void sh_odf_feed(sh_odf *o, const float *mono, size_t n);
/* Process the tail (half a window of zeros); call once at the end. */
void sh_odf_flush(sh_odf *o);
/* Frames so far, the frame rate, and the envelopes (valid until the next feed).
 * group -1 is the full-band envelope, 0..SH_ODF_GROUPS-1 the sub-bands. */
size_t sh_odf_frames(const sh_odf *o);
double sh_odf_rate(const sh_odf *o);
int sh_odf_hop(const sh_odf *o); /* samples per envelope value: rate / sh_odf_rate */
const float *sh_odf_values(const sh_odf *o, int group);
/* Mean magnitude level of the input (0 for digital silence). */
double sh_odf_energy(const sh_odf *o);
void sh_odf_free(sh_odf *o);

/* Onset picking over an envelope with an adaptive threshold: a frame is an onset
 * when it is the maximum within +-30 ms, exceeds the mean of the envelope over
 * the surrounding window (100 ms before, 70 ms after) by `threshold` times the
 * envelope's robust scale (its 95th percentile), and comes at least `min_gap`
 * seconds after the previous onset. */
typedef struct {
	double t;        /* seconds */
	double strength; /* 0..1: the peak relative to the strongest in the input */
} sh_onset;

typedef struct {
	double threshold; /* 0..1, default 0.1: higher keeps only the strongest hits */
	double min_gap;   /* seconds, default 0.03 */
	/* 0..1, default 0: after the picking (and the strengths' scaling), keep
	 * only the onsets whose strength, rounded to 3 decimals as onsets(1)
	 * prints it, is at least this */
	double min_strength;
} sh_onset_opts;

void sh_onset_opts_default(sh_onset_opts *o);
/* Returns the number of onsets; *out is malloc'd (NULL when none). The
 * strengths are scaled before min_strength drops any, so an onset's strength
 * does not depend on min_strength. */
size_t sh_onsets_pick(const float *env, size_t n, double fps, const sh_onset_opts *opts,
                      sh_onset **out);

/* Sample-accurate onset times. The envelope's frames are 10 ms apart and its
 * window 23 ms long, so a picked onset is only known to within a frame; the
 * refiner keeps the input's energy in 0.5 ms cells (8 KB a second of audio) and
 * moves each onset to the cell where the energy rises most sharply (the next
 * 2 ms against the 5 ms before) within 25 ms before and 15 ms after it, when
 * the rise is at least 6 dB; otherwise the onset stays. */
typedef struct sh_onset_refiner sh_onset_refiner;
sh_onset_refiner *sh_onset_refiner_new(int rate);
void sh_onset_refiner_feed(sh_onset_refiner *r, const float *mono, size_t n);
/* Refine ON[0..*n) in place; they stay sorted, and one that lands within 1 ms
 * of the one before is dropped (*n shrinks). */
void sh_onset_refine(const sh_onset_refiner *r, sh_onset *on, size_t *n);
void sh_onset_refiner_free(sh_onset_refiner *r);

/* Load an onsets file: the JSON that `onsets` prints ({"onsets":[{"t":..},..]}),
 * or a bare JSON array of numbers or of {"t":..} objects. "-" reads stdin.
 * Gives the onset times in seconds, sorted ascending, duplicates removed, in a
 * malloc'd array (*times, NULL when empty) of *n values. Returns 0, or -1 with
 * sh_error() naming the file and the problem (unreadable, not JSON, a time that
 * is missing, negative or not finite). */
int sh_onsets_load(const char *path, double **times, size_t *n);

#endif
