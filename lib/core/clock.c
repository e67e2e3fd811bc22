/* clock.c -- the monotonic clock and progress on a terminal; see clock.h. */
#include "clock.h"
#include "err.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------- progress */

double sh_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void sh_progress_start(sh_progress *p, const char *what)
{
	p->start = p->last = sh_now();
	p->active = isatty(2);
	p->what = what;
}

void sh_progress_update(sh_progress *p, double fraction)
{
	if (!p->active)
		return;
	double t = sh_now();
	/* only for work longer than a second or two, at most 10 redraws a second */
	if (t - p->start < 1.5 || t - p->last < 0.1)
		return;
	p->last = t;
	if (fraction >= 0) {
		int w = 30, filled = (int)(fraction * w + 0.5);
		if (filled > w)
			filled = w;
		fprintf(stderr, "\r%s: %s [%.*s%*s] %3d%%", sh_progname, p->what, filled,
		        "##############################", w - filled, "", (int)(fraction * 100));
	} else {
		fprintf(stderr, "\r%s: %s %.0fs", sh_progname, p->what, t - p->start);
	}
}

void sh_progress_end(sh_progress *p)
{
	if (p->active && sh_now() - p->start >= 1.5)
		fprintf(stderr, "\r\033[K");
	p->active = false;
}

