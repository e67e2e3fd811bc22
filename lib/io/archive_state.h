/* archive_state.h -- what an export folder knows of the sources mined into it,
 * so that a later run over the same archive touches only what changed: per
 * source its full path, size, modification and change times, a hash of its
 * bytes, the settings that shaped its output, the name it exports under, what
 * came of it and the files it wrote. Also the manifest's ordered merge, which
 * makes an export folder the same whatever order its sources were written in.
 *
 * The state file is text, one line per source, sorted by path bytes:
 *
 *     shards-NAME-state<TAB>1
 *     PATH<TAB>SIZE<TAB>MTIME<TAB>CTIME<TAB>HASH<TAB>OUTCOME<TAB>NAME<TAB>SETTINGS<TAB>NOTE[<TAB>FILE]...
 *
 * The first line names the format and its version (1). PATH is the source's
 * full path; SIZE in bytes; MTIME and CTIME seconds.nanoseconds since 1970
 * (stat(2)'s st_mtim and st_ctim); HASH "xxh3-128:" and 32 hex digits (the
 * canonical XXH3 128-bit hash of the file's bytes), or "-" when the file could
 * not be read; OUTCOME "exported" (FILEs written), "empty" (read, but nothing
 * was worth writing: NOTE says why) or "bad" (could not be read as audio: NOTE
 * says why; FILEs are those an earlier reading wrote, kept); NAME the name it
 * exports under (empty for none); SETTINGS the program's options that shaped
 * the files, as it writes them; FILEs relative to the folder. In every field a
 * backslash, tab, line feed and carriage return are written \\, \t, \n, \r;
 * every other byte is itself (a path need not be UTF-8). Written whole (a
 * temporary file renamed), like the manifest. */
#ifndef SHARDS_ARCHIVE_STATE_H
#define SHARDS_ARCHIVE_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest.h"

#define SH_ARCHIVE_STATE_VERSION 1
/* "xxh3-128:" + 32 hex digits + NUL */
#define SH_FILE_HASH_TEXT 42
/* a state file larger than this is refused (some half a million sources) */
#define SH_ARCHIVE_STATE_MAX_BYTES ((size_t)256 << 20)

/* What stat(2) says of a file, as far as telling a change goes. */
typedef struct {
	int64_t size, mtime_ns, ctime_ns;
} sh_file_stamp;

/* stat PATH (links followed): 0, or -1 with sh_error() "PATH: why". */
int sh_file_stamp_of(const char *path, sh_file_stamp *st);
bool sh_file_stamp_same(const sh_file_stamp *a, const sh_file_stamp *b);
/* The XXH3 128-bit hash of PATH's bytes as "xxh3-128:<32 hex digits>": 0, or
 * -1 with sh_error() "PATH: cannot read: why". Reads in 1 MiB blocks; at the
 * speed of the disk (the hash itself runs at many GB/s). */
int sh_file_hash(const char *path, char out[SH_FILE_HASH_TEXT]);

typedef enum { SH_OUTCOME_EXPORTED, SH_OUTCOME_EMPTY, SH_OUTCOME_BAD } sh_outcome;

typedef struct {
	char *path;          /* the key: the source's full path */
	sh_file_stamp stamp;
	char *hash;          /* NULL when it could not be read */
	sh_outcome outcome;
	char *name;          /* NULL for none */
	char *settings;
	char *note;          /* NULL for none */
	char **files;
	size_t nfiles;
} sh_state_entry;

typedef struct {
	char *format;        /* "shards-NAME-state" */
	sh_state_entry *e;   /* sorted by path bytes, each path once */
	size_t n, cap;
} sh_archive_state;

/* An empty state of format FORMAT ("shards-padmine-state"). */
void sh_archive_state_init(sh_archive_state *s, const char *format);
/* Read PATH into S (a missing file is an empty state): 0, or -1 with sh_error()
 * naming the file and the line (another format, a newer version, a broken
 * line); S is then empty. */
int sh_archive_state_load(sh_archive_state *s, const char *path, const char *format);
/* The same from TEXT (LEN bytes; NAME for messages). */
int sh_archive_state_parse(sh_archive_state *s, const char *text, size_t len, const char *name, const char *format);
/* The entry of PATH, or NULL. */
const sh_state_entry *sh_archive_state_find(const sh_archive_state *s, const char *path);
/* Put a copy of E in place of the entry with its path (or add it). */
void sh_archive_state_put(sh_archive_state *s, const sh_state_entry *e);
/* Remove PATH's entry: whether there was one. */
bool sh_archive_state_remove(sh_archive_state *s, const char *path);
/* The file's text (malloc'd, NUL-terminated; *len without the NUL). */
char *sh_archive_state_format(const sh_archive_state *s, size_t *len);
void sh_archive_state_free(sh_archive_state *s);
void sh_state_entry_free(sh_state_entry *e); /* its contents */

/* What a new look at a source means, against its entry E (NULL: none):
 * NEW (no entry), CHANGED (other settings, or another name than the one it
 * exported under: do it again), SAME
 * (the same stamp: nothing to do, nothing to open) or TOUCHED (the stamp moved:
 * hash it; the same hash means the same bytes, nothing to do again). */
typedef enum { SH_SOURCE_NEW, SH_SOURCE_CHANGED, SH_SOURCE_SAME, SH_SOURCE_TOUCHED } sh_source_change;
sh_source_change sh_archive_state_check(const sh_state_entry *e, const sh_file_stamp *st, const char *settings,
                                        const char *name);

/* ---- the manifest, merged in an order that does not depend on the order of
 * the runs: rows put by runs on one folder in any order (shards side by side)
 * end as one run puts them. */

/* As sh_manifest_put, but a new row goes before the first row whose filename
 * sorts after its own (by bytes), not at the end: inserting several rows thus
 * gives the same order whatever order they come in, sorted when the manifest
 * was, and every other row keeps its place and its bytes. */
int sh_archive_manifest_put(sh_manifest *m, const char *const values[SH_MANIFEST_COLUMNS]);
/* Remove the rows of FILENAME: whether there was one. */
bool sh_archive_manifest_drop(sh_manifest *m, const char *filename);

#endif
