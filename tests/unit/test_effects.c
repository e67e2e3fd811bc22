/* Unit tests for the time, colour and space processors (proc_time.c,
 * proc_colour.c, proc_space.c), measured against what they promise: echoes
 * on the exact frame and as loud as documented (and against a plain comb
 * filter written out here), equal-power panning, mid/side width, a square
 * tremolo's silent half-periods, bitcrush's levels, decimate's holds, the ring
 * modulator's product, fixed delays through chorus and flanger, mono's mean. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "proc.h"
#include "rng.h"
#include "tap.h"

enum { RATE = 48000 };

/* What a run gives: the output (frames x channels out), its channel count. */
typedef struct {
	float *y;
	size_t frames;
	int ch;
} result;

typedef struct {
	float *buf;
	size_t n, cap; /* samples so far, room */
	int ch;
} out_t;

static int gather(void *user, const float *b, size_t frames)
{
	out_t *o = user;
	size_t k = frames * (size_t)o->ch;
	if (o->n + k > o->cap) {
		sh_set_error("too much output");
		return -1;
	}
	memcpy(o->buf + o->n, b, k * sizeof(float));
	o->n += k;
	return 0;
}

/* N frames of CH-channel X through processor NAME with SETTINGS, pushed in
 * blocks of 999 frames. */
static result run(const char *name, const char *settings, const float *x, size_t n, int ch)
{
	result r = {0};
	sh_proc *p = sh_proc_new(sh_proc_find(name));
	out_t o = {.cap = n * (size_t)ch, .ch = ch};
	o.buf = sh_calloc(o.cap ? o.cap : 1, sizeof(float));
	if ((settings && sh_proc_assign(p, settings) != 0) ||
	    sh_proc_chain_start(&p, 1, RATE, ch, 1, gather, &o) < 0) {
		printf("# %s: %s\n", name, sh_error());
		sh_proc_free(p);
		free(o.buf);
		return r;
	}
	o.ch = p->channels_out;
	o.cap = n * (size_t)o.ch;
	for (size_t at = 0; at < n; at += 999)
		if (sh_proc_push(p, x + at * (size_t)ch, n - at < 999 ? n - at : 999) != 0)
			printf("# %s: %s\n", name, sh_error());
	if (sh_proc_finish(p) != 0)
		printf("# %s: %s\n", name, sh_error());
	sh_proc_free(p);
	r.y = o.buf;
	r.frames = o.n / (size_t)o.ch;
	r.ch = o.ch;
	return r;
}

static float *noise(size_t samples, uint64_t seed)
{
	float *x = sh_malloc(samples * sizeof(float));
	sh_rng r;
	sh_rng_seed(&r, seed);
	for (size_t i = 0; i < samples; i++)
		x[i] = (float)(sh_rng_uniform(&r) * 2 - 1);
	return x;
}

/* ---------------------------------------------------------------- echo */

static void test_echo(void)
{
	const size_t n = RATE, at = 1000;
	float *imp = sh_calloc(n * 2, sizeof(float));
	imp[at * 2] = imp[at * 2 + 1] = 1.0f;

	/* wet only, no feedback: one echo, exactly round(time x rate) later, height 1 */
	const double times[] = {0.1, 0.0123, 0.001, 0.33333};
	for (size_t t = 0; t < sizeof times / sizeof *times; t++) {
		char set[128];
		snprintf(set, sizeof set, "time=%g fb=0 mix=1", times[t]);
		result r = run("echo", set, imp, n, 2);
		const size_t d = (size_t)lround(times[t] * RATE);
		bool only = r.frames == n;
		for (size_t i = 0; only && i < n; i++)
			for (int c = 0; c < 2; c++)
				only = r.y[i * 2 + c] == (i == at + d ? 1.0f : 0.0f);
		CHECK(only, "echo %s: the impulse at %zu comes back only at %zu (+%zu), height 1", set, at,
		      at + d, d);
		free(r.y);
	}

	/* mix=0.5: the dry at full level and the echoes at full level; fb=0.5: each
	 * repeat at half the last, exactly every round(time x rate) frames */
	{
		result r = run("echo", "time=0.05 fb=0.5 mix=0.5", imp, n, 2);
		const size_t d = 2400;
		bool ok = r.frames == n;
		for (size_t i = 0; ok && i < n; i++) {
			float want = 0;
			if (i >= at && (i - at) % d == 0)
				want = ldexpf(1.0f, -(int)((i - at) / d) + ((i - at) ? 1 : 0));
			ok = r.y[i * 2] == want && r.y[i * 2 + 1] == want;
			if (!ok)
				printf("# frame %zu: %g, want %g\n", i, r.y[i * 2], want);
		}
		CHECK(ok, "echo fb=0.5 mix=0.5: dry 1 at %zu, echoes 1, 0.5, 0.25 ... at +%zu, +%zu, +%zu",
		      at, d, 2 * d, 3 * d);
		free(r.y);
	}

	/* damp: the first echo untouched, the second darker: lower, spread, not early */
	{
		result r = run("echo", "time=0.05 fb=0.8 mix=1 damp=2000", imp, n, 2);
		const size_t d = 2400;
		double before = 0, second = 0;
		for (size_t i = at + d + 1; i < at + 2 * d; i++)
			before = fmax(before, fabs(r.y[i * 2]));
		for (size_t i = at + 2 * d; i < at + 3 * d; i++)
			second = fmax(second, fabs(r.y[i * 2]));
		CHECK(r.y[(at + d) * 2] == 1.0f && before == 0 && second > 0.05 && second < 0.8,
		      "echo damp=2000: first echo 1, nothing until +%zu, second echo peak %g below fb 0.8",
		      2 * d, second);
		free(r.y);
	}

	/* against a comb filter written out here: y[t] = v[t - D], v = x + fb y */
	{
		const size_t m = 20000, d = (size_t)lround(0.0071 * RATE);
		float *x = noise(m, 9);
		result r = run("echo", "time=0.0071 fb=0.7 mix=1", x, m, 1);
		float *v = sh_calloc(m, sizeof(float));
		double err = 0;
		for (size_t i = 0; i < m; i++) {
			float y = i >= d ? v[i - d] : 0;
			v[i] = x[i] + 0.7f * y;
			err = fmax(err, fabs(y - r.y[i]));
		}
		CHECK(r.frames == m && err < 1e-6, "echo fb=0.7 on noise: the comb filter's output within %g",
		      err);
		free(v);
		free(x);
		free(r.y);
	}

	/* a live change of time: after the crossfade the echo lands on the new delay */
	{
		out_t o = {.cap = n, .ch = 1};
		o.buf = sh_calloc(n, sizeof(float));
		sh_proc *p = sh_proc_new(sh_proc_find("echo"));
		sh_proc_assign(p, "time=0.01 fb=0 mix=1");
		sh_proc_chain_start(&p, 1, RATE, 1, 1, gather, &o);
		float *x = sh_calloc(n, sizeof(float));
		x[20000] = 1.0f;
		sh_proc_push(p, x, 10000);
		int r = sh_proc_set(p, "time", "0.02");
		sh_proc_push(p, x + 10000, n - 10000);
		sh_proc_finish(p);
		CHECK(r == 0 && o.n == n && o.buf[20960] == 1.0f && o.buf[20480] == 0,
		      "echo: time changed live from 0.01 to 0.02 s: the echo moves to +960 frames");
		sh_proc_free(p);
		free(x);
		free(o.buf);
	}
	free(imp);
}

/* ---------------------------------------------------------------- chorus, flanger */

static void test_modulated(void)
{
	const size_t n = 4000, at = 500;
	float *imp = sh_calloc(n, sizeof(float));
	imp[at] = 1.0f;
	/* no sweep: a plain delay, on the exact frame */
	result r = run("chorus", "voices=1 depth=0 delay=10 mix=1", imp, n, 1);
	CHECK(r.frames == n && fabsf(r.y[at + 480] - 1.0f) < 1e-6f && fabsf(r.y[at + 479]) < 1e-6f &&
	      fabsf(r.y[at]) < 1e-6f,
	      "chorus voices=1 depth=0 delay=10 ms: the impulse 480 frames later (%g)", r.y[at + 480]);
	free(r.y);
	r = run("flanger", "depth=0 delay=1 fb=0.5 mix=1", imp, n, 1);
	CHECK(r.frames == n && fabsf(r.y[at + 48] - 1.0f) < 1e-6f && fabsf(r.y[at + 96] - 0.5f) < 1e-6f &&
	      fabsf(r.y[at + 72]) < 1e-6f,
	      "flanger depth=0 delay=1 ms fb=0.5: 1 at +48, 0.5 at +96 (%g, %g)", r.y[at + 48],
	      r.y[at + 96]);
	free(r.y);
	/* a half-sample delay lands between samples (the interpolation works) */
	r = run("chorus", "voices=1 depth=0 delay=1.0104166666666667 mix=1", imp, n, 1);
	CHECK(fabsf(r.y[at + 48] - r.y[at + 49]) < 1e-3f && r.y[at + 48] > 0.5f,
	      "chorus delay of 48.5 frames: split between +48 and +49 (%g, %g)", r.y[at + 48],
	      r.y[at + 49]);
	free(r.y);
	free(imp);
	/* stages must be even */
	sh_proc *p = sh_proc_new(sh_proc_find("phaser"));
	CHECK(sh_proc_assign(p, "stages=5") == 0 && sh_proc_check(p) != 0,
	      "phaser: an odd count of stages refused (%s)", sh_error());
	sh_proc_free(p);
}

/* ---------------------------------------------------------------- tremolo */

static void test_tremolo(void)
{
	const size_t n = RATE;
	float *one = sh_malloc(n * 2 * sizeof(float));
	for (size_t i = 0; i < n * 2; i++)
		one[i] = 0.75f;
	/* 10 Hz: 4800 frames a cycle, full level for the first 2400, then silence */
	result r = run("tremolo", "rate=10 depth=1 shape=square", one, n, 2);
	bool ok = r.frames == n;
	size_t i = 0;
	for (; ok && i < n; i++) {
		float want = i % 4800 < 2400 ? 0.75f : 0.0f;
		ok = r.y[2 * i] == want && r.y[2 * i + 1] == want;
	}
	if (!ok)
		printf("# frame %zu: %g\n", i - 1, r.y[2 * (i - 1)]);
	CHECK(ok, "tremolo rate=10 depth=1 square: 0.75 on frames [k 4800, k 4800 + 2400), silent on "
	          "the rest");
	free(r.y);
	r = run("tremolo", "rate=10 depth=0.5 shape=sine", one, n, 2);
	CHECK(r.y[0] == 0.75f && fabsf(r.y[2400 * 2] - 0.375f) < 1e-6f &&
	      fabsf(r.y[1200 * 2] - 0.5625f) < 1e-6f,
	      "tremolo depth=0.5 sine: full at the start of a cycle, half in the middle (%g)",
	      r.y[2400 * 2]);
	free(r.y);
	free(one);
}

/* ---------------------------------------------------------------- colour */

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return (x > y) - (x < y);
}

static void test_colour(void)
{
	const size_t n = 20000;
	float *x = noise(n * 2, 3);

	/* bitcrush bits=4: at most 16 levels, all multiples of 1/8 in -1 .. 7/8 */
	result r = run("bitcrush", "bits=4", x, n, 2);
	qsort(r.y, r.frames * 2, sizeof(float), cmp_float);
	size_t levels = 0;
	bool grid = true;
	for (size_t i = 0; i < r.frames * 2; i++) {
		if (i == 0 || r.y[i] != r.y[i - 1])
			levels++;
		grid = grid && r.y[i] * 8 == rintf(r.y[i] * 8) && r.y[i] >= -1 && r.y[i] <= 0.875f;
	}
	CHECK(r.frames == n && levels <= 16 && levels >= 15 && grid,
	      "bitcrush bits=4 on noise: %zu distinct levels, on the 1/8 grid", levels);
	free(r.y);

	/* bitcrush on a ramp: round to the nearest level */
	float ramp[9] = {0.0f, 0.06f, 0.07f, 0.2f, -0.2f, 0.99f, -0.99f, 1.5f, -1.5f};
	r = run("bitcrush", "bits=4", ramp, 9, 1);
	const float want[9] = {0, 0, 0.125f, 0.25f, -0.25f, 0.875f, -1, 0.875f, -1};
	CHECK(!memcmp(r.y, want, sizeof want), "bitcrush bits=4 rounds to the nearest 1/8 and clips");
	free(r.y);

	/* decimate at 8000 Hz of 48000: every value held for exactly 6 frames */
	r = run("decimate", "rate=8000", x, n, 2);
	bool held = r.frames == n;
	for (size_t i = 0; held && i < n; i++)
		for (int c = 0; c < 2; c++)
			held = r.y[i * 2 + c] == x[(i - i % 6) * 2 + c];
	CHECK(held, "decimate rate=8000: frame i holds the input's frame i - i %% 6");
	free(r.y);
	/* at 7000 Hz: holds of 6 and 7 frames, 7000 new values a second */
	float *y1 = noise(RATE, 4);
	r = run("decimate", "rate=7000", y1, RATE, 1);
	size_t changes = 0, shortest = RATE, longest = 0, run_len = 0;
	for (size_t i = 0; i < RATE; i++) {
		if (i > 0 && r.y[i] != r.y[i - 1]) {
			changes++;
			if (changes > 1) {
				shortest = run_len < shortest ? run_len : shortest;
				longest = run_len > longest ? run_len : longest;
			}
			run_len = 0;
		}
		run_len++;
	}
	CHECK(changes + 1 == 7000 && shortest == 6 && longest == 7,
	      "decimate rate=7000: %zu values in a second, held %zu to %zu frames", changes + 1,
	      shortest, longest);
	free(r.y);
	free(y1);

	/* ringmod: the input times a sine from phase 0 */
	r = run("ringmod", "freq=1000", x, n, 2);
	double err = 0;
	for (size_t i = 0; i < n; i++)
		for (int c = 0; c < 2; c++)
			err = fmax(err, fabs(r.y[i * 2 + c] - x[i * 2 + c] * sin(2 * M_PI * 1000.0 * i / RATE)));
	CHECK(err < 1e-6, "ringmod freq=1000: x sin(2 pi 1000 t) within %g", err);
	free(r.y);
	r = run("ringmod", "freq=1000 mix=0.25", x, n, 2);
	err = 0;
	for (size_t i = 0; i < n; i++) {
		double s = sin(2 * M_PI * 1000.0 * i / RATE);
		err = fmax(err, fabs(r.y[i * 2] - x[i * 2] * (0.75 + 0.25 * s)));
	}
	CHECK(err < 1e-6, "ringmod mix=0.25: three quarters dry, a quarter modulated, within %g", err);
	free(r.y);

	/* saturate: hard at 0 dB is the identity within +-1; drive keeps the level of
	 * a -12 dBFS sine; every shape stays within its bounds */
	r = run("saturate", "drive=0 shape=hard", x, n, 2);
	err = 0;
	for (size_t i = 0; i < n * 2; i++)
		err = fmax(err, fabs(r.y[i] - x[i]));
	CHECK(err < 1e-6, "saturate drive=0 hard: the input itself within %g", err);
	free(r.y);
	float *sine = sh_malloc(RATE * sizeof(float));
	for (size_t i = 0; i < RATE; i++)
		sine[i] = (float)(0.25 * sin(2 * M_PI * 100.0 * i / RATE));
	const char *shapes[] = {"tanh", "soft", "hard", "fold"};
	for (size_t s = 0; s < 4; s++) {
		char set[64];
		snprintf(set, sizeof set, "drive=30 shape=%s", shapes[s]);
		r = run("saturate", set, sine, RATE, 1);
		double sum = 0;
		for (size_t i = 0; i < RATE; i++)
			sum += (double)r.y[i] * r.y[i];
		double db = 10 * log10(sum / RATE / (0.25 * 0.25 / 2));
		CHECK(fabs(db) < 0.1, "saturate %s: a -12 dBFS sine keeps its level (%+.3f dB)", set, db);
		free(r.y);
	}
	free(sine);
	free(x);
}

/* ---------------------------------------------------------------- space */

static void test_space(void)
{
	const size_t n = 10000;
	float *x = noise(n * 2, 7);
	float *mid = sh_malloc(n * 2 * sizeof(float));
	for (size_t i = 0; i < n; i++)
		mid[2 * i] = mid[2 * i + 1] = x[2 * i];

	/* pan: identical pair -> L^2 + R^2 the same at every pos; pos=0 untouched */
	double p0 = 0, worst = 0;
	for (int k = -10; k <= 10; k++) {
		char set[32];
		snprintf(set, sizeof set, "pos=%g", k / 10.0);
		result r = run("pan", set, mid, n, 2);
		double pw = 0;
		for (size_t i = 0; i < r.frames * 2; i++)
			pw += (double)r.y[i] * r.y[i];
		if (k == -10)
			p0 = pw;
		worst = fmax(worst, fabs(10 * log10(pw / p0)));
		if (k == 0)
			CHECK(r.frames == n && !memcmp(r.y, mid, n * 2 * sizeof(float)),
			      "pan pos=0: the pair untouched");
		if (k == -10 || k == 10) {
			double other = 0;
			for (size_t i = 0; i < n; i++)
				other = fmax(other, fabs(r.y[2 * i + (k < 0)]));
			CHECK(other == 0, "pan %s: the far side silent (%g)", set, other);
		}
		free(r.y);
	}
	CHECK(worst < 0.1, "pan -1..1 on a centred sound: L^2 + R^2 within %.2g dB of constant", worst);
	result r = run("pan", "pos=0", x, n, 2);
	CHECK(!memcmp(r.y, x, n * 2 * sizeof(float)), "pan pos=0 on a wide sound: untouched");
	free(r.y);
	r = run("pan", "pos=0.5", x, n, 1);
	CHECK(r.y == NULL, "pan refuses a mono stream (%s)", sh_error());

	/* width */
	r = run("width", "width=0", x, n, 2);
	bool same = r.frames == n;
	double err = 0;
	for (size_t i = 0; same && i < n; i++) {
		same = r.y[2 * i] == r.y[2 * i + 1];
		err = fmax(err, fabs(r.y[2 * i] - 0.5 * (x[2 * i] + x[2 * i + 1])));
	}
	CHECK(same && err < 1e-6, "width=0: L == R == (L + R) / 2");
	free(r.y);
	r = run("width", "width=1", x, n, 2);
	CHECK(r.frames == n && !memcmp(r.y, x, n * 2 * sizeof(float)), "width=1: untouched");
	free(r.y);
	r = run("width", "width=2", x, n, 2);
	err = 0;
	for (size_t i = 0; i < n; i++) {
		double m = 0.5 * (x[2 * i] + x[2 * i + 1]), s = 0.5 * (x[2 * i] - x[2 * i + 1]);
		err = fmax(err, fabs(r.y[2 * i] - (m + 2 * s)) + fabs(r.y[2 * i + 1] - (m - 2 * s)));
	}
	CHECK(err < 1e-6, "width=2: mid + 2 side, mid - 2 side within %g", err);
	free(r.y);

	/* mono: the mean in every channel, or in one */
	float *x3 = noise(n * 3, 8);
	r = run("mono", NULL, x3, n, 3);
	err = 0;
	for (size_t i = 0; i < n; i++)
		for (int c = 0; c < 3; c++)
			err = fmax(err, fabs(r.y[3 * i + c] - (x3[3 * i] + x3[3 * i + 1] + x3[3 * i + 2]) / 3.0));
	CHECK(r.ch == 3 && r.frames == n && err < 1e-6, "mono: 3 channels, each the mean (within %g)", err);
	free(r.y);
	r = run("mono", "to=one", x3, n, 3);
	CHECK(r.ch == 1 && r.frames == n &&
	      fabs(r.y[5] - (x3[15] + x3[16] + x3[17]) / 3.0) < 1e-6,
	      "mono to=one: a single channel, the mean");
	free(r.y);
	free(x3);
	free(mid);
	free(x);
}

/* ---------------------------------------------------------------- live changes */

/* NAME on noise, every live knob changed at frame 10000; pushed in blocks of BLOCK. */
static float *live_run(const char *name, const float *x, size_t n, size_t block)
{
	sh_proc *p = sh_proc_new(sh_proc_find(name));
	out_t o = {.cap = n * 2, .ch = 2};
	o.buf = sh_calloc(o.cap, sizeof(float));
	if (sh_proc_chain_start(&p, 1, RATE, 2, 1, gather, &o) < 0) {
		sh_proc_free(p);
		return o.buf;
	}
	for (size_t at = 0; at < n;) {
		size_t k = n - at < block ? n - at : block;
		if (at < 10000 && at + k > 10000)
			k = 10000 - at;
		if (at == 10000)
			for (sh_option *r = p->params; r->name; r++) {
				char v[64];
				if (!r->live)
					continue;
				if (r->type == SH_OPT_CHOICE)
					snprintf(v, sizeof v, "%s", strrchr(r->choices, '|') + 1);
				else if (r->type == SH_OPT_INT)
					snprintf(v, sizeof v, "%lld", (long long)(r->min + (r->max - r->min) / 3));
				else
					snprintf(v, sizeof v, "%.17g", r->min + 0.37 * (r->max - r->min));
				if (sh_proc_set(p, r->name, v) != 0)
					printf("# %s: %s\n", name, sh_error());
			}
		sh_proc_push(p, x + at * 2, k);
		at += k;
	}
	sh_proc_finish(p);
	sh_proc_free(p);
	return o.buf;
}

static void test_live(void)
{
	const char *names[] = {"echo", "chorus", "flanger", "phaser", "tremolo", "bitcrush",
	                       "decimate", "saturate", "ringmod", "pan", "width"};
	const size_t n = 30000;
	float *x = noise(n * 2, 11);
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		float *a = live_run(names[i], x, n, 1), *b = live_run(names[i], x, n, 777);
		bool finite = true;
		for (size_t j = 0; j < n * 2; j++)
			finite = finite && isfinite(a[j]) && fabsf(a[j]) < 16;
		CHECK(finite && !memcmp(a, b, n * 2 * sizeof(float)),
		      "%s: every live knob changed at frame 10000: the same bytes in blocks of 1 and 777",
		      names[i]);
		free(a);
		free(b);
	}
	free(x);
}

int main(void)
{
	sh_init(1, (char *[]){"test_effects", NULL});
	test_echo();
	test_modulated();
	test_tremolo();
	test_colour();
	test_space();
	test_live();
	return tap_failed;
}
