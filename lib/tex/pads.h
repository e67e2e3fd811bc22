/* pads.h -- pad mining: find sustained, steady regions of a recording, cut them
 * into seamless loops, measure and grade them (padmine; the afterglow miner).
 *
 * Analysis (one pass over the source, in blocks; memory is a few floats per 10 ms
 * frame: about 10 MB for an hour, and 16 bytes per window that passes the gates,
 * so at most about 6 MB more an hour for each target duration): the mono mix is framed at the onset envelope's
 * rate (lib/onsets: ~100 frames a second). Per frame: mean-square level, spectral
 * centroid (lib/stft, a ~46 ms Hann window), onset strength; onsets are picked
 * from the envelope with the default picker, and count when they reach
 * SH_PAD_ONSET_FLOOR.
 *
 * Candidates: for every target duration, every window start on the frame grid.
 * A window passes the gates when its RMS is at least rms_gate dBFS and it holds at
 * most onset_gate onsets. Its instability (lower is steadier) is
 *     flux / flux_ref  +  level_std_db / 3  +  centroid_std_oct * 3
 * where flux is the window's mean onset strength, flux_ref the source's 95th
 * percentile of it, level_std_db the spread of the 10 ms levels in dB and
 * centroid_std_oct the spread of the centroid in octaves. Candidates are chosen
 * round by round, longest duration first, each the steadiest window of its
 * duration that overlaps no candidate chosen before.
 *
 * Loops: the end of a candidate is moved by at most seam_search so that the
 * audio after the end matches the start in phase (best normalised
 * cross-correlation over the crossfade, at least 10 ms); then the audio past the
 * end is blended into the start with an equal-power (sine/cosine) crossfade, so
 * the last sample leads into the first as it did in the source. Both are
 * lib/tex/seam.h's, the search through its FFT. */
#ifndef SHARDS_PADS_H
#define SHARDS_PADS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audio.h"

/* Measures and grades: lib/tex/measure.h's (its default thresholds; the seam
 * counts for pitched pads only). F: silence, clipping, extreme crest; padmine
 * never saves an F by default. */
#include "measure.h"

/* An onset counts when the onset envelope (log-magnitude flux, lib/onsets) reaches
 * this at its peak: a kick drum reads about 1, a soft hi-hat 0.3, the vibrato of a
 * string section 0.1 to 0.2, the beating of sustained tones 0.05. */
#define SH_PAD_ONSET_FLOOR 0.3

#define SH_PAD_MAX_DURATIONS 16
#define SH_PAD_MAX_CANDIDATES 64

typedef struct {
	double rms_gate_db;   /* window RMS at least this (dBFS) */
	int onset_gate;       /* at most this many onsets in a window */
	double durations[SH_PAD_MAX_DURATIONS]; /* target lengths, seconds */
	size_t ndurations;
	double crossfade;     /* seconds */
	double seam_search;   /* seconds the end may move to match the start in phase */
	double dark_below, bright_above; /* centroid thresholds, Hz */
	size_t max_candidates;
} sh_pad_opts;

/* Seconds a pad reads past its length: the seam search, and the stretch compared
 * across the seam (the crossfade, 10 ms at least). */
double sh_pad_overhang(const sh_pad_opts *o);

typedef struct {
	/* from the analysis */
	int64_t start;         /* first frame in the source */
	int64_t span;          /* frames the loop may draw on (length + search + fade) */
	double target;         /* target duration, seconds */
	int onsets;            /* onsets in the window */
	double flux, level_std_db, centroid_std_oct, instability, window_rms_db;
	/* measured on the loop (sh_pad_make) */
	bool made;
	int64_t frames;        /* the loop's length */
	double rms_db, peak_db, crest_db, centroid_hz, pitch_hz, seam_error, clip_fraction;
	const char *brightness; /* dark, mid, bright */
	char grade;             /* A B C D F */
	const char *why;        /* what decided the grade, in words */
	float *audio;           /* frames * channels interleaved */
} sh_pad;

typedef struct {
	int64_t frames;        /* source length */
	double loudest_db;     /* loudest window of any duration */
	double fewest_onsets;  /* fewest onsets in a window above the RMS gate */
	size_t windows, passed;
} sh_pad_survey;

/* Analyse SRC (its length must be known) and choose the candidates, best first.
 * Returns how many (0 when nothing passes the gates; *out is malloc'd), or -1
 * with sh_error() when the source cannot be read. */
ssize_t sh_pads_find(sh_audio_source *src, int rate, int channels, const sh_pad_opts *o, sh_pad **out,
                     sh_pad_survey *survey);
/* Cut a candidate into a loop, measure and grade it; -1 with sh_error() when
 * the source cannot be read. */
int sh_pad_make(sh_audio_source *src, int rate, int channels, const sh_pad_opts *o, sh_pad *p);
void sh_pads_free(sh_pad *p, size_t n);

/* sh_tex_grade_rank. */
int sh_pad_grade_rank(char g);

#endif
