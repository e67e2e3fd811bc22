/* arrangement.h -- a probabilistic arrangement of stems on a bar grid: the
 * plan (which stem sounds in which bars, from which of its bars), its JSON
 * (shards(7), ARRANGEMENTS) and the mixer inputs that render it.
 *
 * The grid: a bar is beats_per_bar beats at bpm, bar_seconds = 60 *
 * beats_per_bar / bpm, held as a whole number of samples at each rate
 * (llround(bar_seconds * rate)), so bars never drift against each other.
 * A region plays `bars` bars of one source from its bar `from_bar`: source
 * bar (from_bar + k) mod W for its bar k, where W is the number of whole bars
 * the source holds (it loops over those). A source shorter than one bar plays
 * whole from the start of each bar of the region. Fades only at a region's
 * two edges. */
#ifndef SHARDS_ARRANGEMENT_H
#define SHARDS_ARRANGEMENT_H

#include <stddef.h>
#include <stdint.h>

#include "mixer.h"

#define SH_ARR_FORMAT "shards-arrangement"
#define SH_ARR_VERSION 1
#define SH_ARR_BPM_MIN 10.0
#define SH_ARR_BPM_MAX 1000.0
#define SH_ARR_BEATS_MAX 64
#define SH_ARR_DURATION_MAX 86400.0 /* seconds */
#define SH_ARR_FADE_MAX 10.0        /* seconds */
#define SH_ARR_PIECES_MAX 900       /* mixer inputs (each an open file) */

typedef struct {
	char *path;
	double gain_db;          /* -120..40 */
} sh_arr_source;

typedef struct {
	int source;              /* index into sources */
	int64_t start_bar;       /* where it begins in the arrangement, >= 0 */
	int64_t bars;            /* how many bars it sounds, >= 1 */
	int64_t from_bar;        /* the source's bar it starts from, >= 0 (mod its whole bars) */
	double gain_db;          /* -120..40, added to the source's */
	double fade;             /* seconds of fade in and out at its edges, 0..10 */
} sh_arr_region;

typedef struct {
	uint64_t seed;           /* informational: the seed that made it */
	double bpm;
	int beats_per_bar;
	double duration;         /* seconds */
	int rate;                /* the render's sample rate */
	sh_arr_source *sources;
	int nsources;
	sh_arr_region *regions;
	size_t nregions;
} sh_arrangement;

/* What one stem is, for planning: its rate, channels and length in frames.
 * 0, or -1 + sh_error() naming the file (a pipe has no length: refused). */
int sh_arr_probe(const char *path, int *rate, int *channels, int64_t *frames);

double sh_arr_bar_seconds(const sh_arrangement *a);
/* Samples in a bar at RATE. */
int64_t sh_arr_bar_frames(const sh_arrangement *a, int rate);

/* Fill in A's regions: A's sources, bpm, beats_per_bar, duration and rate
 * set; WHOLE_BARS[i] the whole bars source i holds (0: shorter than one).
 * Each source sounds in a bar or not by a two-state chain whose stationary
 * chance of sounding is DENSITY (0..1): from silent it starts with chance
 * density / 2, from sounding it stops with chance (1 - density) / 2, the first
 * bar sounding with chance density; a run of sounding bars is one region,
 * from a bar of the source picked at random. FADE in seconds. 0 / -1. */
int sh_arrangement_generate(sh_arrangement *a, const int64_t *whole_bars, double density,
                            double fade, uint64_t seed);

/* The JSON text (allocated, ending in a newline), or NULL + sh_error(). */
char *sh_arrangement_json(const sh_arrangement *a);
/* Parse and validate JSON text; NAME for messages. 0, or -1 + sh_error()
 * naming the field ("regions[3].bars: ..."). */
int sh_arrangement_parse(const char *text, size_t len, const char *name, sh_arrangement *a);
/* The same from a file ("-": stdin). */
int sh_arrangement_load(const char *path, sh_arrangement *a);
void sh_arrangement_free(sh_arrangement *a);

/* The mixer inputs that render A (allocated; free each with
 * sh_mix_input_free, then the array), and the mix's channels: the most of
 * any source. *n may be 0 (silence). 0, or -1 + sh_error(). */
int sh_arrangement_inputs(const sh_arrangement *a, sh_mix_input **inputs, int *n, int *channels);

#endif
