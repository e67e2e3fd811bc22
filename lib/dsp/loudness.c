/* loudness.c -- EBU R128 loudness through libebur128; see loudness.h. */
#include "loudness.h"

#include <ebur128.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "jobs.h"

struct sh_meter {
	int channels;
	unsigned what;
	ebur128_state *main;  /* loudness; with one job also the peaks */
	ebur128_state **tp;   /* with jobs > 1 and true peak: one mono state a channel */
	sh_pool *pool;
	float *planar;        /* a block's channels one after another, for the tp states */
	size_t cap;           /* frames planar holds */
	/* the block being added, for the pool's items */
	const float *buf;
	size_t n;
	int *rc;              /* with the pool: each item's libebur128 code */
	int fail;             /* a libebur128 error code, or 0 */
	int64_t frames;       /* fed so far */
};

/* The blocks libebur128 is handed at once: its true-peak interpolator and the
 * K-weighting filters run best on long runs. */
enum { METER_BLOCK = 16384 };

static int mode_of(unsigned what, bool with_tp)
{
	int mode = EBUR128_MODE_M;
	if (what & SH_LOUD_INTEGRATED)
		mode |= EBUR128_MODE_I;
	if (what & SH_LOUD_RANGE)
		mode |= EBUR128_MODE_LRA;
	if (what & SH_LOUD_SAMPLE_PEAK)
		mode |= EBUR128_MODE_SAMPLE_PEAK;
	if (with_tp && (what & SH_LOUD_TRUE_PEAK))
		mode |= EBUR128_MODE_TRUE_PEAK;
	return mode;
}

sh_meter *sh_meter_new(int rate, int channels, unsigned what, int jobs)
{
	if (rate <= 0 || channels <= 0) {
		sh_set_error("loudness meter: %d channels at %d Hz", channels, rate);
		return NULL;
	}
	sh_meter *m = sh_calloc(1, sizeof *m);
	m->channels = channels;
	m->what = what;
	const bool split = jobs > 1 && (what & SH_LOUD_TRUE_PEAK);
	m->main = ebur128_init((unsigned)channels, (unsigned long)rate, mode_of(what, !split));
	if (!m->main)
		goto fail;
	if (split) {
		m->tp = sh_calloc((size_t)channels, sizeof *m->tp);
		m->rc = sh_calloc((size_t)channels + 1, sizeof *m->rc);
		for (int c = 0; c < channels; c++)
			if (!(m->tp[c] = ebur128_init(1, (unsigned long)rate, EBUR128_MODE_TRUE_PEAK)))
				goto fail;
		if (!(m->pool = sh_pool_new(jobs < channels + 1 ? jobs : channels + 1))) {
			sh_meter_free(m);
			return NULL;
		}
	}
	return m;
fail:
	sh_set_error("loudness meter: libebur128 cannot measure %d channels at %d Hz", channels, rate);
	sh_meter_free(m);
	return NULL;
}

/* The pool's item I: channel I's true peak, or (I == channels) the loudness. */
static void meter_item(void *ctx, int i)
{
	sh_meter *m = ctx;
	const size_t ch = (size_t)m->channels, n = m->n;
	int rc;
	if (i < m->channels) {
		float *dst = m->planar + (size_t)i * m->cap;
		const float *src = m->buf + i;
		for (size_t k = 0; k < n; k++)
			dst[k] = src[k * ch];
		rc = ebur128_add_frames_float(m->tp[i], dst, n);
	} else {
		rc = ebur128_add_frames_float(m->main, m->buf, n);
	}
	m->rc[i] = rc; /* each item its own slot: the threads share nothing */
}

int sh_meter_add(sh_meter *m, const float *buf, size_t frames)
{
	while (frames > 0) {
		size_t n = frames < METER_BLOCK ? frames : METER_BLOCK;
		if (!m->tp) {
			int rc = ebur128_add_frames_float(m->main, buf, n);
			if (rc != EBUR128_SUCCESS)
				m->fail = rc;
		} else {
			if (m->cap < n) {
				free(m->planar);
				m->cap = METER_BLOCK;
				m->planar = sh_malloc(m->cap * (size_t)m->channels * sizeof(float));
			}
			m->buf = buf;
			m->n = n;
			/* the true peaks first: they are the long items */
			sh_pool_run(m->pool, m->channels + 1, meter_item, m);
			for (int i = 0; i <= m->channels; i++)
				if (m->rc[i] != EBUR128_SUCCESS)
					m->fail = m->rc[i];
		}
		if (m->fail) {
			sh_set_error("loudness meter: libebur128 failed (%s)",
			             m->fail == EBUR128_ERROR_NOMEM ? "out of memory" : "error");
			return -1;
		}
		buf += n * (size_t)m->channels;
		frames -= n;
		m->frames += (int64_t)n;
	}
	return 0;
}

static double db(double lin) { return lin > 0 ? 20 * log10(lin) : -INFINITY; }

int sh_meter_result(sh_meter *m, sh_loudness *out)
{
	*out = (sh_loudness){.integrated = NAN, .range = NAN, .threshold = NAN, .true_peak = NAN,
	                     .sample_peak = NAN, .frames = m->frames};
	int rc = EBUR128_SUCCESS;
	if (m->what & SH_LOUD_INTEGRATED) {
		rc |= ebur128_loudness_global(m->main, &out->integrated);
		if (isfinite(out->integrated))
			rc |= ebur128_relative_threshold(m->main, &out->threshold);
		else
			out->integrated = out->threshold = -INFINITY;
	}
	if (m->what & SH_LOUD_RANGE)
		rc |= ebur128_loudness_range(m->main, &out->range);
	double sp = 0, tp = 0;
	for (int c = 0; c < m->channels; c++) {
		double v;
		if (m->what & SH_LOUD_SAMPLE_PEAK) {
			rc |= ebur128_sample_peak(m->main, (unsigned)c, &v);
			sp = fmax(sp, v);
		}
		if (m->what & SH_LOUD_TRUE_PEAK) {
			if (m->tp)
				rc |= ebur128_true_peak(m->tp[c], 0, &v);
			else
				rc |= ebur128_true_peak(m->main, (unsigned)c, &v);
			tp = fmax(tp, v);
		}
	}
	if (m->what & SH_LOUD_SAMPLE_PEAK)
		out->sample_peak = db(sp);
	if (m->what & SH_LOUD_TRUE_PEAK)
		out->true_peak = db(tp);
	if (rc != EBUR128_SUCCESS) {
		sh_set_error("loudness meter: libebur128 cannot report (error %d)", rc);
		return -1;
	}
	return 0;
}

void sh_meter_free(sh_meter *m)
{
	if (!m)
		return;
	if (m->main)
		ebur128_destroy(&m->main);
	for (int c = 0; m->tp && c < m->channels; c++)
		if (m->tp[c])
			ebur128_destroy(&m->tp[c]);
	free(m->tp);
	free(m->rc);
	sh_pool_free(m->pool);
	free(m->planar);
	free(m);
}
