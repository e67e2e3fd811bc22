/* slicer.h -- the micro-sampling pass: slice a source timeline, then shuffle,
 * stutter, reverse and drop pieces by chance, as a cut list.
 *
 * Everything happens on the integer sample grid of the source (and on the frame
 * grid when fps is set), so a pass depends only on (length in samples, rate, fps,
 * options, seed): the same pass over a rendered cut list's output and over the
 * list itself (then composed) gives the same cuts. */
#ifndef SHARDS_SLICER_H
#define SHARDS_SLICER_H

#include <stdbool.h>
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
	bool whole_frames;     /* with fps: the source ends at its last whole frame, so every piece
	                          and the list are whole frames long */
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
	bool whole_frames;     /* leave out the source's last part of a frame */
} sh_slicer_cli;

#define SH_SLICER_CLI_DEFAULTS(shuffle_p) \
	{.slice = {0.04, SH_DUR_SECONDS}, .shuffle = {shuffle_p, shuffle_p}, .stutter = {0.2, 0.2}, \
	 .max_repeats = 4, .reverse = {0.15, 0.15}, .drop = {0, 0}}

/* Option-table rows for an sh_slicer_cli named `c`; --help prints the defaults
 * of the program's own sh_slicer_cli. */
#define SH_SLICER_OPTIONS(c)                                                                              \
	{.name = "slice", .short_name = 's', .type = SH_OPT_DURATION, .dest = &(c).slice, .scale = 0.001,      \
	 .arg = "DUR", .help = "slice length: 40ms, 0.5s, 2f, 1/16 (bare number: ms); 250ms and up keeps phrases"}, \
	{.name = "slices", .short_name = 'n', .type = SH_OPT_INT, .dest = &(c).slices, .min = 1, .max = 10000000, \
	 .help = "cut into N equal slices instead"},                                                             \
	{.name = "onsets", .type = SH_OPT_STRING, .dest = &(c).onsets, .arg = "FILE", .no_preset = true,           \
	 .help = "cut at the onsets in FILE (JSON from onsets(1)) instead: the grains follow the playing"},       \
	{.name = "shuffle", .short_name = 'S', .type = SH_OPT_RANGE, .dest = &(c).shuffle, .min = 0, .max = 1,   \
	 .arg = "P", .help = "chance a slice moves, 0..1: 0 keeps the order, 1 moves every slice"},             \
	{.name = "stutter", .short_name = 't', .type = SH_OPT_RANGE, .dest = &(c).stutter, .min = 0, .max = 1,   \
	 .arg = "P", .help = "chance a piece repeats, 0..1: 0.3 is a machine-gun repeat now and then"},           \
	{.name = "max-repeats", .short_name = 'm', .type = SH_OPT_INT, .dest = &(c).max_repeats, .min = 2,       \
	 .max = 64, .help = "a stutter plays 2..N times: 2 flams, 8 and up buzzing rolls"},                      \
	{.name = "reverse", .short_name = 'R', .type = SH_OPT_RANGE, .dest = &(c).reverse, .min = 0, .max = 1,   \
	 .arg = "P", .help = "chance a piece plays backwards, 0..1: swells and sucked-in hits"},                  \
	{.name = "drop", .short_name = 'd', .type = SH_OPT_RANGE, .dest = &(c).drop, .min = 0, .max = 1,         \
	 .arg = "P", .help = "chance a piece is silence, 0..1: air and gaps"},                                   \
	{.name = "bpm", .short_name = 'b', .type = SH_OPT_DOUBLE, .dest = &(c).bpm, .min = 1, .max = 1000,        \
	 .unit = "BPM", .help = "tempo for beat and note-value slices"},                                         \
	{.name = "fps", .short_name = 'f', .type = SH_OPT_RATE, .dest = &(c).fps,                               \
	 .help = "snap cuts to this frame rate (30, 25, 30000/1001)"}

/* The pass a program's command line asks for: the slicer's knobs filled from it
 * (ranges drawn from their own stream of `seed`, the slice resolved against
 * bpm/fps/rate, onsets loaded), then sh_slice. so->total, rate and fps must be
 * set first (fps is taken from the command line when given). 0 with the list in
 * *out, or the exit status the problem calls for, with sh_error():
 * SH_EXIT_USAGE for a slice the options cannot resolve, SH_EXIT_FAIL for an
 * onsets file that cannot be read or a source that cannot be sliced (named
 * SOURCE in the message when not NULL). */
int sh_slicer_pass(const sh_slicer_cli *c, uint64_t seed, sh_slicer_opts *so, const char *source, sh_cutlist **out);
/* A cut list's made_by record (a json_t *): PROGRAM, the version, its settings
 * (OPTIONS, a json_t * the record takes) and the knobs drawn for this run. */
void *sh_slicer_made_by(const char *program, void *options, const sh_slicer_opts *so);

#endif
