/* file.h -- output files that appear whole or not at all, whole writes, spool
 * files, and the suite's data files (presets, scales). Every function that can
 * fail returns -1 or NULL with sh_error(). */
#ifndef SHARDS_FILE_H
#define SHARDS_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Write everything: 0, or -1 with sh_error(). EPIPE ends the run quietly with
 * status 0 (see err.h). */
int sh_write_all(int fd, const void *buf, size_t n);
/* The same for an output named NAME: a failure says "NAME: write error: ...".
 * NAME NULL (stdout) is sh_write_all. */
int sh_write_named(int fd, const void *buf, size_t n, const char *name);
/* stdout will carry binary data: -1 (with the message) when it is a terminal. */
int sh_stdout_binary(void);
/* A pipe carrying a bulk stream: grow its buffer to 1 MiB (when the system
 * allows), so that reader and writer take turns less often. Anything else, or a
 * refusal, is left as it is: this only changes speed. */
void sh_pipe_grow(int fd);

/* Files that appear whole or not at all: open a temporary name beside PATH,
 * write, then sh_atomic_commit renames it over PATH. On sh_die or a fatal
 * signal the temporary file is removed. A device or FIFO is written in place. */
typedef struct sh_atomic sh_atomic;
sh_atomic *sh_atomic_open(const char *path);   /* NULL with sh_error() */
int sh_atomic_fd(const sh_atomic *a);
const char *sh_atomic_path(const sh_atomic *a); /* the file's name; NULL for A NULL */
const char *sh_atomic_tmpname(const sh_atomic *a);
int sh_atomic_commit(sh_atomic *a);   /* fsync, rename; -1 (file removed) on failure */
/* The same, but -1 with "PATH exists" and errno EEXIST (nothing replaced)
 * when PATH exists. */
int sh_atomic_commit_new(sh_atomic *a);
/* fsync and close the temporary file without renaming it: where a full disk
 * shows. A caller that puts several files in place together syncs them all
 * first, and only then commits (renames) each. -1 (file removed) on failure. */
int sh_atomic_sync(sh_atomic *a);
void sh_atomic_abort(sh_atomic *a);   /* remove the temporary file */
/* Remove every pending temporary file (async-signal-safe; for err.c). */
void sh_atomic_remove_pending(void);
/* Remove the temporary files that killed runs left in DIR beside files whose
 * names start with PREFIX. Only for a caller that holds DIR's lock, so that no
 * other run is writing them. */
void sh_atomic_remove_stale(const char *dir, const char *prefix);
/* Write a whole text/JSON file atomically ("-" or NULL means stdout). */
int sh_write_file_atomic(const char *path, const char *data, size_t n);
/* The same short of the rename: the file is written and synced under its
 * temporary name, and sh_atomic_commit puts it in place (with others, see
 * sh_atomic_sync). NULL with sh_error(), nothing left behind. */
sh_atomic *sh_write_file_held(const char *path, const char *data, size_t n);

/* An unlinked temporary file in $TMPDIR (or /tmp) for spooling; -1 on failure. */
int sh_spool_file(void);
/* pread exactly n bytes at off; -1 naming `what` on failure. */
int sh_pread_all(int fd, void *buf, size_t n, off_t off, const char *what);

/* A JSON document as the suite writes one: indented by 2, keys in their order,
 * reals with PRECISION significant digits, a newline at the end; malloc'd,
 * *LEN bytes (NUL after). NULL with sh_error() when jansson cannot encode it. */
struct json_t;
char *sh_json_text(struct json_t *doc, int precision, size_t *len);

/* Folders a program exports into.
 * sh_mkdirs: mkdir -p; -1 with sh_error() ("P: cannot create folder: ...", "P:
 * not a folder"); *MADE (when not NULL) is set when PATH itself was created.
 * sh_dir_blocker: NULL when PATH exists as a folder or could be created; else
 * the nearest existing ancestor that is not a folder this user can write (a
 * malloc'd string), so a run can fail before its work instead of after. */
int sh_mkdirs(const char *path, bool *made);
char *sh_dir_blocker(const char *path);
/* A file name's stem safe in file names and shells: the last path component,
 * without its extension when STRIP_EXT, every character but letters, digits,
 * '-', '_' and a '.' not leading made '_' ("My Song (live).flac" ->
 * "My_Song__live_"); "source" when nothing is left. A malloc'd string. */
char *sh_file_stem(const char *path, bool strip_ext);

/* Data files (presets, scales): with USER_DIRS looks in ./ and
 * $XDG_CONFIG_HOME/shards/ (~/.config/shards/) first, then $SHARDS_DATA, then
 * the suite's own share/shards beside the program's bin/ (sh_data_dir). */
char *sh_find_data(const char *relpath, bool user_dirs);
/* The suite's data folder, PREFIX/share/shards for a program in PREFIX/bin,
 * into OUT; -1 when the program's path cannot be read. */
int sh_data_dir(char *out, size_t size);
/* Read a whole file ("-" = stdin) up to max_bytes; NULL + sh_error on failure. */
char *sh_read_file(const char *path, size_t max_bytes, size_t *len);
/* The same for a JSON object: a first byte that is not white space and not '{'
 * is refused as soon as it arrives, so /dev/zero costs nothing. Either refuses
 * a regular file over max_bytes before reading it. */
char *sh_read_json_object(const char *path, size_t max_bytes, size_t *len);

#endif
