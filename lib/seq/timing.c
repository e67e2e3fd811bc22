/* timing.c -- beats and seconds, sleeping, real-time priority; see timing.h. */
#define _GNU_SOURCE
#include "timing.h"
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

void sh_tempomap_init(sh_tempomap *tm, double bpm)
{
	tm->beat0 = 0;
	tm->sec0 = 0;
	tm->bpm = bpm;
}

double sh_tempomap_seconds(const sh_tempomap *tm, double beat)
{
	return tm->sec0 + (beat - tm->beat0) * 60.0 / tm->bpm;
}

void sh_tempomap_set(sh_tempomap *tm, double beat, double bpm)
{
	tm->sec0 = sh_tempomap_seconds(tm, beat);
	tm->beat0 = beat;
	tm->bpm = bpm;
}

void sh_sleep_until(double when)
{
	struct timespec ts;
	ts.tv_sec = (time_t)floor(when);
	ts.tv_nsec = (long)((when - floor(when)) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

bool sh_try_realtime(int level)
{
	struct sched_param sp;
	memset(&sp, 0, sizeof sp);
	sp.sched_priority = sched_get_priority_min(SCHED_FIFO) + level;
	bool ok = sched_setscheduler(0, SCHED_FIFO, &sp) == 0;
	if (ok)
		mlockall(MCL_CURRENT | MCL_FUTURE);
	else if (setpriority(PRIO_PROCESS, 0, -15) != 0)
		(void)setpriority(PRIO_PROCESS, 0, -5);
	return ok;
}

void sh_sleep_until_precise(double when)
{
	double now = sh_now();
	if (when - now > 0.0004)
		sh_sleep_until(when - 0.0003);
	while (sh_now() < when)
		; /* at most a few hundred microseconds */
}

int sh_events_length(const sh_option *opts, const sh_evlength *len, double bpm, bool live, double *beats)
{
	/* 0 is what --print-config writes for a length not given: endless */
	bool bars = sh_option_given(opts, "bars") && len->bars > 0;
	bool beats_given = sh_option_given(opts, "beats") && len->beats > 0;
	bool duration = sh_option_given(opts, "duration");
	if (bars + beats_given + duration > 1) {
		sh_set_error("give one of --bars, --beats and --duration");
		return -1;
	}
	/* off-line, a forgotten length would fill a disk: a default stands in */
	*beats = live ? INFINITY : (double)(SH_EVLENGTH_DEFAULT_BARS * len->beats_per_bar);
	if (bars)
		*beats = (double)(len->bars * len->beats_per_bar);
	else if (beats_given)
		*beats = len->beats;
	else if (duration) {
		double sec;
		if (len->duration.unit == SH_DUR_BEATS)
			*beats = len->duration.amount;
		else if (sh_duration_seconds(&len->duration, bpm, 0, 0, &sec) != 0) {
			sh_set_error("--duration: %s", sh_error());
			return -1;
		} else
			*beats = sec * bpm / 60.0;
	}
	return 0;
}
