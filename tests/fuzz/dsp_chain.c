/* dsp_chain.c -- fuzz processor chains as dsp(1) builds them (lib/dsp/proc.c and
 * every processor of the registry): text of words, nodes separated by a lone ':'
 * or '|', each node [LABEL=]PROCESSOR then key=value words (ch=LIST picks
 * channels), optionally after a first word @RATE/CHANNELS (8000/2 if none).
 * What sets and checks is started as a chain and runs a fixed signal, three
 * blocks of odd sizes with every live knob set again to its own value between
 * them, then finishes. Checked:
 *  - an error from a knob or a pick names the processor and the knob or ch=;
 *  - every knob's value reads back (sh_param_json) and set again on a fresh
 *    instance gives the same value (set/get round trip);
 *  - the chain gives finite samples for the finite input (the knobs' ranges
 *    are the processor's promise: nothing they allow may blow up), the channel
 *    count chain_start said, and, when no processor owns its length, exactly
 *    as many frames as went in (proc.h's latency promise). */
#include "fuzz.h"
#include "proc.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>

#define MAX_NODES 4
#define MAX_WORDS 48

typedef struct {
	int channels;
	int64_t frames;
	bool bad;
} sink_state;

static int sink(void *user, const float *buf, size_t frames)
{
	sink_state *s = user;
	for (size_t i = 0; i < frames * (size_t)s->channels; i++)
		if (!isfinite(buf[i])) {
			fprintf(stderr, "fuzz_dsp_chain: sample %zu of a block of %zu frames is %g\n", i, frames,
			        (double)buf[i]);
			s->bad = true;
			break;
		}
	s->frames += (int64_t)frames;
	return 0;
}

/* Every knob of P set on a fresh instance from its JSON reads back the same. */
static void round_trip(const sh_proc *p)
{
	sh_proc *q = sh_proc_new(p->cls);
	for (const sh_option *o = p->params; o->name; o++) {
		json_t *v = sh_param_json(o);
		if (!v)
			continue;
		if (sh_proc_set_json(q, o->name, v) != 0) {
			fprintf(stderr, "fuzz_dsp_chain: %s %s does not set from its own value: %s\n", p->cls->name,
			        o->name, sh_error());
			abort();
		}
		json_t *w = sh_param_json(sh_params_find(q->params, o->name));
		if (!json_equal(v, w)) {
			char *a = json_dumps(v, JSON_ENCODE_ANY), *b = json_dumps(w, JSON_ENCODE_ANY);
			fprintf(stderr, "fuzz_dsp_chain: %s %s: %s set again reads %s\n", p->cls->name, o->name, a, b);
			abort();
		}
		json_decref(v);
		json_decref(w);
	}
	sh_proc_free(q);
}

/* Every live knob of P set again to its own value while running. */
static int touch_live(sh_proc *p)
{
	for (const sh_option *o = p->params; o->name; o++) {
		if (!o->live)
			continue;
		json_t *v = sh_param_json(o);
		if (!v)
			continue;
		int rc = sh_proc_set_json(p, o->name, v);
		json_decref(v);
		if (rc != 0)
			return -1;
	}
	return 0;
}

static bool named(const char *msg, const char *what)
{
	return strstr(msg, what) != NULL;
}

/* One node from words W[0..n-1]; NULL when it does not set or check. */
static sh_proc *node(char **w, int n)
{
	char *proc = w[0], *eq = strchr(w[0], '=');
	if (eq)
		proc = eq + 1;
	if (strlen(proc) > 4 && !strcmp(proc + strlen(proc) - 4, ".dsp"))
		return NULL; /* a Faust file: compiled from the disk, not this harness's */
	const sh_proc_class *cls = sh_proc_find(proc);
	if (!cls) {
		if (!named(sh_error(), "no processor named")) {
			fprintf(stderr, "fuzz_dsp_chain: %s\n", sh_error());
			abort();
		}
		return NULL;
	}
	sh_proc *p = sh_proc_new(cls);
	for (int i = 1; i < n; i++) {
		char *e = strchr(w[i], '=');
		if (!e) {
			sh_proc_free(p);
			return NULL;
		}
		*e = 0;
		const char *key = w[i], *val = e + 1;
		int rc;
		if (!strcmp(key, "ch") || (!strcmp(key, "channels") && !sh_params_find(p->params, "channels"))) {
			rc = sh_proc_pick(p, val);
			if (rc != 0 && !(named(sh_error(), cls->name) && named(sh_error(), "ch=")))
				goto unnamed;
		} else {
			rc = sh_proc_set(p, key, val);
			if (rc != 0 && !named(sh_error(), key) && sh_params_find(p->params, key))
				goto unnamed;
		}
		*e = '=';
		if (rc != 0) {
			sh_proc_free(p);
			return NULL;
		}
	}
	round_trip(p);
	if (sh_proc_check(p) != 0) {
		sh_proc_free(p);
		return NULL;
	}
	return p;
unnamed:
	fprintf(stderr, "fuzz_dsp_chain: an error that does not name what it is about: %s\n", sh_error());
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_init("fuzz_dsp_chain");
	if (size > 2048)
		return 0;
	char *text = fz_strndup(data, size);
	char *words[MAX_WORDS + 1];
	int nw = 0;
	char *save = NULL;
	for (char *t = strtok_r(text, " \t\n\r", &save); t; t = strtok_r(NULL, " \t\n\r", &save)) {
		if (nw == MAX_WORDS)
			goto out;
		words[nw++] = t;
	}
	int rate = 8000, channels = 2, first = 0;
	if (nw > 0 && words[0][0] == '@') {
		long r = 0, c = 0;
		if (sscanf(words[0] + 1, "%ld/%ld", &r, &c) != 2 || r < SH_MIN_RATE || r > 48000 || c < 1 || c > 4)
			goto out;
		rate = (int)r;
		channels = (int)c;
		first = 1;
	}
	sh_proc *procs[MAX_NODES];
	int np = 0;
	bool own_length = false;
	sink_state st = {0};
	for (int i = first, start = first; i <= nw; i++) {
		if (i < nw && strcmp(words[i], ":") && strcmp(words[i], "|"))
			continue;
		if (i == start || np == MAX_NODES)
			goto done;
		sh_proc *p = node(words + start, i - start);
		if (!p)
			goto done;
		own_length = own_length || p->cls->own_length;
		procs[np++] = p;
		start = i + 1;
	}
	if (np == 0)
		goto done;
	int out_ch = sh_proc_chain_start(procs, np, rate, channels, 7, sink, &st);
	if (out_ch < 0)
		goto done;
	st.channels = out_ch;
	const sh_proc *last = procs[np - 1];
	if (out_ch != (last->pick ? last->stream_channels : last->channels_out)) {
		fprintf(stderr, "fuzz_dsp_chain: chain_start says %d channels, %s gives %d\n", out_ch, last->cls->name,
		        last->pick ? last->stream_channels : last->channels_out);
		abort();
	}
	static const size_t blocks[] = {301, 1, 777};
	int64_t in_frames = 0;
	for (size_t b = 0; b < sizeof blocks / sizeof *blocks; b++) {
		size_t n = blocks[b];
		float *buf = malloc(n * (size_t)channels * sizeof *buf);
		for (size_t k = 0; k < n; k++)
			for (int c = 0; c < channels; c++) {
				int64_t t = in_frames + (int64_t)k;
				/* a sine per channel, a full-scale click every 500 frames */
				buf[k * (size_t)channels + (size_t)c] =
				    t % 500 == 0 ? 1.0f : 0.5f * (float)sin(0.05 * (double)(t * (c + 1)));
			}
		int rc = sh_proc_push(procs[0], buf, n);
		free(buf);
		if (rc != 0)
			goto done;
		in_frames += (int64_t)n;
		for (int i = 0; i < np && b == 0; i++)
			if (touch_live(procs[i]) != 0) {
				fprintf(stderr, "fuzz_dsp_chain: %s: a live knob does not take its own value: %s\n",
				        procs[i]->cls->name, sh_error());
				abort();
			}
	}
	if (sh_proc_finish(procs[0]) != 0)
		goto done;
	if (!own_length && st.frames != in_frames) {
		fprintf(stderr, "fuzz_dsp_chain: %lld frames in, %lld out\n", (long long)in_frames,
		        (long long)st.frames);
		abort();
	}
done:
	if (st.bad)
		abort(); /* a NaN or Inf that came out before an error counts too */
	for (int i = 0; i < np; i++)
		sh_proc_free(procs[i]);
out:
	free(text);
	return 0;
}
