/* sink.h -- the end of a processor chain in unit tests: every frame it is given,
 * kept in a growing buffer. */
#ifndef SHARDS_TEST_SINK_H
#define SHARDS_TEST_SINK_H
#include <string.h>

#include "cli.h"

typedef struct {
	float *buf;
	size_t n, cap; /* samples */
	int ch;        /* channels per frame */
} sink;

/* A chain's sink callback: USER is a sink whose ch is set. */
static int collect(void *user, const float *b, size_t frames)
{
	sink *k = user;
	const size_t add = frames * (size_t)k->ch;
	if (k->n + add > k->cap) {
		k->cap = (k->n + add) * 2;
		k->buf = sh_realloc(k->buf, k->cap, sizeof(float));
	}
	memcpy(k->buf + k->n, b, add * sizeof(float));
	k->n += add;
	return 0;
}
#endif
