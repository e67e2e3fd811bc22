/* chooser.h -- randomness policies: how a generator draws one choice of several.
 *
 * Every program that draws a choice (arp's random pattern, euclid's and arp's
 * chance to fire, route's pick) takes --random POLICY and draws through this:
 *   uniform            each draw independent, by the program's own weights
 *                      (equal, --to weights, or chance p against 1-p): the default
 *   weighted:W1,W2,...  choice i's weight is the program's times Wi; choices past
 *                      the list weigh 0
 *   walk:STEP          the draws are a random walk: the point on the cumulative
 *                      weights (0..1) moves at most STEP each draw, reflected at
 *                      the ends, so neighbouring choices follow each other
 *   markov:FILE        a transition matrix (JSON array of N arrays of N weights):
 *                      after choice i, choice j weighs row i's j-th entry times
 *                      the program's; the first draw uses the program's alone
 * A draw whose policy gives no positive weight to any choice there is falls back
 * to the program's own weights. */
#ifndef SHARDS_CHOOSER_H
#define SHARDS_CHOOSER_H

#include <stdbool.h>

#include "rng.h"

#define SH_CHOOSER_MAX 256 /* weights in a list, rows and columns of a matrix */

typedef struct sh_chooser sh_chooser;

/* Parse POLICY (NULL or "" is uniform); NULL with sh_error() naming what is wrong. */
sh_chooser *sh_chooser_new(const char *policy);
void sh_chooser_free(sh_chooser *c);
/* *C becomes POLICY's chooser (the old one freed); -1 with sh_error() and *C as it
 * was when POLICY is bad. A program's --random calls this at setup and when a
 * param event changes it. */
int sh_chooser_set(sh_chooser **c, const char *policy);

/* One of N choices (N > 0) drawn by weights W (NULL: all equal, 0 or more each). */
int sh_chooser_pick(sh_chooser *c, sh_rng *rng, const double *w, int n);
/* A chance of P: choice 0 of {fire with P, rest with 1-P}. */
bool sh_chooser_chance(sh_chooser *c, sh_rng *rng, double p);

/* The policies, for --help. */
#define SH_CHOOSER_HELP "uniform | weighted:W1,W2,... | walk:STEP | markov:FILE"

#endif
