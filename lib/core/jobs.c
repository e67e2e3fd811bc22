/* jobs.c -- thread count, worker pool and bounded queue; see jobs.h. */
#define _GNU_SOURCE
#include "jobs.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include "err.h"
#include "units.h"

int sh_jobs_default(void)
{
	const char *env = getenv("SHARDS_JOBS");
	int64_t n;
	if (env && sh_parse_int64(env, &n) == 0 && n >= 1 && n <= 1024)
		return (int)n;
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	return cores >= 1 ? (int)(cores > 1024 ? 1024 : cores) : 1;
}

/* ---------------------------------------------------------------- pool */

struct sh_pool {
	int threads;
	pthread_t *tid;
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	sh_pool_fn fn;
	void *ctx;
	int n, next;     /* iterations of this run, the next one to hand out */
	int busy;        /* workers inside the current run */
	unsigned run_id; /* bumped per run, so a worker joins each run once */
	bool quit;
};

/* Take iterations until none is left; called with mu held, returns with it held. */
static void take_work(sh_pool *p)
{
	while (p->next < p->n) {
		int i = p->next++;
		pthread_mutex_unlock(&p->mu);
		p->fn(p->ctx, i);
		pthread_mutex_lock(&p->mu);
	}
}

static void *worker(void *arg)
{
	sh_pool *p = arg;
	unsigned seen = 0;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->quit && p->run_id == seen)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->quit)
			break;
		seen = p->run_id;
		p->busy++;
		take_work(p);
		if (--p->busy == 0)
			pthread_cond_signal(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

sh_pool *sh_pool_new(int threads)
{
	sh_pool *p = sh_calloc(1, sizeof *p);
	p->threads = threads < 1 ? 1 : threads;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	p->tid = sh_calloc((size_t)p->threads, sizeof *p->tid);
	for (int t = 1; t < p->threads; t++)
		if (pthread_create(&p->tid[t], NULL, worker, p) != 0) {
			sh_set_error("cannot start a thread");
			p->threads = t;
			sh_pool_free(p);
			return NULL;
		}
	return p;
}

int sh_pool_threads(const sh_pool *p) { return p ? p->threads : 1; }

void sh_pool_run(sh_pool *p, int n, sh_pool_fn fn, void *ctx)
{
	if (!p || p->threads == 1 || n <= 1) {
		for (int i = 0; i < n; i++)
			fn(ctx, i);
		return;
	}
	pthread_mutex_lock(&p->mu);
	p->fn = fn;
	p->ctx = ctx;
	p->n = n;
	p->next = 0;
	p->run_id++;
	pthread_cond_broadcast(&p->work);
	take_work(p);
	/* the last iteration may still run on a worker */
	while (p->busy > 0)
		pthread_cond_wait(&p->done, &p->mu);
	p->fn = NULL;
	pthread_mutex_unlock(&p->mu);
}

void sh_pool_free(sh_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->quit = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (int t = 1; t < p->threads; t++)
		pthread_join(p->tid[t], NULL);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->mu);
	free(p->tid);
	free(p);
}

/* ---------------------------------------------------------------- queue */

struct sh_queue {
	pthread_mutex_t mu;
	pthread_cond_t not_full, not_empty;
	void **ring;
	size_t cap, head, count;
	bool closed;
};

sh_queue *sh_queue_new(size_t capacity)
{
	sh_queue *q = sh_calloc(1, sizeof *q);
	q->cap = capacity ? capacity : 1;
	q->ring = sh_calloc(q->cap, sizeof *q->ring);
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->not_full, NULL);
	pthread_cond_init(&q->not_empty, NULL);
	return q;
}

bool sh_queue_push(sh_queue *q, void *item)
{
	pthread_mutex_lock(&q->mu);
	while (!q->closed && q->count == q->cap)
		pthread_cond_wait(&q->not_full, &q->mu);
	bool ok = !q->closed;
	if (ok) {
		q->ring[(q->head + q->count) % q->cap] = item;
		q->count++;
		pthread_cond_signal(&q->not_empty);
	}
	pthread_mutex_unlock(&q->mu);
	return ok;
}

void *sh_queue_pop(sh_queue *q)
{
	pthread_mutex_lock(&q->mu);
	while (!q->closed && q->count == 0)
		pthread_cond_wait(&q->not_empty, &q->mu);
	void *item = NULL;
	if (q->count > 0) {
		item = q->ring[q->head];
		q->head = (q->head + 1) % q->cap;
		q->count--;
		pthread_cond_signal(&q->not_full);
	}
	pthread_mutex_unlock(&q->mu);
	return item;
}

void sh_queue_close(sh_queue *q)
{
	pthread_mutex_lock(&q->mu);
	q->closed = true;
	pthread_cond_broadcast(&q->not_full);
	pthread_cond_broadcast(&q->not_empty);
	pthread_mutex_unlock(&q->mu);
}

void sh_queue_free(sh_queue *q)
{
	if (!q)
		return;
	pthread_cond_destroy(&q->not_full);
	pthread_cond_destroy(&q->not_empty);
	pthread_mutex_destroy(&q->mu);
	free(q->ring);
	free(q);
}
