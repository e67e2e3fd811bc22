/* proc_spectral.c -- the spectral processors: smear (specsmear) and mangle
 * (specmangle), on lib/dsp/spectral.
 *
 * Both work a hop at a time (the block) through an STFT whose latency, the
 * window minus a hop, the driver compensates: the output is aligned with the
 * input and exactly as long. Seeded: the same seed and input give the same
 * bytes. Threads (p->jobs) take the channels apart, a batch of hops at a time
 * (the tail of the last batch comes out in drain); the bytes stay the same. */
#include "cli.h"
#include "proc.h"
#include "spectral.h"

/* What both keep: the STFT sizes and the effect. */
typedef struct {
	int64_t fft, hop;
	sh_spectral *fx;
	sh_spectral_watch_fn watch; /* sh_proc_spectral_watch's, passed on at start */
	void *watch_user;
} spectral;

static int spectral_check(sh_proc *p)
{
	const spectral *s = p->priv;
	return sh_stft_check_sizes(s->fft, s->hop);
}

/* After sh_smear_new or sh_mangle_new made s->fx. */
static int spectral_started(sh_proc *p)
{
	spectral *s = p->priv;
	if (!s->fx)
		return -1;
	if (s->watch)
		sh_spectral_watch(s->fx, s->watch, s->watch_user);
	p->block = sh_spectral_hop(s->fx);
	p->latency = sh_spectral_latency(s->fx);
	return 0;
}

/* The effect's output comes out through sh_proc_emit_callback. */
static int spectral_flow(sh_proc *p, const float *in, size_t frames)
{
	return sh_spectral_push(((spectral *)p->priv)->fx, in, frames), 0;
}

/* With threads the effect holds a batch of hops back: the end lets it out. */
static int spectral_drain(sh_proc *p) { return sh_spectral_flush(((spectral *)p->priv)->fx), 0; }

static void spectral_stop(sh_proc *p) { sh_spectral_free(((spectral *)p->priv)->fx); }

/* Smear and mangle differ in their knobs and their start. */
#define SPECTRAL_CLASS(kind, what, neutral_settings)                                       \
	{.name = #kind, .purpose = what, SH_PROC_STATE(kind, kind##_defaults, kind##_params),     \
	 .neutral = neutral_settings, .seeded = true,                                           \
	 .check = spectral_check, .start = kind##_start, .flow = spectral_flow,                 \
	 .drain = spectral_drain, .stop = spectral_stop}

/* ---------------------------------------------------------------- smear */

typedef struct {
	spectral s;
	double blur, phase;
} smear;

static const smear smear_defaults = {
	.blur = 0.5,  /* 0 dry; 0.2 soft halo after each hit; 0.5 underwater wash; 1 everything
	                 hangs for seconds like a frozen reverb */
	.phase = 0.5, /* 0 keeps the phases (clean, just smeared); 0.3 chorus-like shimmer; 1 fully
	                 random phases: breathy, whispered, diffuse */
	.s.fft = 2048, /* window length: 256 ticks and grains stay sharp, 2048 a good balance,
	                  8192+ glassy and smeared with pre-echo */
	.s.hop = 0,    /* frames between windows, 0 = fft/4 (75% overlap); larger hops are cheaper
	                  and rougher, smaller ones smoother */
};

static const sh_option smear_params[] = {
	{.name = "blur", .short_name = 'B', .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(smear, blur),
	 .min = 0, .max = 1, .arg = "X",
	 .help = "smear magnitudes across time, 0..1: a time constant of 3 s * X^2"},
	{.name = "phase", .short_name = 'P', .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(smear, phase),
	 .min = 0, .max = 1, .arg = "X", .help = "randomise phases, 0..1 of +-pi per frame and bin"},
	SH_STFT_PARAMS(smear, s.fft, s.hop),
	{0},
};

static int smear_start(sh_proc *p)
{
	smear *m = p->priv;
	sh_smear_opts so = {.size = (int)m->s.fft, .hop = (int)m->s.hop, .blur = m->blur,
	                    .phase = m->phase, .seed = p->seed, .jobs = p->jobs};
	m->s.fx = sh_smear_new(&so, p->rate, p->channels_in, sh_proc_emit_callback, p);
	return spectral_started(p);
}

const sh_proc_class sh_proc_smear = SPECTRAL_CLASS(
	smear, "blur the spectrum across time and scramble the phases: washes, halos, whispers",
	"blur=0 phase=0");

/* ---------------------------------------------------------------- mangle */

typedef struct {
	spectral s;
	double swap, noise, freeze;
	sh_range hold, shift;
} mangle;

static const mangle mangle_defaults = {
	.swap = 0.2,    /* share of bins swapped with random others each frame: 0.05 a metallic fizz,
	                   0.5 shattered glass, 1 unrecognisable hash */
	.noise = 0.2,   /* blend toward noise shaped like the sound: 0.2 breathy grain, 0.6 a
	                   whispered ghost of it, 1 pure shaped noise (vocoded hiss) */
	.freeze = 0.01, /* chance per frame that a freeze starts (about 94 frames a second at
	                   48 kHz): 0.005 the odd stuck moment, 0.05 stutters everywhere */
	.hold = {0.1, 0.5}, /* how long a freeze holds, seconds: short = buzzy stutter, long = drones */
	.shift = {0, 0},    /* bins to move the spectrum (rate/fft Hz each), drawn per frame: a fixed
	                       10 is a clangorous frequency shift, -40..40 a warbling radio tuner */
	.s.fft = 2048,  /* window: short = gritty and rhythmic, long = smooth and smeared */
	.s.hop = 0,     /* 0 = fft/4 */
};

static const sh_option mangle_params[] = {
	{.name = "swap", .short_name = 's', .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(mangle, swap),
	 .min = 0, .max = 1, .arg = "P", .help = "share of bins swapped each frame, 0..1"},
	{.name = "noise", .short_name = 'N', .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(mangle, noise),
	 .min = 0, .max = 1, .arg = "P", .help = "blend toward spectrally shaped noise, 0..1"},
	{.name = "freeze", .short_name = 'f', .type = SH_OPT_DOUBLE,
	 .dest = SH_PROC_PARAM(mangle, freeze), .min = 0, .max = 1, .arg = "P",
	 .help = "chance per frame that a freeze starts, 0..1"},
	{.name = "hold", .type = SH_OPT_RANGE, .dest = SH_PROC_PARAM(mangle, hold), .min = 0.001,
	 .max = 3600, .arg = "MIN..MAX", .unit = "s", .help = "freeze length, drawn per freeze"},
	{.name = "shift", .type = SH_OPT_RANGE, .dest = SH_PROC_PARAM(mangle, shift), .min = -32768,
	 .max = 32768, .arg = "MIN..MAX", .unit = "bins", .help = "move the spectrum, drawn per frame"},
	SH_STFT_PARAMS(mangle, s.fft, s.hop),
	{0},
};

static int mangle_start(sh_proc *p)
{
	mangle *m = p->priv;
	sh_mangle_opts mo = {.size = (int)m->s.fft, .hop = (int)m->s.hop, .swap = m->swap,
	                     .noise = m->noise, .freeze = m->freeze, .hold_min = m->hold.lo,
	                     .hold_max = m->hold.hi, .shift_min = m->shift.lo,
	                     .shift_max = m->shift.hi, .seed = p->seed, .jobs = p->jobs};
	m->s.fx = sh_mangle_new(&mo, p->rate, p->channels_in, sh_proc_emit_callback, p);
	return spectral_started(p);
}

const sh_proc_class sh_proc_mangle = SPECTRAL_CLASS(
	mangle, "wreck the spectrum: swap bins, shaped noise, freezes, frequency shifts",
	"swap=0 noise=0 freeze=0 shift=0");

/* Both states start with the same spectral part. */
static spectral *spectral_of(const sh_proc *p)
{
	if (p->cls != &sh_proc_smear && p->cls != &sh_proc_mangle) {
		sh_set_error("%s: not a spectral processor", p->cls->name);
		return NULL;
	}
	return p->priv;
}

int sh_proc_spectral_watch(sh_proc *p, sh_spectral_watch_fn fn, void *user)
{
	spectral *s = spectral_of(p);
	if (!s)
		return -1;
	s->watch = fn;
	s->watch_user = user;
	return 0;
}

int sh_proc_spectral_sizes(const sh_proc *p, int *fft, int *hop)
{
	const spectral *s = spectral_of(p);
	if (!s)
		return -1;
	*fft = (int)s->fft;
	*hop = (int)(s->hop ? s->hop : s->fft / 4);
	return 0;
}
