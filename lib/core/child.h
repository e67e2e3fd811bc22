/* child.h -- run the suite's own programs (and others) as child processes:
 * one command or a pipeline of them, stdin and stdout from and to files, the
 * way an orchestrator strings programs together without a shell. Every
 * function that can fail returns -1 or NULL with sh_error(). */
#ifndef SHARDS_CHILD_H
#define SHARDS_CHILD_H

#include <stdbool.h>

/* The program NAME as a path: beside the running program's own executable
 * (so a build's bin/ or an install's PREFIX/bin runs its own siblings), else
 * the first executable NAME on $PATH. A NAME with a slash is taken as it is.
 * A malloc'd string; NULL with sh_error() ("NAME: no such program ...") when
 * none is found. */
char *sh_find_program(const char *name);

/* Run the pipeline ARGVS[0] | ARGVS[1] | ... | ARGVS[N-1] (each a NULL-ended
 * argv whose [0] is found with sh_find_program), with the first's stdin from
 * IN (NULL: /dev/null) and the last's stdout to OUT (NULL: /dev/null; written
 * in place, the caller names a temporary file when it wants one). ERR_PATH,
 * when not NULL, collects every child's stderr (appended); else stderr is
 * shared. Waits for every child. 0 when each exited with status 0; else -1
 * with sh_error() naming the first that failed, how ("exit status 1", "killed
 * by signal 9"), and the last line it wrote on ERR_PATH when there is one. */
int sh_spawn_pipeline(char **const *argvs, int n, const char *in, const char *out, const char *err_path);
/* One command: the pipeline of one. */
int sh_spawn_run(char *const *argv, const char *in, const char *out, const char *err_path);

/* A command line for messages and records: the words joined by spaces, those
 * with shell metacharacters single-quoted. A malloc'd string. */
char *sh_spawn_text(char *const *argv);

/* A pipeline written as text, "a -x 1 | b 'c d'", as argv lists: programs
 * separated by '|', words by white space, single or double quotes keep one
 * together (no other shell syntax). Up to MAX programs of up to 60 words
 * each into ARGVS (each NULL-ended, with room for 3 more words: sh_spawn_add);
 * *N is how many. -1 with sh_error() on an empty step, an unclosed quote or
 * too many programs or words. sh_spawn_free_argvs frees them. */
int sh_spawn_parse(const char *text, char **argvs[], int max, int *n);
void sh_spawn_free_argvs(char **argvs[], int n);
/* Append a copy of WORD to ARGV (from sh_spawn_parse): -1 when it is full. */
int sh_spawn_add(char **argv, const char *word);

#endif
