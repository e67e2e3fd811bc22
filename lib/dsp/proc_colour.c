/* proc_colour.c -- effects that colour the waveform itself: bitcrush,
 * decimate, saturate, ringmod.
 *
 * Each channel is treated alike (ports = 0); the only state is a held sample
 * (decimate), an oscillator phase (ringmod) and the glides of live changes.
 * mix, for all of these, crossfades: out = (1 - mix) x dry + mix x wet, so
 * mix=0 is the input exactly. A live change of mix or drive glides over
 * RAMP_S seconds, per frame, so the output never depends on block sizes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "glide.h"
#include "proc.h"

#define RAMP_S 0.02
#define SUB 256

/* A live change (O set) glides over RAMP_S; the start jumps. */
static int glide_frames(const sh_proc *p, const sh_option *o)
{
	return o ? (int)lround(RAMP_S * p->rate) : 0;
}

/* The common state: the knobs of all four (each uses its own), the glides. */
typedef struct {
	int64_t bits;
	double rate, drive, freq, mix;
	const char *shape;
	int shape_id;
	float *held;   /* decimate: the sample being held, per channel */
	double acc;    /* decimate, ringmod: phase accumulator in Hz x frames */
	float step, inv_step, lo, hi; /* bitcrush quantiser */
	sh_glide mix_r, drive_r, trim_r;
} colour;

static void colour_stop(sh_proc *p)
{
	free(((colour *)p->priv)->held);
}

/* out = x + mix (wet - x) with the wet already in OUT: the crossfade. */
static void crossfade(float *out, const float *x, const float *mix, size_t n, size_t ch)
{
	for (size_t i = 0; i < n; i++)
		for (size_t c = 0; c < ch; c++) {
			const size_t j = i * ch + c;
			out[j] = mix[i] == 0.0f ? x[j] : (1.0f - mix[i]) * x[j] + mix[i] * out[j];
		}
}

/* ---------------------------------------------------------------- bitcrush */

static const colour bitcrush_defaults = {
	.bits = 8, /* 16 clean, 8 a grainy sampler, 4 crunchy, 1 a buzzing square */
	.mix = 1,
};

static const sh_option bitcrush_params[] = {
	{.name = "bits", .type = SH_OPT_INT, .dest = SH_PROC_PARAM(colour, bits), .min = 1, .max = 24,
	 .arg = "N", .unit = "bits", .live = true,
	 .help = "resolution of each sample: fewer bits, grittier and noisier"},
	{.name = "mix", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(colour, mix), .min = 0, .max = 1,
	 .arg = "M", .unit = "ratio", .live = true,
	 .help = "0 dry, 1 crushed only, between a crossfade"},
	{0},
};

static int bitcrush_set(sh_proc *p, const sh_option *o)
{
	colour *c = p->priv;
	/* the levels of a BITS-bit integer sample: k / 2^(bits-1), k in -2^(bits-1) .. 2^(bits-1)-1 */
	const double half = ldexp(1.0, (int)c->bits - 1);
	c->step = (float)(1.0 / half);
	c->inv_step = (float)half;
	c->lo = -1.0f;
	c->hi = (float)((half - 1) / half);
	sh_glide_to(&c->mix_r, (float)c->mix, glide_frames(p, o));
	return 0;
}

static int bitcrush_start(sh_proc *p)
{
	return bitcrush_set(p, NULL);
}

static int bitcrush_flow(sh_proc *p, const float *in, size_t frames)
{
	colour *c = p->priv;
	float *out = sh_proc_out(p);
	const size_t ch = (size_t)p->channels_in;
	for (size_t at = 0; at < frames; at += SUB) {
		const size_t n = frames - at < SUB ? frames - at : SUB, k = n * ch;
		const float *x = in + at * ch;
		float mix[SUB];
		sh_glide_fill(&c->mix_r, mix, n);
		for (size_t j = 0; j < k; j++) {
			float q = rintf(x[j] * c->inv_step) * c->step; /* round to nearest, as a converter */
			out[j] = q < c->lo ? c->lo : q > c->hi ? c->hi : q;
		}
		crossfade(out, x, mix, n, ch);
		if (sh_proc_emit(p, out, n) != 0)
			return -1;
	}
	return 0;
}

const sh_proc_class sh_proc_bitcrush = {
	.name = "bitcrush",
	.purpose = "fewer bits per sample: grit, hiss and the crunch of early samplers",
	SH_PROC_STATE(colour, bitcrush_defaults, bitcrush_params),
	.neutral = "mix=0",
	.start = bitcrush_start, .flow = bitcrush_flow, .set = bitcrush_set, .stop = colour_stop,
};

/* ---------------------------------------------------------------- decimate */

static const colour decimate_defaults = {
	.rate = 8000, /* 22050 a faint fizz, 8000 a telephone sampler, 1000 broken robot */
	.mix = 1,
};

static const sh_option decimate_params[] = {
	{.name = "rate", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(colour, rate), .min = 1,
	 .max = 384000, .arg = "HZ", .unit = "Hz", .live = true,
	 .help = "the rate samples are taken at and held: lower is more aliased and metallic"},
	{.name = "mix", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(colour, mix), .min = 0, .max = 1,
	 .arg = "M", .unit = "ratio", .live = true,
	 .help = "0 dry, 1 decimated only, between a crossfade"},
	{0},
};

static int decimate_set(sh_proc *p, const sh_option *o)
{
	colour *c = p->priv;
	sh_glide_to(&c->mix_r, (float)c->mix, glide_frames(p, o));
	return 0;
}

static int decimate_start(sh_proc *p)
{
	colour *c = p->priv;
	c->held = sh_calloc((size_t)p->channels_in, sizeof(float));
	c->acc = p->rate; /* the first frame is taken */
	return decimate_set(p, NULL);
}

static int decimate_flow(sh_proc *p, const float *in, size_t frames)
{
	colour *c = p->priv;
	float *out = sh_proc_out(p);
	const size_t ch = (size_t)p->channels_in;
	const double sr = p->rate, r = c->rate < sr ? c->rate : sr;
	for (size_t at = 0; at < frames; at += SUB) {
		const size_t n = frames - at < SUB ? frames - at : SUB;
		const float *x = in + at * ch;
		float mix[SUB];
		sh_glide_fill(&c->mix_r, mix, n);
		/* a new sample whenever the accumulator (Hz x frames) passes the
		 * sample rate: exactly every sr / rate frames when that is whole */
		for (size_t i = 0; i < n; i++) {
			if (c->acc >= sr) {
				c->acc -= sr;
				memcpy(c->held, x + i * ch, ch * sizeof(float));
			}
			c->acc += r;
			memcpy(out + i * ch, c->held, ch * sizeof(float));
		}
		crossfade(out, x, mix, n, ch);
		if (sh_proc_emit(p, out, n) != 0)
			return -1;
	}
	return 0;
}

const sh_proc_class sh_proc_decimate = {
	.name = "decimate",
	.purpose = "sample and hold at a lower rate: aliasing, whistles and lo-fi grit",
	SH_PROC_STATE(colour, decimate_defaults, decimate_params),
	.neutral = "mix=0",
	.start = decimate_start, .flow = decimate_flow, .set = decimate_set, .stop = colour_stop,
};

/* ---------------------------------------------------------------- saturate */

enum { SAT_TANH, SAT_SOFT, SAT_HARD, SAT_FOLD };

/* tanh as a [7/6] Pade fraction, within 1e-4 and a few times cheaper than
 * tanhf: the curve is the point, not the last digit */
static inline float tanh_fit(float x)
{
	if (x > 4.97f)
		return 1.0f;
	if (x < -4.97f)
		return -1.0f;
	const float x2 = x * x;
	const float y = x * (135135.0f + x2 * (17325.0f + x2 * (378.0f + x2))) /
	                (135135.0f + x2 * (62370.0f + x2 * (3150.0f + 28.0f * x2)));
	return y > 1.0f ? 1.0f : y < -1.0f ? -1.0f : y;
}

static inline float soft_clip(float x) /* a cubic knee: round, then flat from |x| = 1 */
{
	return x <= -1.0f ? -1.0f : x >= 1.0f ? 1.0f : 1.5f * x - 0.5f * x * x * x;
}

static inline float hard_clip(float x)
{
	return x < -1.0f ? -1.0f : x > 1.0f ? 1.0f : x;
}

static inline float fold(float x) /* reflect at +-1, over and over: a triangle of x */
{
	float t = (x + 1.0f) * 0.25f;
	if (!(t > -1e6f && t < 1e6f)) /* far beyond any drive (or not a number): no cast overflow */
		return 0.0f;
	float k = (float)(int)t; /* floor by a cast: |x| stays far below 2^31 */
	t -= k > t ? k - 1.0f : k;
	return 1.0f - 4.0f * fabsf(t - 0.5f);
}

static float shape(int id, float x)
{
	return id == SAT_SOFT ? soft_clip(x) : id == SAT_HARD ? hard_clip(x)
	     : id == SAT_FOLD ? fold(x) : tanh_fit(x);
}

static const colour saturate_defaults = {
	.drive = 12,      /* 0 a touch of warmth, 12 driven, 30 fuzz, 48 a wall */
	.shape = "tanh",  /* tanh a warm tube, soft rounder, hard harsh, fold ringing and buzzy */
	.mix = 1,
};

static const sh_option saturate_params[] = {
	{.name = "drive", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(colour, drive), .min = 0,
	 .max = 48, .arg = "DB", .unit = "dB", .live = true,
	 .help = "how hard the sound is pushed into the curve: more is dirtier, not louder"},
	{.name = "shape", .type = SH_OPT_CHOICE, .dest = SH_PROC_PARAM(colour, shape),
	 .choices = "tanh|soft|hard|fold", .arg = "SHAPE", .unit = "", .live = true,
	 .help = "the curve: tanh warm, soft round, hard harsh clipping, fold metallic wavefolding"},
	{.name = "mix", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(colour, mix), .min = 0, .max = 1,
	 .arg = "M", .unit = "ratio", .live = true,
	 .help = "0 dry, 1 saturated only, between a crossfade (parallel distortion)"},
	{0},
};

static int saturate_set(sh_proc *p, const sh_option *o)
{
	colour *c = p->priv;
	c->shape_id = !strcmp(c->shape, "soft") ? SAT_SOFT
	            : !strcmp(c->shape, "hard") ? SAT_HARD
	            : !strcmp(c->shape, "fold") ? SAT_FOLD : SAT_TANH;
	/* the trim: a sine at -12 dBFS keeps its RMS level whatever the drive and
	 * shape, so drive changes the colour, not the loudness */
	const double g = pow(10.0, c->drive / 20.0), amp = 0.25;
	double sum = 0;
	const int steps = 512;
	for (int k = 0; k < steps; k++) {
		double y = shape(c->shape_id, (float)(g * amp * sin(2 * M_PI * (k + 0.5) / steps)));
		sum += y * y;
	}
	const double rms = sqrt(sum / steps);
	sh_glide_to(&c->drive_r, (float)g, glide_frames(p, o));
	sh_glide_to(&c->trim_r, (float)(rms > 1e-9 ? amp / M_SQRT2 / rms : 1.0), glide_frames(p, o));
	sh_glide_to(&c->mix_r, (float)c->mix, glide_frames(p, o));
	return 0;
}

static int saturate_start(sh_proc *p)
{
	return saturate_set(p, NULL);
}

static int saturate_flow(sh_proc *p, const float *in, size_t frames)
{
	colour *c = p->priv;
	float *out = sh_proc_out(p);
	const size_t ch = (size_t)p->channels_in;
	const int id = c->shape_id;
	for (size_t at = 0; at < frames; at += SUB) {
		const size_t n = frames - at < SUB ? frames - at : SUB;
		const float *x = in + at * ch;
		float mix[SUB], g[SUB], trim[SUB];
		sh_glide_fill(&c->mix_r, mix, n);
		sh_glide_fill(&c->drive_r, g, n);
		sh_glide_fill(&c->trim_r, trim, n);
		/* one loop per curve, so none of them branches on the shape per sample */
#define SHAPE_LOOP(f)                                                                \
	for (size_t i = 0; i < n; i++)                                               \
		for (size_t k = 0; k < ch; k++)                                      \
			out[i * ch + k] = trim[i] * f(g[i] * x[i * ch + k]);
		switch (id) {
		case SAT_SOFT: SHAPE_LOOP(soft_clip) break;
		case SAT_HARD: SHAPE_LOOP(hard_clip) break;
		case SAT_FOLD: SHAPE_LOOP(fold) break;
		default: SHAPE_LOOP(tanh_fit) break;
		}
#undef SHAPE_LOOP
		crossfade(out, x, mix, n, ch);
		if (sh_proc_emit(p, out, n) != 0)
			return -1;
	}
	return 0;
}

const sh_proc_class sh_proc_saturate = {
	.name = "saturate",
	.purpose = "drive the sound into a curve: warmth, fuzz, hard clipping or wavefolding",
	SH_PROC_STATE(colour, saturate_defaults, saturate_params),
	.neutral = "mix=0",
	.start = saturate_start, .flow = saturate_flow, .set = saturate_set, .stop = colour_stop,
};

/* ---------------------------------------------------------------- ringmod */

static const colour ringmod_defaults = {
	.freq = 440, /* 5 a tremolo-like throb, 100 growl, 440 bells, 2000 a metallic clang */
	.mix = 1,
};

static const sh_option ringmod_params[] = {
	{.name = "freq", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(colour, freq), .min = 0.1,
	 .max = 20000, .arg = "HZ", .unit = "Hz", .live = true,
	 .help = "the carrier multiplied in: low throbs, high clangs like a bell or a dalek"},
	{.name = "mix", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(colour, mix), .min = 0, .max = 1,
	 .arg = "M", .unit = "ratio", .live = true,
	 .help = "0 dry, 1 ring-modulated only, between a crossfade"},
	{0},
};

static int ringmod_set(sh_proc *p, const sh_option *o)
{
	colour *c = p->priv;
	sh_glide_to(&c->mix_r, (float)c->mix, glide_frames(p, o));
	return 0;
}

static int ringmod_start(sh_proc *p)
{
	return ringmod_set(p, NULL);
}

static int ringmod_flow(sh_proc *p, const float *in, size_t frames)
{
	colour *c = p->priv;
	float *out = sh_proc_out(p);
	const size_t ch = (size_t)p->channels_in;
	const double sr = p->rate, f = fmod(c->freq, sr);
	for (size_t at = 0; at < frames; at += SUB) {
		const size_t n = frames - at < SUB ? frames - at : SUB;
		const float *x = in + at * ch;
		float mix[SUB], car[SUB];
		sh_glide_fill(&c->mix_r, mix, n);
		/* the carrier, a sine from phase 0; its phase runs on through changes of freq */
		for (size_t i = 0; i < n; i++) {
			car[i] = (float)sh_sin_cycles(c->acc / sr);
			c->acc += f;
			if (c->acc >= sr)
				c->acc -= sr;
		}
		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < ch; k++)
				out[i * ch + k] = x[i * ch + k] * car[i];
		crossfade(out, x, mix, n, ch);
		if (sh_proc_emit(p, out, n) != 0)
			return -1;
	}
	return 0;
}

const sh_proc_class sh_proc_ringmod = {
	.name = "ringmod",
	.purpose = "multiply by a sine: bells, clangs and robot voices from any sound",
	SH_PROC_STATE(colour, ringmod_defaults, ringmod_params),
	.neutral = "mix=0",
	.start = ringmod_start, .flow = ringmod_flow, .set = ringmod_set, .stop = colour_stop,
};
