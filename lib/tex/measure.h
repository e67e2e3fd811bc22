/* measure.h -- what a texture file is measured and graded by: the afterglow
 * design's curation measures, one definition for padmine's pads, grainify's
 * clouds and grade(1)'s manifest of any texture file.
 *
 * Levels: RMS and peak over every sample of every channel, in dBFS (20 log10,
 * full scale 1.0), floored at -200; crest is peak minus RMS in dB (taken before
 * the floor). Clip fraction: the share of samples (every channel) at
 * |x| >= 0.999.
 *
 * Spectral centroid: the mono mix in Hann frames of sh_tex_fft_size(rate)
 * samples (the power of two at least 40 ms: 2048 at 44.1 kHz) at a
 * quarter-frame hop (lib/dsp/stft), magnitudes summed over every frame, then
 * sum(k |X_k|) / sum |X_k| over bins k >= 1, in Hz; 0 for silence. Brightness:
 * dark below DARK Hz, bright above BRIGHT Hz, mid between.
 *
 * Rough pitch: normalised autocorrelation of 50 ms of the mono mix from the
 * middle, lags 1 ms .. 20 ms (1000 .. 50 Hz); pitched when the best lag's
 * correlation reaches 0.8, the pitch then the first local peak within 95 % of
 * the best, refined by a parabola; 0 when not pitched.
 *
 * Loop seam error of a finished loop (N samples, mono mix, read as a cycle):
 * how well its end leads into its start. The stretch across the wrap, the
 * CMP = 10 ms (SH_SEAM_MIN_COMPARE) samples centred on it (the last CMP/2
 * samples, then the first CMP - CMP/2), should look like the loop's own sound
 * just before it. It is compared, by lib/tex/seam.h's normalised
 * cross-correlation (sh_seam_ncc), with the CMP-sample stretches that end L
 * samples before it for every lag L from CMP/2 + 1 to CMP/2 + 50 ms (so a
 * pitch period down to 20 Hz fits, and no stretch compared crosses the wrap);
 * the error is 1 - the greatest, at least 0. As padmine's seam error: about 0
 * when the loop's end continues into its start in phase (a click, a jump or a
 * phase step at the wrap raise it), about 1 for unrelated sound -- and for
 * any noise, which matches itself at no lag: so, as for padmine, the seam
 * counts in the grade only for pitched sound. NaN when the loop is shorter
 * than CMP + CMP/2 + 50 ms.
 *
 * Grade, the best whose every condition holds (there is no E):
 *   F  RMS below silence_db, or clip fraction above clip_fraction, or crest
 *      above f_crest_db (silence, clipping, a spike in near silence);
 *   A  RMS >= a_rms_db, crest <= a_crest_db, seam <= a_seam;
 *   B, C likewise with their thresholds; D otherwise.
 * The seam condition is tested only for pitched sound (pitch > 0) with a seam
 * error (a loop); otherwise it holds. */
#ifndef SHARDS_MEASURE_H
#define SHARDS_MEASURE_H

#include <complex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Brightness defaults: centroid below is dark, above is bright. */
#define SH_TEX_DARK_HZ 1000.0
#define SH_TEX_BRIGHT_HZ 3000.0
#define SH_TEX_CLIP_LEVEL 0.999f /* |x| at or above counts as clipped */
#define SH_TEX_SEAM_SEARCH 0.05  /* seconds of lags the loop seam looks back over */

typedef struct {
	double silence_db;    /* F: RMS below */
	double clip_fraction; /* F: clipped share above */
	double f_crest_db;    /* F: crest above */
	double a_rms_db, a_crest_db, a_seam;
	double b_rms_db, b_crest_db, b_seam;
	double c_rms_db, c_crest_db, c_seam;
} sh_tex_thresholds;

/* The defaults (padmine's, the design's): F below -60 dBFS, above 0.1 %
 * clipped, above 30 dB crest; A -30 dBFS / 15 dB / 0.05; B -36 / 18 / 0.15;
 * C -45 / 21 / 0.30. */
#define SH_TEX_THRESHOLDS_DEFAULT                                                                  \
	{                                                                                          \
		.silence_db = -60.0, .clip_fraction = 0.001, .f_crest_db = 30.0, .a_rms_db = -30.0, \
		.a_crest_db = 15.0, .a_seam = 0.05, .b_rms_db = -36.0, .b_crest_db = 18.0,           \
		.b_seam = 0.15, .c_rms_db = -45.0, .c_crest_db = 21.0, .c_seam = 0.30,               \
	}

/* The centroid's frame for RATE. */
int sh_tex_fft_size(int rate);

/* A centroid accumulated as the mono mix streams; each STFT frame may also go
 * to HOOK (NULL: none) with its complex spectrum, for a picture. */
typedef void (*sh_centroid_hook)(void *user, const float complex *spec, int bins);
typedef struct sh_centroid sh_centroid;
sh_centroid *sh_centroid_new(int rate); /* NULL with sh_error() */
sh_centroid *sh_centroid_new_hooked(int rate, sh_centroid_hook hook, void *user);
void sh_centroid_feed(sh_centroid *c, const float *mono, size_t n);
/* Hz, 0 for silence; the accumulator is freed. */
double sh_centroid_finish(sh_centroid *c);
/* "dark", "mid" or "bright" */
const char *sh_brightness_tag(double centroid_hz, double dark_below, double bright_above);

/* Levels of COUNT samples (interleaved channels alike). */
void sh_tex_levels(const float *x, size_t count, double *rms_db, double *peak_db, double *crest_db);
double sh_tex_clip_fraction(const float *x, size_t count);
/* Rough pitch of N mono samples, Hz; 0 when not pitched. */
double sh_tex_rough_pitch(const float *mono, int64_t n, int rate);
/* Loop seam error of N mono samples read as a loop; NaN when too short. */
double sh_tex_loop_seam(const float *mono, int64_t n, int rate);

/* Grade from the measures (SEAM NaN: none); *WHY (may be NULL) gets what
 * decided it, in words. */
char sh_tex_grade(const sh_tex_thresholds *t, double rms_db, double crest_db, double clip_fraction, double seam,
                  double pitch_hz, const char **why);
/* Grade letter's rank: A 0 ... D 3, F 5; -1 for anything else. */
int sh_tex_grade_rank(char g);
/* Thresholds that make sense: every level finite, the A, B, C conditions each
 * at least as strict as the next; 0, or -1 with sh_error() naming the first
 * that does not. */
int sh_tex_thresholds_check(const sh_tex_thresholds *t);

/* Every measure of a whole texture. */
typedef struct {
	int64_t frames;
	int channels, rate;
	double duration, rms_db, peak_db, crest_db, clip_fraction, centroid_hz, pitch_hz;
	double seam_error; /* NaN for a one-shot or a loop too short */
	const char *brightness;
	char grade;
	const char *why;
} sh_tex_measures;

typedef struct {
	sh_tex_thresholds thresholds;
	double dark_below, bright_above;
	bool loop;                 /* measure the seam */
	sh_centroid_hook hook;     /* each STFT frame of the mono mix, or NULL */
	void *hook_user;
} sh_tex_measure_opts;

/* Measure X (FRAMES x CHANNELS interleaved at RATE). 0, or -1 with sh_error(). */
int sh_tex_measure(const float *x, int64_t frames, int channels, int rate, const sh_tex_measure_opts *o,
                   sh_tex_measures *m);

#endif
