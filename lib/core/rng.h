/* rng.h -- the suite's own random numbers, identical on every platform.
 *
 * Algorithm (fixed; changing it changes every seeded output): xoshiro256**
 * (Blackman & Vigna 2018), its 256-bit state filled from the 64-bit seed by four
 * steps of splitmix64. Doubles in [0,1) take the top 53 bits. Integers below n use
 * Lemire's multiply-and-reject, so they are unbiased. Independent streams for one
 * seed come from sh_rng_fork, which seeds a child from the parent's next output. */
#ifndef SHARDS_RNG_H
#define SHARDS_RNG_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
	uint64_t s[4];
} sh_rng;

void sh_rng_seed(sh_rng *r, uint64_t seed);
uint64_t sh_rng_next(sh_rng *r);
double sh_rng_uniform(sh_rng *r);                /* [0,1) */
double sh_rng_between(sh_rng *r, double lo, double hi); /* [lo,hi), lo when lo==hi */
long sh_rng_int_between(sh_rng *r, long lo, long hi);    /* lo..hi, both included */
void sh_rng_skip(sh_rng *r, int n); /* n draws nobody uses, so streams stay aligned */
uint64_t sh_rng_below(sh_rng *r, uint64_t n);    /* [0,n), n > 0 */
bool sh_rng_chance(sh_rng *r, double p);         /* true with probability p */
double sh_rng_gauss(sh_rng *r);                  /* mean 0, deviation 1 */
sh_rng sh_rng_fork(sh_rng *r);

/* Whether any generator has drawn a value that can change an output: a value
 * between equal bounds, a chance of 0 or 1, an integer below 1 and a fork do not
 * count. The run's seed matters once this is true (params.h keeps it). */
bool sh_rng_drawn(void);
/* Draws that matter only through later ones (a noise table that rows then pick
 * from) put the flag back to what it was before them. */
void sh_rng_restore_drawn(bool was);
/* A generator seeded apart from the run's seed (a fixed dither seed) draws
 * quietly, and says itself when its draws do come from the run's seed. */
double sh_rng_quiet_uniform(sh_rng *r);
void sh_rng_mark_drawn(void);

#endif
