/* proc_resample.c -- a new sample rate for the rest of the chain, through libsoxr
 * (the resampler of sox's `rate`: its very-high quality is sox's `rate -v`).
 *
 * The one processor that changes p->rate_out: every node after it runs at the
 * new rate. soxr buffers what it needs, so the output does not depend on how
 * the input is cut; its own threads are off for the same reason. */
#include <soxr.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "proc.h"

typedef struct {
	int64_t rate;        /* the knob: the output's rate */
	const char *quality; /* the knob: soxr's recipe */
	soxr_t soxr;
	float *out;
	size_t out_cap; /* frames */
} resample;

static const resample defaults = {
	.rate = 48000,
	.quality = "very",
};

static const sh_option params[] = {
	{.name = "rate", .type = SH_OPT_INT, .dest = SH_PROC_PARAM(resample, rate), .min = 1000,
	 .max = 768000, .arg = "HZ", .unit = "Hz",
	 .help = "the new sample rate: 44100 for CD, 48000 for video, 8000 for a telephone"},
	{.name = "quality", .type = SH_OPT_CHOICE, .dest = SH_PROC_PARAM(resample, quality),
	 .choices = "quick|low|medium|high|very", .arg = "Q", .unit = "",
	 .help = "quick is a cheap linear sketch, very is transparent (sox's rate -v)"},
	{0},
};

static unsigned long recipe(const char *q)
{
	return !strcmp(q, "quick")    ? SOXR_QQ
	       : !strcmp(q, "low")    ? SOXR_LQ
	       : !strcmp(q, "medium") ? SOXR_MQ
	       : !strcmp(q, "high")   ? SOXR_HQ
	                              : SOXR_VHQ;
}

static int resample_start(sh_proc *p)
{
	resample *r = p->priv;
	p->rate_out = (int)r->rate;
	if (r->rate == p->rate)
		return 0; /* the same rate: the samples pass as they are */
	soxr_error_t e;
	soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
	soxr_quality_spec_t q = soxr_quality_spec(recipe(r->quality), 0);
	soxr_runtime_spec_t rt = soxr_runtime_spec(1);
	r->soxr = soxr_create(p->rate, (double)r->rate, (unsigned)p->channels_in, &e, &io, &q, &rt);
	if (!r->soxr) {
		sh_set_error("resample: %s", e);
		return -1;
	}
	return 0;
}

/* IN (NULL: the end) through soxr until it has nothing more for now. */
static int pump(sh_proc *p, const float *in, size_t frames)
{
	resample *r = p->priv;
	const size_t ch = (size_t)p->channels_in;
	size_t want = (size_t)((double)frames * (double)r->rate / p->rate) + 64;
	if (want > r->out_cap) {
		r->out_cap = want;
		r->out = sh_realloc(r->out, want * ch, sizeof(float));
	}
	for (;;) {
		size_t used = 0, done = 0;
		soxr_error_t e = soxr_process(r->soxr, in, frames, &used, r->out, r->out_cap, &done);
		if (e) {
			sh_set_error("resample: %s", e);
			return -1;
		}
		if (done && sh_proc_emit(p, r->out, done) != 0)
			return -1;
		if (in) {
			in += used * ch;
			frames -= used;
			if (frames == 0 && done < r->out_cap)
				return 0;
		} else if (done == 0) {
			return 0;
		}
	}
}

static int resample_flow(sh_proc *p, const float *in, size_t frames)
{
	resample *r = p->priv;
	if (!r->soxr)
		return sh_proc_emit(p, in, frames);
	return frames ? pump(p, in, frames) : 0;
}

static int resample_drain(sh_proc *p)
{
	resample *r = p->priv;
	return r->soxr ? pump(p, NULL, 0) : 0;
}

static void resample_stop(sh_proc *p)
{
	resample *r = p->priv;
	soxr_delete(r->soxr);
	free(r->out);
}

const sh_proc_class sh_proc_resample = {
	.name = "resample",
	.purpose = "change the sample rate for the rest of the chain (sox's rate -v at its best)",
	SH_PROC_STATE(resample, defaults, params),
	.own_length = true,
	.neutral = "rate=48000",
	.start = resample_start, .flow = resample_flow, .drain = resample_drain, .stop = resample_stop,
};
