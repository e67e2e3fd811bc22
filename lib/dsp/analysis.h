/* analysis.h -- shared driver of the analysis programs (onsets, bpm, keydetect):
 * read audio inputs in fixed blocks, mix them down to mono (the mean of the
 * channels), and hand each block to a callback. Memory is one block. */
#ifndef SHARDS_ANALYSIS_H
#define SHARDS_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "params.h"

typedef void (*sh_mono_fn)(void *user, const float *mono, size_t n);

/* A section of an input: where it starts and how long it is, each either in
 * seconds or in samples (SH_DUR_SAMPLES), as --start and --duration give them. */
typedef struct {
	sh_duration start;    /* amount 0: from the beginning */
	sh_duration length;   /* amount 0: to the end */
	const char *start_text; /* --start as given, for messages */
} sh_analysis_section;

/* --start TEXT: 0 or more, in seconds (a bare number), ms, s, min or smp, as
 * sh_parse_duration reads them; frames and beats mean nothing here. 0, or -1
 * with sh_error(). */
int sh_analysis_parse_start(const char *text, sh_duration *out);

/* Opens PATH ("-" or NULL = stdin), skips to the section's start (SECTION may
 * be NULL: all of it), reports the rate before the first block through
 * init(user, rate) (which returns 0, or -1 with sh_error() to stop), then
 * streams mono blocks of the section to fn. *name (malloc'd) is what messages
 * call the input, *rate its rate and *start the section's start in seconds.
 * Returns the frames streamed, or -1 with sh_error() naming the input on
 * unreadable or corrupt input, a start past its end, or a failed init. */
ssize_t sh_analysis_stream(const char *path, const sh_analysis_section *section,
                           int (*init)(void *user, int rate), sh_mono_fn fn, void *user, char **name,
                           int *rate, double *start);

/* What the report of one input is given. */
typedef struct {
	const char *path;   /* the operand as given ("-": standard input) */
	const char *name;   /* the input as messages call it */
	ssize_t frames;     /* frames analysed (the section's, with --start or --duration) */
	int rate;
	double start;       /* seconds from the input's start to the section's (0 without --start) */
	bool section;       /* --start or --duration was given */
	/* A note for stderr about a doubtful answer, written after the output */
	char warning[256];
} sh_analysis_input;

/* The driver of the analysis programs (bpm, onsets, keydetect): main is
 * `return sh_analysis_main(&program, argc, argv);`. It parses the options
 * (adding -o FILE, default standard output, and --start and --duration), takes
 * input operands ("-" or none: stdin), runs check, and for each input streams
 * its section in mono through init and feed and asks report for the text.
 *
 * With one input the text is written as report gives it. With several, each
 * input's text becomes one line: a JSON document (text starting with "{") loses
 * its line breaks and gains a "file" member first (JSON Lines); any other text
 * keeps its first line, followed by two spaces and the operand, as md5sum
 * writes (a name with a backslash or a line break is escaped as md5sum does,
 * the line then starting with a backslash). An input that cannot be analysed
 * is one line on stderr, "prog: FILE: reason", and is skipped.
 *
 * Everything is written whole at the end (sh_write_file_atomic), then the
 * reports' warnings. The exit status: 0 when every input was analysed, 1 when
 * any was not (nothing is written when none was), 2 for a usage error. */
typedef struct {
	const char *usage, *summary;
	sh_option *options;  /* the knobs, ending with a zeroed row */
	/* The knobs together, for FILES inputs: -1 + sh_error() is a usage error.
	 * May be NULL. */
	int (*check)(int files);
	/* An input's rate is known: set up (0, or -1 + sh_error()). */
	int (*init)(void *user, int rate);
	sh_mono_fn feed;
	/* After the whole section of an input: the text to write, allocated, its
	 * length in *len; NULL + sh_error() (naming in->name) skips the input. Frees
	 * what init set up either way. */
	char *(*report)(sh_analysis_input *in, size_t *len);
	/* The input failed after init: free what init set up. May be NULL. */
	void (*discard)(void);
} sh_analysis_program;

int sh_analysis_main(const sh_analysis_program *a, int argc, char **argv);

#endif
