/* analysis.h -- shared driver of the analysis programs (onsets, bpm, keydetect):
 * read an audio input in fixed blocks, mix it down to mono (the mean of the
 * channels), and hand each block to a callback. Memory is one block. */
#ifndef SHARDS_ANALYSIS_H
#define SHARDS_ANALYSIS_H

#include <stddef.h>

typedef void (*sh_mono_fn)(void *user, const float *mono, size_t n);

/* Opens PATH ("-" or NULL = stdin), reports its rate via *rate before the first
 * block through init(user, rate), then streams mono blocks to fn. Dies with a
 * clear message on unreadable or corrupt input. Returns the frames read. */
size_t sh_analysis_stream(const char *path, void (*init)(void *user, int rate), sh_mono_fn fn,
                          void *user, const char **name);

#endif
