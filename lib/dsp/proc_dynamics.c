/* proc_dynamics.c -- level control: compress, limit, gate.
 *
 * Each one listens to every channel of its stream at once (the loudest sample
 * of a frame) and applies one gain to all of them, so a stereo image never
 * leans toward the louder side. Hand-written because the libraries the suite
 * links offer these only as FFmpeg filter graphs, not as streaming state. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "proc.h"
#include "stft.h"

/* the larger, inline (fmaxf is a call, for the sake of NaNs) */
static inline float maxf(float a, float b) { return a > b ? a : b; }

/* the loudest |sample| of a frame */
static inline float frame_peak(const float *x, size_t ch)
{
	float m = 0;
	for (size_t c = 0; c < ch; c++)
		m = maxf(m, fabsf(x[c]));
	return m;
}

/* the one-pole coefficient for a time constant of MS milliseconds */
static double pole(double ms, int rate) { return exp(-1000.0 / (ms * rate)); }

/* ---------------------------------------------------------------- compress */

/* The design of Giannoulis, Massberg and Reiss ("Digital dynamic range
 * compressor design", JAES 2012): a peak-sensing static curve with a quadratic
 * soft knee, computed in dB, then the reduction smoothed by their "smooth
 * decoupled" detector (a release-held peak, then the attack's one-pole), so
 * attack and release do not fight each other and a steady tone settles where
 * the static curve puts it. */
typedef struct {
	double threshold, ratio, attack, release, knee, makeup; /* the knobs */
	float below;            /* a peak up to this (linear) is left alone: no log needed */
	float a_att, a_rel;     /* one-pole coefficients */
	float held, reduction;  /* detector state: dB of gain reduction */
	float mk;               /* makeup in dB, gliding to the knob */
	float mk_step;
} comp;

static const comp comp_defaults = {
	.threshold = -20, .ratio = 4, .attack = 10, .release = 100, .knee = 6, .makeup = 0,
};

static const sh_option comp_params[] = {
	{.name = "threshold", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(comp, threshold),
	 .min = -60, .max = 0, .arg = "DB", .unit = "dB", .live = true,
	 .help = "peaks above this are turned down: low squeezes everything, high only the loudest hits"},
	{.name = "ratio", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(comp, ratio), .min = 1,
	 .max = 20, .arg = "R", .unit = "ratio", .live = true,
	 .help = "how hard: 2 gentle glue, 4 firm, 10 and up flattening, 1 off"},
	{.name = "attack", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(comp, attack), .min = 0.1,
	 .max = 200, .arg = "MS", .unit = "ms", .live = true,
	 .help = "how fast it clamps down: short tames transients, long lets the punch through"},
	{.name = "release", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(comp, release), .min = 5,
	 .max = 5000, .arg = "MS", .unit = "ms", .live = true,
	 .help = "how fast it lets go: short pumps and breathes, long holds steady"},
	{.name = "knee", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(comp, knee), .min = 0,
	 .max = 24, .arg = "DB", .unit = "dB", .live = true,
	 .help = "width of the bend around the threshold: 0 abrupt, wide is smooth and transparent"},
	{.name = "makeup", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(comp, makeup), .min = -24,
	 .max = 24, .arg = "DB", .unit = "dB", .live = true,
	 .help = "gain after the squeeze, to bring the level back up"},
	{0},
};

static int comp_set(sh_proc *p, const sh_option *o)
{
	comp *k = p->priv;
	k->below = (float)pow(10, (k->threshold - k->knee / 2) / 20);
	k->a_att = (float)pole(k->attack, p->rate);
	k->a_rel = (float)pole(k->release, p->rate);
	return 0;
}

static int comp_start(sh_proc *p)
{
	comp *k = p->priv;
	k->mk = (float)k->makeup;
	k->mk_step = (float)(1 - pole(10, p->rate)); /* makeup changes glide over ~10 ms */
	return comp_set(p, NULL);
}

/* dB of reduction the static curve asks of a peak at XL dB */
static inline float curve(float xl, float t, float r, float w)
{
	const float d = xl - t;
	if (2 * d <= -w)
		return 0;
	if (2 * d < w) { /* inside the knee (w > 0 here) */
		const float e = d + w / 2;
		return (1 - 1 / r) * e * e / (2 * w);
	}
	return d - d / r;
}

static int comp_flow(sh_proc *p, const float *in, size_t frames)
{
	comp *k = p->priv;
	const size_t ch = (size_t)p->channels_in;
	const float t = (float)k->threshold, r = (float)k->ratio, w = (float)k->knee;
	const float mk_target = (float)k->makeup;
	const float a_att = k->a_att, a_rel = k->a_rel;
	float held = k->held, red = k->reduction, mk = k->mk;
	float *out = sh_proc_out(p);
	sh_stft_no_denormals();
	for (size_t i = 0; i < frames; i++) {
		const float *x = in + i * ch;
		const float pk = frame_peak(x, ch);
		const float c = pk > k->below ? curve(6.02059991f * log2f(pk), t, r, w) : 0; /* 20 log10 */
		held = maxf(c, a_rel * held + (1 - a_rel) * c);
		red = a_att * red + (1 - a_att) * held;
		/* a reduction below a millionth of a dB is none: exact unity again */
		if (held < 1e-6f)
			held = 0;
		if (red < 1e-6f)
			red = 0;
		if (mk != mk_target) {
			mk += k->mk_step * (mk_target - mk);
			if (fabsf(mk_target - mk) < 1e-4f)
				mk = mk_target;
		}
		const float gdb = mk - red;
		const float g = gdb == 0 ? 1.0f : exp2f(gdb * 0.16609640474f); /* 10^(gdb/20) */
		for (size_t c2 = 0; c2 < ch; c2++)
			out[i * ch + c2] = x[c2] * g;
	}
	k->held = held, k->reduction = red, k->mk = mk;
	return sh_proc_emit(p, out, frames);
}

const sh_proc_class sh_proc_compress = {
	.name = "compress",
	.purpose = "even out the level: squeeze loud peaks down, glue and thicken",
	SH_PROC_STATE(comp, comp_defaults, comp_params),
	.neutral = "ratio=1",
	.start = comp_start, .flow = comp_flow, .set = comp_set,
};

/* ---------------------------------------------------------------- limit */

/* A brickwall limiter whose output never exceeds the ceiling, by construction:
 *
 *  1. Each frame m gets a required gain q[m] = min(1, ceiling / peak[m]), the
 *     peak being the loudest sample of the frame or, with truepeak, also the
 *     loudest of the three points interpolated (4x) between it and the next.
 *  2. h = the least q over the last W frames, kept by a monotonic queue (O(1)
 *     a frame).
 *  3. r follows h down at once and back up with the release's one-pole, so
 *     r <= h always.
 *  4. The gain is the mean of r over the last D + 1 frames (D: the lookahead),
 *     applied to frame t = m - D - K. With W = D + 2K + 1 every r averaged has
 *     all of q[t - K .. t + K] in its window, so the gain is at most each of
 *     them: the frame's own samples stay under the ceiling, and so (up to how
 *     far the gain varies across the interpolator's 2K frames) do the points
 *     between them that any frame near t takes part in. K = 16 with truepeak
 *     (the interpolator's half length), 0 without. The mean turns a gain
 *     change into a straight ramp over the lookahead, so the gain is down by
 *     the time the peak arrives.
 *
 * The ceiling used is 1e-6 (9e-6 dB) under the knob's, a margin above the
 * rounding of the double arithmetic and of the float output, so no clamp is
 * needed. The running sum is summed afresh every D + 1 frames, so its
 * rounding never accumulates. D + 2K frames of latency, which the driver
 * compensates. */
enum { TP_K = 16, TP_TAPS = 2 * TP_K };
typedef float v4 __attribute__((vector_size(16)));

typedef struct {
	double ceiling, release, lookahead; /* the knobs */
	bool truepeak;
	double lin;       /* the ceiling, linear, less the margin */
	double k_rel;     /* the release's step */
	int d, k, w, lat; /* lookahead, interpolator half length, hold window, latency (frames) */
	float taps[3][TP_TAPS] __attribute__((aligned(16))); /* the interpolator at 1/4, 2/4, 3/4 of a frame */
	float *hist;      /* per channel the last TP_TAPS samples, stored twice (a ring read whole) */
	int hpos;
	float *delay;     /* lat frames, a ring */
	int dpos;
	int64_t *qi;      /* the monotonic queue: frame numbers and gains, a ring of w */
	double *qv;
	int qhead, qcount;
	double *box;      /* r over the last d + 1 frames, a ring */
	int bpos, since;
	double sum, r;
	int64_t n;        /* frames in */
} limit;

static const limit limit_defaults = {.ceiling = -1, .release = 50, .lookahead = 5, .truepeak = true};

static const sh_option limit_params[] = {
	{.name = "ceiling", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(limit, ceiling), .min = -30,
	 .max = 0, .arg = "DB", .unit = "dB", .live = true,
	 .help = "no sample gets louder than this; push material into it for loudness and density"},
	{.name = "release", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(limit, release), .min = 1,
	 .max = 2000, .arg = "MS", .unit = "ms", .live = true,
	 .help = "how fast the gain comes back after a peak: short is loud and grainy, long smooth"},
	{.name = "lookahead", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(limit, lookahead),
	 .min = 0.1, .max = 50, .arg = "MS", .unit = "ms",
	 .help = "how early the gain starts to come down before a peak: longer is softer on transients "
	         "(with truepeak at least 32 samples)"},
	{.name = "truepeak", .type = SH_OPT_FLAG, .dest = SH_PROC_PARAM(limit, truepeak),
	 .help = "also hold the peaks between samples under the ceiling, as loudness meters and "
	         "converters see them"},
	{0},
};

static int limit_set(sh_proc *p, const sh_option *o)
{
	limit *l = p->priv;
	l->lin = pow(10, l->ceiling / 20) * (1 - 1e-6);
	l->k_rel = 1 - pole(l->release, p->rate);
	return 0;
}

/* modified Bessel function of the first kind, order 0, for the Kaiser window */
static double bessel_i0(double x)
{
	double sum = 1, term = 1;
	for (int k = 1; k < 30; k++) {
		term *= (x / (2 * k)) * (x / (2 * k));
		sum += term;
	}
	return sum;
}

/* Windowed-sinc interpolators (Kaiser, beta 7) for the points 1/4, 2/4 and
 * 3/4 of the way from x[m] to x[m+1], over x[m-15 .. m+16]; each sums to 1.
 * 32 taps: with 16, limited white noise still read 1 dB over the ceiling on
 * FFmpeg's ebur128 true-peak meter; with 32 it reads within 0.1 dB. The points
 * are the plain band-limited ones (sinc at the Nyquist frequency): any other
 * cutoff misjudges them. */
static void tp_design(limit *l)
{
	for (int ph = 0; ph < 3; ph++) {
		const double frac = (ph + 1) / 4.0;
		double sum = 0, h[TP_TAPS];
		for (int k = 0; k < TP_TAPS; k++) {
			const double t = (k - (TP_K - 1)) - frac; /* from the point to the tap, in frames */
			const double u = t / TP_K;
			const double sinc = sin(M_PI * t) / (M_PI * t);
			h[k] = sinc * bessel_i0(7 * sqrt(fmax(0, 1 - u * u))) / bessel_i0(7);
			sum += h[k];
		}
		for (int k = 0; k < TP_TAPS; k++)
			l->taps[ph][k] = (float)(h[k] / sum);
	}
}

static int limit_start(sh_proc *p)
{
	limit *l = p->priv;
	const size_t ch = (size_t)p->channels_in;
	l->d = (int)lround(l->lookahead * p->rate / 1000);
	if (l->d < 1)
		l->d = 1;
	l->k = l->truepeak ? TP_K : 0;
	/* a gain that moves within the interpolator's span would make peaks of its
	 * own between the samples: with truepeak the ramp is at least that long */
	if (l->d < 2 * l->k)
		l->d = 2 * l->k;
	l->w = l->d + 2 * l->k + 1;
	l->lat = l->d + 2 * l->k;
	if (l->truepeak) {
		tp_design(l);
		l->hist = sh_calloc(2 * TP_TAPS * ch, sizeof(float));
	}
	l->delay = sh_calloc((size_t)l->lat * ch, sizeof(float));
	l->qi = sh_malloc((size_t)l->w * sizeof *l->qi);
	l->qv = sh_malloc((size_t)l->w * sizeof *l->qv);
	l->box = sh_malloc((size_t)(l->d + 1) * sizeof *l->box);
	for (int i = 0; i <= l->d; i++)
		l->box[i] = 1;
	l->sum = l->d + 1;
	l->r = 1;
	p->latency = l->lat;
	return limit_set(p, NULL);
}

/* I (< 2 LEN) as a position in a ring of LEN */
static inline int wrap(int i, int len) { return i >= len ? i - len : i; }

/* The loudest of frame m = n - K and, with truepeak, of the points between it
 * and m + 1, from the history (X: frame n, the newest). */
static float limit_peak(limit *l, const float *x, size_t ch)
{
	if (!l->truepeak)
		return frame_peak(x, ch);
	float m = 0;
	for (size_t c = 0; c < ch; c++) {
		float *h = l->hist + c * 2 * TP_TAPS;
		h[l->hpos] = h[l->hpos + TP_TAPS] = x[c];
		const float *win = h + l->hpos + 1; /* x[n-31 .. n] */
		/* four lanes of partial sums per point, so the loop runs as vectors */
		v4 a = {0}, b = {0}, e = {0};
		for (int k = 0; k < TP_TAPS; k += 4) {
			v4 xv, t0, t1, t2;
			memcpy(&xv, win + k, sizeof xv);
			memcpy(&t0, &l->taps[0][k], sizeof t0);
			memcpy(&t1, &l->taps[1][k], sizeof t1);
			memcpy(&t2, &l->taps[2][k], sizeof t2);
			a += t0 * xv, b += t1 * xv, e += t2 * xv;
		}
		const float pa = (a[0] + a[1]) + (a[2] + a[3]), pb = (b[0] + b[1]) + (b[2] + b[3]);
		const float pe = (e[0] + e[1]) + (e[2] + e[3]);
		m = maxf(m, maxf(maxf(fabsf(win[TP_K - 1]), fabsf(pa)), maxf(fabsf(pb), fabsf(pe))));
	}
	l->hpos = wrap(l->hpos + 1, TP_TAPS);
	return m;
}

static int limit_flow(sh_proc *p, const float *in, size_t frames)
{
	limit *l = p->priv;
	const size_t ch = (size_t)p->channels_in;
	const int w = l->w, box = l->d + 1;
	float *out = sh_proc_out(p);
	sh_stft_no_denormals();
	for (size_t i = 0; i < frames; i++, l->n++) {
		const float *x = in + i * ch;
		const double pk = limit_peak(l, x, ch);
		const double q = pk > l->lin ? l->lin / pk : 1.0;
		/* the window's least gain: drop stale ones from the front, larger ones
		 * from the back (at most w stay) */
		while (l->qcount > 0 && l->qi[l->qhead] <= l->n - w)
			l->qhead = wrap(l->qhead + 1, w), l->qcount--;
		while (l->qcount > 0 && l->qv[wrap(l->qhead + l->qcount - 1, w)] >= q)
			l->qcount--;
		const int back = wrap(l->qhead + l->qcount, w);
		l->qi[back] = l->n;
		l->qv[back] = q;
		l->qcount++;
		const double h = l->qv[l->qhead];
		/* down at once, up by the release; back at exactly 1 once within 1e-9 */
		l->r = h < l->r ? h : l->r + l->k_rel * (h - l->r);
		if (l->r > 1 - 1e-9 && h == 1)
			l->r = 1;
		l->sum += l->r - l->box[l->bpos];
		l->box[l->bpos] = l->r;
		l->bpos = wrap(l->bpos + 1, box);
		if (++l->since == box) {
			double s = 0;
			for (int j = 0; j < box; j++)
				s += l->box[j];
			l->sum = s;
			l->since = 0;
		}
		const double a = l->sum / box;
		float *dl = l->delay + (size_t)l->dpos * ch;
		for (size_t c = 0; c < ch; c++) {
			out[i * ch + c] = (float)(dl[c] * a);
			dl[c] = x[c];
		}
		l->dpos = wrap(l->dpos + 1, l->lat);
	}
	return sh_proc_emit(p, out, frames);
}

static void limit_stop(sh_proc *p)
{
	limit *l = p->priv;
	free(l->hist);
	free(l->delay);
	free(l->qi);
	free(l->qv);
	free(l->box);
	l->hist = l->delay = NULL, l->qi = NULL, l->qv = l->box = NULL;
}

const sh_proc_class sh_proc_limit = {
	.name = "limit",
	.purpose = "a brickwall: nothing passes above the ceiling, peaks are shaved off smoothly",
	SH_PROC_STATE(limit, limit_defaults, limit_params),
	.neutral = "ceiling=0",
	.start = limit_start, .flow = limit_flow, .set = limit_set, .stop = limit_stop,
};

/* ---------------------------------------------------------------- gate */

/* Open while the peak is at or above the threshold and for `hold` after it last
 * was; closed, the gain falls to `range`. The gain moves by one-poles: toward
 * open with the attack's time constant, toward closed with the release's. */
typedef struct {
	double threshold, attack, hold, release, range; /* the knobs */
	float thr, floor_gain, k_att, k_rel;
	int64_t hold_frames, left;
	float g;
} gate;

static const gate gate_defaults = {
	.threshold = -50, .attack = 1, .hold = 50, .release = 200, .range = -80, .g = 1,
};

static const sh_option gate_params[] = {
	{.name = "threshold", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(gate, threshold),
	 .min = -120, .max = 0, .arg = "DB", .unit = "dB", .live = true,
	 .help = "sound below this is shut out: high chops a signal into its loudest bits"},
	{.name = "attack", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(gate, attack), .min = 0.05,
	 .max = 200, .arg = "MS", .unit = "ms", .live = true,
	 .help = "how fast it opens: short is clicky and sharp, long fades sounds in"},
	{.name = "hold", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(gate, hold), .min = 0,
	 .max = 2000, .arg = "MS", .unit = "ms", .live = true,
	 .help = "how long it stays open after the sound drops: short stutters, long keeps tails"},
	{.name = "release", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(gate, release), .min = 1,
	 .max = 5000, .arg = "MS", .unit = "ms", .live = true,
	 .help = "how fast it closes: short chops hard, long lets tails fade"},
	{.name = "range", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(gate, range), .min = -120,
	 .max = 0, .arg = "DB", .unit = "dB", .live = true,
	 .help = "how far it turns down when shut: -120 silence, -10 only a dip, 0 off"},
	{0},
};

static int gate_set(sh_proc *p, const sh_option *o)
{
	gate *g = p->priv;
	g->thr = (float)pow(10, g->threshold / 20);
	g->floor_gain = (float)pow(10, g->range / 20);
	g->k_att = (float)(1 - pole(g->attack, p->rate));
	g->k_rel = (float)(1 - pole(g->release, p->rate));
	g->hold_frames = llround(g->hold * p->rate / 1000);
	return 0;
}

static int gate_start(sh_proc *p)
{
	return gate_set(p, NULL);
}

static int gate_flow(sh_proc *p, const float *in, size_t frames)
{
	gate *g = p->priv;
	const size_t ch = (size_t)p->channels_in;
	float gain = g->g;
	int64_t left = g->left;
	float *out = sh_proc_out(p);
	sh_stft_no_denormals();
	for (size_t i = 0; i < frames; i++) {
		const float *x = in + i * ch;
		bool open;
		if (frame_peak(x, ch) >= g->thr) {
			left = g->hold_frames;
			open = true;
		} else {
			open = left > 0;
			if (left > 0)
				left--;
		}
		const float target = open ? 1.0f : g->floor_gain;
		if (gain != target) {
			gain += (target > gain ? g->k_att : g->k_rel) * (target - gain);
			if (fabsf(target - gain) < 1e-7f)
				gain = target;
		}
		for (size_t c = 0; c < ch; c++)
			out[i * ch + c] = x[c] * gain;
	}
	g->g = gain, g->left = left;
	return sh_proc_emit(p, out, frames);
}

const sh_proc_class sh_proc_gate = {
	.name = "gate",
	.purpose = "shut out what is quiet: silence hiss between notes, or chop sound into bursts",
	SH_PROC_STATE(gate, gate_defaults, gate_params),
	.neutral = "range=0",
	.start = gate_start, .flow = gate_flow, .set = gate_set,
};
