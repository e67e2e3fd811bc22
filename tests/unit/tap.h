/* tap.h -- tiny test helpers for unit tests: "ok - ..." / "not ok - ..." lines. */
#ifndef SHARDS_TAP_H
#define SHARDS_TAP_H
#include <stdio.h>
static int tap_failed;
#define CHECK(cond, ...)                                                                 \
	do {                                                                             \
		if (cond) {                                                              \
			printf("ok - " __VA_ARGS__);                                     \
			printf("\n");                                                    \
		} else {                                                                 \
			printf("not ok - " __VA_ARGS__);                                 \
			printf("  (%s:%d: %s)\n", __FILE__, __LINE__, #cond);          \
			tap_failed = 1;                                                  \
		}                                                                        \
	} while (0)
#endif
