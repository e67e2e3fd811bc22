/* stretch.c -- Rubber Band time-stretch / pitch-shift with exact lengths; see stretch.h. */
#include "stretch.h"

#include <math.h>
#include <rubberband/rubberband-c.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tempo.h"

/* Output bookkeeping shared by both ways: a FIFO of interleaved frames that
 * goes out no further than `limit` and never past `target`. */
typedef struct {
	int channels;
	float *buf;      /* interleaved */
	size_t len, cap; /* frames */
	int64_t emitted;
	sh_stretch_emit_fn emit;
	void *user;
} outq;

static void outq_add(outq *q, float *const *chans, size_t n)
{
	if (q->len + n > q->cap) {
		q->cap = (q->len + n) * 2;
		q->buf = sh_realloc(q->buf, q->cap * (size_t)q->channels, sizeof(float));
	}
	float *d = q->buf + q->len * (size_t)q->channels;
	for (size_t i = 0; i < n; i++)
		for (int c = 0; c < q->channels; c++)
			*d++ = chans[c][i];
	q->len += n;
}

/* Emit queued frames while emitted < limit. */
static void outq_flush(outq *q, int64_t limit)
{
	if (q->emitted >= limit || q->len == 0)
		return;
	size_t n = q->len;
	if ((int64_t)n > limit - q->emitted)
		n = (size_t)(limit - q->emitted);
	q->emit(q->user, q->buf, n);
	q->emitted += (int64_t)n;
	memmove(q->buf, q->buf + n * (size_t)q->channels, (q->len - n) * (size_t)q->channels * sizeof(float));
	q->len -= n;
}

/* At the end: exactly `target` frames out, padding with silence. */
static void outq_finish(outq *q, int64_t target)
{
	outq_flush(q, target);
	q->len = 0;
	if (q->emitted < target) {
		size_t chunk = 4096;
		float *z = sh_calloc(chunk * (size_t)q->channels, sizeof(float));
		while (q->emitted < target) {
			size_t n = chunk;
			if ((int64_t)n > target - q->emitted)
				n = (size_t)(target - q->emitted);
			q->emit(q->user, z, n);
			q->emitted += (int64_t)n;
		}
		free(z);
	}
}

static RubberBandOptions rb_options(const sh_stretch_opts *o, bool realtime)
{
	RubberBandOptions r = realtime ? RubberBandOptionProcessRealTime : RubberBandOptionProcessOffline;
	r |= o->faster ? RubberBandOptionEngineFaster | RubberBandOptionPitchHighQuality
	               : RubberBandOptionEngineFiner;
	if (o->formant)
		r |= RubberBandOptionFormantPreserved;
	/* One thread, always: real-time output would depend on the block sizes, and
	 * the R2 engine's offline threads (one per channel) race, so stereo output
	 * changed from run to run. */
	r |= RubberBandOptionThreadingNever;
	return r;
}

static int check_opts(const sh_stretch_opts *o)
{
	if (!(o->ratio > 0 && isfinite(o->ratio)) || !(o->pitch > 0 && isfinite(o->pitch))) {
		sh_set_error("time ratio %g and pitch scale %g must be positive", o->ratio, o->pitch);
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- real time */

struct sh_stretch {
	sh_stretch_opts o;
	int rate, channels, block;
	RubberBandState rb;
	float **in;        /* per channel, block frames */
	float **ret;       /* per channel retrieve buffer */
	size_t ret_cap;
	int fill;          /* frames in the current input block */
	int64_t pad_left;  /* start pad still to feed */
	int64_t drop_left; /* start delay still to drop from the output */
	int64_t pushed;    /* real input frames */
	outq q;
	bool finished;
};

sh_stretch *sh_stretch_new(const sh_stretch_opts *o, int rate, int channels, sh_stretch_emit_fn emit,
                           void *user)
{
	if (check_opts(o))
		return NULL;
	sh_stretch *s = sh_calloc(1, sizeof *s);
	s->o = *o;
	s->rate = rate;
	s->channels = channels;
	s->block = o->block > 0 ? o->block : 1024;
	s->rb = rubberband_new((unsigned)rate, (unsigned)channels, rb_options(o, true), o->ratio, o->pitch);
	if (!s->rb) {
		sh_set_error("cannot start Rubber Band at %d Hz with %d channels", rate, channels);
		free(s);
		return NULL;
	}
	rubberband_set_max_process_size(s->rb, (unsigned)s->block);
	s->pad_left = rubberband_get_preferred_start_pad(s->rb);
	s->drop_left = rubberband_get_start_delay(s->rb);
	s->in = sh_calloc((size_t)channels, sizeof *s->in);
	s->ret = sh_calloc((size_t)channels, sizeof *s->ret);
	s->ret_cap = 8192;
	for (int c = 0; c < channels; c++) {
		s->in[c] = sh_calloc((size_t)s->block, sizeof(float));
		s->ret[c] = sh_calloc(s->ret_cap, sizeof(float));
	}
	s->q.channels = channels;
	s->q.emit = emit;
	s->q.user = user;
	return s;
}

int sh_stretch_latency(const sh_stretch *s)
{
	return (int)(rubberband_get_preferred_start_pad(s->rb) + rubberband_get_start_delay(s->rb));
}

/* Take everything Rubber Band has ready; drop the start delay. Returns the
 * frames retrieved, or -1 when it says it is done. */
static int retrieve_all(RubberBandState rb, float **ret, size_t cap, outq *q, int64_t *drop_left)
{
	int total = 0;
	for (;;) {
		int av = rubberband_available(rb);
		if (av < 0)
			return total ? total : -1;
		if (av == 0)
			return total;
		size_t n = (size_t)av < cap ? (size_t)av : cap;
		size_t got = rubberband_retrieve(rb, ret, (unsigned)n);
		if (got == 0)
			return total;
		size_t skip = 0;
		if (drop_left && *drop_left > 0) {
			skip = (int64_t)got < *drop_left ? got : (size_t)*drop_left;
			*drop_left -= (int64_t)skip;
		}
		if (got > skip) {
			float *shifted[SH_MAX_CHANNELS];
			for (int c = 0; c < q->channels; c++)
				shifted[c] = ret[c] + skip;
			outq_add(q, shifted, got - skip);
		}
		total += (int)got;
	}
}

static void run_block(sh_stretch *s, int n, bool final)
{
	rubberband_process(s->rb, (const float *const *)s->in, (unsigned)n, final);
	retrieve_all(s->rb, s->ret, s->ret_cap, &s->q, &s->drop_left);
	/* never ahead of what the input so far can fill */
	outq_flush(&s->q, (int64_t)floor((double)s->pushed * s->o.ratio));
}

/* Append n frames (interleaved, or zeros when in is NULL) to the fixed blocks. */
static void feed(sh_stretch *s, const float *in, size_t n, bool real)
{
	const int ch = s->channels;
	size_t i = 0;
	while (i < n) {
		size_t take = (size_t)(s->block - s->fill);
		if (take > n - i)
			take = n - i;
		for (int c = 0; c < ch; c++) {
			float *d = s->in[c] + s->fill;
			if (in) {
				const float *src = in + i * (size_t)ch + c;
				for (size_t k = 0; k < take; k++)
					d[k] = src[k * (size_t)ch];
			} else {
				memset(d, 0, take * sizeof(float));
			}
		}
		s->fill += (int)take;
		i += take;
		if (real)
			s->pushed += (int64_t)take;
		if (s->fill == s->block) {
			run_block(s, s->block, false);
			s->fill = 0;
		}
	}
}

void sh_stretch_push(sh_stretch *s, const float *in, size_t frames)
{
	if (s->finished || frames == 0)
		return;
	if (s->pad_left > 0) {
		int64_t p = s->pad_left;
		s->pad_left = 0;
		feed(s, NULL, (size_t)p, false);
	}
	feed(s, in, frames, true);
}

void sh_stretch_finish(sh_stretch *s)
{
	if (s->finished)
		return;
	s->finished = true;
	int64_t target = llround((double)s->pushed * s->o.ratio);
	if (s->pushed > 0) {
		run_block(s, s->fill, true);
		s->fill = 0;
		/* drain: some engines need a few more calls before saying they are done */
		for (int idle = 0; idle < 64;) {
			int r = retrieve_all(s->rb, s->ret, s->ret_cap, &s->q, &s->drop_left);
			if (r < 0)
				break;
			if (r == 0) {
				idle++;
				rubberband_process(s->rb, (const float *const *)s->in, 0, true);
			}
			if ((int64_t)s->q.len + s->q.emitted >= target + s->block)
				break;
		}
	}
	outq_finish(&s->q, target);
}

void sh_stretch_free(sh_stretch *s)
{
	if (!s)
		return;
	rubberband_delete(s->rb);
	for (int c = 0; c < s->channels; c++) {
		free(s->in[c]);
		free(s->ret[c]);
	}
	free(s->in);
	free(s->ret);
	free(s->q.buf);
	free(s);
}

/* ---------------------------------------------------------------- offline */

static void deinterleave(const float *in, size_t n, int ch, float **out)
{
	for (int c = 0; c < ch; c++) {
		float *d = out[c];
		const float *src = in + c;
		for (size_t i = 0; i < n; i++)
			d[i] = src[i * (size_t)ch];
	}
}

int64_t sh_stretch_offline(const sh_stretch_opts *o, sh_audio_source *src, int rate, int channels,
                           sh_stretch_emit_fn emit, void *user)
{
	if (check_opts(o))
		return -1;
	const int64_t n = sh_audio_source_frames(src);
	const int64_t target = llround((double)n * o->ratio);
	outq q = {.channels = channels, .emit = emit, .user = user};
	if (n <= 0) {
		outq_finish(&q, target);
		return q.emitted;
	}
	const size_t block = 16384;
	RubberBandState rb = rubberband_new((unsigned)rate, (unsigned)channels, rb_options(o, false), o->ratio,
	                                    o->pitch);
	if (!rb) {
		sh_set_error("cannot start Rubber Band at %d Hz with %d channels", rate, channels);
		return -1;
	}
	rubberband_set_expected_input_duration(rb, n > UINT32_MAX ? UINT32_MAX : (unsigned)n);
	rubberband_set_max_process_size(rb, (unsigned)block);
	float *buf = sh_malloc(block * (size_t)channels * sizeof(float));
	float **chans = sh_calloc((size_t)channels, sizeof *chans);
	float **ret = sh_calloc((size_t)channels, sizeof *ret);
	const size_t ret_cap = 16384;
	for (int c = 0; c < channels; c++) {
		chans[c] = sh_malloc(block * sizeof(float));
		ret[c] = sh_malloc(ret_cap * sizeof(float));
	}
	sh_progress prog;
	sh_progress_start(&prog, "stretching");
	bool failed = false;
	for (int pass = 0; pass < 2 && !failed; pass++) {
		for (int64_t at = 0; at < n && !failed;) {
			/* studying is quick; stretching is most of the work */
			sh_progress_update(&prog, pass == 0 ? 0.1 * (double)at / (double)n
			                                    : 0.1 + 0.9 * (double)at / (double)n);
			size_t k = (size_t)(n - at < (int64_t)block ? n - at : (int64_t)block);
			if (sh_audio_source_get(src, at, k, buf) != 0) {
				failed = true; /* a read error: the caller ends the run */
				break;
			}
			deinterleave(buf, k, channels, chans);
			at += (int64_t)k;
			bool final = at >= n;
			if (pass == 0) {
				rubberband_study(rb, (const float *const *)chans, (unsigned)k, final);
			} else {
				rubberband_process(rb, (const float *const *)chans, (unsigned)k, final);
				retrieve_all(rb, ret, ret_cap, &q, NULL);
				outq_flush(&q, target);
			}
		}
	}
	for (int idle = 0; idle < 64 && !failed;) {
		int r = retrieve_all(rb, ret, ret_cap, &q, NULL);
		outq_flush(&q, target);
		if (r < 0)
			break;
		if (r == 0)
			idle++;
	}
	if (!failed)
		outq_finish(&q, target);
	sh_progress_end(&prog);
	rubberband_delete(rb);
	for (int c = 0; c < channels; c++) {
		free(chans[c]);
		free(ret[c]);
	}
	free(chans);
	free(ret);
	free(buf);
	free(q.buf);
	return failed ? -1 : q.emitted;
}

/* ---------------------------------------------------------------- analysis */

int sh_stretch_detect(sh_audio_source *src, int rate, int channels, double *bpm, sh_key_result *key)
{
	sh_tempo_opts to;
	sh_tempo_opts_default(&to);
	to.beats = false;
	sh_tempo *t = bpm ? sh_tempo_new(rate, &to) : NULL;
	sh_key *k = key ? sh_key_new(rate) : NULL;
	if ((bpm && !t) || (key && !k)) {
		sh_tempo_free(t);
		sh_key_free(k);
		return -1;
	}
	const int64_t n = sh_audio_source_frames(src);
	const size_t block = 16384;
	float *buf = sh_malloc(block * (size_t)channels * sizeof(float));
	float *mono = sh_malloc(block * sizeof(float));
	int status = 0;
	for (int64_t at = 0; at < n;) {
		size_t m = (size_t)(n - at < (int64_t)block ? n - at : (int64_t)block);
		if (sh_audio_source_get(src, at, m, buf) != 0) {
			status = -1; /* a read error: the caller ends the run */
			break;
		}
		/* the mix of lib/analysis.c, so the numbers match bpm(1), keydetect(1) */
		sh_audio_downmix(buf, m, channels, mono);
		if (t)
			sh_tempo_feed(t, mono, m);
		if (k)
			sh_key_feed(k, mono, m);
		at += (int64_t)m;
	}
	if (t && status == 0) {
		sh_tempo_result r;
		if (sh_tempo_finish(t, &r) < 0)
			r.bpm = 0;
		*bpm = r.bpm;
		sh_tempo_result_free(&r);
	}
	if (k && status == 0 && sh_key_finish(k, key) < 0)
		key->tonic = -1;
	sh_tempo_free(t);
	sh_key_free(k);
	free(buf);
	free(mono);
	return status;
}

int sh_stretch_key_shift(int tonic, bool minor, int to_tonic, bool to_minor)
{
	int from = tonic;
	if (minor && !to_minor)
		from = (tonic + 3) % 12; /* relative major */
	else if (!minor && to_minor)
		from = (tonic + 9) % 12; /* relative minor */
	return sh_key_shortest_shift(from, to_tonic);
}
