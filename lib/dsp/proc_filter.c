/* proc_filter.c -- the filters: the audio EQ cookbook's sections (lowpass,
 * highpass, bandpass, notch, lowshelf, highshelf, peak), three colours built
 * from them (warm, airy, dark) and a DC blocker.
 *
 * Every biquad processor shares one state layout and one flow: the knobs are
 * turned into up to SH_BQ_MAX sections (biquad.h) that run each channel with
 * state of its own. A live change designs new sections and the chain glides to
 * them sample by sample, so a sweep does not click. A frequency at or above
 * 0.49 of the sample rate is refused (at start and live), never clamped: the
 * bilinear transform cannot place it. */
#include <math.h>
#include <stdlib.h>

#include "biquad.h"
#include "cli.h"
#include "proc.h"
#include "stft.h"

/* what a class builds from its knobs */
enum { K_LOWPASS, K_HIGHPASS, K_BANDPASS, K_NOTCH, K_LOWSHELF, K_HIGHSHELF, K_PEAK, K_WARM, K_AIRY, K_DARK };

typedef struct {
	double freq, q, gain; /* the knobs; each class lists those it has */
	int64_t poles;
	double amount;
	int kind;             /* K_*: fixed per class (in its defaults) */
	double ok_freq, ok_q, ok_gain, ok_amount; /* the last settings accepted */
	sh_bq_chain bq;
} filt;

/* The highest frequency a section may have at RATE. */
static double top(int rate) { return 0.49 * rate; }

/* A colour: sections whose gains scale with amount (so amount 0 is exactly the
 * identity). A corner above 0.45 of the rate (low rates only) moves down to it. */
typedef struct {
	sh_bq_type type;
	double freq, q, db; /* db at amount 1 */
} colour_band;

static const colour_band warm_bands[] = {
	{SH_BQ_LOWSHELF, 150, 0.707, 4},   /* weight in the bass */
	{SH_BQ_PEAK, 350, 0.7, 2},         /* body in the low mids */
	{SH_BQ_HIGHSHELF, 6000, 0.5, -10}, /* a soft, wide roll-off of the top */
};
static const colour_band airy_bands[] = {
	{SH_BQ_HIGHSHELF, 10000, 0.707, 8}, /* lift the air above 10 kHz */
	{SH_BQ_LOWSHELF, 100, 0.707, -4},   /* thin the bottom a little */
};
static const colour_band dark_bands[] = {
	{SH_BQ_HIGHSHELF, 2500, 0.8, -12}, /* two shelves in a row: a steep-ish */
	{SH_BQ_HIGHSHELF, 6000, 0.8, -12}, /* cut from 2.5 kHz up, -24 dB at the top */
	{SH_BQ_PEAK, 300, 0.7, 3},         /* low-mid emphasis */
};

static int colour(const colour_band *b, int n, double amount, double rate, sh_bq_shape *c)
{
	for (int i = 0; i < n; i++)
		c[i] = (sh_bq_shape){b[i].type, fmin(b[i].freq, 0.45 * rate), b[i].q, b[i].db * amount};
	return n;
}

/* The sections for the knobs as they are: their count, or -1 + sh_error() when
 * the frequency does not fit the rate. */
static int design(const sh_proc *p, sh_bq_shape *c)
{
	const filt *f = p->priv;
	const double rate = p->rate;
	switch (f->kind) {
	case K_WARM:
		return colour(warm_bands, 3, f->amount, rate, c);
	case K_AIRY:
		return colour(airy_bands, 2, f->amount, rate, c);
	case K_DARK:
		return colour(dark_bands, 3, f->amount, rate, c);
	default:
		break;
	}
	if (f->freq >= top(p->rate)) {
		sh_set_error("%s: freq %g Hz is too high for %d Hz audio: 10 to below %g Hz there",
		             p->cls->name, f->freq, p->rate, top(p->rate));
		return -1;
	}
	static const sh_bq_type types[] = {SH_BQ_LOWPASS,  SH_BQ_HIGHPASS,  SH_BQ_BANDPASS, SH_BQ_NOTCH,
	                                   SH_BQ_LOWSHELF, SH_BQ_HIGHSHELF, SH_BQ_PEAK};
	c[0] = (sh_bq_shape){types[f->kind], f->freq, f->q, f->gain};
	/* 4 poles: the same section twice (at q 0.707 a Linkwitz-Riley slope) */
	int n = f->poles == 4 ? 2 : 1;
	if (n == 2)
		c[1] = c[0];
	return n;
}

static int filt_check(sh_proc *p)
{
	const filt *f = p->priv;
	if ((f->kind == K_LOWPASS || f->kind == K_HIGHPASS) && f->poles != 2 && f->poles != 4) {
		sh_set_error("%s: poles is 2 or 4, not %lld", p->cls->name, (long long)f->poles);
		return -1;
	}
	return 0;
}

static void accept(filt *f)
{
	f->ok_freq = f->freq, f->ok_q = f->q, f->ok_gain = f->gain, f->ok_amount = f->amount;
}

static int filt_start(sh_proc *p)
{
	filt *f = p->priv;
	sh_bq_shape c[SH_BQ_MAX];
	int n = design(p, c);
	if (n < 0)
		return -1;
	sh_bq_chain_init(&f->bq, n, p->channels_in, p->rate);
	sh_bq_chain_set(&f->bq, c, false);
	accept(f);
	return 0;
}

/* A live change: glide to the new sections, or refuse and keep the old knobs. */
static int filt_set(sh_proc *p, const sh_option *o)
{
	filt *f = p->priv;
	sh_bq_shape c[SH_BQ_MAX];
	if (design(p, c) < 0) {
		f->freq = f->ok_freq, f->q = f->ok_q, f->gain = f->ok_gain, f->amount = f->ok_amount;
		return -1;
	}
	accept(f);
	sh_bq_chain_set(&f->bq, c, true);
	return 0;
}

static int filt_flow(sh_proc *p, const float *in, size_t frames)
{
	filt *f = p->priv;
	float *out = sh_proc_out(p);
	sh_stft_no_denormals(); /* decaying tails stay cheap on whichever thread runs this */
	sh_bq_chain_run(&f->bq, in, out, frames);
	return sh_proc_emit(p, out, frames);
}

static void filt_stop(sh_proc *p)
{
	filt *f = p->priv;
	sh_bq_chain_free(&f->bq);
}

/* ---------------------------------------------------------------- the rows */

#define FREQ_ROW(help_)                                                                  \
	{.name = "freq", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(filt, freq), .min = 10, \
	 .max = 24000, .arg = "HZ", .unit = "Hz", .live = true, .help = help_}
#define Q_ROW(help_)                                                                     \
	{.name = "q", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(filt, q), .min = 0.1,     \
	 .max = 20, .arg = "Q", .unit = "", .live = true, .help = help_}
#define GAIN_ROW(help_)                                                                  \
	{.name = "gain", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(filt, gain), .min = -24, \
	 .max = 24, .arg = "DB", .unit = "dB", .live = true, .help = help_}
#define POLES_ROW(help_)                                                                 \
	{.name = "poles", .type = SH_OPT_INT, .dest = SH_PROC_PARAM(filt, poles), .min = 2,  \
	 .max = 4, .arg = "N", .unit = "", .help = help_}
#define AMOUNT_ROW(help_)                                                                \
	{.name = "amount", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(filt, amount),       \
	 .min = 0, .max = 1, .arg = "A", .unit = "", .live = true, .help = help_}

#define FILT_CLASS(name_, purpose_, defaults_, params_, neutral_)                        \
	const sh_proc_class sh_proc_##name_ = {                                          \
		.name = #name_, .purpose = purpose_, SH_PROC_STATE(filt, defaults_, params_), \
		.neutral = neutral_, .check = filt_check, .start = filt_start,           \
		.flow = filt_flow, .set = filt_set, .stop = filt_stop,                  \
	}

/* lowpass, highpass: q 0.707 is the flattest (Butterworth); higher rings at freq */
static const filt lowpass_defaults = {.freq = 1000, .q = 0.707, .poles = 2, .kind = K_LOWPASS};
static const sh_option lowpass_params[] = {
	FREQ_ROW("where the highs start to fall away: low is muffled, as through a wall"),
	Q_ROW("resonance at freq: 0.707 flat, higher whistles and rings, 0.5 softer"),
	POLES_ROW("2: a gentle 12 dB per octave; 4: a steep 24 dB per octave"),
	{0},
};
FILT_CLASS(lowpass, "muffle: let the lows through and darken the highs away", lowpass_defaults,
           lowpass_params, NULL);

static const filt highpass_defaults = {.freq = 200, .q = 0.707, .poles = 2, .kind = K_HIGHPASS};
static const sh_option highpass_params[] = {
	FREQ_ROW("where the lows start to fall away: high is thin, like a telephone"),
	Q_ROW("resonance at freq: 0.707 flat, higher gives a boomy bump there"),
	POLES_ROW("2: a gentle 12 dB per octave; 4: a steep 24 dB per octave"),
	{0},
};
FILT_CLASS(highpass, "thin out: take the rumble and bass away, keep the highs", highpass_defaults,
           highpass_params, NULL);

static const filt bandpass_defaults = {.freq = 1000, .q = 1, .poles = 2, .kind = K_BANDPASS};
static const sh_option bandpass_params[] = {
	FREQ_ROW("the centre of the band that is kept"),
	Q_ROW("narrowness: 0.5 a broad radio-like band, 10 a singing single pitch"),
	{0},
};
FILT_CLASS(bandpass, "keep one band of frequencies, like a small radio or a wah held still",
           bandpass_defaults, bandpass_params, NULL);

static const filt notch_defaults = {.freq = 1000, .q = 1, .poles = 2, .kind = K_NOTCH};
static const sh_option notch_params[] = {
	FREQ_ROW("the frequency taken out (a hum at 50 or 60 Hz, a whistle)"),
	Q_ROW("narrowness of the hole: high takes a single pitch, low a wide scoop"),
	{0},
};
FILT_CLASS(notch, "cut a hole at one frequency: remove a hum or whistle, or phase-like hollows",
           notch_defaults, notch_params, NULL);

static const filt lowshelf_defaults = {.freq = 200, .q = 0.707, .gain = 6, .poles = 2, .kind = K_LOWSHELF};
static const sh_option lowshelf_params[] = {
	FREQ_ROW("below here the level changes: the bass"),
	GAIN_ROW("boost (warmer, heavier) or cut (lighter, cleaner) of the lows"),
	Q_ROW("shape of the step: 0.707 smooth, higher adds a dip and bump at the corner"),
	{0},
};
FILT_CLASS(lowshelf, "turn the bass up or down, like a hi-fi's bass knob", lowshelf_defaults,
           lowshelf_params, "gain=0");

static const filt highshelf_defaults = {.freq = 4000, .q = 0.707, .gain = 6, .poles = 2, .kind = K_HIGHSHELF};
static const sh_option highshelf_params[] = {
	FREQ_ROW("above here the level changes: the treble"),
	GAIN_ROW("boost (brighter, crisper) or cut (duller, softer) of the highs"),
	Q_ROW("shape of the step: 0.707 smooth, higher adds a dip and bump at the corner"),
	{0},
};
FILT_CLASS(highshelf, "turn the treble up or down, like a hi-fi's treble knob", highshelf_defaults,
           highshelf_params, "gain=0");

static const filt peak_defaults = {.freq = 1000, .q = 1, .gain = 6, .poles = 2, .kind = K_PEAK};
static const sh_option peak_params[] = {
	FREQ_ROW("the centre of the bell"),
	GAIN_ROW("boost (honk, presence) or cut (scoop) around freq"),
	Q_ROW("narrowness of the bell: 0.5 broad and gentle, 10 a sharp resonance"),
	{0},
};
FILT_CLASS(peak, "boost or cut a bell of frequencies, one band of a parametric EQ", peak_defaults,
           peak_params, "gain=0");

static const filt warm_defaults = {.amount = 0.5, .kind = K_WARM};
static const sh_option warm_params[] = {
	AMOUNT_ROW("how much: 0 none, 1 heavy and velvety, the top clearly rolled off"),
	{0},
};
FILT_CLASS(warm, "warm colour: fuller low mids, a soft roll-off of the top, like tape or an old desk",
           warm_defaults, warm_params, "amount=0");

static const filt airy_defaults = {.amount = 0.5, .kind = K_AIRY};
static const sh_option airy_params[] = {
	AMOUNT_ROW("how much: 0 none, 1 sparkling and light, the bottom a little thinner"),
	{0},
};
FILT_CLASS(airy, "airy colour: open, breathy top end and a lighter bottom", airy_defaults,
           airy_params, "amount=0");

static const filt dark_defaults = {.amount = 0.5, .kind = K_DARK};
static const sh_option dark_params[] = {
	AMOUNT_ROW("how much: 0 none, 1 murky, as if from the next room"),
	{0},
};
FILT_CLASS(dark, "dark colour: the highs shut away above 2.5 kHz, the low mids pushed forward",
           dark_defaults, dark_params, "amount=0");

/* ---------------------------------------------------------------- dcblock */

/* y[n] = g (x[n] - x[n-1]) + R y[n-1], R = exp(-2 pi fc / rate): a zero at DC
 * and a pole just inside it; g = (1 + R) / 2 makes the gain exactly 1 at the
 * top of the band (and within 0.01 dB of it from 4 fc up). */
typedef struct {
	double cutoff; /* the knob */
	double r, g;
	double *st;    /* per channel: x[n-1], y[n-1] */
} dcblock;

static const dcblock dcblock_defaults = {.cutoff = 10};

static const sh_option dcblock_params[] = {
	{.name = "cutoff", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(dcblock, cutoff), .min = 5,
	 .max = 200, .arg = "HZ", .unit = "Hz", .live = true,
	 .help = "below here offset and rumble are taken out: 5-20 inaudible, higher thins the bass"},
	{0},
};

static int dcblock_set(sh_proc *p, const sh_option *o)
{
	dcblock *d = p->priv;
	/* the state stays continuous, so a new pole does not click */
	d->r = exp(-2 * M_PI * d->cutoff / p->rate);
	d->g = (1 + d->r) / 2;
	return 0;
}

static int dcblock_start(sh_proc *p)
{
	dcblock *d = p->priv;
	if (d->cutoff >= top(p->rate)) {
		sh_set_error("dcblock: cutoff %g Hz does not fit %d Hz audio", d->cutoff, p->rate);
		return -1;
	}
	d->st = sh_calloc(2 * (size_t)p->channels_in, sizeof(double));
	return dcblock_set(p, NULL);
}

static int dcblock_flow(sh_proc *p, const float *in, size_t frames)
{
	dcblock *d = p->priv;
	const size_t ch = (size_t)p->channels_in;
	const double r = d->r, g = d->g;
	float *out = sh_proc_out(p);
	sh_stft_no_denormals();
	for (size_t c = 0; c < ch; c++) {
		double x1 = d->st[2 * c], y1 = d->st[2 * c + 1];
		for (size_t i = 0; i < frames; i++) {
			const double x = in[i * ch + c];
			y1 = g * (x - x1) + r * y1;
			x1 = x;
			out[i * ch + c] = (float)y1;
		}
		d->st[2 * c] = x1, d->st[2 * c + 1] = y1;
	}
	return sh_proc_emit(p, out, frames);
}

static void dcblock_stop(sh_proc *p)
{
	dcblock *d = p->priv;
	free(d->st);
	d->st = NULL;
}

const sh_proc_class sh_proc_dcblock = {
	.name = "dcblock",
	.purpose = "take out a DC offset and sub-sonic rumble, leaving what is heard alone",
	SH_PROC_STATE(dcblock, dcblock_defaults, dcblock_params),
	.start = dcblock_start, .flow = dcblock_flow, .set = dcblock_set, .stop = dcblock_stop,
};
