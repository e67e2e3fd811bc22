/* rng.c -- xoshiro256** seeded by splitmix64; see rng.h. */
#include "rng.h"

#include <math.h>
#include <stdatomic.h>

/* Set by the first draw whose value can change an output: the run's seed then
 * matters and is kept (params.h). Checked before it is set, so threads drawing
 * at full speed share the flag's cache line instead of fighting over it. */
static atomic_bool drawn;

void sh_rng_mark_drawn(void)
{
	if (!atomic_load_explicit(&drawn, memory_order_relaxed))
		atomic_store_explicit(&drawn, true, memory_order_relaxed);
}

bool sh_rng_drawn(void) { return atomic_load_explicit(&drawn, memory_order_relaxed); }

void sh_rng_restore_drawn(bool was) { atomic_store_explicit(&drawn, was, memory_order_relaxed); }

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void sh_rng_seed(sh_rng *r, uint64_t seed)
{
	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t step(sh_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t sh_rng_next(sh_rng *r)
{
	sh_rng_mark_drawn();
	return step(r);
}

static double unit(sh_rng *r) { return (double)(step(r) >> 11) * 0x1.0p-53; }

double sh_rng_quiet_uniform(sh_rng *r) { return unit(r); }

double sh_rng_uniform(sh_rng *r)
{
	sh_rng_mark_drawn();
	return unit(r);
}

double sh_rng_between(sh_rng *r, double lo, double hi)
{
	double u = unit(r); /* always drawn, so streams stay aligned */
	if (lo == hi)
		return lo;
	sh_rng_mark_drawn();
	return lo + (hi - lo) * u;
}

long sh_rng_int_between(sh_rng *r, long lo, long hi)
{
	double u = unit(r); /* always drawn, so streams stay aligned */
	if (hi > lo)
		sh_rng_mark_drawn();
	double x = (double)lo + ((double)hi + 1 - (double)lo) * u;
	long n = (long)floor(x);
	return n > hi ? hi : n;
}

void sh_rng_skip(sh_rng *r, int n)
{
	while (n-- > 0)
		(void)step(r);
}

uint64_t sh_rng_below(sh_rng *r, uint64_t n)
{
	if (n > 1)
		sh_rng_mark_drawn();
	__uint128_t m = (__uint128_t)step(r) * n;
	uint64_t low = (uint64_t)m;
	if (low < n) {
		uint64_t threshold = -n % n;
		while (low < threshold) {
			m = (__uint128_t)step(r) * n;
			low = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

bool sh_rng_chance(sh_rng *r, double p)
{
	double u = unit(r);
	if (p > 0 && p < 1)
		sh_rng_mark_drawn();
	return u < p;
}

double sh_rng_gauss(sh_rng *r)
{
	/* Marsaglia's polar method: only sqrt and log, no trigonometry */
	double u, v, s;
	do {
		u = 2 * sh_rng_uniform(r) - 1;
		v = 2 * sh_rng_uniform(r) - 1;
		s = u * u + v * v;
	} while (s >= 1 || s == 0);
	return u * sqrt(-2 * log(s) / s);
}

sh_rng sh_rng_fork(sh_rng *r)
{
	sh_rng child;
	sh_rng_seed(&child, step(r)); /* not a draw: only the child's draws count */
	return child;
}
