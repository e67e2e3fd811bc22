/* test_jobs.c -- the thread pool and the bounded queue (lib/core/jobs.h): every
 * iteration runs exactly once for any thread count, runs reuse the workers, the
 * queue keeps order, blocks when full and drains after close; -j on a program. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tap.h"

static void count_once(void *ctx, int i) { __atomic_add_fetch(&((int *)ctx)[i], 1, __ATOMIC_RELAXED); }

static void *produce(void *arg)
{
	sh_queue *q = arg;
	for (intptr_t i = 1; i <= 1000; i++)
		if (!sh_queue_push(q, (void *)i))
			return NULL;
	sh_queue_close(q);
	return NULL;
}

int main(void)
{
	static int hits[4096];
	for (int threads = 1; threads <= 5; threads += 2) {
		sh_pool *p = sh_pool_new(threads);
		int n_ok = 1;
		for (int run = 0; run < 200; run++) {
			int n = run * 7 % 300;
			memset(hits, 0, sizeof hits);
			sh_pool_run(p, n, count_once, hits);
			for (int i = 0; i < 4096; i++)
				if (hits[i] != (i < n))
					n_ok = 0;
		}
		CHECK(n_ok && sh_pool_threads(p) == threads,
		      "pool of %d: 200 runs, every iteration exactly once", threads);
		sh_pool_free(p);
	}
	sh_pool_run(NULL, 3, count_once, hits);
	CHECK(1, "no pool: a plain loop");

	sh_queue *q = sh_queue_new(3);
	pthread_t t;
	pthread_create(&t, NULL, produce, q);
	intptr_t want = 1, got;
	int in_order = 1;
	while ((got = (intptr_t)sh_queue_pop(q)) != 0)
		if (got != want++)
			in_order = 0;
	pthread_join(t, NULL);
	CHECK(in_order && want == 1001, "queue of 3: 1000 items in order, then NULL after close");
	CHECK(!sh_queue_push(q, (void *)1), "a closed queue refuses a push");
	sh_queue_free(q);

	setenv("SHARDS_JOBS", "3", 1);
	CHECK(sh_jobs_default() == 3, "SHARDS_JOBS sets the default thread count");
	setenv("SHARDS_JOBS", "zero", 1);
	CHECK(sh_jobs_default() >= 1, "a bad SHARDS_JOBS falls back to the cores");
	unsetenv("SHARDS_JOBS");

	sh_option none[] = {{0}};
	sh_program prog = {.usage = "t", .summary = "t", .has_jobs = true};
	char *argv[] = {"t", "-j", "2", "x", NULL};
	int first = sh_parse_options(&prog, none, 4, argv);
	CHECK(first == 3 && prog.jobs == 2, "-j 2 gives two threads");
	sh_program prog2 = {.usage = "t", .summary = "t", .has_jobs = true};
	char *argv2[] = {"t", "--jobs", "0", NULL};
	CHECK(sh_parse_options(&prog2, none, 3, argv2) == -1, "--jobs 0 is a usage error");
	sh_program prog3 = {.usage = "t", .summary = "t", .has_jobs = true};
	char *argv3[] = {"t", NULL};
	CHECK(sh_parse_options(&prog3, none, 1, argv3) == 1 && prog3.jobs == sh_jobs_default(),
	      "no -j: the default");
	return tap_failed;
}
