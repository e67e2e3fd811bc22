/* events.h -- the event pipe: JSON Lines in, JSON Lines out.
 *
 * One JSON object per line; every event has "t" (time in beats, finite, >= 0,
 * non-decreasing along the stream) and "type" (a string). A reader hands out one
 * event at a time with its original line text, so an event a program does not
 * consume is written back byte for byte. Errors name the input and the line:
 * "prog: stdin: line 12: ...". With skip_bad a malformed or out-of-order line is
 * warned about and skipped instead.
 *
 * The writer buffers output and flushes whenever the reader is about to wait for
 * more input (so a live pipeline moves line by line while an offline one moves in
 * big blocks), or after every line when live is set. */
#ifndef SHARDS_EVENTS_H
#define SHARDS_EVENTS_H

#include <jansson.h>
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

#include "cli.h"

typedef struct {
	double t;          /* beats */
	const char *type;  /* "tick", "note", ... (owned by obj) */
	json_t *obj;       /* the whole event */
	const char *line;  /* original text, without the newline */
	size_t len;
	long lineno;       /* 1-based line number in its input */
	const char *src;   /* input name: "stdin" or the path */
} sh_event;

typedef struct sh_evreader sh_evreader;
typedef struct sh_evwriter sh_evwriter;

/* path NULL or "-" is stdin. Dies (exit 1) when the file cannot be opened. */
sh_evreader *sh_evreader_open(const char *path, bool skip_bad);
/* Next event: 1 when one was read, 0 at the end of input. The event (and its
 * line text) stays valid until the next call. Dies on malformed input unless
 * skip_bad. */
int sh_evreader_next(sh_evreader *r, sh_event *ev);
/* Is a complete line already buffered (so next() would not block)? */
bool sh_evreader_buffered(const sh_evreader *r);
/* Read whatever the descriptor has now without blocking for more than one read()
 * (for poll loops): -1 error, 0 end of input, 1 data or nothing. */
int sh_evreader_fill(sh_evreader *r);
int sh_evreader_fd(const sh_evreader *r);
bool sh_evreader_eof(const sh_evreader *r);
const char *sh_evreader_name(const sh_evreader *r);
long sh_evreader_skipped(const sh_evreader *r);
void sh_evreader_close(sh_evreader *r);
/* Flush W before the reader waits for input (NULL: nothing). */
void sh_evreader_flush_before_wait(sh_evreader *r, sh_evwriter *w);
/* Report a bad event a program tried to consume: dies naming input and line, or
 * with skip_bad warns and returns (the caller then drops the event). */
void sh_event_bad(sh_evreader *r, const sh_event *ev, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Field helpers: 0 on success, -1 when missing or of the wrong kind. */
int sh_ev_number(const sh_event *ev, const char *key, double *out);
int sh_ev_string(const sh_event *ev, const char *key, const char **out);
bool sh_ev_is(const sh_event *ev, const char *type);
/* A "param" event addressed to NAME: sets *param and *value (owned by the event). */
bool sh_ev_param_for(const sh_event *ev, const char *name, const char **param, json_t **value);
/* A param value as a number (a JSON number or a numeric string); -1 otherwise. */
int sh_json_to_double(json_t *v, double *out);
/* A "note" event's fields, velocity and gate defaulting to 0.8 and 0.25 beats. False
 * (after sh_event_bad) when one is missing or out of range: pitch 0..127 (whole when
 * whole_pitch: MIDI has no microtones), velocity 0..1, gate > 0. */
typedef struct {
	double pitch, velocity, gate;
} sh_evnote;
bool sh_ev_note(sh_evreader *r, const sh_event *ev, bool whole_pitch, sh_evnote *n);
/* A "tempo" event's bpm (1..999); false after sh_event_bad. */
bool sh_ev_tempo(sh_evreader *r, const sh_event *ev, double *bpm);

/* ---- writing ---- */
sh_evwriter *sh_evwriter_open(int fd, bool live);
/* A program's -o: path NULL or "-" is stdout; a file is written beside its name and
 * renamed over it by sh_evwriter_close (sh_atomic_*), so a run that dies leaves nothing. */
sh_evwriter *sh_evwriter_create(const char *path, bool live);
void sh_evwriter_live(sh_evwriter *w, bool live);
/* The original line of EV, unchanged. */
void sh_evwriter_pass(sh_evwriter *w, const sh_event *ev);
void sh_evwriter_raw(sh_evwriter *w, const char *line, size_t len); /* adds '\n' */
void sh_evwriter_json(sh_evwriter *w, json_t *obj); /* compact, keys in order */
void sh_evwriter_flush(sh_evwriter *w);
void sh_evwriter_close(sh_evwriter *w); /* flush; commit the file */

/* Option-table entries the event programs share. */
#define SH_EV_OUTPUT_OPTION(dest) \
	{"output", 'o', SH_OPT_STRING, &(dest), .no_preset = true, .arg = "FILE", .help = "write to FILE (default stdout)"}
#define SH_EV_SKIP_BAD_OPTION(dest) {"skip-bad", 0, SH_OPT_FLAG, &(dest), .help = "warn about bad lines and go on"}
/* --live of a filter (a generator's --live paces by the wall clock: its own entry) */
#define SH_EV_LIVE_OPTION(dest) {"live", 'l', SH_OPT_FLAG, &(dest), .help = "flush after every line"}

/* Building an event line by hand (fast, keys in the order given):
 *   sh_evline_begin(&l, t, "note"); sh_evline_num(&l, "pitch", 60); ... sh_evline_end(&l);
 *   sh_evwriter_raw(w, l.buf, l.len); */
typedef struct {
	char buf[1024];
	size_t len;
} sh_evline;
void sh_evline_begin(sh_evline *l, double t, const char *type);
void sh_evline_num(sh_evline *l, const char *key, double v);
void sh_evline_str(sh_evline *l, const char *key, const char *s);
void sh_evline_end(sh_evline *l);

/* ---- timing ---- */
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

/* ---- Euclidean rhythms ----
 * E(pulses, steps) by Bjorklund's algorithm in the rotation of Toussaint's table
 * (step 0 is an onset): E(3,8) = x..x..x., E(5,8) = x.xx.xx., E(3,4) = x.xx.
 * rotation R moves every onset R steps later (negative: earlier). Negative pulses
 * give the complement of E(-pulses, steps). out[i] is 1 for an onset. -1 with
 * sh_error() when steps is outside 1..SH_EUCLID_MAX or |pulses| > steps. */
#define SH_EUCLID_MAX 1024
int sh_euclid(int steps, int pulses, int rotation, unsigned char *out);

/* A generator's length in beats from its --bars (of bpb beats), --beats or
 * --duration (seconds at bpm, or beats) options; INFINITY when none is given,
 * a usage error when more than one is. */
double sh_events_length(const sh_option *opts, int64_t bars, int64_t bpb, double beats, const sh_duration *dur,
                        double bpm);

#endif
