/* test_events_fuzz.c -- mutated event streams and scale files: the readers must
 * never crash, and whatever they accept must keep the stream's promises. */
#include "cli.h"
#include "events.h"
#include "rng.h"
#include "scales.h"
#include "tap.h"

#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *corpus[] = {
	"{\"t\":0,\"type\":\"tempo\",\"bpm\":124}\n",
	"{\"t\":0.25,\"type\":\"tick\",\"step\":1,\"steps_per_beat\":4}\n",
	"{\"t\":0.5,\"type\":\"trigger\",\"name\":\"rhythm_hit\",\"value\":1}\n",
	"{\"t\":0.5,\"type\":\"note\",\"pitch\":62,\"velocity\":0.85,\"gate\":0.22,\"channel\":0}\n",
	"{\"t\":1,\"type\":\"value\",\"name\":\"mod_noise\",\"value\":0.43}\n",
	"{\"t\":2,\"type\":\"param\",\"target\":\"arp\",\"param\":\"degrees\",\"value\":[0,2,4]}\n",
};

/* The bytes as a readable path: a pipe seen through /dev/fd (no disk traffic). */
static int pipe_fd = -1;
static const char *as_path(const char *data, size_t n)
{
	static char path[64];
	int p[2];
	if (pipe(p) != 0 || write(p[1], data, n) != (ssize_t)n)
		exit(1);
	close(p[1]);
	pipe_fd = p[0];
	snprintf(path, sizeof path, "/dev/fd/%d", p[0]);
	return path;
}

static void done_path(void)
{
	close(pipe_fd);
	pipe_fd = -1;
}

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	sh_rng rng;
	sh_rng_seed(&rng, 20261121);
	int devnull = open("/dev/null", O_WRONLY), saved = dup(2);
	long events = 0, broken = 0;
	size_t cap = 1 << 16;
	char *buf = malloc(cap);
	for (int round = 0; round < 3000; round++) {
		size_t n = 0;
		int lines = 1 + (int)sh_rng_below(&rng, 12);
		for (int i = 0; i < lines; i++) {
			const char *l = corpus[sh_rng_below(&rng, sizeof corpus / sizeof *corpus)];
			size_t len = strlen(l);
			if (n + len + 64 > cap)
				break;
			memcpy(buf + n, l, len);
			n += len;
		}
		int muts = (int)sh_rng_below(&rng, 6);
		for (int m = 0; m < muts && n > 0; m++) {
			size_t at = sh_rng_below(&rng, n);
			switch (sh_rng_below(&rng, 4)) {
			case 0: buf[at] = (char)sh_rng_below(&rng, 256); break;              /* flip a byte */
			case 1: n = at; break;                                              /* truncate */
			case 2: buf[at] = "\n\0\"{}[],:-9e."[sh_rng_below(&rng, 13)]; break; /* structural */
			default: memmove(buf + at + 1, buf + at, n - at); buf[at] = '\n'; n++; break;
			}
		}
		const char *path = as_path(buf, n);
		dup2(devnull, 2); /* --skip-bad warnings: thousands of them */
		sh_evreader *r = sh_evreader_open(path, true);
		sh_event ev;
		double prev = 0;
		while (sh_evreader_next(r, &ev) == 1) {
			events++;
			if (!(isfinite(ev.t) && ev.t >= prev && ev.type && ev.line && strlen(ev.line) == ev.len))
				broken++;
			prev = ev.t;
		}
		sh_evreader_close(r);
		done_path();
		dup2(saved, 2);
	}
	CHECK(broken == 0, "3000 mutated streams: %ld events accepted, all finite, ordered, whole (%ld broken)", events, broken);
	CHECK(events > 3000, "mutations leave most lines readable (%ld)", events);

	/* scale files */
	const char *good = "{\"a\":[0,2,4,5,7,9,11],\"b\":[0,3,7],\"c\":[0]}";
	long accepted = 0, bad_scale = 0;
	for (int round = 0; round < 2000; round++) {
		char text[256];
		size_t n = strlen(good);
		memcpy(text, good, n + 1);
		int muts = 1 + (int)sh_rng_below(&rng, 3);
		for (int m = 0; m < muts; m++)
			text[sh_rng_below(&rng, n)] = "0123456789-[],{}\":x "[sh_rng_below(&rng, 20)];
		const char *path = as_path(text, n);
		sh_scales reg = {0};
		int ok = sh_scales_add_file(&reg, path);
		done_path();
		if (ok == 0) {
			accepted++;
			for (size_t i = 0; i < reg.n; i++)
				for (int j = 0; j < reg.s[i].n; j++)
					if (reg.s[i].step[j] < 0 || reg.s[i].step[j] > 11 || (j && reg.s[i].step[j] <= reg.s[i].step[j - 1]))
						bad_scale++;
		}
		sh_scales_free(&reg);
	}
	CHECK(bad_scale == 0, "2000 mutated scale files: %ld accepted, every accepted scale valid", accepted);
	free(buf);
	return tap_failed;
}
