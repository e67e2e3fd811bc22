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
 * big blocks), or after every line when live is set.
 *
 * Timing (tempo maps, sleeping, real-time priority) and Euclidean rhythms are in
 * lib/seq (timing.h, euclid.h); the event-filter driver is lib/seq/evfilter.h. */
#ifndef SHARDS_EVENTS_H
#define SHARDS_EVENTS_H

#include <jansson.h>
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "units.h"

/* Limits every reader checks: times and note lengths in beats (a billion beats
 * is years at any tempo, and still exact in MIDI ticks), a tick's step (exact in
 * a double) and its grid. */
#define SH_EV_MAX_BEATS 1e9
#define SH_EV_MAX_STEP 9007199254740992.0
#define SH_EV_MAX_STEPS_PER_BEAT 1000

typedef struct sh_evreader sh_evreader;
typedef struct sh_evwriter sh_evwriter;

typedef struct {
	double t;          /* beats */
	const char *type;  /* "tick", "note", ... (owned by the reader) */
	json_t *obj;       /* the whole event, or NULL until sh_event_obj parses it */
	const char *line;  /* original text, without the newline */
	size_t len;
	long lineno;       /* 1-based line number in its input */
	const char *src;   /* input name: "stdin" or the path */
	sh_evreader *reader; /* whose fields these are (NULL: obj only) */
} sh_event;

/* path NULL or "-" is stdin. NULL with sh_error() when the file cannot be opened. */
sh_evreader *sh_evreader_open(const char *path, bool skip_bad);
/* A reader of FD (closed by sh_evreader_close), named NAME in messages; a
 * non-blocking FD suits a poll loop (sh_evreader_fill). */
sh_evreader *sh_evreader_open_fd(int fd, const char *name, bool skip_bad);
/* Next event: 1 when one was read, 0 at the end of input, -1 with sh_error()
 * (naming input and line) on malformed input without skip_bad, a read error, a
 * failed flush of the writer given to sh_evreader_flush_before_wait, or after
 * sh_event_bad refused an event. The event (and its line text) stays valid until
 * the next call. */
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
/* Report a bad event a program tried to consume, naming input and line. With
 * skip_bad: a warning, 0, and the caller drops the event. Without: -1, and the
 * reader is stopped there, so its next call returns -1 with this message; the
 * caller drops the event and goes on to that call. */
int sh_event_bad(sh_evreader *r, const sh_event *ev, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The whole event as a JSON object, parsed on first use (a reader scans plain
 * lines without building one); owned by the event, valid as long as it is. */
json_t *sh_event_obj(const sh_event *ev);

/* Field helpers: 0 on success, -1 when missing or of the wrong kind. */
int sh_ev_number(const sh_event *ev, const char *key, double *out);
int sh_ev_string(const sh_event *ev, const char *key, const char **out);
/* A MIDI channel field: a number 0..15 or a string "ch1".."ch16" (sh_parse_channel).
 * 1 when the field is absent (*out untouched), 0 when read, -1 when bad. */
int sh_ev_channel(const sh_event *ev, const char *key, int64_t *out);
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

/* ---- writing ----
 * Every write returns 0, or -1 with sh_error(); a writer that failed once stays
 * failed (each later call returns -1 at once), so a loop may check only now and then. */
sh_evwriter *sh_evwriter_open(int fd, bool live);
/* A program's -o: path NULL or "-" is stdout; a file is written beside its name and
 * renamed over it by sh_evwriter_close (sh_atomic_*), so a failed run leaves nothing.
 * NULL with sh_error() when the file cannot be created. */
sh_evwriter *sh_evwriter_create(const char *path, bool live);
void sh_evwriter_live(sh_evwriter *w, bool live);
/* The original line of EV, unchanged. */
int sh_evwriter_pass(sh_evwriter *w, const sh_event *ev);
/* EV's line with the value of its member KEY (at the top level) replaced by the
 * JSON text VALUE, every other byte as it was (numbers keep their spelling,
 * which a round trip through jansson would not): a new string of *LEN bytes,
 * or NULL when EV has no such member. */
char *sh_event_with(const sh_event *ev, const char *key, const char *value, size_t *len);
/* The same, and a member KEY (a plain name, written as given) added at the end
 * when EV has none; NULL only when EV's line is not an object. */
char *sh_event_set(const sh_event *ev, const char *key, const char *value, size_t *len);
/* EV's line without its top-level member KEY and the comma that joined it, every
 * other byte as it was; NULL when EV has no such member. */
char *sh_event_without(const sh_event *ev, const char *key, size_t *len);
int sh_evwriter_raw(sh_evwriter *w, const char *line, size_t len); /* adds '\n' */
int sh_evwriter_json(sh_evwriter *w, json_t *obj); /* compact, keys in order */
int sh_evwriter_flush(sh_evwriter *w);
bool sh_evwriter_failed(const sh_evwriter *w);
/* Flush, commit the file, free: 0, or -1 with sh_error() (the file removed). */
int sh_evwriter_close(sh_evwriter *w);
/* After an error: free without flushing; a file being written is removed. */
void sh_evwriter_abort(sh_evwriter *w);

/* Building an event line by hand (fast, keys in the order given):
 *   sh_evline_begin(&l, t, "note"); sh_evline_num(&l, "pitch", 60); ...
 *   if (sh_evwriter_line(w, &l) != 0) ...
 * A line that outgrows the buffer is marked, and sh_evline_end refuses it. */
typedef struct {
	char buf[1024];
	size_t len;
	bool overflow;
} sh_evline;
void sh_evline_begin(sh_evline *l, double t, const char *type);
void sh_evline_num(sh_evline *l, const char *key, double v);
void sh_evline_str(sh_evline *l, const char *key, const char *s);
/* Close the object: 0, or -1 with sh_error() when the line outgrew the buffer. */
int sh_evline_end(sh_evline *l);
/* sh_evline_end, then write the line. */
int sh_evwriter_line(sh_evwriter *w, sh_evline *l);

#endif
