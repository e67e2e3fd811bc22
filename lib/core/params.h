/* params.h -- the parameter table: every knob of a program or processor, once. */
#ifndef SHARDS_PARAMS_H
#define SHARDS_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "units.h"

/* Each program and each audio processor lists its knobs once, in a table of
 * sh_option rows ending with a zeroed row. The same rows feed getopt, presets,
 * --print-config, --help (which prints each default from the destination's
 * value before parsing, never from a second copy), `param` events on the event
 * pipe and a processor's key=value arguments (sh_params_set).
 * sh_parse_options fills the destinations from built-in defaults (whatever the
 * destination holds before the call), then --preset NAME, then flags. --help,
 * --version, --preset, --print-config, -v, --seed and -j/--jobs are handled there, and
 * those names, with -o/--output, -h and -v, are reserved: a table that uses one for
 * another idea, or gives two rows one short letter, is refused when the program
 * starts (sh_params_check). */
typedef enum {
	SH_OPT_FLAG,     /* bool, no argument */
	SH_OPT_INT,      /* int64_t within [min,max] */
	SH_OPT_CHANNEL,  /* int64_t, a MIDI channel 0..15: N counting from 0, or chN from 1 (sh_parse_channel) */
	SH_OPT_DOUBLE,   /* double within [min,max] */
	SH_OPT_RANGE,    /* sh_range within [min,max] */
	SH_OPT_DURATION, /* sh_duration, bare number in units of `scale` seconds; > 0 */
	SH_OPT_STRING,   /* const char * */
	SH_OPT_CHOICE,   /* const char *, one of `choices` ("a|b|c") */
	SH_OPT_RATE,     /* sh_rational > 0 */
	SH_OPT_LIST,     /* sh_strlist: a repeatable option, every value in the order given
	                    (-m a -m b); a preset gives a JSON array, and flags replace it */
} sh_opt_type;

/* The values of an SH_OPT_LIST option (the strings live as long as the run).
 * pos[i] orders value i among every option value given (preset, then flags
 * in argv order), so two lists that interleave (-g ... -e ... -g ...) can be
 * merged back into the order they were given. */
typedef struct {
	const char **v;
	int *pos;
	size_t n;
} sh_strlist;

typedef struct {
	const char *name;    /* long name, also the preset key */
	int short_name;      /* 0 for none */
	sh_opt_type type;
	void *dest;
	double min, max;     /* numeric bounds (INT, DOUBLE, RANGE) */
	const char *choices; /* CHOICE: "a|b|c"; DURATION: ignored */
	double scale;        /* DURATION: seconds per bare number (0.001 = ms) */
	bool no_preset;      /* not a preset key (outputs, inputs) */
	const char *arg;     /* name of the argument in usage, e.g. "P" */
	const char *help;    /* one line in artistic terms; the default is printed after it */
	const char *unit;    /* "Hz", "dB", "s", "semitones"... printed with the default */
	bool live;           /* may change while running (param events, live controls) */
	/* filled in by the parser */
	bool given;          /* set by a preset or a flag */
	char *text;          /* the value as last given, for --print-config */
	char *deftext;       /* the built-in default as text, for --help */
} sh_option;

typedef struct {
	const char *usage;       /* "cutgen [options] [SOURCE]" */
	const char *summary;     /* one line: what the program does */
	bool has_seed;           /* adds --seed N */
	bool has_jobs;           /* adds -j, --jobs N: threads (jobs.h); never changes output */
	int max_operands;        /* > 0: more operands than this is a usage error */
	/* Settings the table alone cannot check (lists, one option against
	 * another): called once flags and preset are merged, before --print-config
	 * prints them, so a printed configuration is one the program would run.
	 * -1 with sh_error() is a usage error; it may also end in sh_usage_error. */
	int (*check)(void);
	uint64_t seed;           /* result: given or picked */
	bool seed_given;
	int jobs;                /* result: -j N, else sh_jobs_default() */
} sh_program;

/* Parses argv, returns the index of the first operand. Options array ends with a
 * zeroed entry. Usage errors exit 2 with a one-line message. */
/* Starts the run (sh_init) and parses argv. Returns the index of the first operand (>= 1); 0 when the run is
 * over with success (--help, --version, --print-config printed); -1 on a usage
 * error, whose one-line message is already on stderr. So a program starts:
 *     int first = sh_parse_options(&prog, opts, argc, argv);
 *     if (first <= 0)
 *             return sh_parse_status(first);                               */
int sh_parse_options(sh_program *prog, sh_option *opts, int argc, char **argv);
static inline int sh_parse_status(int first) { return first < 0 ? 2 : 0; }

/* Reserved names, duplicate long names or short letters: -1 with sh_error(). */
int sh_params_check(const sh_option *opts, bool has_seed);
/* The row named NAME, or NULL. */
sh_option *sh_params_find(sh_option *opts, const char *name);
/* Set the knob NAME from TEXT: parse and range-check once, as a flag would.
 * -1 with sh_error() naming the knob, the value and the range (or, for an
 * unknown name, the valid names); the destination is left unchanged. */
int sh_params_set(sh_option *opts, const char *name, const char *text);
/* The same from a JSON value (number, string or boolean; a json_t *), as presets
 * and param events carry them; with live_only a knob not marked live is refused. */
int sh_params_set_json(sh_option *opts, const char *name, const void *value, bool live_only);
/* A knob's current value as JSON (a new json_t *). */
void *sh_param_json(const sh_option *o);
/* The merged settings as a JSON object (what --print-config prints); a json_t *. */
void *sh_options_json(const sh_option *opts);
/* Was the option NAME given (by preset or flag)? */
bool sh_option_given(const sh_option *opts, const char *name);
/* A fresh seed from the system, when none was given. */
uint64_t sh_fresh_seed(void);

/* A seed the run picked (no --seed) is never lost once it matters, that is once
 * a draw could change an output (sh_rng_drawn). An output that can hold it (a
 * y4m X-tag, an audio file's comment, a seed event, a cut list's "seed") asks
 * with sh_seed_to_carry as late as its format allows (false: none to carry) and
 * says it holds it with sh_seed_carried; one that no output carried is printed
 * on stderr as "PROGRAM: seed N" at exit, unless the run ended on an error. A
 * seed given with --seed is the user's to know: outputs stay as they were. A
 * program replaying a recorded run takes the recorded seed (sh_seed_use),
 * carried when the recorded run's output carried it. */
bool sh_seed_to_carry(uint64_t *seed);
bool sh_seed_picked(uint64_t *seed); /* the run's seed, whether it matters yet or not */
void sh_seed_carried(uint64_t seed);
void sh_seed_use(uint64_t seed, bool carry);

#endif
