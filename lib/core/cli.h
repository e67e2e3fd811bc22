/* cli.h -- what every shards program shares on its command line:
 * errors and exit status, the option table with presets and --print-config,
 * durations with units, MIN..MAX ranges, seeds, safe stdout, progress. */
#ifndef SHARDS_CLI_H
#define SHARDS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* Exit statuses: 0 success, 1 runtime error (bad input, I/O), 2 usage error. */
enum { SH_EXIT_OK = 0, SH_EXIT_FAIL = 1, SH_EXIT_USAGE = 2 };

extern const char *sh_progname;

/* Set the program name (basename of argv[0]), ignore SIGPIPE so that writes report
 * EPIPE, and install the signal handlers that remove half-written output files. */
void sh_init(int argc, char **argv);

/* "prog: message" on stderr, then exit 1 (sh_die) or 2 (sh_usage_error).
 * Pending atomic output files are removed first. */
void sh_die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void sh_usage_error(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void sh_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* -v: extra notes on stderr (seed chosen, resampling, ...). */
extern int sh_verbose;
void sh_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Library-level errors: functions that can fail return -1/NULL and leave a message
 * here (thread-local), which the program passes to sh_die("%s", sh_error()). */
void sh_set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *sh_error(void);

/* Allocation that dies cleanly on exhaustion or size overflow. */
void *sh_malloc(size_t n);
void *sh_calloc(size_t count, size_t size);
void *sh_realloc(void *p, size_t count, size_t size);
char *sh_strdup(const char *s);

/* Write everything or die; EPIPE ends the program quietly with status 0. */
void sh_write_all(int fd, const void *buf, size_t n);
/* stdout will carry binary data: refuse a terminal (exit 1). */
void sh_stdout_binary(void);

/* Files that appear whole or not at all: open a temporary name beside PATH,
 * write, then sh_atomic_commit renames it over PATH. On sh_die or a fatal
 * signal the temporary file is removed. Returns the open descriptor. */
typedef struct sh_atomic sh_atomic;
sh_atomic *sh_atomic_open(const char *path);
int sh_atomic_fd(const sh_atomic *a);
const char *sh_atomic_tmpname(const sh_atomic *a);
void sh_atomic_commit(sh_atomic *a);   /* fsync, rename; dies on failure */
void sh_atomic_abort(sh_atomic *a);    /* remove the temporary file */
/* Remove the temporary files that killed runs left in DIR beside files whose
 * names start with PREFIX. Only for a caller that holds DIR's lock, so that no
 * other run is writing them. */
void sh_atomic_remove_stale(const char *dir, const char *prefix);
/* Write a whole text/JSON file atomically ("-" or NULL means stdout). */
void sh_write_file_atomic(const char *path, const char *data, size_t n);

/* An unlinked temporary file in $TMPDIR (or /tmp) for spooling; dies on failure. */
int sh_spool_file(void);
/* pread exactly n bytes at off or die naming `what`. */
void sh_pread_all(int fd, void *buf, size_t n, off_t off, const char *what);

/* Durations: "40ms", "0.5s", "2min", "1200smp", "2f" (frames, needs fps),
 * "0.25b" or "1/4b" (beats, needs bpm), "1/16" (a sixteenth note: note fractions
 * are of a whole note, a beat is a quarter note), a bare number = default unit. */
typedef enum { SH_DUR_SECONDS, SH_DUR_SAMPLES, SH_DUR_FRAMES, SH_DUR_BEATS } sh_dur_unit;
typedef struct {
	double amount;
	sh_dur_unit unit;
} sh_duration;
/* bare_unit_seconds: what a bare number means in seconds (0.001 for ms). */
int sh_parse_duration(const char *text, double bare_unit_seconds, sh_duration *out);
/* To seconds; fails (sh_error) when the unit needs a bpm/fps/rate that is 0. */
int sh_duration_seconds(const sh_duration *d, double bpm, double fps, double rate, double *seconds);

/* Ranges "X" or "X..Y" (X <= Y); sh_range_draw picks uniformly within. */
typedef struct {
	double lo, hi;
} sh_range;
int sh_parse_range(const char *text, sh_range *out);

/* Frame rates: "30", "29.97", "30000/1001", "ntsc" ... as a rational. */
typedef struct {
	int num, den;
} sh_rational;
int sh_parse_rate(const char *text, sh_rational *out);
static inline double sh_rational_value(sh_rational r) { return r.den ? (double)r.num / r.den : 0.0; }

/* Strict number parsing: whole string, finite. */
int sh_parse_double(const char *text, double *out);
/* The shortest text that reads back as the same double ("2", "0.25", "0.1"), as
 * JSON writes numbers. */
void sh_format_number(char *buf, size_t n, double v);
int sh_parse_int64(const char *text, int64_t *out);

/* ---- The option table ----
 * Each program lists its options once; sh_parse_options fills the destinations
 * from built-in defaults (whatever the destination holds before the call), then
 * --preset NAME, then flags. --help, --version, --preset, --print-config, -v and
 * --seed are handled here. */
typedef enum {
	SH_OPT_FLAG,     /* bool, no argument */
	SH_OPT_INT,      /* int64_t within [min,max] */
	SH_OPT_DOUBLE,   /* double within [min,max] */
	SH_OPT_RANGE,    /* sh_range within [min,max] */
	SH_OPT_DURATION, /* sh_duration, bare number in units of `scale` seconds; > 0 */
	SH_OPT_STRING,   /* const char * */
	SH_OPT_CHOICE,   /* const char *, one of `choices` ("a|b|c") */
	SH_OPT_RATE,     /* sh_rational > 0 */
} sh_opt_type;

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
	const char *help;    /* one line, with the default and range in words */
	/* filled in by the parser */
	bool given;          /* set by a preset or a flag */
	char *text;          /* the value as last given, for --print-config */
} sh_option;

typedef struct {
	const char *usage;       /* "cutgen [options] [SOURCE]" */
	const char *summary;     /* one line: what the program does */
	bool has_seed;           /* adds --seed N */
	uint64_t seed;           /* result: given or picked */
	bool seed_given;
} sh_program;

/* Parses argv, returns the index of the first operand. Options array ends with a
 * zeroed entry. Usage errors exit 2 with a one-line message. */
int sh_parse_options(sh_program *prog, sh_option *opts, int argc, char **argv);
/* The merged settings as a JSON object (what --print-config prints); a json_t *. */
void *sh_options_json(const sh_option *opts);
/* Was the option NAME given (by preset or flag)? */
bool sh_option_given(const sh_option *opts, const char *name);
/* A fresh seed from the system, when none was given. */
uint64_t sh_fresh_seed(void);

/* ---- Progress on a terminal only ---- */
typedef struct {
	double start, last;
	bool active;
	const char *what;
} sh_progress;
void sh_progress_start(sh_progress *p, const char *what);
void sh_progress_update(sh_progress *p, double fraction); /* 0..1, or <0 unknown */
void sh_progress_end(sh_progress *p);
double sh_now(void); /* monotonic seconds */

/* Data files (presets, scales): looks in ./, $XDG_CONFIG_HOME/shards/, the
 * installed share/shards and the source tree's share/shards (or $SHARDS_DATA). */
char *sh_find_data(const char *relpath, bool user_dirs);
/* Read a whole file ("-" = stdin) up to max_bytes; NULL + sh_error on failure. */
char *sh_read_file(const char *path, size_t max_bytes, size_t *len);

#endif
