/* evfilter.h -- the event-filter driver: what every program on the event pipe
 * does around its own work.
 *
 * A filter program (arp, euclid, integrate) is its option table, its defaults and
 * a callback per event; a generator (clock, lfo) is its table and a loop that
 * writes. main is `return sh_evfilter_main(&program, argc, argv);`. The driver
 * adds the shared rows to the table (-o/--output, --live, and for a filter
 * --skip-bad and --name), parses it, checks the operands (a filter reads one
 * input file, none or "-" is stdin), seeds the random generator from --seed and
 * notes the seed, calls `setup`, opens the writer (and with --live asks for
 * real-time priority), opens the reader, and then for every event:
 *   - a `param` event whose "target" is --name sets one knob through the table
 *     (sh_params_set_json: parsed and range-checked once, only knobs marked
 *     .live may change), then calls `changed`; a refused change is reported with
 *     input and line (an error, or a warning with --skip-bad) and the knob keeps
 *     its old value;
 *   - an event of another type than `takes` is written through byte for byte;
 *   - the rest go to `event`.
 * Any error is one line on stderr and an exit status: 2 for a usage error, 1 for
 * the rest (a half-written -o file is removed). */
#ifndef SHARDS_EVFILTER_H
#define SHARDS_EVFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events.h"
#include "params.h"
#include "rng.h"
#include "timing.h"

/* What setup says. */
enum {
	SH_EVF_GO = 0,     /* open the streams and run */
	SH_EVF_DONE = 1,   /* the program has done its job (--show, --list-...): exit 0 */
	SH_EVF_FAIL = -1,  /* sh_error() says why: exit 1 */
	SH_EVF_USAGE = -2, /* sh_error() says why: exit 2 */
};

typedef struct {
	void *state;         /* the program's own, given back unchanged (may be NULL) */
	sh_option *opts;     /* the whole table, shared rows included */
	int nargs;           /* the operands */
	char **args;
	sh_rng rng;          /* seeded from --seed before setup */
	uint64_t seed;
	const char *output;  /* -o, NULL for stdout */
	const char *name;    /* --name: the target of param events */
	bool live, skip_bad;
	bool generating;     /* no input: run `generate` (setup may set it) */
	sh_evreader *in;     /* NULL while generating */
	sh_evwriter *out;
	double start;        /* generating: sh_now() when output began */
} sh_evfilter;

/* An old name a param event may still use for a knob. */
typedef struct {
	const char *from, *to;
} sh_evfilter_alias;

typedef struct {
	const char *usage;    /* "arp [options] [FILE]" */
	const char *summary;  /* one line for --help */
	sh_option *options;   /* the program's knobs, ending with a zeroed row */
	void *state;          /* handed to the callbacks as f->state */
	bool has_seed;        /* adds --seed N */
	/* A generator makes its events: no input, no --skip-bad, and --live paces
	 * output by the wall clock (sh_evfilter_pace) instead of flushing each line. */
	bool generator;
	/* A generator whose operands are its own business (setup reads f->args);
	 * otherwise a generator takes none. */
	bool own_operands;
	const char *target;   /* default --name; NULL: no --name, param events pass */
	const char *takes;    /* the event type `event` sees; NULL: every type */
	const sh_evfilter_alias *aliases; /* ending with {0}; may be NULL */
	/* Knobs are parsed and the rng seeded: check what only makes sense together,
	 * build tables. SH_EVF_GO, _DONE, _FAIL or _USAGE. May be NULL. */
	int (*setup)(sh_evfilter *f);
	/* One event (of type `takes`): write what it makes, pass it on if it should go
	 * on (sh_evwriter_pass). 0, or -1 with sh_error() to end the run; a bad event
	 * is reported with sh_event_bad and answered with 0. */
	int (*event)(sh_evfilter *f, const sh_event *ev);
	/* Knob O has just changed by a param event: 0, or -1 with sh_error() to refuse
	 * the value (the driver puts the old one back). May be NULL. */
	int (*changed)(sh_evfilter *f, sh_option *o);
	/* The input has ended: write what the program still holds (a filter that
	 * reorders or delays). 0, or -1 with sh_error(). May be NULL. */
	int (*finish)(sh_evfilter *f);
	/* A generator's whole output: 0, or -1 with sh_error(). */
	int (*generate)(sh_evfilter *f);
	/* Free what setup made (also after an error). May be NULL. */
	void (*stop)(sh_evfilter *f);
} sh_evfilter_program;

/* Run the program; returns the exit status. */
int sh_evfilter_main(const sh_evfilter_program *p, int argc, char **argv);

/* A generator with --live: sleep until SEC seconds after output began. */
static inline void sh_evfilter_pace(const sh_evfilter *f, double sec)
{
	if (f->live)
		sh_sleep_until(f->start + sec);
}

/* The opening of an event program that runs its own loop (a sink: midiout,
 * notesynth): parse OPTS, take at most one input operand (*input NULL: stdin).
 * -1 to go on, else the exit status (help printed, or a usage error reported). */
int sh_evfilter_parse(sh_program *prog, sh_option *opts, int argc, char **argv, const char **input);

/* Events a filter holds back for their place in the output (it moves times):
 * kept in time order, equal times in the order they came. */
typedef struct {
	struct sh_evheld *ev;
	size_t n, cap;
	double last; /* the time of the last event written; -INFINITY before */
} sh_evqueue;

/* Hold LINE (LEN bytes, allocated; the queue frees it) until its time T. */
void sh_evqueue_hold(sh_evqueue *q, double t, char *line, size_t len);
/* Write the held events at or before UNTIL (all of them: INFINITY); -1 with
 * sh_error() on a write error (they are dropped all the same). */
int sh_evqueue_release(sh_evqueue *q, sh_evwriter *w, double until);
void sh_evqueue_free(sh_evqueue *q);

/* A --types list ("note,trigger"): the event types a filter acts on. */
typedef struct {
	char **name;
	size_t n;
} sh_evtypes;

/* -1 with sh_error() when LIST names no type. */
int sh_evtypes_parse(sh_evtypes *t, const char *list);
bool sh_evtypes_has(const sh_evtypes *t, const char *type);
void sh_evtypes_free(sh_evtypes *t);

/* Rows of the tables of event programs that open their streams themselves. */
#define SH_EV_OUTPUT_OPTION(var)                                                            \
	{.name = "output", .short_name = 'o', .type = SH_OPT_STRING, .dest = &(var), .no_preset = true, \
	 .arg = "FILE", .help = "write to FILE (default: stdout)"}
#define SH_EV_SKIP_BAD_OPTION(var) \
	{.name = "skip-bad", .type = SH_OPT_FLAG, .dest = &(var), .help = "warn about bad lines and go on"}

#endif
