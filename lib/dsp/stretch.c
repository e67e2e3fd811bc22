/* stretch.c -- Rubber Band time-stretch / pitch-shift with exact lengths; see stretch.h. */
#include "stretch.h"

#include <fenv.h>
#include <math.h>
#include <rubberband/rubberband-c.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "jobs.h"
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
	/* Rubber Band's own threads, never: real-time output would depend on the
	 * block sizes, and the R2 engine's offline threads (one per channel) race,
	 * so stereo output changed from run to run. Ours take the channels apart
	 * (groups, below). */
	r |= RubberBandOptionThreadingNever;
	return r;
}

/* One stretcher for all the channels (a group of them all), or one each (groups
 * of one) that can run on threads of their own. Together is the default: R3's
 * stretcher locks the phases of the channels below 600 Hz to the loudest one,
 * and R2's in real time shares its time increments and phase resets, so apart
 * the stereo image loosens (and in real time, R2's channels can drift in time).
 * The choice is the user's (opts.apart), never the thread count's, so -j never
 * changes the bytes. */
static bool channels_apart(const sh_stretch_opts *o, bool realtime)
{
	(void)realtime;
	return o->apart;
}

static int check_opts(const sh_stretch_opts *o)
{
	if (!(o->ratio > 0 && isfinite(o->ratio)) || !(o->pitch > 0 && isfinite(o->pitch))) {
		sh_set_error("time ratio %g and pitch scale %g must be positive", o->ratio, o->pitch);
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- groups */

/* One Rubber Band stretcher and the channels it takes (first .. first + n - 1),
 * with the output it has given and not yet passed on (planar). */
typedef struct {
	RubberBandState rb;
	int first, n;
	float **ret;        /* per channel retrieve buffer, ret_cap */
	float **fifo;       /* per channel, len of fifo_cap frames waiting */
	size_t len, fifo_cap;
	int64_t drop_left;  /* start delay still to drop (real time) */
	int got;            /* what the last retrieve_group returned */
} group;

enum { RET_CAP = 16384 };

static void groups_free(group *g, int ng);

/* The groups' count, or -1 + sh_error() (and *gs NULL). */
static int groups_new(group **gs, const sh_stretch_opts *o, int rate, int channels, bool realtime)
{
	const bool apart = channels_apart(o, realtime);
	const int ng = apart ? channels : 1, per = apart ? 1 : channels;
	group *g = sh_calloc((size_t)ng, sizeof *g);
	*gs = g;
	for (int k = 0; k < ng; k++) {
		g[k].first = k * per;
		g[k].n = per;
		g[k].rb = rubberband_new((unsigned)rate, (unsigned)per, rb_options(o, realtime), o->ratio,
		                         o->pitch);
		if (!g[k].rb) {
			sh_set_error("cannot start Rubber Band at %d Hz with %d channels", rate, per);
			groups_free(g, k);
			*gs = NULL;
			return -1;
		}
		g[k].ret = sh_calloc((size_t)per, sizeof *g[k].ret);
		g[k].fifo = sh_calloc((size_t)per, sizeof *g[k].fifo);
		for (int c = 0; c < per; c++)
			g[k].ret[c] = sh_malloc(RET_CAP * sizeof(float));
	}
	return ng;
}

static void groups_free(group *g, int ng)
{
	for (int k = 0; g && k < ng; k++) {
		if (g[k].rb)
			rubberband_delete(g[k].rb);
		for (int c = 0; c < g[k].n && g[k].ret; c++) {
			free(g[k].ret[c]);
			free(g[k].fifo[c]);
		}
		free(g[k].ret);
		free(g[k].fifo);
	}
	free(g);
}

/* Take everything the group's stretcher has ready into its fifo; drop the start
 * delay. Returns the frames retrieved, or -1 when it says it is done. */
static int retrieve_group(group *g)
{
	int total = 0;
	for (;;) {
		int av = rubberband_available(g->rb);
		if (av < 0)
			return total ? total : -1;
		if (av == 0)
			return total;
		size_t n = (size_t)av < RET_CAP ? (size_t)av : RET_CAP;
		size_t got = rubberband_retrieve(g->rb, g->ret, (unsigned)n);
		if (got == 0)
			return total;
		size_t skip = 0;
		if (g->drop_left > 0) {
			skip = (int64_t)got < g->drop_left ? got : (size_t)g->drop_left;
			g->drop_left -= (int64_t)skip;
		}
		size_t add = got - skip;
		if (add > 0) {
			if (g->len + add > g->fifo_cap) {
				g->fifo_cap = (g->len + add) * 2;
				for (int c = 0; c < g->n; c++)
					g->fifo[c] = sh_realloc(g->fifo[c], g->fifo_cap, sizeof(float));
			}
			for (int c = 0; c < g->n; c++)
				memcpy(g->fifo[c] + g->len, g->ret[c] + skip, add * sizeof(float));
			g->len += add;
		}
		total += (int)got;
	}
}

/* Pass on the frames every group has (the shortest fifo), interleaved, to Q. */
static void groups_merge(group *g, int ng, outq *q)
{
	size_t n = g[0].len;
	for (int k = 1; k < ng; k++)
		if (g[k].len < n)
			n = g[k].len;
	if (n == 0)
		return;
	float *chans[SH_MAX_CHANNELS];
	for (int k = 0; k < ng; k++)
		for (int c = 0; c < g[k].n; c++)
			chans[g[k].first + c] = g[k].fifo[c];
	outq_add(q, chans, n);
	for (int k = 0; k < ng; k++) {
		for (int c = 0; c < g[k].n; c++)
			memmove(g[k].fifo[c], g[k].fifo[c] + n, (g[k].len - n) * sizeof(float));
		g[k].len -= n;
	}
}

/* What the groups' work on the pool needs: one step of work for group i. The
 * caller's floating-point environment (flush-to-zero and the like) goes to the
 * thread that does it, so the bytes do not depend on the thread. */
typedef struct {
	group *g;
	float **in;         /* deinterleaved input, per channel */
	unsigned frames;
	unsigned piece;     /* the most frames for one process() call */
	bool final;
	enum { STEP_STUDY, STEP_PROCESS, STEP_DRAIN_OFFLINE, STEP_DRAIN_REALTIME } step;
	int64_t drain_until; /* real-time drain: stop once the fifo holds this much more */
	fenv_t env;
} groups_work;

/* A block goes to Rubber Band in pieces of at most `piece` frames, with its
 * output taken after each. The stretcher writes its output only into
 * a ring of a fixed size, emptied only by retrieve between process() calls;
 * the finer engine's holds 16 analysis windows (about 1.5 s at 44.1 kHz). A
 * whole block at a long ratio fills it within one call, and the finer engine
 * then either stops reading and has to grow its input buffer, or, when it also
 * shifts the pitch (a resampled hop is longer than the room it checked for),
 * writes hops that do not fit and loses their end: gaps in the output. */
static void process_pieces(group *g, const float *const *in, unsigned frames, unsigned piece, bool final)
{
	const float *at[SH_MAX_CHANNELS];
	unsigned done = 0;
	do {
		unsigned k = frames - done < piece ? frames - done : piece;
		for (int c = 0; c < g->n; c++)
			at[c] = in[c] + done;
		done += k;
		rubberband_process(g->rb, at, k, final && done == frames);
		g->got = retrieve_group(g);
	} while (done < frames);
}

static void group_step(void *ctx, int i)
{
	groups_work *w = ctx;
	fesetenv(&w->env);
	group *g = &w->g[i];
	const float *const *in = (const float *const *)w->in + g->first;
	switch (w->step) {
	case STEP_STUDY:
		rubberband_study(g->rb, in, w->frames, w->final);
		break;
	case STEP_PROCESS:
		process_pieces(g, in, w->frames, w->piece, w->final);
		break;
	case STEP_DRAIN_OFFLINE:
		for (int idle = 0; idle < 64;) {
			int r = retrieve_group(g);
			if (r < 0)
				break;
			if (r == 0)
				idle++;
		}
		break;
	case STEP_DRAIN_REALTIME:
		/* some engines need a few more calls before saying they are done */
		for (int idle = 0; idle < 64;) {
			int r = retrieve_group(g);
			if (r < 0)
				break;
			if (r == 0) {
				idle++;
				rubberband_process(g->rb, in, 0, true);
			}
			if ((int64_t)g->len >= w->drain_until)
				break;
		}
		break;
	}
}

/* The piece for blocks of `block` frames: pieces whose output fills at most 8
 * of the finer engine's windows (what it asks for before any input: its
 * window), half its output ring; the whole block when that fits, as always,
 * so the output is what it was wherever nothing was lost. The faster engine
 * grows its output buffer as needed: whole blocks. */
static unsigned piece_size(RubberBandState fresh, const sh_stretch_opts *o, size_t block)
{
	const double window = (double)rubberband_get_samples_required(fresh);
	if (o->faster || window <= 0 || (double)block * o->ratio <= 8 * window)
		return (unsigned)block;
	return (unsigned)fmax(1, floor(8 * window / o->ratio));
}

static void groups_run(sh_pool *pool, group *g, int ng, groups_work *w)
{
	w->g = g;
	fegetenv(&w->env);
	sh_pool_run(pool, ng, group_step, w);
}

/* A pool for the groups: no more threads than groups. */
static int groups_pool(int jobs, int ng, sh_pool **pool)
{
	*pool = NULL;
	if (jobs > 1 && ng > 1 && !(*pool = sh_pool_new(jobs < ng ? jobs : ng)))
		return -1;
	return 0;
}

/* ---------------------------------------------------------------- real time */

struct sh_stretch {
	sh_stretch_opts o;
	int rate, channels, block;
	unsigned piece;    /* the most frames for one process() call (piece_size) */
	group *g;
	int ng;
	sh_pool *pool;
	float **in;        /* per channel, block frames */
	int fill;          /* frames in the current input block */
	int64_t pad_left;  /* start pad still to feed */
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
	s->in = sh_calloc((size_t)channels, sizeof *s->in);
	for (int c = 0; c < channels; c++)
		s->in[c] = sh_calloc((size_t)s->block, sizeof(float));
	s->q.channels = channels;
	s->q.emit = emit;
	s->q.user = user;
	if ((s->ng = groups_new(&s->g, o, rate, channels, true)) < 0 ||
	    groups_pool(o->jobs, s->ng, &s->pool) != 0) {
		sh_stretch_free(s);
		return NULL;
	}
	s->piece = piece_size(s->g[0].rb, o, (size_t)s->block);
	for (int k = 0; k < s->ng; k++) {
		rubberband_set_max_process_size(s->g[k].rb, (unsigned)s->block);
		s->g[k].drop_left = rubberband_get_start_delay(s->g[k].rb);
	}
	s->pad_left = rubberband_get_preferred_start_pad(s->g[0].rb);
	return s;
}

int sh_stretch_latency(const sh_stretch *s)
{
	return (int)(rubberband_get_preferred_start_pad(s->g[0].rb) + rubberband_get_start_delay(s->g[0].rb));
}

static void run_block(sh_stretch *s, int n, bool final)
{
	groups_work w = {.in = s->in, .frames = (unsigned)n, .piece = s->piece, .final = final, .step = STEP_PROCESS};
	groups_run(s->pool, s->g, s->ng, &w);
	groups_merge(s->g, s->ng, &s->q);
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
		/* each group until it is done or holds all that is wanted (and a block more) */
		groups_work w = {.in = s->in, .step = STEP_DRAIN_REALTIME,
		                 .drain_until = target + s->block - (int64_t)s->q.len - s->q.emitted};
		groups_run(s->pool, s->g, s->ng, &w);
		groups_merge(s->g, s->ng, &s->q);
	}
	outq_finish(&s->q, target);
}

void sh_stretch_free(sh_stretch *s)
{
	if (!s)
		return;
	sh_pool_free(s->pool);
	groups_free(s->g, s->ng);
	for (int c = 0; c < s->channels; c++)
		free(s->in[c]);
	free(s->in);
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
	group *g = NULL;
	sh_pool *pool = NULL;
	int ng = groups_new(&g, o, rate, channels, false);
	if (ng < 0 || groups_pool(o->jobs, ng, &pool) != 0) {
		groups_free(g, ng);
		return -1;
	}
	const unsigned piece = piece_size(g[0].rb, o, block);
	for (int k = 0; k < ng; k++) {
		rubberband_set_expected_input_duration(g[k].rb, n > UINT32_MAX ? UINT32_MAX : (unsigned)n);
		rubberband_set_max_process_size(g[k].rb, (unsigned)block);
	}
	float *buf = sh_malloc(block * (size_t)channels * sizeof(float));
	float **chans = sh_calloc((size_t)channels, sizeof *chans);
	for (int c = 0; c < channels; c++)
		chans[c] = sh_malloc(block * sizeof(float));
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
			groups_work w = {.in = chans, .frames = (unsigned)k, .piece = piece, .final = at >= n,
			                 .step = pass == 0 ? STEP_STUDY : STEP_PROCESS};
			groups_run(pool, g, ng, &w);
			if (pass == 1) {
				groups_merge(g, ng, &q);
				outq_flush(&q, target);
			}
		}
	}
	if (!failed) {
		groups_work w = {.in = chans, .step = STEP_DRAIN_OFFLINE};
		groups_run(pool, g, ng, &w);
		groups_merge(g, ng, &q);
		outq_flush(&q, target);
		outq_finish(&q, target);
	}
	sh_progress_end(&prog);
	sh_pool_free(pool);
	groups_free(g, ng);
	for (int c = 0; c < channels; c++)
		free(chans[c]);
	free(chans);
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
