/* Unit tests for the audio processor class (lib/dsp/proc): every processor in
 * the registry, held to the rules of proc.h -- the same bytes whatever the
 * block sizes pushed, finite and bounded output on noise and impulses at the
 * defaults, latency as declared, every knob set and read back -- plus the
 * driver's own promises (chains, live knobs, refusals). */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "proc.h"
#include "rng.h"
#include "sink.h"
#include "tap.h"

enum { RATE = 48000, CH = 2 };

/* What came out, up to a generous bound (the processors here at most keep the
 * input's length): more is an error, as a full disk would be. */

/* N frames of X through a new processor of class C (SETTINGS: key=value words
 * or NULL) allowed JOBS threads, pushed in blocks of BLOCK frames (the last one
 * shorter). */
static sink run_jobs(const sh_proc_class *c, const char *settings, const float *x, size_t n,
                     size_t block, int jobs)
{
	sink k = {.ch = CH};
	sh_proc *p = sh_proc_new(c);
	p->jobs = jobs;
	if (settings && sh_proc_assign(p, settings) != 0)
		printf("# %s: %s\n", c->name, sh_error());
	if (sh_proc_chain_start(&p, 1, RATE, CH, 42, collect, &k) < 0) {
		printf("# %s: %s\n", c->name, sh_error());
		sh_proc_free(p);
		return k;
	}
	k.ch = p->channels_out;
	for (size_t at = 0; at < n; at += block) {
		size_t b = n - at < block ? n - at : block;
		if (sh_proc_push(p, x + at * CH, b) != 0)
			printf("# %s: %s\n", c->name, sh_error());
	}
	if (sh_proc_finish(p) != 0)
		printf("# %s: %s\n", c->name, sh_error());
	sh_proc_free(p);
	return k;
}

static sink run(const sh_proc_class *c, const char *settings, const float *x, size_t n, size_t block)
{
	return run_jobs(c, settings, x, n, block, 1);
}

static bool same(const sink *a, const sink *b)
{
	return a->n == b->n && (a->n == 0 || memcmp(a->buf, b->buf, a->n * sizeof(float)) == 0);
}

/* Largest |sample|, or INFINITY when one is not finite. */
static double peak(const sink *k)
{
	double m = 0;
	for (size_t i = 0; i < k->n; i++) {
		if (!isfinite(k->buf[i]))
			return INFINITY;
		m = fmax(m, fabs(k->buf[i]));
	}
	return m;
}

/* Frame of the largest |sample| of channel 0. */
static size_t argmax(const sink *k)
{
	size_t best = 0;
	for (size_t i = 0; i < k->n / (size_t)k->ch; i++)
		if (fabsf(k->buf[i * k->ch]) > fabsf(k->buf[best * k->ch]))
			best = i;
	return best;
}

static size_t frames_of(const sink *k) { return k->n / (size_t)k->ch; }

/* Set every knob to a value within its range and read it back. */
static void round_trip(const sh_proc_class *c)
{
	sh_proc *p = sh_proc_new(c);
	int rows = 0, ok = 0;
	for (sh_option *o = p->params; o->name; o++) {
		char text[128];
		json_t *want = NULL;
		rows++;
		switch (o->type) {
		case SH_OPT_DOUBLE: {
			double v = o->min + 0.37 * (o->max - o->min);
			snprintf(text, sizeof text, "%.17g", v);
			want = json_real(v);
			break;
		}
		case SH_OPT_INT: {
			int64_t v = (int64_t)(o->min + (o->max - o->min) / 3);
			snprintf(text, sizeof text, "%lld", (long long)v);
			want = json_integer(v);
			break;
		}
		case SH_OPT_RANGE: {
			double lo = o->min + 0.25 * (o->max - o->min), hi = o->min + 0.5 * (o->max - o->min);
			snprintf(text, sizeof text, "%.15g..%.15g", lo, hi);
			want = json_string(text);
			break;
		}
		case SH_OPT_FLAG:
			snprintf(text, sizeof text, "%s", *(bool *)o->dest ? "false" : "true");
			want = json_boolean(!*(bool *)o->dest);
			break;
		case SH_OPT_CHOICE: {
			/* the last choice, so the value changes from a first-choice default */
			const char *bar = strrchr(o->choices, '|');
			snprintf(text, sizeof text, "%s", bar ? bar + 1 : o->choices);
			want = json_string(text);
			break;
		}
		default:
			snprintf(text, sizeof text, "x");
			want = json_string(text);
			break;
		}
		int r = sh_proc_set(p, o->name, text);
		json_t *got = sh_param_json(o);
		if (r == 0 && json_equal(got, want))
			ok++;
		else
			printf("# %s: %s=%s read back as %s (%s)\n", c->name, o->name, text,
			       json_dumps(got, JSON_ENCODE_ANY), r ? sh_error() : "set");
		json_decref(got);
		json_decref(want);
	}
	CHECK(ok == rows, "%s: all %d knobs set and read back", c->name, rows);

	/* refusals leave the knob as it was */
	sh_option *first = p->params;
	if (first->name && (first->type == SH_OPT_DOUBLE || first->type == SH_OPT_INT)) {
		json_t *before = sh_param_json(first);
		char big[64];
		snprintf(big, sizeof big, "%.17g", first->max * 2 + 1);
		int r = sh_proc_set(p, first->name, big);
		json_t *after = sh_param_json(first);
		CHECK(r != 0 && json_equal(before, after) && strstr(sh_error(), first->name),
		      "%s: %s out of range refused, naming the knob, value unchanged (%s)", c->name,
		      first->name, sh_error());
		json_decref(before);
		json_decref(after);
	}
	CHECK(sh_proc_set(p, "no-such-knob", "1") != 0 && strstr(sh_error(), "valid"),
	      "%s: an unknown knob refused, listing the valid ones (%s)", c->name, sh_error());
	sh_proc_free(p);
}

static void each_processor(const sh_proc_class *c, const float *noise, const float *imp, size_t n)
{
	/* block sizes: the same bytes */
	const size_t blocks[] = {1, 7, 64, 4096};
	sink ref = run(c, NULL, noise, n, blocks[0]);
	bool all = ref.n > 0;
	for (size_t b = 1; b < sizeof blocks / sizeof *blocks; b++) {
		sink k = run(c, NULL, noise, n, blocks[b]);
		if (!same(&ref, &k)) {
			printf("# %s: blocks of %zu differ from blocks of 1 (%zu vs %zu samples)\n", c->name,
			       blocks[b], k.n, ref.n);
			all = false;
		}
		free(k.buf);
	}
	CHECK(all, "%s: identical output for blocks of 1, 7, 64 and 4096 frames", c->name);
	/* at the defaults every processor here keeps the length (stretch: ratio 1) */
	CHECK(frames_of(&ref) == n, "%s: %zu frames in, %zu out", c->name, n, frames_of(&ref));

	/* threads never change the output: 2 and 3 threads (more than the channels),
	 * fed in blocks of 7 and 4096, give the bytes of one thread in blocks of 1;
	 * and the same with the class's neutral settings, and (stretch) each
	 * channel apart */
	bool threads = true, apart = false;
	for (const sh_option *o = c->params; o && o->name; o++)
		apart = apart || !strcmp(o->name, "channels");
	const char *tset[] = {NULL, c->neutral, apart ? "channels=apart" : NULL};
	for (size_t t = 0; t < 3; t++) {
		if (t > 0 && !tset[t])
			continue;
		sink one = t ? run(c, tset[t], noise, n, 1) : ref;
		for (int j = 2; j <= 3; j++)
			for (size_t b = 7; b <= 4096; b = b == 7 ? 4096 : 4097) {
				sink k = run_jobs(c, tset[t], noise, n, b, j);
				if (!same(&one, &k)) {
					printf("# %s (%s): %d threads, blocks of %zu differ from one thread\n", c->name,
					       tset[t] ? tset[t] : "defaults", j, b);
					threads = false;
				}
				free(k.buf);
			}
		if (t)
			free(one.buf);
	}
	CHECK(threads, "%s: identical output with 1, 2 and 3 threads", c->name);

	/* noise and impulses at the defaults: finite, bounded */
	double pn = peak(&ref);
	CHECK(pn < 16, "%s: white noise at the defaults: finite, peak %g below 16", c->name, pn);
	free(ref.buf);
	sink ki = run(c, NULL, imp, n, 4096);
	double pi = peak(&ki);
	CHECK(pi < 16 && ki.n > 0, "%s: impulses at the defaults: finite, peak %g below 16", c->name, pi);
	free(ki.buf);

	/* latency: with the neutral settings a lone impulse comes out where it
	 * went in (the driver compensates what the processor declares) */
	if (!c->neutral) {
		printf("# %s: no neutral settings, latency not checked\n", c->name);
		return;
	}
	const size_t at = n / 2 + 123;
	float *one = sh_calloc(n * CH, sizeof(float));
	one[at * CH] = one[at * CH + 1] = 0.5f;
	sink kl = run(c, c->neutral, one, n, 1000);
	size_t got = argmax(&kl);
	if (c->own_length) {
		/* stretch: Rubber Band smears an impulse a little even at ratio 1; its
		 * start delay is compensated inside, so the peak stays close */
		CHECK(got + 64 >= at && got <= at + 64 && frames_of(&kl) == n,
		      "%s (%s): impulse at %zu comes out at %zu (within 64), length kept", c->name,
		      c->neutral, at, got);
	} else {
		CHECK(got == at && frames_of(&kl) == n && fabsf(kl.buf[got * kl.ch] - 0.5f) < 1e-4f,
		      "%s (%s): impulse at %zu comes out at %zu, same height, length kept", c->name,
		      c->neutral, at, got);
	}
	free(kl.buf);
	free(one);
	round_trip(c);
}

int main(void)
{
	sh_init(1, (char *[]){"test_proc", NULL});
	const size_t n = RATE; /* one second */
	float *noise = sh_malloc(n * CH * sizeof(float));
	float *imp = sh_calloc(n * CH, sizeof(float));
	sh_rng r;
	sh_rng_seed(&r, 5);
	for (size_t i = 0; i < n * CH; i++)
		noise[i] = (float)(sh_rng_uniform(&r) * 2 - 1);
	for (size_t i = 100; i < n; i += 4801)
		imp[i * CH] = imp[i * CH + 1] = 1.0f;

	size_t count = 0;
	for (const sh_proc_class *c; (c = sh_proc_class_at(count)); count++) {
		CHECK(c->name && c->purpose && c->flow && strchr(c->purpose, '\n') == NULL,
		      "%s: named, with a one-line purpose (%s)", c->name, c->purpose);
		CHECK(sh_proc_find(c->name) == c, "%s: found by name", c->name);
		each_processor(c, noise, imp, n);
	}
	CHECK(count >= 4, "%zu processors in the registry", count);
	CHECK(sh_proc_find("nonesuch") == NULL && strstr(sh_error(), "smear"),
	      "an unknown processor refused, listing the others (%s)", sh_error());

	/* gain: exactly x 10^(db/20), and live */
	{
		sink k = run(sh_proc_find("gain"), "db=-6", noise, 1000, 333);
		const float f = (float)pow(10.0, -6 / 20.0);
		bool exact = k.n == 1000 * CH;
		for (size_t i = 0; exact && i < k.n; i++)
			exact = k.buf[i] == noise[i] * f;
		CHECK(exact, "gain db=-6: every sample exactly x 10^(-6/20)");
		free(k.buf);

		sink out = {.ch = CH};
		sh_proc *g = sh_proc_new(sh_proc_find("gain"));
		sh_proc_chain_start(&g, 1, RATE, CH, 1, collect, &out);
		sh_proc_push(g, noise, 100);
		CHECK(sh_proc_set(g, "db", "20") == 0, "gain: db changes while running (live)");
		sh_proc_push(g, noise + 100 * CH, 100);
		sh_proc_finish(g);
		CHECK(out.n == 200 * CH && out.buf[0] == noise[0] && out.buf[100 * CH] == noise[100 * CH] * 10.0f,
		      "gain: the change takes effect from the next frame");
		sh_proc_free(g);
		free(out.buf);

		sh_proc *s = sh_proc_new(sh_proc_find("smear"));
		sink o2 = {.ch = CH};
		sh_proc_chain_start(&s, 1, RATE, CH, 1, collect, &o2);
		CHECK(sh_proc_set(s, "blur", "0.1") != 0 && strstr(sh_error(), "while running"),
		      "smear: a knob not marked live is refused while running (%s)", sh_error());
		sh_proc_free(s);
		free(o2.buf);
	}

	/* stretch owns its length: round(frames x ratio) */
	{
		sink a = run(sh_proc_find("stretch"), "ratio=2", noise, 10007, 777);
		sink b = run(sh_proc_find("stretch"), "ratio=0.5 pitch=-5", noise, 10007, 4096);
		CHECK(frames_of(&a) == 20014 && frames_of(&b) == 5004 && peak(&a) < 16 && peak(&b) < 16,
		      "stretch: 10007 frames at ratio 2 give %zu, at ratio 0.5 %zu", frames_of(&a), frames_of(&b));
		free(a.buf);
		free(b.buf);
	}

	/* a chain: smear (neutral) into gain; latencies add up and are compensated */
	{
		sh_proc *chain[2] = {sh_proc_new(sh_proc_find("smear")), sh_proc_new(sh_proc_find("gain"))};
		sh_proc_assign(chain[0], "blur=0 phase=0 fft=1024");
		sh_proc_assign(chain[1], "db=6");
		sink k = {.ch = CH};
		int ch = sh_proc_chain_start(chain, 2, RATE, CH, 1, collect, &k);
		float *one = sh_calloc(n * CH, sizeof(float));
		one[777 * CH] = 0.25f;
		for (size_t at = 0; at < n; at += 999)
			sh_proc_push(chain[0], one + at * CH, n - at < 999 ? n - at : 999);
		sh_proc_finish(chain[0]);
		size_t got = argmax(&k);
		CHECK(ch == CH && k.n == n * CH && got == 777 && fabsf(k.buf[got * CH] - 0.25f * (float)pow(10, 0.3)) < 1e-4f,
		      "chain smear | gain: aligned (impulse at %zu), as long, louder by 6 dB", got);
		sh_proc_free(chain[0]);
		sh_proc_free(chain[1]);
		free(one);
		free(k.buf);
	}

	/* knobs that do not fit together are the user's: check refuses them */
	{
		sh_proc *s = sh_proc_new(sh_proc_find("smear"));
		CHECK(sh_proc_assign(s, "fft=1001") == 0 && sh_proc_check(s) != 0 && strstr(sh_error(), "odd"),
		      "smear: an odd fft refused before start (%s)", sh_error());
		sink k = {.ch = CH};
		CHECK(sh_proc_chain_start(&s, 1, RATE, CH, 1, collect, &k) < 0, "smear: ... and start refuses it");
		sh_proc_free(s);
	}
	free(noise);
	free(imp);
	return tap_failed;
}
