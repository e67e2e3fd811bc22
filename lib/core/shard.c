/* shard.c -- one share of a list of work; see shard.h. */
#include "shard.h"
#include "err.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* xxHash from its Debian package, compiled in (no library to link) */
#define XXH_INLINE_ALL
#include <xxhash.h>

static int parse_count(const char *s, const char *end, long *out)
{
	if (s == end || end - s > 7)
		return -1;
	long v = 0;
	for (const char *p = s; p < end; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	*out = v;
	return 0;
}

int sh_shard_parse(const char *text, sh_shard *s)
{
	const char *slash = strchr(text, '/');
	long i, n;
	if (!slash || parse_count(text, slash, &i) != 0 || parse_count(slash + 1, slash + 1 + strlen(slash + 1), &n) != 0 ||
	    n < 1 || n > SH_SHARD_MAX || i < 1 || i > n) {
		sh_set_error("'%s' is not I/N with 1 <= I <= N <= %d", text, SH_SHARD_MAX);
		return -1;
	}
	s->index = (int)i;
	s->count = (int)n;
	return 0;
}

bool sh_shard_has(const sh_shard *s, const char *key)
{
	if (s->count <= 1)
		return true;
	return XXH3_64bits(key, strlen(key)) % (uint64_t)s->count == (uint64_t)(s->index - 1);
}
