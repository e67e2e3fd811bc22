/* jobs.h -- threads for the heavy work: how many, a pool that runs a loop's
 * iterations on them, and a bounded queue between the stages of a pipeline.
 *
 * Every threaded program takes -j N (sh_program.has_jobs): N threads at most,
 * 1 = today's single-threaded run; the default is SHARDS_JOBS when set, else the
 * cores this process may use. Threads never change output: work is split so that
 * each piece is computed exactly as it would be alone, and results are put
 * together in a fixed order, so -j 1 and -j 8 give the same bytes (the tests
 * compare them). */
#ifndef SHARDS_JOBS_H
#define SHARDS_JOBS_H

#include <stdbool.h>
#include <stddef.h>

/* SHARDS_JOBS (a positive integer) when set, else the cores this process may run on. */
int sh_jobs_default(void);

/* ---- a pool: run fn(ctx, 0..n-1) on up to `threads` threads ----
 * The caller's thread works too, so a pool of 1 starts no thread at all and
 * sh_pool_run is a plain loop. Iterations must not depend on each other. */
typedef struct sh_pool sh_pool;
typedef void (*sh_pool_fn)(void *ctx, int i);

/* NULL (with sh_error()) when a thread cannot start. */
sh_pool *sh_pool_new(int threads);
int sh_pool_threads(const sh_pool *p);
/* Returns when every iteration is done. Not reentrant: one run at a time. */
void sh_pool_run(sh_pool *p, int n, sh_pool_fn fn, void *ctx);
void sh_pool_free(sh_pool *p);

/* ---- a bounded queue of pointers between two threads (or more) ----
 * sh_queue_push blocks while the queue is full, sh_queue_pop while it is empty.
 * After sh_queue_close, pushes are refused (false) and pops drain what is left,
 * then return NULL: the end of the stream, or a stage that gave up. */
typedef struct sh_queue sh_queue;
sh_queue *sh_queue_new(size_t capacity);
bool sh_queue_push(sh_queue *q, void *item);
void *sh_queue_pop(sh_queue *q);
void sh_queue_close(sh_queue *q);
void sh_queue_free(sh_queue *q);

#endif
