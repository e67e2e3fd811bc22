/* shard.h -- one share of a list of work, for runs split across processes or
 * machines: --shard I/N takes the items whose key hashes to I (1..N) modulo N.
 *
 * The key is a name that says which item it is wherever the run happens (a
 * path below the folder given, say): its hash, not its place in the list,
 * picks the share, so adding or removing items never moves the others from one
 * share to another, and shares 1/N .. N/N together hold every item exactly
 * once. The hash is XXH3 (64 bits) of the key's bytes, the same on every
 * machine and in every version of xxHash from 0.8 on. */
#ifndef SHARDS_SHARD_H
#define SHARDS_SHARD_H

#include <stdbool.h>

#define SH_SHARD_MAX 1000000

typedef struct {
	int index; /* 1..count; count 0: no split, every item */
	int count;
} sh_shard;

/* "I/N", 1 <= I <= N <= SH_SHARD_MAX: 0, or -1 with sh_error(). */
int sh_shard_parse(const char *text, sh_shard *s);
/* Is the item KEY in this share? Always with count 0. */
bool sh_shard_has(const sh_shard *s, const char *key);

#endif
