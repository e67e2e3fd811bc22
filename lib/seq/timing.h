/* timing.h -- time on the event pipe: beats to seconds through tempo changes,
 * sleeping until a moment, real-time priority, and a generator's length. */
#ifndef SHARDS_TIMING_H
#define SHARDS_TIMING_H

#include <stdbool.h>
#include <stdint.h>

#include "params.h"
#include "units.h"

/* Beats to seconds and back through a tempo map that grows as tempo events
 * arrive (bpm changes take effect at their beat). */
typedef struct {
	double beat0, sec0, bpm; /* the current segment starts at beat0 = sec0 */
} sh_tempomap;
void sh_tempomap_init(sh_tempomap *tm, double bpm);
void sh_tempomap_set(sh_tempomap *tm, double beat, double bpm); /* beat >= beat0 */
double sh_tempomap_seconds(const sh_tempomap *tm, double beat); /* beat >= beat0 */

/* Sleep until the monotonic clock reaches `when` (seconds, as sh_now()). */
void sh_sleep_until(double when);
/* Try to get real-time scheduling (SCHED_FIFO at `level` above the minimum:
 * sinks highest, generators next, filters below) and locked memory; falls back
 * to the highest nice level allowed; quiet when refused. True when FIFO was granted. */
enum { SH_RT_FILTER = 5, SH_RT_GENERATOR = 10, SH_RT_SINK = 20 };
bool sh_try_realtime(int level);
/* Sleep until `when`, waking a little early and spinning the last stretch, for
 * sub-millisecond accuracy on a busy machine. */
void sh_sleep_until_precise(double when);

/* A generator's length: --bars (of --beats-per-bar beats), --beats or --duration
 * (seconds at the tempo, or beats), at most one of them; when none is given (0
 * bars or beats, as --print-config writes them, is none), endless with --live
 * and SH_EVLENGTH_DEFAULT_BARS bars off-line, where an endless stream would
 * only fill a disk. SH_EVLENGTH_OPTIONS(var) are the table's rows for them. */
#define SH_EVLENGTH_DEFAULT_BARS 64
typedef struct {
	int64_t bars, beats_per_bar;
	double beats;
	sh_duration duration;
} sh_evlength;
#define SH_EVLENGTH_DEFAULTS {.beats_per_bar = 4, .duration = {0, SH_DUR_SECONDS}}
#define SH_EVLENGTH_OPTIONS(var)                                                                            \
	{.name = "bars", .type = SH_OPT_INT, .dest = &(var).bars, .min = 0, .max = 1e7, .unit = "bars",         \
	 .help = "stop after N bars; 0: none (64 bars, endless with --live)"},                                              \
	{.name = "beats", .type = SH_OPT_DOUBLE, .dest = &(var).beats, .min = 0, .max = 1e9, .unit = "beats",   \
	 .help = "stop after N beats; 0: none (64 bars, endless with --live)"},                                             \
	{.name = "duration", .short_name = 'd', .type = SH_OPT_DURATION, .dest = &(var).duration, .scale = 1,   \
	 .arg = "DUR", .help = "stop after DUR (10s, 2min, 32b; bare number: seconds)"},                       \
	{.name = "beats-per-bar", .type = SH_OPT_INT, .dest = &(var).beats_per_bar, .min = 1, .max = 64,        \
	 .unit = "beats", .help = "beats in a bar, for --bars"}
/* The length in beats at BPM (INFINITY: endless): 0, or -1 with sh_error() (a
 * usage error) when more than one was given. */
int sh_events_length(const sh_option *opts, const sh_evlength *len, double bpm, bool live, double *beats);

#endif
