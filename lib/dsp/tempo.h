/* tempo.h -- tempo (BPM) and beat estimation over mono float samples.
 *
 * The method: a multi-band onset-strength envelope (log-magnitude spectral flux
 * at 100 frames a second, see onsets.h); the autocorrelations of the full-band
 * envelope and of the sum of the variance-normalised sub-band envelopes,
 * averaged; a comb over the first four multiples of each candidate period (a
 * tempogram on a 0.2% grid), weighted by a log-Gaussian tempo prior around
 * 130 BPM (one octave wide) that settles most octave ambiguity; an octave
 * check that doubles the tempo when the points halfway between the tracked
 * beats carry at least 85% of the beats' onset strength; the period refined
 * to 0.05% with a 16-multiple comb; beat times by dynamic programming
 * (Ellis 2007) on the envelope.
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

typedef struct {
	double bpm;         /* the tempo; 0 when the input has no rhythm (silence) */
	double confidence;  /* 0..1: how clearly this tempo stands out */
	double alt_bpm;     /* the runner-up (often the double or the half), 0 if none */
	double alt_confidence;
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
