/* Unit tests for the filter and dynamics processors (lib/dsp/proc_filter.c,
 * proc_dynamics.c), measured against analytic results rather than against
 * their own formulas: sines through the filters, their steady-state level
 * compared with the analog prototypes' magnitude under the bilinear
 * transform; the limiter's every output sample against its ceiling; the
 * compressor's settled level against the static curve; the gate's
 * attenuation; the DC blocker's mean. */
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


/* N frames of stereo X through processor NAME with SETTINGS, pushed in blocks
 * of BLOCK frames. */
static sink run(const char *name, const char *settings, const float *x, size_t n, size_t block)
{
	sink k = {.ch = CH};
	sh_proc *p = sh_proc_new(sh_proc_find(name));
	if (settings && sh_proc_assign(p, settings) != 0)
		printf("# %s: %s\n", name, sh_error());
	if (sh_proc_chain_start(&p, 1, RATE, CH, 1, collect, &k) < 0) {
		printf("# %s: %s\n", name, sh_error());
		sh_proc_free(p);
		return k;
	}
	for (size_t at = 0; at < n; at += block)
		if (sh_proc_push(p, x + at * CH, n - at < block ? n - at : block) != 0)
			printf("# %s: %s\n", name, sh_error());
	if (sh_proc_finish(p) != 0)
		printf("# %s: %s\n", name, sh_error());
	sh_proc_free(p);
	return k;
}

/* a stereo sine of AMP at FREQ, N frames, the same on both channels */
static float *sine(double freq, double amp, size_t n)
{
	float *x = sh_malloc(n * CH * sizeof(float));
	for (size_t i = 0; i < n; i++)
		x[i * CH] = x[i * CH + 1] = (float)(amp * sin(2 * M_PI * freq * (double)i / RATE));
	return x;
}

/* RMS of channel C over frames [from, from + count) */
static double rms(const float *x, size_t from, size_t count, int c)
{
	double s = 0;
	for (size_t i = from; i < from + count; i++)
		s += (double)x[i * CH + c] * x[i * CH + c];
	return sqrt(s / (double)count);
}

static double peak_of(const float *x, size_t from, size_t count)
{
	double m = 0;
	for (size_t i = from * CH; i < (from + count) * CH; i++)
		m = fmax(m, fabs(x[i]));
	return m;
}

static double db(double v) { return 20 * log10(v); }

/* The level in dB a sine at FREQ comes out at through NAME with SETTINGS, on
 * both channels (the worse of the two returned through WORST when they differ).
 * 0.75 s of sine, measured over the last 12000 frames: a whole number of
 * periods for any frequency on a 4 Hz grid, so the RMS is exact. */
static double response(const char *name, const char *settings, double freq)
{
	const size_t n = 36000, m = 12000;
	float *x = sine(freq, 0.5, n);
	sink k = run(name, settings, x, n, 4096);
	double in = rms(x, n - m, m, 0);
	double l = k.n == n * CH ? db(rms(k.buf, n - m, m, 0) / in) : NAN;
	double r = k.n == n * CH ? db(rms(k.buf, n - m, m, 1) / in) : NAN;
	free(x);
	free(k.buf);
	return fabs(l - r) < 1e-6 ? l : NAN;
}

/* The analog prototypes under the bilinear transform, warped at F0:
 * s -> j W, W = tan(pi f / rate) / tan(pi f0 / rate). */
static double warp(double f, double f0) { return tan(M_PI * f / RATE) / tan(M_PI * f0 / RATE); }
static double lp_db(double f, double f0, double q)
{
	double w = warp(f, f0);
	return -10 * log10((1 - w * w) * (1 - w * w) + (w / q) * (w / q));
}
static double hp_db(double f, double f0, double q)
{
	double w = warp(f, f0);
	return 40 * log10(w) + lp_db(f, f0, q);
}

static void magnitudes(void)
{
	static const double freqs[] = {100, 200, 500, 800, 1000, 1500, 2000, 4000, 8000, 16000};
	static const struct {
		const char *name, *settings;
		double f0, q;
		int poles;
	} cases[] = {
		{"lowpass", "freq=1000 q=0.707", 1000, 0.707, 2},
		{"lowpass", "freq=5000 q=2", 5000, 2, 2},
		{"lowpass", "freq=2000 q=0.707 poles=4", 2000, 0.707, 4},
		{"highpass", "freq=1000 q=0.707", 1000, 0.707, 2},
		{"highpass", "freq=300 q=4", 300, 4, 2},
		{"highpass", "freq=800 q=0.707 poles=4", 800, 0.707, 4},
	};
	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		double worst = 0, at = 0;
		for (size_t i = 0; i < 10; i++) {
			double want = (!strcmp(cases[c].name, "lowpass") ? lp_db : hp_db)(freqs[i], cases[c].f0,
			                                                                  cases[c].q);
			want *= cases[c].poles / 2;
			double got = response(cases[c].name, cases[c].settings, freqs[i]);
			double err = isfinite(got) ? fabs(got - want) : INFINITY;
			if (!(err <= worst))
				worst = err, at = freqs[i];
		}
		CHECK(worst < 0.5, "%s %s: 10 sines from 100 Hz to 16 kHz within 0.5 dB of the analytic "
		      "magnitude (worst %.2g dB at %g Hz)", cases[c].name, cases[c].settings, worst, at);
	}

	/* the other sections at their defining points */
	double bp = response("bandpass", "freq=1000 q=2", 1000);
	double bp_off = response("bandpass", "freq=1000 q=2", 4000);
	CHECK(fabs(bp) < 0.05 && bp_off < -10, "bandpass: 0 dB at its centre (%.4f), %.1f dB two octaves up",
	      bp, bp_off);
	double nt = response("notch", "freq=1000 q=1", 1000), nt_off = response("notch", "freq=1000 q=1", 8000);
	CHECK(nt < -40 && fabs(nt_off) < 0.3, "notch: %.1f dB at its centre, %.2f dB three octaves up", nt, nt_off);
	double pk = response("peak", "freq=1000 gain=6 q=1", 1000);
	double pk_cut = response("peak", "freq=2000 gain=-9 q=3", 2000);
	CHECK(fabs(pk - 6) < 0.05 && fabs(pk_cut + 9) < 0.05, "peak: +6 dB gives %.3f, -9 dB gives %.3f at the centre",
	      pk, pk_cut);
	double ls = response("lowshelf", "freq=1000 gain=6", 100), ls_hi = response("lowshelf", "freq=1000 gain=6", 16000);
	double hs = response("highshelf", "freq=1000 gain=-8", 16000), hs_lo = response("highshelf", "freq=1000 gain=-8", 100);
	CHECK(fabs(ls - 6) < 0.1 && fabs(ls_hi) < 0.1 && fabs(hs + 8) < 0.1 && fabs(hs_lo) < 0.1,
	      "shelves: lowshelf +6 dB gives %.2f below and %.2f above, highshelf -8 dB %.2f above and %.2f below",
	      ls, ls_hi, hs, hs_lo);
	double wl = response("warm", "amount=1", 100), wh = response("warm", "amount=1", 16000);
	double al = response("airy", "amount=1", 100), ah = response("airy", "amount=1", 16000);
	double dl = response("dark", "amount=1", 300), dh = response("dark", "amount=1", 8000);
	CHECK(wl > 2 && wh < -6 && al < -1 && ah > 6 && dl > 2 && dh < -15,
	      "colours at amount 1: warm %+.1f dB at 100 Hz, %+.1f at 16 kHz; airy %+.1f, %+.1f; "
	      "dark %+.1f at 300 Hz, %+.1f at 8 kHz", wl, wh, al, ah, dl, dh);
}

/* Settings that are the identity give the input back bit for bit. */
static void identities(const float *noise, size_t n)
{
	static const char *const cases[][2] = {
		{"peak", "gain=0"}, {"lowshelf", "gain=0"}, {"highshelf", "gain=0"}, {"warm", "amount=0"},
		{"airy", "amount=0"}, {"dark", "amount=0"}, {"compress", "ratio=1"}, {"gate", "range=0"},
	};
	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		sink k = run(cases[c][0], cases[c][1], noise, n, 777);
		CHECK(k.n == n * CH && !memcmp(k.buf, noise, k.n * sizeof(float)),
		      "%s %s: the input, bit for bit", cases[c][0], cases[c][1]);
		free(k.buf);
	}
	/* a quiet input through the limiter: delayed and given back exactly, the
	 * delay compensated */
	float *quiet = sh_malloc(n * CH * sizeof(float));
	for (size_t i = 0; i < n * CH; i++)
		quiet[i] = noise[i] * 0.8f;
	sink k = run("limit", "truepeak=false", quiet, n, 1000);
	CHECK(k.n == n * CH && !memcmp(k.buf, quiet, k.n * sizeof(float)),
	      "limit truepeak=false: noise under the ceiling (peak -1.9 dB) comes out bit for bit, aligned");
	free(k.buf);
	for (size_t i = 0; i < n * CH; i++)
		quiet[i] = noise[i] * 0.25f;
	/* white noise peaks up to 5.5 dB higher between its samples than on them */
	k = run("limit", NULL, quiet, n, 1000);
	CHECK(k.n == n * CH && !memcmp(k.buf, quiet, k.n * sizeof(float)),
	      "limit: noise at -12 dB (under the ceiling between samples too) comes out bit for bit, aligned");
	free(k.buf);
	free(quiet);
}

/* The peak between samples, measured 8x finer than the samples with a
 * longer interpolator than the limiter's own (Kaiser-windowed sinc over 64
 * frames, beta 9), and the sample peaks too. */
static double true_peak(const float *x, size_t n)
{
	enum { HALF = 32, OVER = 8 };
	double h[OVER][2 * HALF], m = 0;
	for (int p = 1; p < OVER; p++)
		for (int k = 0; k < 2 * HALF; k++) {
			double t = (k - (HALF - 1)) - (double)p / OVER, u = t / HALF, w = 0, term = 1, i0 = 1, b = 9 * sqrt(1 - u * u);
			for (int j = 1; j < 30; j++)
				term *= (b / (2 * j)) * (b / (2 * j)), w += term;
			term = 1;
			for (int j = 1; j < 30; j++)
				term *= (9.0 / (2 * j)) * (9.0 / (2 * j)), i0 += term;
			h[p][k] = sin(M_PI * t) / (M_PI * t) * (1 + w) / i0;
		}
	for (size_t i = 0; i < n; i++)
		for (int c = 0; c < CH; c++) {
			m = fmax(m, fabs(x[i * CH + c]));
			if (i < HALF || i + HALF >= n)
				continue;
			for (int p = 1; p < OVER; p++) {
				double v = 0;
				for (int k = 0; k < 2 * HALF; k++)
					v += h[p][k] * x[(i - (HALF - 1) + (size_t)k) * CH + c];
				m = fmax(m, fabs(v));
			}
		}
	return m;
}

static void limiter(const float *noise, size_t n)
{
	/* +12 dB noise, a full-scale square after silence, and a bright mix (a
	 * 60 Hz and a 15 kHz sine at +6 dB each) */
	float *loud = sh_malloc(n * CH * sizeof(float));
	float *burst = sh_calloc(n * CH, sizeof(float));
	float *bright = sh_malloc(n * CH * sizeof(float));
	for (size_t i = 0; i < n * CH; i++)
		loud[i] = noise[i] * 4;
	for (size_t i = n / 2; i < n * 3 / 4; i++)
		burst[i * CH] = burst[i * CH + 1] = (i / 120) % 2 ? 1.0f : -1.0f;
	for (size_t i = 0; i < n; i++)
		bright[i * CH] = bright[i * CH + 1] =
			(float)(2 * sin(2 * M_PI * 60 * (double)i / RATE) + 2 * sin(2 * M_PI * 15000 * (double)i / RATE + 1));
	float *const sig[] = {loud, burst, bright};
	static const struct {
		const char *settings;
		double ceiling;
		bool truepeak;
	} cases[] = {
		{NULL, -1, true},
		{"truepeak=false", -1, false},
		{"ceiling=-6 lookahead=1 release=10 truepeak=false", -6, false},
		{"ceiling=-0.1 lookahead=0.1 release=1", -0.1, true},
		{"ceiling=-0.1 lookahead=0.1 release=1 truepeak=false", -0.1, false},
		{"ceiling=-20 lookahead=20 release=500", -20, true},
	};
	const size_t blocks[] = {1, 7, 64, 1000, 4096};
	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		const double lin = pow(10, cases[c].ceiling / 20);
		double worst = 0, near = INFINITY, tp[3] = {0};
		bool ok = true;
		for (size_t b = 0; b < sizeof blocks / sizeof *blocks; b++)
			for (int s = 0; s < 3; s++) {
				sink k = run("limit", cases[c].settings, sig[s], n, blocks[b]);
				ok = ok && k.n == n * CH;
				for (size_t i = 0; i < k.n; i++)
					worst = fmax(worst, fabs(k.buf[i]) / lin);
				/* it holds the level near the ceiling, not far under it */
				if (k.n == n * CH && s < 2)
					near = fmin(near, peak_of(k.buf, s ? n / 2 + RATE / 20 : RATE / 20, RATE / 10) / lin);
				if (k.n == n * CH && b == 0)
					tp[s] = db(true_peak(k.buf, n) / lin);
				free(k.buf);
			}
		const char *name = cases[c].settings ? cases[c].settings : "(defaults)";
		CHECK(ok && worst <= 1 && near > (cases[c].truepeak ? 0.5 : 0.9),
		      "limit %s: +12 dB noise, a full-scale square after silence, a bright +12 dB mix, blocks "
		      "of 1 to 4096: every sample within the ceiling (largest %.9f of it; the peaks reach %.3f "
		      "of it)", name, worst, near);
		if (cases[c].truepeak)
			CHECK(tp[0] < 0.7 && tp[1] < 0.1 && tp[2] < 0.1,
			      "limit %s: between the samples (8x, a longer interpolator) the noise peaks %+.2f dB "
			      "from the ceiling, the square %+.2f, the bright mix %+.2f", name, tp[0], tp[1], tp[2]);
		else
			printf("# limit %s: between the samples: noise %+.2f dB, square %+.2f, bright mix %+.2f\n",
			       name, tp[0], tp[1], tp[2]);
	}
	/* a ceiling lowered while running holds from the frame it was lowered at */
	{
		sink k = {.ch = CH};
		sh_proc *p = sh_proc_new(sh_proc_find("limit"));
		sh_proc_chain_start(&p, 1, RATE, CH, 1, collect, &k);
		sh_proc_push(p, loud, n / 2);
		int r = sh_proc_set(p, "ceiling", "-12");
		sh_proc_push(p, loud + n / 2 * CH, n - n / 2);
		sh_proc_finish(p);
		sh_proc_free(p);
		double a = k.n == n * CH ? peak_of(k.buf, 0, n / 2) : INFINITY;
		double b = k.n == n * CH ? peak_of(k.buf, n / 2, n - n / 2) : INFINITY;
		CHECK(r == 0 && a <= pow(10, -1 / 20.0) && b <= pow(10, -12 / 20.0),
		      "limit: ceiling -1 then -12 while running: peaks %.2f dB before, %.2f dB after", db(a), db(b));
		free(k.buf);
	}
	free(loud);
	free(burst);
	free(bright);
}

static void compressor(void)
{
	const size_t n = 2 * RATE, m = RATE / 2;
	static const struct {
		const char *settings;
		double in_db, want_db;
	} cases[] = {
		/* above the threshold: T + (L - T) / R (+ makeup) */
		{"threshold=-20 ratio=4 knee=0 attack=5 release=200", -6, -20 + 14 / 4.0},
		{"threshold=-30 ratio=2 knee=6 attack=1 release=300 makeup=3", -10, -30 + 20 / 2.0 + 3},
		{"threshold=-12 ratio=20 knee=0 attack=10 release=500", 0, -12 + 12 / 20.0},
		/* at the threshold inside a 12 dB knee: (1 - 1/R) W / 8 down */
		{"threshold=-20 ratio=4 knee=12 attack=5 release=200", -20, -20 - 0.75 * 12 / 8},
		/* below: untouched */
		{"threshold=-20 ratio=4 knee=6 attack=5 release=200", -30, -30},
	};
	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		float *x = sine(1000, pow(10, cases[c].in_db / 20), n);
		sink k = run("compress", cases[c].settings, x, n, 512);
		double got = k.n == n * CH ? db(peak_of(k.buf, n - m, m)) : NAN;
		CHECK(fabs(got - cases[c].want_db) < 0.5,
		      "compress %s: a 1 kHz sine peaking at %g dB settles at %.2f dB, the static curve says %.2f",
		      cases[c].settings, cases[c].in_db, got, cases[c].want_db);
		free(x);
		free(k.buf);
	}
}

static void gate_test(void)
{
	const size_t n = RATE, m = RATE / 2;
	float *quiet = sine(440, pow(10, -60 / 20.0), n), *loud = sine(440, pow(10, -20 / 20.0), n);
	const char *set = "threshold=-40 range=-40 attack=1 hold=20 release=50";
	sink q = run("gate", set, quiet, n, 300), l = run("gate", set, loud, n, 300);
	double gq = db(rms(q.buf, n - m, m, 0) / rms(quiet, n - m, m, 0));
	double gl = db(rms(l.buf, n - m, m, 1) / rms(loud, n - m, m, 1));
	CHECK(fabs(gq + 40) < 0.5 && fabs(gl) < 0.01,
	      "gate threshold -40, range -40: a -60 dB sine comes out %.2f dB down, a -20 dB sine %.4f dB", gq, gl);
	free(q.buf);
	free(l.buf);
	free(quiet);
	free(loud);
}

static void dc_test(void)
{
	const size_t n = 2 * RATE;
	float *x = sine(440, 0.2, n);
	for (size_t i = 0; i < n * CH; i++)
		x[i] += 0.3f;
	sink k = run("dcblock", NULL, x, n, 1000);
	double mean[2] = {0, 0};
	for (size_t i = n / 2; i < n && k.n == n * CH; i++)
		mean[0] += k.buf[i * CH], mean[1] += k.buf[i * CH + 1];
	mean[0] /= (double)(n / 2), mean[1] /= (double)(n / 2);
	double keep = k.n == n * CH ? db(rms(k.buf, n / 2, n / 2, 0) / (0.2 / sqrt(2))) : NAN;
	CHECK(fabs(mean[0]) < 1e-4 && fabs(mean[1]) < 1e-4 && fabs(keep) < 0.05,
	      "dcblock: a 0.3 offset under a 440 Hz sine: mean of the last half %.2g, %.2g; the sine %.3f dB",
	      mean[0], mean[1], keep);
	free(x);
	free(k.buf);
}

/* Live changes: a sweep glides (no jump in the output), and a frequency the
 * rate cannot hold is refused, at start and live, the knob kept. */
static void live(void)
{
	const size_t n = RATE;
	float *x = sine(100, 0.5, n);
	sink k = {.ch = CH};
	sh_proc *p = sh_proc_new(sh_proc_find("lowpass"));
	sh_proc_assign(p, "freq=200");
	sh_proc_chain_start(&p, 1, RATE, CH, 1, collect, &k);
	for (size_t at = 0; at < n; at += 480) {
		sh_proc_set(p, "freq", (at / 480) % 2 ? "8000" : "150");
		sh_proc_push(p, x + at * CH, 480);
	}
	sh_proc_finish(p);
	sh_proc_free(p);
	double jump = 0, step = 0;
	for (size_t i = 1; i < n && k.n == n * CH; i++) {
		jump = fmax(jump, fabs(k.buf[i * CH] - k.buf[(i - 1) * CH]));
		step = fmax(step, fabs(x[i * CH] - x[(i - 1) * CH]));
	}
	CHECK(k.n == n * CH && jump < 2 * step,
	      "lowpass: freq thrown between 150 and 8000 Hz every 10 ms: the largest step between samples "
	      "of a 100 Hz sine is %.4f (the sine's own %.4f)", jump, step);
	free(k.buf);
	free(x);

	sink o = {0};
	sh_proc *q = sh_proc_new(sh_proc_find("lowpass"));
	sh_proc_assign(q, "freq=23600");
	CHECK(sh_proc_chain_start(&q, 1, RATE, CH, 1, collect, &o) < 0 && strstr(sh_error(), "23520"),
	      "lowpass freq=23600 at 48 kHz refused at start, naming the range (%s)", sh_error());
	sh_proc_free(q);
	q = sh_proc_new(sh_proc_find("highpass"));
	sh_proc_chain_start(&q, 1, RATE, CH, 1, collect, &o);
	int r = sh_proc_set(q, "freq", "24000");
	json_t *v = sh_param_json(sh_params_find(q->params, "freq"));
	CHECK(r != 0 && json_real_value(v) == 200 && strstr(sh_error(), "freq"),
	      "highpass: freq=24000 refused while running, freq still %g (%s)", json_real_value(v), sh_error());
	json_decref(v);
	sh_proc_free(q);
	free(o.buf);
	q = sh_proc_new(sh_proc_find("lowpass"));
	sh_proc_assign(q, "poles=3");
	CHECK(sh_proc_check(q) != 0 && strstr(sh_error(), "poles"), "lowpass poles=3 refused (%s)", sh_error());
	sh_proc_free(q);
}

int main(void)
{
	sh_init(1, (char *[]){"test_filters", NULL});
	const size_t n = RATE;
	float *noise = sh_malloc(n * CH * sizeof(float));
	sh_rng r;
	sh_rng_seed(&r, 11);
	for (size_t i = 0; i < n * CH; i++)
		noise[i] = (float)(sh_rng_uniform(&r) * 2 - 1);
	magnitudes();
	identities(noise, n);
	limiter(noise, n);
	compressor();
	gate_test();
	dc_test();
	live();
	free(noise);
	return tap_failed;
}
