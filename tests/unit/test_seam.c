/* Unit tests for lib/tex/seam: the FFT search picks the offset the direct search
 * picks, with the same correlation bit for bit, on noise, tones, exactly
 * periodic signals (ties), constants, silence, quiet stretches and short
 * loops; the crossfade is equal power. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rng.h"
#include "seam.h"
#include "tap.h"

static int64_t summed_fft, summed_all;

/* Both methods over X (the loop's start at 0, LEN samples long): 1 when they agree. */
static int agree(const float *x, int64_t len, int64_t cmp, int64_t search, sh_seam_result *out)
{
	int64_t lo, hi;
	sh_seam_range(len, search, &lo, &hi);
	sh_seam *f = sh_seam_new(cmp, search, SH_SEAM_FFT), *d = sh_seam_new(cmp, search, SH_SEAM_DIRECT);
	sh_seam_result rf, rd;
	int ok = f && d && sh_seam_find(f, x, x + len + lo, lo, hi, &rf) == 0 &&
	         sh_seam_find(d, x, x + len + lo, lo, hi, &rd) == 0;
	if (ok && (rf.offset != rd.offset || rf.ncc != rd.ncc || rf.error != rd.error)) {
		printf("# fft: offset %lld ncc %.17g; direct: offset %lld ncc %.17g\n", (long long)rf.offset, rf.ncc,
		       (long long)rd.offset, rd.ncc);
		ok = 0;
	}
	if (ok) {
		summed_fft += rf.summed;
		summed_all += rd.summed;
		ok = rd.summed == hi - lo + 1;
		*out = rf;
	}
	sh_seam_free(f);
	sh_seam_free(d);
	return ok;
}

static float *buffer(int64_t n) { return sh_calloc((size_t)n, sizeof(float)); }

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	sh_rng rng;
	sh_rng_seed(&rng, 7);
	sh_seam_result r;
	const int64_t N = 40000;
	float *x = buffer(N);

	/* noise, every size from one sample compared up */
	int all = 1;
	static const int64_t cmps[] = {1, 2, 7, 64, 480, 2205};
	static const int64_t searches[] = {0, 1, 3, 40, 441};
	for (size_t a = 0; a < sizeof cmps / sizeof *cmps; a++)
		for (size_t b = 0; b < sizeof searches / sizeof *searches; b++) {
			for (int64_t i = 0; i < N; i++)
				x[i] = (float)sh_rng_gauss(&rng) * 0.3f;
			all &= agree(x, 9000 + (int64_t)a * 7, cmps[a], searches[b], &r);
		}
	CHECK(all, "noise: fft and direct agree for 1..2205 samples compared, 0..441 searched");

	/* tones, low and high, with a little noise: a clear peak and its neighbours */
	all = 1;
	summed_fft = summed_all = 0;
	static const double hz[] = {31, 110, 440, 1750, 5000};
	for (size_t a = 0; a < sizeof hz / sizeof *hz; a++) {
		for (int64_t i = 0; i < N; i++)
			x[i] = (float)(0.5 * sin(2 * M_PI * hz[a] * i / 44100 + 0.3) + 0.01 * sh_rng_gauss(&rng));
		all &= agree(x, 20011, 2205, 882, &r);
	}
	CHECK(all, "tones 31 Hz..5 kHz: fft and direct agree (%lld of %lld offsets summed)", (long long)summed_fft,
	      (long long)summed_all);
	CHECK(summed_fft * 4 < summed_all, "tones: the screen leaves most offsets out");

	/* a wide search over a long crossfade: 2 s and 200 ms at 44.1 kHz, on a
	 * chord with slow vibrato */
	{
		int64_t cmp = 88200, search = 8820, len = 100000, n = len + search + cmp;
		float *y = buffer(n);
		for (int64_t i = 0; i < n; i++) {
			double t = i / 44100.0;
			y[i] = (float)(0.3 * sin(2 * M_PI * 220 * t + 0.4 * sin(2 * M_PI * 0.5 * t)) +
			               0.2 * sin(2 * M_PI * 277.18 * t) + 0.2 * sin(2 * M_PI * 329.63 * t) +
			               0.02 * sh_rng_gauss(&rng));
		}
		summed_fft = summed_all = 0;
		CHECK(agree(y, len, cmp, search, &r), "2 s compared, +-200 ms: fft and direct agree (%lld of %lld summed)",
		      (long long)summed_fft, (long long)summed_all);
		free(y);
	}

	/* an exactly periodic signal: offsets a period apart are exact ties, and
	 * the one nearest the target wins (the shorter at -37, not +63) */
	for (int64_t i = 0; i < N; i++)
		x[i] = (float)sin(2 * M_PI * (double)(i % 100) / 100) * 0.7f + (float)((i % 100) == 3) * 0.2f;
	CHECK(agree(x, 1037, 480, 300, &r) && r.offset == -37, "periodic: exact ties go to the nearest length (%lld)",
	      (long long)r.offset);
	CHECK(agree(x, 1050, 480, 300, &r) && r.offset == 50, "periodic: of two as near, the longer (%lld)",
	      (long long)r.offset);

	/* a constant matches itself everywhere: offset 0 */
	for (int64_t i = 0; i < N; i++)
		x[i] = 0.25f;
	CHECK(agree(x, 5000, 480, 200, &r) && r.offset == 0 && fabs(r.ncc - 1) < 1e-12,
	      "a constant: every offset ties, 0 wins");

	/* a silent start: ncc 0 everywhere, offset 0, error 1 */
	memset(x, 0, (size_t)N * sizeof *x);
	for (int64_t i = 3000; i < N; i++)
		x[i] = (float)sh_rng_gauss(&rng);
	CHECK(agree(x, 5000, 480, 200, &r) && r.offset == 0 && r.ncc == 0 && r.error == 1,
	      "a silent start: offset 0, seam error 1");

	/* silence past the end, partly: only the offsets over sound can win */
	for (int64_t i = 0; i < N; i++)
		x[i] = i < 5100 ? (float)sin(2 * M_PI * 440 * i / 44100.0) : 0;
	CHECK(agree(x, 5000, 480, 300, &r) && r.offset < 100, "silence past the end: agree, and the end stays in sound");
	/* sound far below the rest: denominators near the silence threshold */
	for (int64_t i = 0; i < N; i++)
		x[i] = (float)sin(2 * M_PI * 440 * i / 44100.0) * (i < 5000 ? 1.0f : (i < 5300 ? 1e-7f : 1e-20f));
	CHECK(agree(x, 5000, 480, 300, &r), "near-silent stretches past the end: agree");
	for (int64_t i = 0; i < N; i++)
		x[i] = (float)sh_rng_gauss(&rng) * 1e-8f;
	CHECK(agree(x, 5000, 480, 300, &r), "noise at -160 dBFS: agree");

	/* antiphase: the best is negative, the error above 1 */
	for (int64_t i = 0; i < N; i++)
		x[i] = (float)(i < 5000 ? sin(2 * M_PI * i / 1000.0) : -sin(2 * M_PI * (i - 5000) / 1000.0));
	CHECK(agree(x, 5000, 50, 20, &r) && r.ncc < 0 && r.error > 1, "antiphase: seam error above 1 (%g)", r.error);

	/* a loop shorter than the search: the end never moves before sample 1 */
	for (int64_t i = 0; i < N; i++)
		x[i] = (float)sh_rng_gauss(&rng);
	CHECK(agree(x, 100, 480, 300, &r) && r.offset >= -99, "a loop shorter than the search keeps a sample");

	/* sizes the object was not made for, and absurd ones */
	{
		sh_seam *s = sh_seam_new(480, 10, SH_SEAM_FFT);
		CHECK(s && sh_seam_find(s, x, x, -11, 10, &r) == -1, "offsets beyond the search are refused");
		sh_seam_free(s);
		CHECK(!sh_seam_new(0, 10, SH_SEAM_FFT) && !sh_seam_new(10, -1, SH_SEAM_FFT) &&
		          !sh_seam_new((int64_t)1 << 40, 0, SH_SEAM_DIRECT),
		      "sizes out of range are refused");
	}

	/* the crossfade: equal power (sin^2 + cos^2 = 1 per sample), into the start */
	{
		enum { F = 64 };
		float loop[2 * F], past[2 * F];
		for (int i = 0; i < 2 * F; i++) {
			loop[i] = 1;
			past[i] = 0;
		}
		sh_seam_crossfade(loop, past, 0, F / 2, F, 2);
		sh_seam_crossfade(loop + F, past + F, F / 2, F / 2, F, 2);
		float other[2 * F];
		for (int i = 0; i < 2 * F; i++) {
			other[i] = 0;
			past[i] = 1;
		}
		sh_seam_crossfade(other, past, 0, F, F, 2);
		int eq = 1;
		for (int i = 0; i < F; i++)
			eq &= fabs((double)loop[2 * i] * loop[2 * i] + (double)other[2 * i] * other[2 * i] - 1) < 1e-6 &&
			      loop[2 * i] == loop[2 * i + 1];
		CHECK(eq && loop[0] < 0.05f && loop[2 * F - 1] > 0.999f,
		      "crossfade: equal power, in pieces as at once, from silence to the start");
	}
	free(x);
	return tap_failed;
}
