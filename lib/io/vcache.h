/* vcache.h -- the video library's metadata cache that vscan(1) writes: JSON
 * Lines, one record per video (path, size, mtime, duration, width, height,
 * has_audio ...; shards(7)). */
#ifndef SHARDS_VCACHE_H
#define SHARDS_VCACHE_H

#include <stdbool.h>

/* The records of the cache PATH as a JSON object keyed by their "path" (a
 * json_t *, the caller's). A missing file is an empty cache when MISSING_OK.
 * NULL with sh_error() ("PATH: line N: not a vscan record (...); remove the
 * file to start afresh") on a record without path, size and mtime, or when
 * the file cannot be read. */
void *sh_vcache_load(const char *path, bool missing_ok);

#endif
