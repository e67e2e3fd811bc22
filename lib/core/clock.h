/* clock.h -- the monotonic clock, and progress on stderr when it is a terminal. */
#ifndef SHARDS_CLOCK_H
#define SHARDS_CLOCK_H

#include <stdbool.h>

/* Progress on a terminal only, for work longer than a second or two. */
typedef struct {
	double start, last;
	bool active;
	const char *what;
} sh_progress;
void sh_progress_start(sh_progress *p, const char *what);
void sh_progress_update(sh_progress *p, double fraction); /* 0..1, or <0 unknown */
void sh_progress_end(sh_progress *p);
double sh_now(void); /* monotonic seconds */

#endif
