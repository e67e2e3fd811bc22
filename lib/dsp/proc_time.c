/* proc_time.c -- effects made of time: echo, chorus, flanger, phaser, tremolo.
 *
 * Every channel has its own delay line and filter state (ports = 0); the
 * modulators (LFOs) are shared by the channels of a stream. Everything that
 * moves does so frame by frame and only from the frame count, so the output
 * never depends on how the frames were pushed:
 *  - an LFO's phase is an accumulator in cycles x sample rate (acc += rate per
 *    frame, wrapped at the sample rate): exact for whole-number rates, and
 *    continuous when the rate changes live;
 *  - a live change of a level (mix, feedback, depth) glides linearly over
 *    RAMP_S seconds, counted in frames from the first frame after the change;
 *  - a live change of echo's time crossfades from the old tap to the new one;
 *  - chorus's taps and the phaser's corner are worked out every CTL frames,
 *    counted from the start, and glide linearly between.
 *
 * Delay lines are allocated at start for the largest value their knobs allow
 * (a power of two, so the read position wraps with a mask): no malloc in flow.
 *
 * mix, for all of these: 0 only the dry sound, 0.5 dry and wet both at full
 * level, 1 only the wet one (the dry fades out above 0.5, the wet in below). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "glide.h"
#include "proc.h"

#define RAMP_S 0.02   /* glide of a live level change */
#define XFADE_S 0.05  /* crossfade of a live echo time change */
#define SUB 256       /* frames per pass: the per-frame arrays live on the stack */
#define MAX_VOICES 4
#define MAX_STAGES 12
#define CTL 16        /* chorus, phaser: frames between control frames */
/* Adding and taking away this flushes what decays below ~1e-27 to zero, so
 * feedback tails never crawl through denormals (a per-sample, block-blind step). */
#define FLUSH 1e-20f

/* ---------------------------------------------------------------- shared pieces */

/* mix 0..1 -> the dry and wet gains (see the top of the file) */
static void mix_gains(const float *mix, float *dry, float *wet, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const float d = 2.0f - 2.0f * mix[i], w = 2.0f * mix[i]; /* fminf is a call */
		dry[i] = d < 1.0f ? d : 1.0f;
		wet[i] = w < 1.0f ? w : 1.0f;
	}
}

/* An LFO phase, 0..1, as acc / rate_sr: exact for whole-number rates. */
typedef struct {
	double acc;
} lfo;

static double lfo_next(lfo *l, double hz, double sr)
{
	double ph = l->acc / sr;
	l->acc += hz;
	if (l->acc >= sr)
		l->acc -= sr;
	return ph;
}

static size_t pow2_at_least(size_t n)
{
	size_t s = 1;
	while (s < n)
		s <<= 1;
	return s;
}

/* Catmull-Rom cubic through four neighbours, at F (0..1) between X0 and X1: a
 * smoother fractional delay than a straight line, for modulated taps. */
static inline float cubic(float xm1, float x0, float x1, float x2, float f)
{
	return x0 + 0.5f * f * (x1 - xm1 + f * (2.0f * xm1 - 5.0f * x0 + 4.0f * x1 - x2 +
	                                        f * (3.0f * (x0 - x1) + x2 - xm1)));
}

/* LINE (mask M) D samples (fractional, >= 1) before its sample at NEWEST. The
 * point newest - d lies between i = newest - floor(d) - 1 and i + 1, the
 * fraction 1 - frac(d) of the way. */
static inline float tap(const float *line, size_t m, size_t newest, float d)
{
	const int k = (int)d; /* d > 0: the cast is floor, and cheaper than floorf */
	const size_t i = (newest - (size_t)k - 1) & m;
	return cubic(line[(i - 1) & m], line[i], line[(i + 1) & m], line[(i + 2) & m],
	             1.0f - (d - (float)k));
}

/* ---------------------------------------------------------------- echo */

typedef struct {
	double time, fb, mix, damp; /* the knobs */
	float *line;                /* channels x size, planar */
	float *lp;                  /* damping filter state, per channel */
	size_t size, mask, w;
	int d, d_old, d_want;       /* the tap now, the one fading out, the one asked for */
	int fade, fade_len;         /* frames of crossfade left, and its length */
	float damp_a;               /* one-pole coefficient; 0: no damping */
	sh_glide fb_r, mix_r;
} echo;

static const echo echo_defaults = {
	.time = 0.3, /* 0.03 doubling, 0.1 slapback, 0.3 a room's bounce, 1+ canyons */
	.fb = 0.4,   /* 0 one echo, 0.5 a few, 0.9 a long trail */
	.mix = 0.5,  /* 0 dry, 0.5 both at full level, 1 only the echoes */
	.damp = 0,   /* 0 bright repeats; 3000 each darker than the last, like tape */
};

static const sh_option echo_params[] = {
	{.name = "time", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(echo, time), .min = 0.001,
	 .max = 10, .arg = "S", .unit = "s", .live = true,
	 .help = "the gap between repeats: short doubles, long answers back (crossfades when changed)"},
	{.name = "fb", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(echo, fb), .min = 0, .max = 0.98,
	 .arg = "F", .unit = "ratio", .live = true,
	 .help = "how much of each repeat comes back again: 0 one echo, near 1 an endless trail"},
	{.name = "mix", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(echo, mix), .min = 0, .max = 1,
	 .arg = "M", .unit = "ratio", .live = true,
	 .help = "0 dry only, 0.5 dry and echoes at full level, 1 echoes only"},
	{.name = "damp", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(echo, damp), .min = 0,
	 .max = 20000, .arg = "HZ", .unit = "Hz", .live = true,
	 .help = "lowpass on the way back, so each repeat is darker: 0 off, lower is duller"},
	{0},
};

static int echo_set(sh_proc *p, const sh_option *o)
{
	echo *e = p->priv;
	const double sr = p->rate;
	int d = (int)lround(e->time * sr);
	e->d_want = d < 1 ? 1 : d > (int)e->size - 1 ? (int)e->size - 1 : d;
	double fc = e->damp;
	e->damp_a = fc > 0 && fc < 0.45 * sr ? (float)(1.0 - exp(-2 * M_PI * fc / sr)) : 0;
	int n = o ? (int)lround(RAMP_S * sr) : 0;
	sh_glide_to(&e->fb_r, (float)e->fb, n);
	sh_glide_to(&e->mix_r, (float)e->mix, n);
	if (!o)
		e->d = e->d_old = e->d_want;
	return 0;
}

static int echo_start(sh_proc *p)
{
	echo *e = p->priv;
	const size_t ch = (size_t)p->channels_in;
	e->size = pow2_at_least((size_t)ceil(10.0 * p->rate) + 2);
	e->mask = e->size - 1;
	e->line = sh_calloc(e->size * ch, sizeof(float));
	e->lp = sh_calloc(ch, sizeof(float));
	e->fade_len = (int)lround(XFADE_S * p->rate);
	if (e->fade_len < 1)
		e->fade_len = 1;
	sh_glide_now(&e->fb_r, (float)e->fb);
	sh_glide_now(&e->mix_r, (float)e->mix);
	return echo_set(p, NULL);
}

static void echo_stop(sh_proc *p)
{
	echo *e = p->priv;
	free(e->line);
	free(e->lp);
}

static int echo_flow(sh_proc *p, const float *in, size_t frames)
{
	echo *e = p->priv;
	const size_t ch = (size_t)p->channels_in, m = e->mask;
	float *out = sh_proc_out(p);
	for (size_t at = 0; at < frames; at += SUB) {
		const size_t n = frames - at < SUB ? frames - at : SUB;
		const float *x = in + at * ch;
		float mix[SUB], dry[SUB], wet[SUB], fb[SUB];
		sh_glide_fill(&e->mix_r, mix, n);
		sh_glide_fill(&e->fb_r, fb, n);
		mix_gains(mix, dry, wet, n);
		/* the taps: one fixed delay, or (while the time changes) two crossfaded */
		int dn[SUB], dold[SUB];
		float gn[SUB];
		bool moving = e->fade > 0 || e->d_want != e->d;
		for (size_t i = 0; moving && i < n; i++) {
			if (e->fade == 0 && e->d_want != e->d) {
				e->d_old = e->d;
				e->d = e->d_want;
				e->fade = e->fade_len;
			}
			dn[i] = e->d;
			dold[i] = e->d_old;
			gn[i] = e->fade ? 1.0f - (float)e->fade / (float)e->fade_len : 1.0f;
			if (e->fade)
				e->fade--;
		}
		const size_t d = (size_t)e->d;
		const float a = e->damp_a, b = 1.0f - a;
		for (size_t c = 0; c < ch; c++) {
			float *line = e->line + c * e->size, lp = e->lp[c];
			size_t w = e->w;
			for (size_t i = 0; i < n; i++, w = (w + 1) & m) {
				float r;
				if (!moving)
					r = line[(w - d) & m];
				else if (gn[i] == 1.0f)
					r = line[(w - (size_t)dn[i]) & m];
				else
					r = gn[i] * line[(w - (size_t)dn[i]) & m] +
					    (1.0f - gn[i]) * line[(w - (size_t)dold[i]) & m];
				const float xi = x[i * ch + c];
				out[i * ch + c] = dry[i] * xi + wet[i] * r;
				if (a > 0) /* written so the loop-carried chain is one multiply and one add */
					r = lp = a * r + b * lp;
				line[w] = (xi + fb[i] * r + FLUSH) - FLUSH;
			}
			e->lp[c] = lp;
		}
		e->w = (e->w + n) & m;
		if (sh_proc_emit(p, out, n) != 0)
			return -1;
	}
	return 0;
}

const sh_proc_class sh_proc_echo = {
	.name = "echo",
	.purpose = "repeat the sound after a gap, each repeat fainter (and darker with damp)",
	SH_PROC_STATE(echo, echo_defaults, echo_params),
	.neutral = "mix=0",
	.start = echo_start, .flow = echo_flow, .set = echo_set, .stop = echo_stop,
};

/* ---------------------------------------------------------------- chorus and flanger
 * One modulated delay line per channel: chorus reads it at up to four taps
 * spread around the LFO's cycle, flanger at one short tap with feedback. */

typedef struct {
	double rate, depth, delay, fb, mix; /* knobs (fb: flanger only) */
	int64_t voices;                     /* chorus only */
	float *line;
	size_t size, mask, w;
	lfo l;
	sh_glide mix_r, fb_r, depth_r;
	float d[MAX_VOICES], d_step[MAX_VOICES]; /* chorus: the taps, gliding between control frames */
	int ctl_left;                            /* frames to the next control frame */
	bool primed;                             /* d has its first values */
} modline;

static const modline chorus_defaults = {
	.rate = 0.8,  /* 0.1 a slow drift, 1 shimmer, 5+ warble */
	.depth = 3,   /* 1 subtle, 3 lush, 10 seasick */
	.delay = 15,  /* 7 tight, 15 a small ensemble, 30 slapped apart */
	.voices = 2,  /* 1 a single detuned copy, 4 a crowd */
	.mix = 0.5,
};

static const sh_option chorus_params[] = {
	{.name = "rate", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(modline, rate), .min = 0.01,
	 .max = 10, .arg = "HZ", .unit = "Hz", .live = true,
	 .help = "how fast the copies drift in pitch"},
	{.name = "depth", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(modline, depth), .min = 0,
	 .max = 20, .arg = "MS", .unit = "ms", .live = true,
	 .help = "how far they drift: small is a gentle thickening, large goes out of tune"},
	{.name = "delay", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(modline, delay), .min = 1,
	 .max = 50, .arg = "MS", .unit = "ms", .live = true,
	 .help = "how far behind the copies trail: short blends, long separates"},
	{.name = "voices", .type = SH_OPT_INT, .dest = SH_PROC_PARAM(modline, voices), .min = 1,
	 .max = MAX_VOICES, .arg = "N", .unit = "", .live = true,
	 .help = "how many drifting copies: more is a bigger, blurrier ensemble"},
	{.name = "mix", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(modline, mix), .min = 0, .max = 1,
	 .arg = "M", .unit = "ratio", .live = true,
	 .help = "0 dry only, 0.5 dry and chorus at full level, 1 chorus only"},
	{0},
};

static const modline flanger_defaults = {
	.rate = 0.2,  /* 0.05 a slow jet, 0.5 a sweep a beat, 5 a buzz */
	.depth = 2,   /* 0.5 a narrow comb, 5 wide swooshes */
	.delay = 1,   /* 0.1 bright and metallic, 5 lower, nearer a chorus */
	.fb = 0.5,    /* 0 gentle, 0.9 ringing and resonant; negative hollow */
	.mix = 0.5,   /* 0.5: the deepest notches */
};

static const sh_option flanger_params[] = {
	{.name = "rate", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(modline, rate), .min = 0.01,
	 .max = 10, .arg = "HZ", .unit = "Hz", .live = true,
	 .help = "how fast the jet-plane sweep goes up and down"},
	{.name = "depth", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(modline, depth), .min = 0,
	 .max = 10, .arg = "MS", .unit = "ms", .live = true,
	 .help = "how wide the sweep is: small a shimmer, large a deep swoosh"},
	{.name = "delay", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(modline, delay), .min = 0.1,
	 .max = 10, .arg = "MS", .unit = "ms", .live = true,
	 .help = "the shortest gap of the sweep: short is bright and metallic, long lower"},
	{.name = "fb", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(modline, fb), .min = -0.95,
	 .max = 0.95, .arg = "F", .unit = "ratio", .live = true,
	 .help = "resonance: towards 1 it rings and whistles, negative sounds hollow"},
	{.name = "mix", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(modline, mix), .min = 0, .max = 1,
	 .arg = "M", .unit = "ratio", .live = true,
	 .help = "0 dry only, 0.5 dry and swept copy at full level (deepest notches), 1 copy only"},
	{0},
};

static int modline_set(sh_proc *p, const sh_option *o)
{
	modline *ml = p->priv;
	int n = o ? (int)lround(RAMP_S * p->rate) : 0;
	sh_glide_to(&ml->mix_r, (float)ml->mix, n);
	sh_glide_to(&ml->fb_r, (float)ml->fb, n);
	sh_glide_to(&ml->depth_r, (float)ml->depth, n);
	return 0;
}

static int modline_start(sh_proc *p, double max_ms)
{
	modline *ml = p->priv;
	ml->size = pow2_at_least((size_t)ceil(max_ms * 0.001 * p->rate) + 8);
	ml->mask = ml->size - 1;
	ml->line = sh_calloc(ml->size * (size_t)p->channels_in, sizeof(float));
	sh_glide_now(&ml->mix_r, (float)ml->mix);
	sh_glide_now(&ml->fb_r, (float)ml->fb);
	sh_glide_now(&ml->depth_r, (float)ml->depth);
	return 0;
}

static int chorus_start(sh_proc *p) { return modline_start(p, 50 + 20); }
static int flanger_start(sh_proc *p) { return modline_start(p, 10 + 10); }

static void modline_stop(sh_proc *p)
{
	free(((modline *)p->priv)->line);
}

static int chorus_flow(sh_proc *p, const float *in, size_t frames)
{
	modline *ml = p->priv;
	const size_t ch = (size_t)p->channels_in, m = ml->mask;
	float *out = sh_proc_out(p);
	const double sr = p->rate, ms = sr * 0.001;
	const int nv = (int)ml->voices;
	const float vgain = 1.0f / sqrtf((float)nv); /* uncorrelated voices add in power */
	for (size_t at = 0; at < frames; at += SUB) {
		const size_t n = frames - at < SUB ? frames - at : SUB;
		const float *x = in + at * ch;
		float mix[SUB], dry[SUB], wet[SUB], depth[SUB], d[MAX_VOICES][SUB];
		sh_glide_fill(&ml->mix_r, mix, n);
		sh_glide_fill(&ml->depth_r, depth, n);
		mix_gains(mix, dry, wet, n);
		/* the taps are placed every CTL frames (counted from the start) and
		 * glide linearly between, as the phaser's coefficient */
		for (size_t i = 0; i < n; i++) {
			double ph = lfo_next(&ml->l, ml->rate, sr);
			if (ml->ctl_left == 0) {
				for (int v = 0; v < MAX_VOICES; v++) {
					double s = sh_sin_cycles(ph + (double)v / nv);
					double dd = (ml->delay + depth[i] * 0.5 * (1 + s)) * ms;
					float target = dd < 2 ? 2.0f : (float)dd;
					if (!ml->primed)
						ml->d[v] = target;
					ml->d_step[v] = (target - ml->d[v]) / CTL;
				}
				ml->primed = true;
				ml->ctl_left = CTL;
			}
			for (int v = 0; v < nv; v++) {
				d[v][i] = ml->d[v];
				ml->d[v] += ml->d_step[v];
			}
			ml->ctl_left--;
		}
		for (size_t c = 0; c < ch; c++) {
			float *line = ml->line + c * ml->size;
			size_t w = ml->w;
			for (size_t i = 0; i < n; i++, w = (w + 1) & m) {
				const float xi = x[i * ch + c];
				line[w] = xi;
				float y = 0;
				for (int v = 0; v < nv; v++)
					y += tap(line, m, w, d[v][i]);
				out[i * ch + c] = dry[i] * xi + wet[i] * vgain * y;
			}
		}
		ml->w = (ml->w + n) & m;
		if (sh_proc_emit(p, out, n) != 0)
			return -1;
	}
	return 0;
}

static int flanger_flow(sh_proc *p, const float *in, size_t frames)
{
	modline *ml = p->priv;
	const size_t ch = (size_t)p->channels_in, m = ml->mask;
	float *out = sh_proc_out(p);
	const double sr = p->rate, ms = sr * 0.001;
	for (size_t at = 0; at < frames; at += SUB) {
		const size_t n = frames - at < SUB ? frames - at : SUB;
		const float *x = in + at * ch;
		float mix[SUB], dry[SUB], wet[SUB], depth[SUB], fb[SUB], d[SUB];
		sh_glide_fill(&ml->mix_r, mix, n);
		sh_glide_fill(&ml->depth_r, depth, n);
		sh_glide_fill(&ml->fb_r, fb, n);
		mix_gains(mix, dry, wet, n);
		for (size_t i = 0; i < n; i++) {
			double ph = lfo_next(&ml->l, ml->rate, sr);
			/* a triangle sweep: the comb moves at an even pace, as a tape flange */
			double tri = 1 - fabs(2 * ph - 1);
			double dd = (ml->delay + depth[i] * tri) * ms;
			d[i] = dd < 3 ? 3.0f : (float)dd;
		}
		for (size_t c = 0; c < ch; c++) {
			float *line = ml->line + c * ml->size;
			size_t w = ml->w;
			for (size_t i = 0; i < n; i++, w = (w + 1) & m) {
				const float xi = x[i * ch + c];
				float r = tap(line, m, w - 1, d[i] - 1.0f); /* w not yet written */
				out[i * ch + c] = dry[i] * xi + wet[i] * r;
				line[w] = (xi + fb[i] * r + FLUSH) - FLUSH;
			}
		}
		ml->w = (ml->w + n) & m;
		if (sh_proc_emit(p, out, n) != 0)
			return -1;
	}
	return 0;
}

const sh_proc_class sh_proc_chorus = {
	.name = "chorus",
	.purpose = "thicken with slowly drifting, slightly detuned copies, like an ensemble",
	SH_PROC_STATE(modline, chorus_defaults, chorus_params),
	.neutral = "mix=0",
	.start = chorus_start, .flow = chorus_flow, .set = modline_set, .stop = modline_stop,
};

const sh_proc_class sh_proc_flanger = {
	.name = "flanger",
	.purpose = "a sweeping comb filter: the jet-plane whoosh of two tapes rubbing",
	SH_PROC_STATE(modline, flanger_defaults, flanger_params),
	.neutral = "mix=0",
	.start = flanger_start, .flow = flanger_flow, .set = modline_set, .stop = modline_stop,
};

/* ---------------------------------------------------------------- phaser */

typedef struct {
	double rate, depth, freq, fb, mix;
	int64_t stages;
	float *s;    /* allpass states: channels x MAX_STAGES */
	float *last; /* the previous output, per channel, for the feedback */
	lfo l;
	sh_glide mix_r, fb_r, depth_r;
	float a, a_step; /* the allpass coefficient, gliding between control frames */
	int ctl_left;    /* frames to the next control frame */
	bool primed;     /* a has its first value */
} phaser;

static const phaser phaser_defaults = {
	.rate = 0.5,  /* 0.1 a slow swirl, 1 a pulse, 5 a wobble */
	.depth = 0.7, /* 0.2 a gentle tilt, 1 the whole sweep */
	.freq = 200,  /* the bottom of the sweep: 100 deep, 1000 thin */
	.stages = 4,  /* 2 subtle, 4 classic, 12 many notches */
	.fb = 0.3,    /* 0 smooth, 0.9 resonant and vocal */
	.mix = 0.5,   /* 0.5: the deepest notches */
};

static const sh_option phaser_params[] = {
	{.name = "rate", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(phaser, rate), .min = 0.01,
	 .max = 10, .arg = "HZ", .unit = "Hz", .live = true,
	 .help = "how fast the swirl moves up and down"},
	{.name = "depth", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(phaser, depth), .min = 0,
	 .max = 1, .arg = "D", .unit = "ratio", .live = true,
	 .help = "how wide the swirl sweeps: 1 is six octaves up from freq"},
	{.name = "freq", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(phaser, freq), .min = 20,
	 .max = 5000, .arg = "HZ", .unit = "Hz", .live = true,
	 .help = "where the sweep starts: low is deep and throaty, high thin and airy"},
	{.name = "stages", .type = SH_OPT_INT, .dest = SH_PROC_PARAM(phaser, stages), .min = 2,
	 .max = MAX_STAGES, .arg = "N", .unit = "", .live = true,
	 .help = "even count of allpass stages: more notches, a thicker swirl"},
	{.name = "fb", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(phaser, fb), .min = -0.95,
	 .max = 0.95, .arg = "F", .unit = "ratio", .live = true,
	 .help = "resonance: towards 1 the notches sharpen into a vocal whistle"},
	{.name = "mix", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(phaser, mix), .min = 0, .max = 1,
	 .arg = "M", .unit = "ratio", .live = true,
	 .help = "0 dry only, 0.5 dry and shifted at full level (deepest notches), 1 shifted only"},
	{0},
};

static int phaser_check(sh_proc *p)
{
	const phaser *ph = p->priv;
	if (ph->stages % 2) {
		sh_set_error("phaser: stages=%lld is odd (2, 4, ... 12)", (long long)ph->stages);
		return -1;
	}
	return 0;
}

static int phaser_set(sh_proc *p, const sh_option *o)
{
	phaser *ph = p->priv;
	int n = o ? (int)lround(RAMP_S * p->rate) : 0;
	sh_glide_to(&ph->mix_r, (float)ph->mix, n);
	sh_glide_to(&ph->fb_r, (float)ph->fb, n);
	sh_glide_to(&ph->depth_r, (float)ph->depth, n);
	return 0;
}

static int phaser_start(sh_proc *p)
{
	phaser *ph = p->priv;
	ph->s = sh_calloc((size_t)p->channels_in * MAX_STAGES, sizeof(float));
	ph->last = sh_calloc((size_t)p->channels_in, sizeof(float));
	return phaser_set(p, NULL);
}

static void phaser_stop(sh_proc *p)
{
	phaser *ph = p->priv;
	free(ph->s);
	free(ph->last);
}

static int phaser_flow(sh_proc *p, const float *in, size_t frames)
{
	phaser *ph = p->priv;
	const size_t ch = (size_t)p->channels_in;
	float *out = sh_proc_out(p);
	const int ns = (int)ph->stages & ~1; /* live, an odd count cannot be refused: one fewer */
	const double sr = p->rate, top = 0.45 * sr;
	for (size_t at = 0; at < frames; at += SUB) {
		const size_t n = frames - at < SUB ? frames - at : SUB;
		const float *x = in + at * ch;
		float mix[SUB], dry[SUB], wet[SUB], depth[SUB], fb[SUB], a[SUB];
		sh_glide_fill(&ph->mix_r, mix, n);
		sh_glide_fill(&ph->depth_r, depth, n);
		sh_glide_fill(&ph->fb_r, fb, n);
		mix_gains(mix, dry, wet, n);
		/* the coefficient is worked out every CTL frames (counted from the
		 * start, not per call) and glides linearly between: the sweep is far
		 * slower than that, and the trigonometry would otherwise cost more
		 * than the filtering */
		for (size_t i = 0; i < n; i++) {
			double phase = lfo_next(&ph->l, ph->rate, sr);
			if (ph->ctl_left == 0) {
				double u = 0.5 * (1 - sh_sin_cycles(phase + 0.25));
				double fc = ph->freq * exp2(6.0 * depth[i] * u); /* sweeps in octaves */
				/* the first-order allpass at fc: a = (t - 1) / (t + 1), t = tan(w / 2)
				 * = sin w / (1 + cos w), w = 2 pi fc / sr */
				double wc = (fc < top ? fc : top) / sr, sw = sh_sin_cycles(wc),
				       cw = sh_sin_cycles(wc + 0.25);
				float target = (float)((sw - 1 - cw) / (sw + 1 + cw));
				if (!ph->primed) {
					ph->a = target;
					ph->primed = true;
				}
				ph->a_step = (target - ph->a) / CTL;
				ph->ctl_left = CTL;
			}
			a[i] = ph->a;
			ph->a += ph->a_step;
			ph->ctl_left--;
		}
		/* two channels side by side: each sample's path through the stages is
		 * one long chain of dependent steps, and two chains fill the gaps */
		size_t c = 0;
		for (; c + 1 < ch; c += 2) {
			float *s0 = ph->s + c * MAX_STAGES, *s1 = s0 + MAX_STAGES;
			float l0 = ph->last[c], l1 = ph->last[c + 1];
			for (size_t i = 0; i < n; i++) {
				const float x0 = x[i * ch + c], x1 = x[i * ch + c + 1], ai = a[i];
				float y0 = x0 + fb[i] * l0, y1 = x1 + fb[i] * l1;
				for (int k = 0; k < ns; k++) {
					const float z0 = ai * y0 + s0[k], z1 = ai * y1 + s1[k];
					s0[k] = (y0 - ai * z0 + FLUSH) - FLUSH;
					s1[k] = (y1 - ai * z1 + FLUSH) - FLUSH;
					y0 = z0;
					y1 = z1;
				}
				l0 = y0;
				l1 = y1;
				out[i * ch + c] = dry[i] * x0 + wet[i] * y0;
				out[i * ch + c + 1] = dry[i] * x1 + wet[i] * y1;
			}
			ph->last[c] = l0;
			ph->last[c + 1] = l1;
		}
		for (; c < ch; c++) {
			float *s0 = ph->s + c * MAX_STAGES, l0 = ph->last[c];
			for (size_t i = 0; i < n; i++) {
				const float x0 = x[i * ch + c], ai = a[i];
				float y0 = x0 + fb[i] * l0;
				for (int k = 0; k < ns; k++) {
					const float z0 = ai * y0 + s0[k];
					s0[k] = (y0 - ai * z0 + FLUSH) - FLUSH;
					y0 = z0;
				}
				l0 = y0;
				out[i * ch + c] = dry[i] * x0 + wet[i] * y0;
			}
			ph->last[c] = l0;
		}
		if (sh_proc_emit(p, out, n) != 0)
			return -1;
	}
	return 0;
}

const sh_proc_class sh_proc_phaser = {
	.name = "phaser",
	.purpose = "a swirl of moving notches, the sweep of a classic phase shifter",
	SH_PROC_STATE(phaser, phaser_defaults, phaser_params),
	.neutral = "mix=0",
	.check = phaser_check, .start = phaser_start, .flow = phaser_flow, .set = phaser_set,
	.stop = phaser_stop,
};

/* ---------------------------------------------------------------- tremolo */

enum { SHAPE_SINE, SHAPE_TRIANGLE, SHAPE_SQUARE };

typedef struct {
	double rate, depth;
	const char *shape;
	int shape_id;
	lfo l;
	sh_glide depth_r;
} tremolo;

static const tremolo tremolo_defaults = {
	.rate = 5,       /* 1 a slow pulse, 5 a classic amp, 20 a flutter */
	.depth = 0.5,    /* 0.2 a shimmer, 1 chopped to silence */
	.shape = "sine", /* square chops, triangle pumps */
};

static const sh_option tremolo_params[] = {
	{.name = "rate", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(tremolo, rate), .min = 0.01,
	 .max = 100, .arg = "HZ", .unit = "Hz", .live = true,
	 .help = "pulses per second: slow throbs, fast flutters, audio rates growl"},
	{.name = "depth", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(tremolo, depth), .min = 0,
	 .max = 1, .arg = "D", .unit = "ratio", .live = true,
	 .help = "how far the level dips: 1 down to silence"},
	{.name = "shape", .type = SH_OPT_CHOICE, .dest = SH_PROC_PARAM(tremolo, shape),
	 .choices = "sine|triangle|square", .arg = "SHAPE", .unit = "", .live = true,
	 .help = "sine swells, triangle pumps, square chops on and off"},
	{0},
};

static int tremolo_set(sh_proc *p, const sh_option *o)
{
	tremolo *t = p->priv;
	t->shape_id = !strcmp(t->shape, "square") ? SHAPE_SQUARE
	            : !strcmp(t->shape, "triangle") ? SHAPE_TRIANGLE : SHAPE_SINE;
	if (o)
		sh_glide_to(&t->depth_r, (float)t->depth, (int)lround(RAMP_S * p->rate));
	else
		sh_glide_now(&t->depth_r, (float)t->depth);
	return 0;
}

static int tremolo_start(sh_proc *p)
{
	return tremolo_set(p, NULL);
}

static int tremolo_flow(sh_proc *p, const float *in, size_t frames)
{
	tremolo *t = p->priv;
	const size_t ch = (size_t)p->channels_in;
	float *out = sh_proc_out(p);
	const double sr = p->rate;
	for (size_t at = 0; at < frames; at += SUB) {
		const size_t n = frames - at < SUB ? frames - at : SUB;
		const float *x = in + at * ch;
		float depth[SUB], g[SUB];
		sh_glide_fill(&t->depth_r, depth, n);
		/* the cycle starts at full level and dips halfway through */
		for (size_t i = 0; i < n; i++) {
			double acc = t->l.acc, ph = lfo_next(&t->l, t->rate, sr), u;
			if (t->shape_id == SHAPE_SQUARE)
				u = acc < 0.5 * sr ? 0 : 1; /* compared unscaled: exact edges */
			else if (t->shape_id == SHAPE_TRIANGLE)
				u = 1 - fabs(1 - 2 * ph);
			else
				u = 0.5 * (1 - sh_sin_cycles(ph + 0.25));
			g[i] = 1.0f - depth[i] * (float)u;
		}
		for (size_t i = 0; i < n; i++)
			for (size_t c = 0; c < ch; c++)
				out[i * ch + c] = x[i * ch + c] * g[i];
		if (sh_proc_emit(p, out, n) != 0)
			return -1;
	}
	return 0;
}

const sh_proc_class sh_proc_tremolo = {
	.name = "tremolo",
	.purpose = "pulse the level up and down, from a gentle throb to a hard chop",
	SH_PROC_STATE(tremolo, tremolo_defaults, tremolo_params),
	.neutral = "depth=0",
	.start = tremolo_start, .flow = tremolo_flow, .set = tremolo_set,
};
