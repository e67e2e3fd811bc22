/* slicer.h -- the micro-sampling pass: slice a source timeline, then shuffle,
 * stutter, reverse and drop pieces by chance, as a cut list.
 *
 * Everything happens on the integer sample grid of the source (and on the frame
 * grid when fps is set), so a pass depends only on (length in samples, rate, fps,
 * options, seed): the same pass over a rendered cut list's output and over the
 * list itself (then composed) gives the same cuts. */
#ifndef SHARDS_SLICER_H
#define SHARDS_SLICER_H

#include <stdint.h>

#include "cli.h"
#include "cutlist.h"

typedef struct {
	int64_t total;         /* source length in samples */
	double rate;           /* samples per second */
	sh_rational fps;       /* snap boundaries to this frame grid; {0,0} for none */
	double slice;          /* slice length in seconds (used when slices == 0 and no onsets) */
	int64_t slices;        /* or: this many equal slices */
	const double *onsets;  /* or: boundaries at these times (seconds, sorted) */
	size_t nonsets;
	double shuffle;        /* chance a slice joins the shuffled set, 0..1 */
	double stutter;        /* chance a piece repeats, 0..1 */
	int64_t max_repeats;   /* a stuttered piece plays 2..max_repeats times */
	double reverse;        /* chance a piece plays backwards */
	double drop;           /* chance a piece becomes silence */
} sh_slicer_opts;

/* Make the pass; NULL + sh_error() when the options cannot slice this source
 * (a slice shorter than one sample or one frame, an empty source...). */
sh_cutlist *sh_slice(const sh_slicer_opts *o, uint64_t seed);

/* The knobs cutgen and chop share on their command lines. */
typedef struct {
	sh_duration slice;     /* 40ms: tight glitch grains; 250ms+: phrases keep their shape */
	int64_t slices;        /* N equal slices instead of a slice length */
	const char *onsets;    /* cut at transients instead: the grains follow the playing */
	sh_range shuffle;      /* 0: order kept; 1: every slice moves */
	sh_range stutter;      /* 0: none; 0.3: a machine-gun repeat now and then; 1: all */
	int64_t max_repeats;   /* 2: flams; 8+: buzzing rolls */
	sh_range reverse;      /* share of pieces played backwards: swells, sucked-in hits */
	sh_range drop;         /* share of pieces turned to silence: air and gaps */
	double bpm;            /* tempo for slices in beats or note values (1/16) */
	sh_rational fps;       /* snap every cut to this frame grid (video lockstep) */
} sh_slicer_cli;

#define SH_SLICER_CLI_DEFAULTS(shuffle_p) \
	{.slice = {0.04, SH_DUR_SECONDS}, .shuffle = {shuffle_p, shuffle_p}, .stutter = {0.2, 0.2}, \
	 .max_repeats = 4, .reverse = {0.15, 0.15}, .drop = {0, 0}}

/* Option-table entries for an sh_slicer_cli named `c` (defaults quoted for cutgen). */
#define SH_SLICER_OPTIONS(c, shuffle_help)                                                              \
	{"slice", 's', SH_OPT_DURATION, &(c).slice, .scale = 0.001, .arg = "DUR",                         \
	 .help = "slice length: 40ms, 0.5s, 2f, 1/16 (bare number: ms; default 40ms)"},                     \
	{"slices", 'n', SH_OPT_INT, &(c).slices, 1, 10000000, .help = "cut into N equal slices instead"},     \
	{"onsets", 0, SH_OPT_STRING, &(c).onsets, .arg = "FILE", .no_preset = true,                        \
	 .help = "cut at the onsets in FILE (JSON from onsets(1)) instead"},                                \
	{"shuffle", 'S', SH_OPT_RANGE, &(c).shuffle, 0, 1, .arg = "P", .help = shuffle_help},             \
	{"stutter", 't', SH_OPT_RANGE, &(c).stutter, 0, 1, .arg = "P", .help = "chance a piece repeats, 0..1 (default 0.2)"}, \
	{"max-repeats", 'm', SH_OPT_INT, &(c).max_repeats, 2, 64, .help = "a stutter plays 2..N times (default 4)"}, \
	{"reverse", 'r', SH_OPT_RANGE, &(c).reverse, 0, 1, .arg = "P", .help = "chance a piece plays backwards (default 0.15)"}, \
	{"drop", 'd', SH_OPT_RANGE, &(c).drop, 0, 1, .arg = "P", .help = "chance a piece is silence (default 0)"}, \
	{"bpm", 'b', SH_OPT_DOUBLE, &(c).bpm, 1, 1000, .help = "tempo for beat and note-value slices"},      \
	{"fps", 'f', SH_OPT_RATE, &(c).fps, .help = "snap cuts to this frame rate (30, 25, 30000/1001)"}

/* Fill the slicer's knobs from the command line: ranges drawn from their own
 * stream of `seed`, the slice resolved against bpm/fps/rate, onsets loaded
 * (*onsets_out must be freed). so->total, rate and fps must be set first (fps is
 * taken from the command line when given). Dies on bad combinations. */
void sh_slicer_from_cli(const sh_slicer_cli *c, uint64_t seed, sh_slicer_opts *so, double **onsets_out);
/* The knobs drawn for this run, for a cut list's made_by record. */
void *sh_slicer_drawn_json(const sh_slicer_opts *so);

#endif
