/* proc_space.c -- where the sound sits: pan, width, mono.
 *
 * pan and width take a stereo pair (ports = 2); mono takes any count. A live
 * change glides linearly over RAMP_S seconds, per frame, so the output never
 * depends on block sizes; at rest on the neutral setting the pair passes
 * through untouched (bit for bit). */
#include <math.h>
#include <string.h>

#include "cli.h"
#include "glide.h"
#include "proc.h"

#define RAMP_S 0.02
#define SUB 256

/* ---------------------------------------------------------------- pan
 * An equal-power balance of the pair: left x sqrt2 cos(t), right x sqrt2 sin(t),
 * t = (pos + 1) pi / 4. pos = 0 is the identity (both gains 1); a sound in the
 * middle (the same on both sides) keeps its power, L^2 + R^2, at every pos,
 * and at -1 or 1 sits on one side, 3 dB up. Each side keeps its own signal:
 * panning a wide recording turns one side down, it does not move it across. */

typedef struct {
	double pos;
	sh_glide gl, gr; /* the gains */
} pan;

static const pan pan_defaults = {
	.pos = 0, /* -1 hard left, -0.5 left of centre, 0 as it is, 1 hard right */
};

static const sh_option pan_params[] = {
	{.name = "pos", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(pan, pos), .min = -1, .max = 1,
	 .arg = "P", .unit = "", .live = true,
	 .help = "where the sound sits: -1 left, 0 as it is, 1 right (same loudness throughout)"},
	{0},
};

static int pan_set(sh_proc *p, const sh_option *o)
{
	pan *s = p->priv;
	const double t = (s->pos + 1) * M_PI / 4;
	/* the ends and the middle exactly: silence on the far side, the identity */
	const float tl = s->pos == 0 ? 1.0f : s->pos == 1 ? 0.0f : (float)(M_SQRT2 * cos(t));
	const float tr = s->pos == 0 ? 1.0f : s->pos == -1 ? 0.0f : (float)(M_SQRT2 * sin(t));
	const int n = o ? (int)lround(RAMP_S * p->rate) : 0;
	sh_glide_to(&s->gl, tl, n);
	sh_glide_to(&s->gr, tr, n);
	return 0;
}

static int pan_start(sh_proc *p)
{
	return pan_set(p, NULL);
}

static int pan_flow(sh_proc *p, const float *in, size_t frames)
{
	pan *s = p->priv;
	float *out = sh_proc_out(p);
	for (size_t at = 0; at < frames; at += SUB) {
		const size_t n = frames - at < SUB ? frames - at : SUB;
		const float *x = in + at * 2;
		float gl[SUB], gr[SUB];
		sh_glide_fill(&s->gl, gl, n);
		sh_glide_fill(&s->gr, gr, n);
		for (size_t i = 0; i < n; i++) {
			out[2 * i] = x[2 * i] * gl[i];
			out[2 * i + 1] = x[2 * i + 1] * gr[i];
		}
		if (sh_proc_emit(p, out, n) != 0)
			return -1;
	}
	return 0;
}

const sh_proc_class sh_proc_pan = {
	.name = "pan",
	.purpose = "move a stereo sound towards the left or the right, keeping its loudness",
	SH_PROC_STATE(pan, pan_defaults, pan_params),
	.neutral = "pos=0",
	.ports = 2,
	.start = pan_start, .flow = pan_flow, .set = pan_set,
};

/* ---------------------------------------------------------------- width
 * Mid and side: M = (L + R) / 2, S = (L - R) / 2, out L = M + w S, R = M - w S.
 * w = 0 is mono (L = R = M), 1 the input itself, 2 the side doubled. */

typedef struct {
	double width;
	sh_glide g; /* the width in use */
} width;

static const width width_defaults = {
	.width = 1, /* 0 mono, 0.5 narrower, 1 as it is, 1.5 wider, 2 very wide and phasey */
};

static const sh_option width_params[] = {
	{.name = "width", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(width, width), .min = 0,
	 .max = 2, .arg = "W", .unit = "ratio", .live = true,
	 .help = "stereo spread: 0 mono, 1 as it is, 2 spread wide past the speakers"},
	{0},
};

static int width_set(sh_proc *p, const sh_option *o)
{
	width *s = p->priv;
	sh_glide_to(&s->g, (float)s->width, o ? (int)lround(RAMP_S * p->rate) : 0);
	return 0;
}

static int width_start(sh_proc *p)
{
	return width_set(p, NULL);
}

static int width_flow(sh_proc *p, const float *in, size_t frames)
{
	width *s = p->priv;
	float *out = sh_proc_out(p);
	for (size_t at = 0; at < frames; at += SUB) {
		const size_t n = frames - at < SUB ? frames - at : SUB;
		const float *x = in + at * 2;
		if (s->g.left == 0 && s->g.v == 1.0f) { /* at rest on the identity: untouched */
			if (sh_proc_emit(p, x, n) != 0)
				return -1;
			continue;
		}
		/* frames from REST on have the glide over: those at 1 pass untouched */
		const size_t rest = (size_t)s->g.left < n ? (size_t)s->g.left : n;
		float w[SUB];
		sh_glide_fill(&s->g, w, n);
		for (size_t i = 0; i < n; i++) {
			const float m = 0.5f * (x[2 * i] + x[2 * i + 1]), d = 0.5f * (x[2 * i] - x[2 * i + 1]);
			if (i >= rest && w[i] == 1.0f) {
				out[2 * i] = x[2 * i];
				out[2 * i + 1] = x[2 * i + 1];
			} else {
				out[2 * i] = m + w[i] * d;
				out[2 * i + 1] = m - w[i] * d;
			}
		}
		if (sh_proc_emit(p, out, n) != 0)
			return -1;
	}
	return 0;
}

const sh_proc_class sh_proc_width = {
	.name = "width",
	.purpose = "narrow a stereo sound towards mono or spread it wider than the speakers",
	SH_PROC_STATE(width, width_defaults, width_params),
	.neutral = "width=1",
	.ports = 2,
	.start = width_start, .flow = width_flow, .set = width_set,
};

/* ---------------------------------------------------------------- mono
 * The mean of all channels (equal gains 1/N): into every channel (to=keep, the
 * count stays, so a chain after it is unchanged) or into one (to=one). Nothing
 * glides: to cannot change while running. */

typedef struct {
	const char *to;
} mono;

static const mono mono_defaults = {
	.to = "keep", /* keep: as many channels as came in, all the same; one: a single channel */
};

static const sh_option mono_params[] = {
	{.name = "to", .type = SH_OPT_CHOICE, .dest = SH_PROC_PARAM(mono, to), .choices = "keep|one",
	 .arg = "WHERE", .unit = "", .live = false,
	 .help = "keep: the mono sum in every channel; one: a single channel out"},
	{0},
};

static int mono_start(sh_proc *p)
{
	const mono *s = p->priv;
	if (!strcmp(s->to, "one"))
		p->channels_out = 1;
	return 0;
}

static int mono_flow(sh_proc *p, const float *in, size_t frames)
{
	float *out = sh_proc_out(p);
	const size_t ch = (size_t)p->channels_in, co = (size_t)p->channels_out;
	const float g = 1.0f / (float)ch;
	for (size_t at = 0; at < frames; at += SUB) {
		const size_t n = frames - at < SUB ? frames - at : SUB;
		const float *x = in + at * ch;
		for (size_t i = 0; i < n; i++) {
			float sum = 0;
			for (size_t c = 0; c < ch; c++)
				sum += x[i * ch + c];
			sum *= g;
			for (size_t c = 0; c < co; c++)
				out[i * co + c] = sum;
		}
		if (sh_proc_emit(p, out, n) != 0)
			return -1;
	}
	return 0;
}

const sh_proc_class sh_proc_mono = {
	.name = "mono",
	.purpose = "fold every channel into one centred sound",
	SH_PROC_STATE(mono, mono_defaults, mono_params),
	/* no setting keeps a stereo sound as it is; the identity only for a sound
	 * already mono (the same on every channel), as the latency check feeds */
	.neutral = "to=keep",
	.start = mono_start, .flow = mono_flow,
};
