/* Unit tests for Faust processors (lib/dsp/faust.h): a program compiled at run
 * time by libfaust keeps the promises of every processor (the same bytes for any
 * block sizes, finite output, knobs with their unit, range and help, live
 * changes), sounds as the same file compiled to C at build time, and agrees with
 * an independent filter; a broken program is refused with Faust's message, the
 * file and the line. Timings (compile, speed) are printed, never asserted. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "faust.h"
#include "rng.h"
#include "sink.h"
#include "tap.h"

enum { RATE = 48000, CH = 2 };


/* N frames of X (CH channels) through a new processor of class C, in blocks of
 * BLOCK frames, with SETTINGS (key=value words or NULL). */
static sink run(const sh_proc_class *c, const char *settings, const float *x, size_t n, size_t block)
{
	sink k = {.ch = CH};
	sh_proc *p = sh_proc_new(c);
	if (settings && sh_proc_assign(p, settings) != 0)
		printf("# %s: %s\n", c->name, sh_error());
	if (sh_proc_chain_start(&p, 1, RATE, CH, 1, collect, &k) < 0)
		printf("# %s: %s\n", c->name, sh_error());
	else {
		for (size_t at = 0; at < n; at += block)
			if (sh_proc_push(p, x + at * CH, n - at < block ? n - at : block) != 0)
				printf("# %s: %s\n", c->name, sh_error());
		if (sh_proc_finish(p) != 0)
			printf("# %s: %s\n", c->name, sh_error());
	}
	sh_proc_free(p);
	return k;
}

static bool same(const sink *a, const sink *b)
{
	return a->n == b->n && a->n > 0 && !memcmp(a->buf, b->buf, a->n * sizeof(float));
}

static double max_diff(const sink *a, const sink *b)
{
	if (a->n != b->n || a->n == 0)
		return INFINITY;
	double m = 0;
	for (size_t i = 0; i < a->n; i++)
		m = fmax(m, fabs((double)a->buf[i] - b->buf[i]));
	return m;
}

static bool all_finite(const sink *k)
{
	for (size_t i = 0; i < k->n; i++)
		if (!isfinite(k->buf[i]))
			return false;
	return k->n > 0;
}

static double cpu(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

/* TEXT into a new temporary file NAME.dsp; its path (static). */
static const char *dsp_file(const char *name, const char *text)
{
	static char path[3][256];
	static int turn;
	char *p = path[turn++ % 3];
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(p, 256, "%s/test_faust_%ld_%s.dsp", tmp, (long)getpid(), name);
	FILE *f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	return p;
}

/* A second-order Butterworth lowpass by the bilinear transform with the cutoff
 * prewarped, in double: what fi.lowpass(2, fc) is, written independently. */
static void butterworth(const float *x, double *y, size_t n, int ch, int c, double fc)
{
	const double k = tan(M_PI * fc / RATE), q = sqrt(2.0);
	const double a0 = k * k + q * k + 1;
	const double b0 = k * k / a0, b1 = 2 * b0, b2 = b0;
	const double a1 = 2 * (k * k - 1) / a0, a2 = (k * k - q * k + 1) / a0;
	double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
	for (size_t i = 0; i < n; i++) {
		double in = x[i * ch + c], out = b0 * in + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
		x2 = x1, x1 = in, y2 = y1, y1 = out;
		y[i] = out;
	}
}

int main(void)
{
	sh_init(1, (char *[]){"test_faust", NULL});
	const size_t n = RATE; /* one second */
	float *noise = sh_malloc(n * CH * sizeof(float));
	sh_rng r;
	sh_rng_seed(&r, 7);
	for (size_t i = 0; i < n * CH; i++)
		noise[i] = (float)(sh_rng_uniform(&r) * 2 - 1);

	/* a run-time program: one in, one out, so once per channel */
	const char *lp_path = dsp_file("lp",
		"import(\"stdfaust.lib\");\n"
		"declare description \"a gentle lowpass\";\n"
		"process = fi.lowpass(2, hslider(\"freq [unit:Hz] [tooltip:where the highs start to fall away]\","
		" 1000, 20, 20000, 1));\n");
	double t0 = sh_now();
	const sh_proc_class *lp = sh_faust_class_from_file(lp_path);
	double t_compile = sh_now() - t0;
	CHECK(lp != NULL, "a lowpass compiled at run time (%s)", lp ? lp->name : sh_error());
	if (!lp)
		return 1;
	printf("# compiling the lowpass with libfaust took %.3f s\n", t_compile);
	char want_name[64];
	snprintf(want_name, sizeof want_name, "test_faust_%ld_lp", (long)getpid());
	CHECK(!strcmp(lp->name, want_name) && !strcmp(lp->purpose, "a gentle lowpass") && lp->ports == 0 &&
	      sh_faust_class_is_dynamic(lp) && !sh_faust_class_is_dynamic(sh_proc_find("reverb")),
	      "named after its file (%s), its description its purpose, one per channel", lp->name);
	const sh_option *o = lp->params;
	CHECK(o[0].name && !strcmp(o[0].name, "freq") && o[0].type == SH_OPT_DOUBLE && o[0].min == 20 &&
	      o[0].max == 20000 && !strcmp(o[0].unit, "Hz") && o[0].live &&
	      !strcmp(o[0].help, "where the highs start to fall away") && !o[1].name,
	      "its one knob: freq, 20..20000 Hz, live, the tooltip as help");
	{
		sh_proc *p = sh_proc_new(lp);
		CHECK(*(double *)p->params[0].dest == 1000, "freq starts at the program's 1000");
		sh_proc_free(p);
	}

	/* block sizes, finite */
	const size_t blocks[] = {1, 7, 64, 4096};
	sink ref = run(lp, NULL, noise, n, 1);
	bool all = ref.n == n * CH;
	for (size_t b = 1; b < 4; b++) {
		sink k = run(lp, NULL, noise, n, blocks[b]);
		all = all && same(&ref, &k);
		free(k.buf);
	}
	CHECK(all, "run-time lowpass: identical output for blocks of 1, 7, 64 and 4096 frames");
	CHECK(all_finite(&ref), "run-time lowpass: finite on white noise");

	/* each channel alone, against an independent Butterworth */
	{
		double *y = sh_malloc(n * sizeof(double));
		double worst = 0;
		for (int c = 0; c < CH; c++) {
			butterworth(noise, y, n, CH, c, 1000);
			for (size_t i = 0; i < n; i++)
				worst = fmax(worst, fabs(ref.buf[i * CH + c] - y[i]));
		}
		CHECK(worst < 1e-4, "run-time lowpass: each channel within %.2g of a double Butterworth", worst);
		sink k = run(lp, "freq=200", noise, n, 999);
		butterworth(noise, y, n, CH, 1, 200);
		worst = 0;
		for (size_t i = 0; i < n; i++)
			worst = fmax(worst, fabs(k.buf[i * CH + 1] - y[i]));
		CHECK(worst < 1e-4, "run-time lowpass freq=200: within %.2g of the Butterworth", worst);
		free(k.buf);
		free(y);
	}

	/* a live change takes effect from the next block of Faust's */
	{
		sink k = {.ch = CH};
		sh_proc *p = sh_proc_new(lp);
		sh_proc_chain_start(&p, 1, RATE, CH, 1, collect, &k);
		sh_proc_push(p, noise, 4096);
		CHECK(sh_proc_set(p, "freq", "100") == 0, "run-time lowpass: freq changes while running");
		sh_proc_push(p, noise + 4096 * CH, n - 4096);
		sh_proc_finish(p);
		sh_proc_free(p);
		double early = 0, late = 0;
		for (size_t i = 2000; i < 4000; i++)
			early += fabs(k.buf[i * CH] - k.buf[(i - 1) * CH]);
		for (size_t i = 20000; i < 22000; i++)
			late += fabs(k.buf[i * CH] - k.buf[(i - 1) * CH]);
		CHECK(k.n == n * CH && late < early / 4, "... and the sound darkens (%.3g -> %.3g)", early, late);
		free(k.buf);
	}
	free(ref.buf);

	/* the built-in reverb's own .dsp compiled at run time sounds as the built-in */
	{
		/* the tree's copy: tests/run says where the tree is */
		char path[4096];
		const char *top = getenv("SHARDS_TOP");
		snprintf(path, sizeof path, "%s/share/shards/faust/reverb.dsp", top && *top ? top : ".");
		t0 = sh_now();
		const sh_proc_class *jit = sh_faust_class_from_file(path);
		double t = sh_now() - t0;
		const sh_proc_class *aot = sh_proc_find("reverb");
		CHECK(jit && aot && jit->ports == 2, "reverb.dsp compiled at run time%s%s", jit ? "" : ": ", jit ? "" : sh_error());
		if (jit) {
			printf("# compiling reverb.dsp with libfaust took %.3f s\n", t);
			bool rows = true;
			for (int i = 0; rows && (aot->params[i].name || jit->params[i].name); i++)
				rows = aot->params[i].name && jit->params[i].name &&
				       !strcmp(aot->params[i].name, jit->params[i].name) &&
				       aot->params[i].min == jit->params[i].min &&
				       aot->params[i].max == jit->params[i].max &&
				       !strcmp(aot->params[i].unit, jit->params[i].unit) &&
				       !strcmp(aot->params[i].help, jit->params[i].help);
			CHECK(rows, "reverb: the same knobs either way");
			const char *set = "mid-rt60=4 mix=60 predelay=20";
			sink a = run(aot, set, noise, n, 4096), b = run(jit, set, noise, n, 333);
			double d = max_diff(&a, &b);
			CHECK(d < 1e-5, "reverb: run time and build time differ by %.3g at most%s", d,
			      d == 0 ? " (bit-exact)" : "");
			free(a.buf);
			free(b.buf);

			/* speed: 20 s of stereo noise each way */
			const size_t len = 20 * RATE;
			float *x = sh_malloc(len * CH * sizeof(float));
			for (size_t i = 0; i < len; i++)
				memcpy(x + i * CH, noise + (i % n) * CH, CH * sizeof(float));
			double c0 = cpu();
			sink sa = run(aot, NULL, x, len, 4096);
			double ca = cpu() - c0;
			c0 = cpu();
			sink sb = run(jit, NULL, x, len, 4096);
			double cb = cpu() - c0;
			printf("# reverb on 20 s of 48 kHz stereo: built in %.3f s, run time %.3f s (ratio %.2f)\n",
			       ca, cb, cb / ca);
			free(sa.buf);
			free(sb.buf);
			free(x);
		}
		sh_faust_class_free(jit);
	}

	/* a program of other shapes: 1 in, 2 out takes exactly one channel */
	{
		const char *path = dsp_file("split", "process = _ <: _, *(0.5);\n");
		const sh_proc_class *c = sh_faust_class_from_file(path);
		CHECK(c && c->ports == 1 && !c->params[0].name, "one in, two out: ports 1, no knobs");
		if (c) {
			sink k = {.ch = CH};
			sh_proc *p = sh_proc_new(c);
			CHECK(sh_proc_chain_start(&p, 1, RATE, CH, 1, collect, &k) < 0,
			      "... a stereo stream refused (%s)", sh_error());
			sh_proc_free(p);
		}
		sh_faust_class_free(c);
		unlink(path);
	}

	/* broken programs: NULL, Faust's message with the file and the line */
	{
		const char *path = dsp_file("broken",
			"import(\"stdfaust.lib\");\n\nprocess = fi.lowpass(2, 1000) : nosuch;\n");
		const sh_proc_class *c = sh_faust_class_from_file(path);
		char want[300];
		snprintf(want, sizeof want, "%s:3:", path);
		CHECK(!c && strstr(sh_error(), want) && strstr(sh_error(), "nosuch"),
		      "a broken program refused with its file and line (%s)", sh_error());
		unlink(path);
		path = dsp_file("gen", "import(\"stdfaust.lib\");\nprocess = os.osc(440);\n");
		c = sh_faust_class_from_file(path);
		CHECK(!c && strstr(sh_error(), path) && strstr(sh_error(), "0 inputs"),
		      "a program with no input refused (%s)", sh_error());
		unlink(path);
		c = sh_faust_class_from_file("/nonexistent/x.dsp");
		CHECK(!c && strstr(sh_error(), "/nonexistent/x.dsp"), "a missing file refused (%s)", sh_error());
	}

	sh_faust_class_free(lp);
	unlink(lp_path);
	free(noise);
	return tap_failed;
}
