/* proc.c -- the audio processor driver, chains of processors, the registry, and
 * the opening every one-processor program shares; see proc.h. */
#include "proc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "jobs.h"

/* ---------------------------------------------------------------- registry */

/* One line per processor, defined in lib/dsp/proc_NAME.c as sh_proc_NAME. */
#define SH_PROC_REGISTRY(X) \
	X(gain)             \
	X(mangle)           \
	X(resample)         \
	X(smear)            \
	X(stretch)          \
	SH_PROC_FILTERS(X)  \
	SH_PROC_EFFECTS(X)  \
	SH_PROC_FAUST(X)
/* filters and dynamics (proc_filter.c, proc_dynamics.c) */
#define SH_PROC_FILTERS(X) X(lowpass) X(highpass) X(bandpass) X(notch) X(lowshelf) X(highshelf) X(peak) X(warm) X(airy) X(dark) X(dcblock) X(compress) X(limit) X(gate)
/* time, colour and space (proc_time.c, proc_colour.c, proc_space.c) */
#define SH_PROC_EFFECTS(X) X(echo) X(chorus) X(flanger) X(phaser) X(tremolo) X(bitcrush) X(decimate) X(saturate) X(ringmod) X(pan) X(width) X(mono)
/* Faust's, compiled to C at build time from share/shards/faust/NAME.dsp */
#define SH_PROC_FAUST(X) X(reverb) X(freeverb)

#define SH_PROC_DECLARE(name) extern const sh_proc_class sh_proc_##name;
SH_PROC_REGISTRY(SH_PROC_DECLARE)
#define SH_PROC_ENTRY(name) &sh_proc_##name,
static const sh_proc_class *const registry[] = {SH_PROC_REGISTRY(SH_PROC_ENTRY) NULL};

const sh_proc_class *sh_proc_class_at(size_t i)
{
	return i < sizeof registry / sizeof *registry ? registry[i] : NULL;
}

const sh_proc_class *sh_proc_find(const char *name)
{
	char names[512] = "";
	size_t len = 0;
	for (size_t i = 0; registry[i]; i++) {
		if (!strcmp(registry[i]->name, name))
			return registry[i];
		if (len + 1 < sizeof names)
			len += (size_t)snprintf(names + len, sizeof names - len, "%s%s", i ? ", " : "",
			                        registry[i]->name);
	}
	sh_set_error("no processor named '%s' (there are: %s)", name, names);
	return NULL;
}

/* ---------------------------------------------------------------- one processor */

sh_proc *sh_proc_new(const sh_proc_class *cls)
{
	sh_proc *p = sh_calloc(1, sizeof *p);
	p->cls = cls;
	p->jobs = 1;
	p->priv = sh_calloc(1, cls->priv_size ? cls->priv_size : 1);
	if (cls->defaults)
		memcpy(p->priv, cls->defaults, cls->priv_size);
	size_t n = 0;
	while (cls->params && cls->params[n].name)
		n++;
	p->params = sh_calloc(n + 1, sizeof *p->params);
	for (size_t i = 0; i < n; i++) {
		p->params[i] = cls->params[i];
		p->params[i].dest = (char *)p->priv + (size_t)cls->params[i].dest;
	}
	return p;
}

/* Once running, only live knobs change, and the processor hears of it. */
static int may_set(sh_proc *p, const char *name, sh_option **row)
{
	*row = sh_params_find(p->params, name);
	if (*row && p->started && !(*row)->live) {
		sh_set_error("%s: %s cannot change while running", p->cls->name, name);
		return -1;
	}
	return 0;
}

static int after_set(sh_proc *p, const sh_option *row)
{
	if (p->started && p->cls->set)
		return p->cls->set(p, row);
	return 0;
}

int sh_proc_set(sh_proc *p, const char *name, const char *text)
{
	sh_option *row;
	if (may_set(p, name, &row) != 0 || sh_params_set(p->params, name, text) != 0)
		return -1;
	return after_set(p, row);
}

int sh_proc_set_json(sh_proc *p, const char *name, const void *value)
{
	sh_option *row;
	if (may_set(p, name, &row) != 0 || sh_params_set_json(p->params, name, value, p->started) != 0)
		return -1;
	return after_set(p, row);
}

int sh_proc_assign(sh_proc *p, const char *words)
{
	char *copy = sh_strdup(words), *save = NULL;
	int r = 0;
	for (char *w = strtok_r(copy, " \t\n", &save); w && r == 0; w = strtok_r(NULL, " \t\n", &save)) {
		char *eq = strchr(w, '=');
		if (!eq) {
			sh_set_error("%s: '%s' is not key=value", p->cls->name, w);
			r = -1;
			break;
		}
		*eq = 0;
		r = sh_proc_set(p, w, eq + 1);
	}
	free(copy);
	return r;
}

int sh_proc_check(const sh_proc *p)
{
	return p->cls->check ? p->cls->check((sh_proc *)p) : 0;
}

int sh_proc_start(sh_proc *p, int rate, int channels, uint64_t seed)
{
	if (p->started) {
		sh_set_error("%s: started twice", p->cls->name);
		return -1;
	}
	if (sh_proc_check(p) != 0)
		return -1;
	const int stream = channels;
	if (p->pick) {
		if (stream < 64 && p->pick >> stream) {
			sh_set_error("%s: ch= names a channel the stream does not have (it has %d)", p->cls->name,
			             stream);
			return -1;
		}
		if (p->cls->own_length) {
			sh_set_error("%s changes the length: it takes the whole stream, not ch=", p->cls->name);
			return -1;
		}
		channels = __builtin_popcountll(p->pick);
		if (channels == stream)
			p->pick = 0; /* all of them: no picking */
	}
	if (p->cls->ports > 0 && channels != p->cls->ports) {
		sh_set_error("%s takes %d channel%s, not %d", p->cls->name, p->cls->ports,
		             p->cls->ports == 1 ? "" : "s", channels);
		return -1;
	}
	p->rate = p->rate_out = rate;
	p->channels_in = p->channels_out = channels;
	p->seed = seed;
	p->block = 0;
	p->latency = 0;
	if (p->cls->start && p->cls->start(p) != 0)
		return -1;
	if (p->pick && (p->channels_out != channels || p->rate_out != rate)) {
		sh_set_error("%s changes the channels or the rate: it takes the whole stream, not ch=",
		             p->cls->name);
		return -1;
	}
	if (p->pick) {
		p->stream_channels = stream;
		p->gather = sh_malloc((size_t)SH_PROC_CHUNK * (size_t)channels * sizeof(float));
	}
	if (p->block < 0 || p->latency < 0 || p->channels_out < 1 || p->channels_out > SH_MAX_CHANNELS) {
		sh_set_error("%s: block %d, latency %d, %d channels out: not a processor's", p->cls->name,
		             p->block, p->latency, p->channels_out);
		return -1;
	}
	size_t cap = p->block ? (size_t)p->block : SH_PROC_CHUNK;
	p->inbuf = sh_malloc(cap * (size_t)channels * sizeof(float));
	p->drop_left = p->latency;
	p->started = true;
	return 0;
}

/* ---- a pick: the touched channels go through the processor, the rest wait in a
 * FIFO of frames and join them again on the way out, frame for frame */

int sh_proc_pick(sh_proc *p, const char *text)
{
	uint64_t mask = 0;
	const char *s = text;
	while (*s) {
		long a, b;
		char *end;
		if (*s == 'L' || *s == 'R') {
			a = b = *s == 'R';
			end = (char *)s + 1;
		} else {
			a = b = strtol(s, &end, 10);
			if (end != s && *end == '-')
				b = strtol(end + 1, &end, 10);
		}
		if (end == s || a < 0 || b < a || b >= SH_MAX_CHANNELS || (*end && *end != ',')) {
			sh_set_error("%s: ch=%s: not a list of channels (0,1 or 0-3 or L,R; channels count from 0, "
			             "below %d)", p->cls->name, text, SH_MAX_CHANNELS);
			return -1;
		}
		for (long c = a; c <= b; c++)
			mask |= 1ull << c;
		s = *end ? end + 1 : end;
	}
	if (!mask) {
		sh_set_error("%s: ch= is empty", p->cls->name);
		return -1;
	}
	p->pick = mask;
	return 0;
}

/* Part FRAMES stream frames (at most SH_PROC_CHUNK) in one pass: the touched
 * channels packed into p->gather, the others kept at the FIFO's tail. */
static const float *split(sh_proc *p, const float *in, size_t frames)
{
	const size_t sc = (size_t)p->stream_channels, rc = sc - (size_t)p->channels_in;
	if (p->rest_tail + frames > p->rest_cap) {
		/* slide what is waiting to the front, then grow if that is not room enough */
		if (p->rest_head) {
			memmove(p->rest, p->rest + p->rest_head * rc, (p->rest_tail - p->rest_head) * rc * sizeof(float));
			p->rest_tail -= p->rest_head;
			p->rest_head = 0;
		}
		if (p->rest_tail + frames > p->rest_cap) {
			p->rest_cap = 2 * (p->rest_tail + frames);
			p->rest = sh_realloc(p->rest, p->rest_cap * rc, sizeof(float));
		}
	}
	float *r = p->rest + p->rest_tail * rc, *g = p->gather;
	for (size_t f = 0; f < frames; f++, in += sc)
		for (size_t c = 0; c < sc; c++)
			if (p->pick >> c & 1)
				*g++ = in[c];
			else
				*r++ = in[c];
	p->rest_tail += frames;
	return p->gather;
}

static int pass_on(sh_proc *p, const float *out, size_t frames)
{
	if (p->next)
		return sh_proc_push(p->next, out, frames);
	return p->sink ? p->sink(p->sink_user, out, frames) : 0;
}

/* FRAMES frames of the processor's output, joined with the untouched channels
 * waiting in the FIFO, passed on in chunks. */
static int rejoin(sh_proc *p, const float *out, size_t frames)
{
	const size_t sc = (size_t)p->stream_channels, pc = (size_t)p->channels_out, rc = sc - pc;
	float buf[SH_PROC_CHUNK];
	const size_t step = SH_PROC_CHUNK / sc;
	while (frames > 0) {
		size_t k = frames < step ? frames : step;
		const float *r = p->rest + p->rest_head * rc;
		float *o = buf;
		for (size_t f = 0; f < k; f++)
			for (size_t c = 0; c < sc; c++)
				*o++ = p->pick >> c & 1 ? *out++ : *r++;
		p->rest_head += k;
		if (pass_on(p, buf, k) != 0)
			return -1;
		frames -= k;
	}
	return 0;
}

int sh_proc_emit(sh_proc *p, const float *out, size_t frames)
{
	const int ch = p->channels_out;
	if (p->drop_left > 0) {
		size_t skip = (int64_t)frames < p->drop_left ? frames : (size_t)p->drop_left;
		p->drop_left -= (int64_t)skip;
		out += skip * (size_t)ch;
		frames -= skip;
	}
	/* never more than came in: the zeros that flush the latency add none */
	if (!p->cls->own_length && (int64_t)frames > p->frames_in - p->frames_out)
		frames = (size_t)(p->frames_in - p->frames_out);
	if (frames == 0)
		return 0;
	p->frames_out += (int64_t)frames;
	return p->pick ? rejoin(p, out, frames) : pass_on(p, out, frames);
}

float *sh_proc_out(sh_proc *p)
{
	if (!p->out)
		p->out = sh_malloc((size_t)SH_PROC_CHUNK * (size_t)p->channels_out * sizeof(float));
	return p->out;
}

void sh_proc_emit_callback(void *proc, const float *out, size_t frames)
{
	sh_proc *p = proc;
	if (!p->emit_failed && sh_proc_emit(p, out, frames) != 0)
		p->emit_failed = true;
}

/* flow, and an error its output met on the way */
static int flow(sh_proc *p, const float *in, size_t frames)
{
	return p->cls->flow(p, in, frames) != 0 || p->emit_failed ? -1 : 0;
}

static int push_packed(sh_proc *p, const float *in, size_t frames);

int sh_proc_push(sh_proc *p, const float *in, size_t frames)
{
	if (!p->pick)
		return push_packed(p, in, frames);
	const size_t sc = (size_t)p->stream_channels;
	for (size_t at = 0; at < frames;) {
		size_t k = frames - at < SH_PROC_CHUNK ? frames - at : SH_PROC_CHUNK;
		if (push_packed(p, split(p, in + at * sc, k), k) != 0)
			return -1;
		at += k;
	}
	return 0;
}

/* The frames of the processor's own channels into its flow, in its blocks. */
static int push_packed(sh_proc *p, const float *in, size_t frames)
{
	const size_t ch = (size_t)p->channels_in;
	p->frames_in += (int64_t)frames;
	if (p->block == 0) {
		for (size_t at = 0; at < frames;) {
			size_t k = frames - at < SH_PROC_CHUNK ? frames - at : SH_PROC_CHUNK;
			if (flow(p, in + at * ch, k) != 0)
				return -1;
			at += k;
		}
		return 0;
	}
	const size_t block = (size_t)p->block;
	size_t at = 0;
	while (at < frames) {
		if (p->fill == 0 && frames - at >= block) {
			/* whole blocks straight from the caller's buffer */
			if (flow(p, in + at * ch, block) != 0)
				return -1;
			at += block;
			continue;
		}
		size_t k = block - (size_t)p->fill;
		if (k > frames - at)
			k = frames - at;
		memcpy(p->inbuf + (size_t)p->fill * ch, in + at * ch, k * ch * sizeof(float));
		p->fill += (int)k;
		at += k;
		if (p->fill == p->block) {
			p->fill = 0;
			if (flow(p, p->inbuf, block) != 0)
				return -1;
		}
	}
	return 0;
}

/* Zeros in whole blocks (the last real block padded) until the delayed tail is
 * out; a processor that falls short of its promise is padded with silence. */
static int flush_latency(sh_proc *p)
{
	const size_t ch = (size_t)p->channels_in;
	const size_t block = p->block ? (size_t)p->block : SH_PROC_CHUNK;
	if (p->frames_in == 0)
		return 0;
	int64_t budget = p->latency + (int64_t)block; /* zero frames a true promise needs at most */
	if (p->fill > 0) {
		memset(p->inbuf + (size_t)p->fill * ch, 0, (block - (size_t)p->fill) * ch * sizeof(float));
		budget -= (int64_t)block - p->fill;
		p->fill = 0;
		if (flow(p, p->inbuf, block) != 0)
			return -1;
	}
	memset(p->inbuf, 0, block * ch * sizeof(float));
	while (p->frames_out < p->frames_in && budget > 0) {
		size_t k = block;
		if (!p->block && (int64_t)k > p->drop_left + p->frames_in - p->frames_out)
			k = (size_t)(p->drop_left + p->frames_in - p->frames_out);
		if (flow(p, p->inbuf, k) != 0)
			return -1;
		budget -= (int64_t)k;
	}
	return 0;
}

int sh_proc_finish(sh_proc *p)
{
	if (p->finished)
		return 0;
	p->finished = true;
	if (p->cls->own_length) {
		int n = p->fill;
		p->fill = 0;
		if (n > 0 && flow(p, p->inbuf, (size_t)n) != 0)
			return -1;
	} else if (flush_latency(p) != 0) {
		return -1;
	}
	if (p->cls->drain && (p->cls->drain(p) != 0 || p->emit_failed))
		return -1;
	if (!p->cls->own_length && p->frames_out < p->frames_in) {
		p->drop_left = 0;
		float *z = sh_calloc(SH_PROC_CHUNK * (size_t)p->channels_out, sizeof(float));
		int r = 0;
		while (r == 0 && p->frames_out < p->frames_in)
			r = sh_proc_emit(p, z, SH_PROC_CHUNK);
		free(z);
		if (r != 0)
			return -1;
	}
	return p->next ? sh_proc_finish(p->next) : 0;
}

void sh_proc_free(sh_proc *p)
{
	if (!p)
		return;
	if (p->cls->stop)
		p->cls->stop(p);
	free(p->inbuf);
	free(p->rest);
	free(p->gather);
	free(p->out);
	free(p->params);
	free(p->priv);
	free(p);
}

/* ---------------------------------------------------------------- chains */

int sh_proc_chain_start(sh_proc **procs, int n, int rate, int channels, uint64_t seed,
                        sh_proc_sink_fn sink, void *user)
{
	for (int i = 0; i < n; i++) {
		if (!procs[i]->started && sh_proc_start(procs[i], rate, channels, seed) != 0)
			return -1;
		channels = procs[i]->pick ? procs[i]->stream_channels : procs[i]->channels_out;
		rate = procs[i]->rate_out;
		procs[i]->next = i + 1 < n ? procs[i + 1] : NULL;
	}
	procs[n - 1]->sink = sink;
	procs[n - 1]->sink_user = user;
	return channels;
}

int sh_proc_chain_run(sh_proc **procs, sh_audio_in *in)
{
	const size_t block = 16384;
	float *buf = sh_malloc(block * (size_t)sh_audio_channels(in) * sizeof(float));
	ssize_t got;
	int r = 0;
	while (r == 0 && (got = sh_audio_read(in, buf, block)) > 0)
		r = sh_proc_push(procs[0], buf, (size_t)got);
	free(buf);
	if (r != 0 || got < 0)
		return -1;
	return sh_proc_finish(procs[0]);
}

int sh_proc_audio_sink(void *out, const float *buf, size_t frames)
{
	return sh_audio_write(out, buf, frames);
}

/* ---------------------------------------------------------------- reading and writing on threads
 * With threads to spare, decoding the input and encoding the output run on
 * threads of their own, a block ahead and a block behind the processors: the
 * same blocks in the same order, so the same bytes. A stage that fails keeps
 * its error (sh_error() is per thread) for the main thread to report. */

enum { STAGE_FRAMES = 16384, STAGE_BLOCKS = 4 };

typedef struct {
	float *buf;
	ssize_t frames;
} stage_block;

typedef struct {
	sh_queue *full, *empty;   /* blocks with audio, blocks to fill */
	stage_block blocks[STAGE_BLOCKS];
	size_t channels;
	pthread_t tid;
	bool started;
	int failed;               /* read with __atomic: set by the stage's thread */
	char err[1024];
	union {
		sh_audio_in *in;
		sh_audio_out *out;
	};
	stage_block *cur;         /* writer: the block the sink is filling */
} stage;

static void stage_fail(stage *st)
{
	snprintf(st->err, sizeof st->err, "%s", sh_error());
	__atomic_store_n(&st->failed, 1, __ATOMIC_RELEASE);
}

static void *reader_main(void *arg)
{
	stage *st = arg;
	stage_block *b;
	while ((b = sh_queue_pop(st->empty))) {
		b->frames = sh_audio_read(st->in, b->buf, STAGE_FRAMES);
		if (b->frames < 0)
			stage_fail(st);
		if (!sh_queue_push(st->full, b) || b->frames <= 0)
			break;
	}
	sh_queue_close(st->full);
	return NULL;
}

static void *writer_main(void *arg)
{
	stage *st = arg;
	stage_block *b;
	while ((b = sh_queue_pop(st->full))) {
		if (!__atomic_load_n(&st->failed, __ATOMIC_ACQUIRE) &&
		    sh_audio_write(st->out, b->buf, (size_t)b->frames) != 0)
			stage_fail(st);
		b->frames = 0;
		sh_queue_push(st->empty, b); /* refused once the run is over: all is written */
	}
	return NULL;
}

static int stage_start(stage *st, size_t channels, void *(*fn)(void *))
{
	st->channels = channels;
	st->full = sh_queue_new(STAGE_BLOCKS);
	st->empty = sh_queue_new(STAGE_BLOCKS);
	for (int i = 0; i < STAGE_BLOCKS; i++) {
		st->blocks[i].buf = sh_malloc(STAGE_FRAMES * channels * sizeof(float));
		sh_queue_push(st->empty, &st->blocks[i]);
	}
	if (pthread_create(&st->tid, NULL, fn, st) != 0) {
		sh_set_error("cannot start a thread");
		return -1;
	}
	st->started = true;
	return 0;
}

/* Stop the stage's thread (after what it was given is done) and free it. */
static void stage_end(stage *st)
{
	if (st->full) {
		sh_queue_close(st->full);
		sh_queue_close(st->empty);
	}
	if (st->started)
		pthread_join(st->tid, NULL);
	sh_queue_free(st->full);
	sh_queue_free(st->empty);
	for (int i = 0; i < STAGE_BLOCKS; i++)
		free(st->blocks[i].buf);
}

/* The writer's sink: gather output into blocks for the writer's thread. */
static int stage_sink(void *user, const float *buf, size_t frames)
{
	stage *st = user;
	while (frames > 0) {
		if (__atomic_load_n(&st->failed, __ATOMIC_ACQUIRE)) {
			sh_set_error("%s", st->err);
			return -1;
		}
		if (!st->cur && !(st->cur = sh_queue_pop(st->empty))) {
			sh_set_error("the writer stopped");
			return -1;
		}
		size_t room = STAGE_FRAMES - (size_t)st->cur->frames;
		size_t k = frames < room ? frames : room;
		memcpy(st->cur->buf + (size_t)st->cur->frames * st->channels, buf,
		       k * st->channels * sizeof(float));
		st->cur->frames += (ssize_t)k;
		buf += k * st->channels;
		frames -= k;
		if ((size_t)st->cur->frames == STAGE_FRAMES) {
			sh_queue_push(st->full, st->cur);
			st->cur = NULL;
		}
	}
	return 0;
}

/* sh_proc_chain_run with the reading and the writing to OUT on threads. */
static int chain_run_staged(sh_proc **procs, int n, sh_audio_in *in, sh_audio_out *out)
{
	stage rd = {.in = in}, wr = {.out = out};
	sh_proc *last = procs[n - 1];
	int r = -1;
	if (stage_start(&wr, (size_t)last->channels_out, writer_main) != 0 ||
	    stage_start(&rd, (size_t)sh_audio_channels(in), reader_main) != 0)
		goto done;
	last->sink = stage_sink;
	last->sink_user = &wr;
	stage_block *b;
	r = 0;
	while (r == 0 && (b = sh_queue_pop(rd.full)) && b->frames > 0) {
		r = sh_proc_push(procs[0], b->buf, (size_t)b->frames);
		sh_queue_push(rd.empty, b);
	}
	if (r == 0 && __atomic_load_n(&rd.failed, __ATOMIC_ACQUIRE)) {
		sh_set_error("%s", rd.err);
		r = -1;
	}
	if (r == 0)
		r = sh_proc_finish(procs[0]);
	if (r == 0 && wr.cur && wr.cur->frames > 0) {
		sh_queue_push(wr.full, wr.cur);
		wr.cur = NULL;
	}
done:
	stage_end(&rd);
	stage_end(&wr); /* the writer finishes what it was given */
	if (r == 0 && wr.failed) {
		sh_set_error("%s", wr.err);
		r = -1;
	}
	last->sink = sh_proc_audio_sink;
	last->sink_user = out;
	return r;
}

int sh_proc_stream(sh_proc *p, sh_audio_in *in, sh_audio_out *out)
{
	if (sh_proc_chain_start(&p, 1, sh_audio_rate(in), sh_audio_channels(in), p->seed,
	                        sh_proc_audio_sink, out) < 0)
		return -1;
	if (p->jobs > 1)
		return chain_run_staged(&p, 1, in, out);
	return sh_proc_chain_run(&p, in);
}

/* ---------------------------------------------------------------- programs */

/* The whole table: the processor's knobs, the program's, then -o and --bits. */
static sh_option *program_table(const sh_proc_program *prog, sh_proc *p, const char **out_path,
                                const char **bits)
{
	size_t np = 0, ne = 0;
	while (p->params[np].name)
		np++;
	while (prog->options && prog->options[ne].name)
		ne++;
	sh_option *t = sh_calloc(np + ne + 3, sizeof *t);
	memcpy(t, p->params, np * sizeof *t);
	if (ne)
		memcpy(t + np, prog->options, ne * sizeof *t);
	t[np + ne] = (sh_option)SH_AUDIO_OUTPUT_OPTION(*out_path);
	t[np + ne + 1] = (sh_option)SH_AUDIO_BITS_OPTION(*bits);
	return t;
}

int sh_proc_main(const sh_proc_program *prog, int argc, char **argv)
{
	sh_init(argc, argv);
	const char *out_path = NULL, *bits = NULL;
	const sh_proc_class *cls = sh_proc_find(prog->proc);
	if (!cls) {
		sh_warn("%s", sh_error());
		return SH_EXIT_FAIL;
	}
	sh_proc *p = sh_proc_new(cls);
	sh_option *opts = program_table(prog, p, &out_path, &bits);
	sh_program sp = {.usage = prog->usage, .summary = prog->summary, .has_seed = cls->seeded,
	                 .has_jobs = prog->has_jobs};
	sh_audio_in *in = NULL;
	sh_audio_out *out = NULL;
	int status = SH_EXIT_FAIL;

	int first = sh_parse_options(&sp, opts, argc, argv);
	if (first <= 0) {
		status = sh_parse_status(first);
		goto done;
	}
	status = SH_EXIT_USAGE;
	if (argc - first > 1) {
		sh_set_error("one input at most (try --help)");
		goto failed;
	}
	if (sh_proc_check(p) != 0 || (prog->check && prog->check(p, opts) != 0))
		goto failed;
	if (sp.has_seed)
		sh_note("seed %llu", (unsigned long long)sp.seed);

	status = SH_EXIT_FAIL;
	if (!(in = sh_audio_open(first < argc ? argv[first] : "-")))
		goto failed;
	if (prog->plan && (status = prog->plan(p, in, opts)) != 0)
		goto failed;
	status = SH_EXIT_FAIL;
	p->seed = sp.seed;
	p->jobs = prog->has_jobs ? sp.jobs : 1;
	const int rate = sh_audio_rate(in);
	int channels = sh_audio_channels(in);
	if (!prog->run) {
		if ((channels = sh_proc_chain_start(&p, 1, rate, channels, sp.seed, NULL, NULL)) < 0)
			goto failed;
		if (p->latency > 0)
			sh_note("latency %d frames, compensated", p->latency);
	}
	/* --bits fits the output's format, or it is the user's to change */
	sh_audio_out_opts oo = {.bits = sh_parse_bits(bits), .dither_seed = sp.has_seed ? sp.seed : 1};
	if (sh_audio_check_output(out_path, oo.bits, rate, channels) != 0) {
		status = SH_EXIT_USAGE;
		goto failed;
	}
	if (!(out = sh_audio_create(out_path, rate, channels, &oo)))
		goto failed;
	p->sink = sh_proc_audio_sink;
	p->sink_user = out;
	if ((prog->run            ? prog->run(p, in, out)
	     : p->jobs > 1        ? chain_run_staged(&p, 1, in, out)
	                          : sh_proc_chain_run(&p, in)) != 0)
		goto failed;
	int finished = sh_audio_finish(out); /* frees OUT either way */
	out = NULL;
	if (finished != 0)
		goto failed;
	status = SH_EXIT_OK;
	goto done;
failed:
	sh_warn("%s", sh_error()); /* a usage error (2) or anything else (1) */
done:
	if (out)
		sh_audio_abort(out);
	if (in)
		sh_audio_close(in);
	sh_proc_free(p);
	free(opts);
	return status;
}
