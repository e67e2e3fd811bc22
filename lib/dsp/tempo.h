/* tempo.h -- tempo (BPM) and beat estimation over mono float samples.
 *
 * The method: a multi-band onset-strength envelope (log-magnitude spectral flux
 * at 100 frames a second, see onsets.h); the autocorrelations of the full-band
 * envelope and of the sum of the variance-normalised sub-band envelopes,
 * averaged; a comb over the first four multiples of each candidate period (a
 * tempogram on a 0.2% grid), weighted by a log-Gaussian tempo prior around
 * 130 BPM (one octave wide) that settles most octave ambiguity; an octave
 * check that doubles the tempo when the points halfway between the tracked
 * beats carry at least 70% of the beats' onset strength, or 45% when the hats
 * or ride swing both halves of the beat and the doubled beat's off-beat (a
 * fast shuffle, not swung sixteenths at the slow tempo); the period refined
 * to 0.05% with a 16-multiple comb; beat times by dynamic programming
 * (Ellis 2007) on the envelope. An excerpt shorter than 16 beats, too short
 * for that comb, takes its period from the least-squares line through the
 * onset peaks at its tracked half-beats (placed between frames by a
 * parabola), when that moves the tempo by less than 3%.
 *
 * Then the metrical readings T, 2T, T/2, 2T/3, 3T/2 of the first answer T are
 * weighed: each by its comb salience, the tempo prior and how well beats tracked
 * at that tempo land on onsets (Ellis' dynamic programming: onset strength at
 * the beats less a penalty on deviation from the period). A 3T/2 or 2T/3
 * reading replaces T only when its beats fit clearly better; the octave is
 * left to the prior and the half-beat check. The confidence is the comb
 * salience of the answer scaled by its margin over the best other reading:
 * salience x min(1, 2 (1 - runner-up score / best score)). Below 0.3 the
 * answer is a guess between readings (bpm(1) says so).
 * The metre: the autocorrelation of the beats' onset strengths at lags 2, 3
 * and 4 beats (accents every 3 beats make 3/4); compound when the points a
 * third and two thirds of the way between beats carry more onset strength
 * than the point halfway.
 *
 * Two ways in: the one-call sh_tempo_estimate() over a whole buffer, or the
 * streaming sh_tempo_new / sh_tempo_feed / sh_tempo_finish, which keeps only the
 * onset envelope (about 400 bytes a second of audio), not the audio. Both give
 * the same answer for the same samples, whatever block sizes are fed. */
#ifndef SHARDS_TEMPO_H
#define SHARDS_TEMPO_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
	double min_bpm;     /* search range, default 50 */
	double max_bpm;     /* default 220 */
	double prior_bpm;   /* centre of the tempo prior, default 130 */
	double prior_width; /* its standard deviation in octaves, default 1.0 (0 = flat) */
	bool beats;         /* also track beat times (default true) */
} sh_tempo_opts;

/* One metrical reading of the pulse: the tempo T found first, 2T, T/2, 2T/3
 * or 3T/2, with its evidence. */
typedef struct {
	double bpm;
	double factor;      /* relative to the first reading: 1, 2, 0.5, 2/3, 1.5 */
	double salience;    /* the autocorrelation comb at this period, 0..1 */
	double fit;         /* mean onset strength at the beats tracked at this tempo
	                       over the envelope's mean (1 = beats land on average frames) */
	double prior;       /* the tempo prior, 0..1 */
	double backbeat;    /* kick and snare taking turns on the beats, 0..1 */
	double score;       /* share of the evidence, the readings' scores summing to 1 */
} sh_tempo_reading;

#define SH_TEMPO_READINGS 5

typedef struct {
	double bpm;         /* the tempo; 0 when the input has no rhythm (silence) */
	double confidence;  /* 0..1: how far this tempo stands out, see below */
	double alt_bpm;     /* the runner-up (often the double or the half), 0 if none */
	double alt_confidence;
	int metre;          /* beats per bar the accents suggest: 2, 3 or 4; 0 when unclear */
	bool compound;      /* beats divide in three (6/8, 9/8, 12/8) rather than two */
	sh_tempo_reading readings[SH_TEMPO_READINGS]; /* best first; the first is bpm */
	size_t nreadings;
	double *beats;      /* beat times in seconds (malloc'd, may be NULL) */
	size_t nbeats;
	double duration;    /* seconds analysed */
} sh_tempo_result;

/* Defaults as documented above. */
void sh_tempo_opts_default(sh_tempo_opts *o);

/* Whole buffer: n mono samples at rate Hz (1000..768000). opts may be NULL for
 * the defaults. Returns 0, or -1 with sh_error() on bad arguments. Silence or
 * too-short input (< 2 s) is not an error: bpm 0, confidence 0. */
int sh_tempo_estimate(const float *mono, size_t n, int rate, const sh_tempo_opts *opts,
                      sh_tempo_result *res);

/* Streaming: feed any number of blocks of any size, then finish. */
typedef struct sh_tempo sh_tempo;
sh_tempo *sh_tempo_new(int rate, const sh_tempo_opts *opts); /* NULL + sh_error(): no FFT */
void sh_tempo_feed(sh_tempo *t, const float *mono, size_t n);
int sh_tempo_finish(sh_tempo *t, sh_tempo_result *res);
void sh_tempo_free(sh_tempo *t);

void sh_tempo_result_free(sh_tempo_result *res);

#endif
