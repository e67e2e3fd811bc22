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

#endif
