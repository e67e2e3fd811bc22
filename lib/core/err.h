/* err.h -- how a run reports and ends.
 *
 * lib/ returns errors: a function that can fail returns -1 or NULL and leaves a
 * message in sh_error(); only the program layer (src/ and the drivers' callers)
 * decides to end the run, with sh_die or sh_usage_error. Two conditions end a run
 * from anywhere, as a signal would, because no caller can mend them: memory
 * exhausted (sh_malloc and friends) and a reader that went away (EPIPE on a write:
 * quiet success, as `| head` expects). */
#ifndef SHARDS_ERR_H
#define SHARDS_ERR_H

#include <stdbool.h>
#include <stddef.h>

/* Exit statuses: 0 success, 1 runtime error (bad input, I/O), 2 usage error. */
enum { SH_EXIT_OK = 0, SH_EXIT_FAIL = 1, SH_EXIT_USAGE = 2 };

extern const char *sh_progname;
/* Set once the run is ending early: an error, or a reader that went away. */
extern bool sh_ended_early;

/* Set the program name (basename of argv[0]), ignore SIGPIPE so that writes report
 * EPIPE, and install the signal handlers that remove half-written output files. */
void sh_init(int argc, char **argv);

/* Program layer only: "prog: message" on stderr, then exit 1 (sh_die) or 2
 * (sh_usage_error). Pending atomic output files are removed first. */
void sh_die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void sh_usage_error(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* The reader went away: remove pending files, exit 0. */
void sh_end_quietly(void) __attribute__((noreturn));
void sh_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* -v: extra notes on stderr (seed chosen, resampling, ...). */
extern int sh_verbose;
void sh_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Keep this thread's sh_warn and sh_note lines in *buf (a malloc'd string that
 * grows; start it NULL) instead of writing them; NULL writes them again. For
 * work on threads whose messages must come out in the order of the work: the
 * caller writes each *buf in turn. sh_die and sh_usage_error still write. */
void sh_messages_capture(char **buf);

/* Library-level errors: functions that can fail return -1/NULL and leave a message
 * here (thread-local), which the program passes to sh_die("%s", sh_error()). */
void sh_set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *sh_error(void);

/* Allocation that ends the run cleanly on exhaustion or size overflow. */
void *sh_malloc(size_t n);
void *sh_calloc(size_t count, size_t size);
void *sh_realloc(void *p, size_t count, size_t size);
char *sh_strdup(const char *s);

/* A string that grows as text is added, NUL-terminated once anything is (s is
 * NULL before); free(b.s) when done. */
typedef struct {
	char *s;
	size_t n, cap;
} sh_strbuf;
void sh_strbuf_add(sh_strbuf *b, const char *s, size_t n);
void sh_strbuf_str(sh_strbuf *b, const char *s);

#endif
