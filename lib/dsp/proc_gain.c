/* proc_gain.c -- the smallest processor: a level change in decibels.
 *
 * The model for a new processor: private state with its knobs first, the
 * defaults, the parameter table (offsets into the state), start / flow / set,
 * and the class. One line in SH_PROC_REGISTRY (proc.h) lists it. */
#include <math.h>

#include "cli.h"
#include "proc.h"

typedef struct {
	double db;    /* the knob */
	float factor; /* 10^(db/20), derived at start and on every change */
} gain;

static const gain defaults = {
	.db = 0, /* -6 half the amplitude, -20 a tenth, -120 silence; +6 twice, +40 a hundred times */
};

static const sh_option params[] = {
	{.name = "db", .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(gain, db),
	 .min = -120, .max = 40, .arg = "DB", .unit = "dB", .live = true,
	 .help = "louder above 0, quieter below, -120..40"},
	{0},
};

static int gain_set(sh_proc *p, const sh_option *o)
{
	gain *g = p->priv;
	g->factor = (float)pow(10.0, g->db / 20.0);
	return 0;
}

static int gain_start(sh_proc *p)
{
	return gain_set(p, NULL); /* any count of frames: no block, no latency */
}

static int gain_flow(sh_proc *p, const float *in, size_t frames)
{
	const gain *g = p->priv;
	float out[SH_PROC_CHUNK];
	const size_t ch = (size_t)p->channels_in, n = frames * ch;
	const size_t step = SH_PROC_CHUNK / ch * ch; /* whole frames of samples */
	for (size_t at = 0; at < n; at += step) {
		size_t k = n - at < step ? n - at : step;
		for (size_t i = 0; i < k; i++)
			out[i] = in[at + i] * g->factor;
		if (sh_proc_emit(p, out, k / ch) != 0)
			return -1;
	}
	return 0;
}

const sh_proc_class sh_proc_gain = {
	.name = "gain",
	.purpose = "make it louder or quieter by a number of decibels",
	SH_PROC_STATE(gain, defaults, params),
	.neutral = "db=0",
	.start = gain_start, .flow = gain_flow, .set = gain_set,
};
