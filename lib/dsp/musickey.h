/* key.h -- musical key (tonic and mode) estimation over mono float samples.
 *
 * The method: a log-frequency spectrum from the STFT (bins mapped to semitones,
 * the tuning reference estimated from spectral peaks first, so a recording a
 * quarter-tone off A440 still lands on the right pitch classes), folded into a
 * 12-bin chroma vector accumulated over the whole input with loudness
 * weighting, then correlated with major and minor key profiles in all 12
 * transpositions. Confidence is the margin of the best key over the runner-up.
 *
 * Pitch classes are numbered 0 = C, 1 = C#, ..., 11 = B. */
#ifndef SHARDS_KEY_H
#define SHARDS_KEY_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
	int tonic;            /* 0..11, -1 when the input has no tonal content or centre */
	bool atonal;          /* sound, but no tonal centre (noise, drums): tonic -1 */
	double tonality;      /* 0..1: share of the spectral peak weight in clear sinusoidal peaks */
	double flatness;      /* 0..1: spectral flatness of the chroma (1 = all pitch classes equal) */
	int pitch_classes;    /* pitch classes holding at least a quarter of the top one's salient weight */
	bool minor;           /* mode */
	double confidence;    /* 0..1 */
	double correlation;   /* the best key's profile correlation, -1..1 */
	int alt_tonic;        /* the runner-up key */
	bool alt_minor;
	double tuning_cents;  /* estimated offset of the tuning from A440, -50..50 */
	double chroma[12];    /* the normalised chroma (max 1), C first */
	double scores[24];    /* correlation per key: 0..11 major, 12..23 minor */
} sh_key_result;

/* Whole buffer: n mono samples at rate Hz. Returns 0, or -1 with sh_error() on
 * bad arguments. Silence is not an error: tonic -1, confidence 0. */
int sh_key_estimate(const float *mono, size_t n, int rate, sh_key_result *res);

/* Streaming: feed blocks of any size, then finish. Memory is constant. */
typedef struct sh_key sh_key;
sh_key *sh_key_new(int rate); /* NULL + sh_error() when the FFT cannot be set up */
void sh_key_feed(sh_key *k, const float *mono, size_t n);
int sh_key_finish(sh_key *k, sh_key_result *res);
void sh_key_free(sh_key *k);

/* "C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B". */
const char *sh_pitch_class_name(int pc);
/* The tonic spelt as key signatures do: Db F# Ab major, C# F# G# minor,
 * Eb and Bb in both modes. */
const char *sh_key_tonic_name(int tonic, bool minor);
/* "A minor", "C# major"; buf of at least 16 bytes. Returns buf. */
char *sh_key_name(int tonic, bool minor, char *buf, size_t len);
/* Parse "C", "c#", "Db", "F#m", "Am", "A minor", "Eb major", "bbmin" ...
 * Returns 0 and fills tonic/minor, or -1 with sh_error(). */
int sh_key_parse(const char *text, int *tonic, bool *minor);
/* Shortest transposition in semitones (-6..+5, or +6 for a tritone) taking
 * tonic `from` to tonic `to`. Modes are not changed by transposition: a caller
 * moving a minor source to a major target usually aims at the relative key. */
int sh_key_shortest_shift(int from, int to);

#endif
