/* cutlist.h -- the cut-list model (schema version 1, see shards(7)).
 *
 * A cut list describes an output timeline as a sequence of pieces of a source
 * timeline. Positions are seconds. A consumer at rate R maps the k-th output
 * boundary (the sum of the first k durations) to round(sum * R) and a piece's
 * source start to round(src * R), so errors never accumulate. */
#ifndef SHARDS_CUTLIST_H
#define SHARDS_CUTLIST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"

#define SH_CUTLIST_VERSION 1
#define SH_CUTLIST_MAX_CUTS 20000000 /* bounds memory on hostile input */
#define SH_CUTLIST_MAX_SECONDS 1e7   /* positions beyond ~115 days are nonsense */
#define SH_CUTLIST_MAX_GAIN 1000.0   /* +60 dB: louder is a mistake, not a sound */
#define SH_CUTLIST_MAX_BYTES ((size_t)1 << 31) /* a document larger than 2 GiB is not a cut list */

typedef struct {
	double src;     /* source start, seconds (ignored when silence) */
	double dur;     /* length, seconds, > 0 */
	double gain;    /* linear, default 1 */
	bool reverse;   /* play the piece backwards */
	bool silence;   /* a dropped piece: silence (audio) / black or hold (video) */
} sh_cut;

typedef struct {
	double src_duration; /* seconds, 0 if unknown */
	double src_rate;     /* samples per second of the source, 0 if unknown */
	sh_rational fps;     /* frame grid, {0,0} if none */
	bool has_seed;
	uint64_t seed;
	json_t *made_by;     /* {"program":..., "options":{...}} or NULL; owned */
	sh_cut *cuts;
	size_t n, cap;
} sh_cutlist;

sh_cutlist *sh_cutlist_new(void);
void sh_cutlist_free(sh_cutlist *cl);
void sh_cutlist_push(sh_cutlist *cl, sh_cut c);

/* Parse and validate; NULL with sh_error() naming the cut index and field. */
sh_cutlist *sh_cutlist_parse(const char *text, size_t len);
/* Parse a document read from fd as it arrives, after npre bytes already read
 * from it (pre); refused past max_bytes without holding them. */
sh_cutlist *sh_cutlist_read(int fd, const char *pre, size_t npre, size_t max_bytes);
/* Load from a file ("-" = stdin), streamed; NULL with a one-line sh_error() naming it. */
sh_cutlist *sh_cutlist_load(const char *path);
/* Serialise (compact, one cut per line). Caller frees. */
char *sh_cutlist_dump(const sh_cutlist *cl);

/* Output length in seconds (sum of durations). */
double sh_cutlist_duration(const sh_cutlist *cl);

/* compose(A, B): B is a cut list over A's output timeline; the result is the
 * same pass over A's source. Works in A's sample grid (A->src_rate) when known,
 * so rendering A then B equals rendering the composition sample for sample. */
sh_cutlist *sh_cutlist_compose(const sh_cutlist *a, const sh_cutlist *b);

/* Map a position in seconds to an index on a grid of RATE per second. */
static inline int64_t sh_seconds_to_index(double seconds, double rate)
{
	double x = seconds * rate;
	return (int64_t)(x < 0 ? x - 0.5 : x + 0.5);
}

/* Walk a list's pieces on a grid of `rate` steps per second (samples or frames),
 * by the rounding rule above: each call gives the next piece with a positive
 * length (pieces that round to nothing are skipped). */
typedef struct {
	const sh_cutlist *cl;
	double rate, cum;
	int64_t prev;
	size_t next;
} sh_cut_walk;

static inline sh_cut_walk sh_cut_walk_start(const sh_cutlist *cl, double rate)
{
	return (sh_cut_walk){.cl = cl, .rate = rate};
}

/* false at the end; else *index is the cut and *len its length in grid steps. */
static inline bool sh_cut_walk_next(sh_cut_walk *w, size_t *index, int64_t *len)
{
	while (w->next < w->cl->n) {
		size_t i = w->next++;
		w->cum += w->cl->cuts[i].dur;
		int64_t end = sh_seconds_to_index(w->cum, w->rate);
		int64_t n = end - w->prev;
		w->prev = end;
		if (n > 0) {
			*index = i;
			*len = n;
			return true;
		}
	}
	return false;
}

#endif
