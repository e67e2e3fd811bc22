/* analysis.h -- shared driver of the analysis programs (onsets, bpm, keydetect):
 * read an audio input in fixed blocks, mix it down to mono (the mean of the
 * channels), and hand each block to a callback. Memory is one block. */
#ifndef SHARDS_ANALYSIS_H
#define SHARDS_ANALYSIS_H

#include <stddef.h>
#include <sys/types.h>

#include "params.h"

typedef void (*sh_mono_fn)(void *user, const float *mono, size_t n);

/* Opens PATH ("-" or NULL = stdin), reports its rate before the first block
 * through init(user, rate) (which returns 0, or -1 with sh_error() to stop),
 * then streams mono blocks to fn. Returns the frames read, or -1 with
 * sh_error() on unreadable or corrupt input or a failed init. */
ssize_t sh_analysis_stream(const char *path, int (*init)(void *user, int rate), sh_mono_fn fn,
                           void *user, const char **name);

/* The driver of the analysis programs (bpm, onsets, keydetect): main is
 * `return sh_analysis_main(&program, argc, argv);`. It parses the options (adding
 * -o FILE, default standard output), takes one input operand ("-" or none:
 * stdin), runs check, streams the input in mono through init and feed, asks
 * report for the text and writes it whole (sh_write_file_atomic). Any problem is
 * one line on stderr and the exit status: 2 for a usage error, 1 otherwise. */
typedef struct {
	const char *usage, *summary;
	sh_option *options;  /* the knobs, ending with a zeroed row */
	/* The knobs together: -1 + sh_error() is a usage error. May be NULL. */
	int (*check)(void);
	/* The input's rate is known: set up (0, or -1 + sh_error()). */
	int (*init)(void *user, int rate);
	sh_mono_fn feed;
	/* After the whole input (FRAMES of it; NAME as messages call it): the text
	 * to write, allocated, its length in *len; NULL + sh_error() ends the run. */
	char *(*report)(const char *name, ssize_t frames, size_t *len);
} sh_analysis_program;

int sh_analysis_main(const sh_analysis_program *a, int argc, char **argv);

#endif
