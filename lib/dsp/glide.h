/* glide.h -- what the C effects share to move without clicks: a linear glide
 * of a level towards its new value, and a cheap sine for their LFOs.
 * Header-only: both run per frame in inner loops, where a call would cost more
 * than the work. */
#ifndef SHARDS_GLIDE_H
#define SHARDS_GLIDE_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

/* A value that glides to its target in a straight line over LEFT frames. */
typedef struct {
	float v, target, step;
	int left;
} sh_glide;

/* Jump to V at once (at start: nothing to glide from). */
static inline void sh_glide_now(sh_glide *g, float v)
{
	g->v = g->target = v;
	g->step = 0;
	g->left = 0;
}

/* Glide to TARGET over FRAMES frames (0 or less: at once). */
static inline void sh_glide_to(sh_glide *g, float target, int frames)
{
	g->target = target;
	g->left = frames > 0 ? frames : 0;
	g->step = g->left ? (target - g->v) / (float)g->left : 0;
	if (!g->left)
		g->v = target;
}

/* The next N per-frame values into OUT. */
static inline void sh_glide_fill(sh_glide *g, float *out, size_t n)
{
	size_t i = 0;
	for (; i < n && g->left > 0; i++) {
		out[i] = g->v;
		g->v = --g->left ? g->v + g->step : g->target;
	}
	for (; i < n; i++)
		out[i] = g->v;
}

/* sin(2 pi PH) for a phase in cycles (-0.5 or more): folded to a quarter cycle
 * and a Taylor series there, within 1e-9 and several times cheaper than libm's
 * sin, which the LFOs would call every frame. */
static inline double sh_sin_cycles(double ph)
{
	/* ph - round(ph) by a cast (libm's floor is a call without SSE4.1) */
	double t = ph - (double)(int64_t)(ph + 0.5);
	if (t > 0.25)
		t = 0.5 - t;
	else if (t < -0.25)
		t = -0.5 - t;
	const double x = 2 * M_PI * t, x2 = x * x;
	return x * (1 + x2 * (-1.0 / 6 + x2 * (1.0 / 120 + x2 * (-1.0 / 5040 + x2 * (1.0 / 362880 +
	       x2 * (-1.0 / 39916800 + x2 / 6227020800.0))))));
}

#endif
