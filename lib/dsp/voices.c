/* voices.c -- the sample player (voices.h). */
#include "voices.h"

#include "audio.h"
#include "err.h"

#include <math.h>
#include <soxr.h>
#include <stdlib.h>
#include <string.h>

/* A sample at the player's rate, stereo interleaved, possibly repitched. */
typedef struct {
	float *d;
	int64_t n;
} sound;

typedef struct {
	long cents; /* pitch offset from the key centre, in cents */
	sound s;
} pitched;

typedef struct {
	char *path;
	double scale;    /* output frames per file frame (loop points) */
	sound s;
	pitched **p;     /* repitched copies (pointers: voices hold them) */
	size_t np;
} sample;

typedef struct {
	bool on;
	const sound *s;
	int64_t pos;
	float gain;
	int64_t rel;         /* frames until the note-off fade; -1: none */
	int64_t fl, fn;      /* fade: frames left, frames in all; fn 0: not fading */
	bool loop;
	int64_t ls, le;      /* loop, end exclusive */
	int choke;
	const char *name;    /* region's trigger name (for choking the others) */
	uint64_t age;
} voice;

struct sh_voices {
	int rate, max;
	int64_t fade, release;
	sample **smp;    /* pointers: voices hold their sounds */
	size_t nsmp;
	sh_region *reg;
	size_t nreg;
	bool keyed;
	voice *vc;
	int nvc;
	uint64_t age;
	int64_t pos;
};

sh_voices *sh_voices_new(int rate, int max_voices, int64_t fade, int64_t release)
{
	sh_voices *v = sh_calloc(1, sizeof *v);
	v->rate = rate;
	v->max = max_voices < 1 ? 1 : max_voices;
	v->fade = fade < 1 ? 1 : fade;
	v->release = release < 1 ? 1 : release;
	/* room for the voices that sound plus as many fading out */
	v->nvc = 2 * v->max + 4;
	v->vc = sh_calloc((size_t)v->nvc, sizeof *v->vc);
	return v;
}

void sh_voices_free(sh_voices *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->nsmp; i++) {
		sample *s = v->smp[i];
		free(s->path);
		free(s->s.d);
		for (size_t j = 0; j < s->np; j++) {
			free(s->p[j]->s.d);
			free(s->p[j]);
		}
		free(s->p);
		free(s);
	}
	for (size_t i = 0; i < v->nreg; i++)
		free((char *)v->reg[i].name);
	free(v->smp);
	free(v->reg);
	free(v->vc);
	free(v);
}

int sh_voices_load(sh_voices *v, const char *path)
{
	for (size_t i = 0; i < v->nsmp; i++)
		if (!strcmp(v->smp[i]->path, path))
			return (int)i;
	sh_audio_in *in = sh_audio_open(path);
	if (!in) {
		/* the reader names the file in most messages; make sure */
		if (!strstr(sh_error(), path))
			sh_set_error("%s: %s", path, sh_error());
		return -1;
	}
	int ch = sh_audio_channels(in);
	int src_rate = sh_audio_rate(in);
	if (sh_audio_resample_to(in, v->rate) != 0) {
		sh_audio_close(in);
		return -1;
	}
	size_t n;
	float *raw = sh_audio_slurp(in, &n);
	sh_audio_close(in);
	if (!raw)
		return -1;
	float *d = sh_malloc((n ? n : 1) * 2 * sizeof *d);
	for (size_t i = 0; i < n; i++) {
		if (ch == 2) {
			d[2 * i] = raw[2 * i];
			d[2 * i + 1] = raw[2 * i + 1];
		} else {
			float m = 0;
			for (int c = 0; c < ch; c++)
				m += raw[i * (size_t)ch + (size_t)c];
			m /= (float)ch;
			d[2 * i] = d[2 * i + 1] = m;
		}
	}
	free(raw);
	v->smp = sh_realloc(v->smp, v->nsmp + 1, sizeof *v->smp);
	v->smp[v->nsmp] = sh_malloc(sizeof **v->smp);
	*v->smp[v->nsmp] = (sample){.path = sh_strdup(path), .scale = (double)v->rate / src_rate, .s = {d, (int64_t)n}};
	return (int)v->nsmp++;
}

int sh_voices_add_region(sh_voices *v, const sh_region *r)
{
	if (r->sample < 0 || (size_t)r->sample >= v->nsmp) {
		sh_set_error("region without a sample");
		return -1;
	}
	if (r->lokey > r->hikey || r->lovel > r->hivel) {
		sh_set_error("%s: empty key or velocity range", v->smp[r->sample]->path);
		return -1;
	}
	if (r->loop_mode == SH_LOOP_CONTINUOUS && (r->loop_start < 0 || r->loop_end < r->loop_start)) {
		sh_set_error("%s: loop %lld..%lld is empty", v->smp[r->sample]->path, (long long)r->loop_start,
		             (long long)r->loop_end);
		return -1;
	}
	v->reg = sh_realloc(v->reg, v->nreg + 1, sizeof *v->reg);
	sh_region *c = &v->reg[v->nreg++];
	*c = *r;
	c->name = r->name ? sh_strdup(r->name) : NULL;
	if (r->keyed)
		v->keyed = true;
	return 0;
}

bool sh_voices_has(const sh_voices *v, const char *name)
{
	for (size_t i = 0; i < v->nreg; i++)
		if (v->reg[i].name && !strcmp(v->reg[i].name, name))
			return true;
	return false;
}

int64_t sh_voices_pos(const sh_voices *v) { return v->pos; }

/* The sample S played CENTS away from its pitch: resampled once (libsoxr
 * rather than an interpolator by hand: its filters keep higher notes free of
 * aliasing). NULL with sh_error(). */
static const sound *repitch(sample *s, long cents)
{
	if (cents == 0)
		return &s->s;
	for (size_t i = 0; i < s->np; i++)
		if (s->p[i]->cents == cents)
			return &s->p[i]->s;
	double ratio = pow(2, (double)cents / 1200.0); /* playback speed */
	size_t olen = (size_t)ceil((double)s->s.n / ratio) + 1;
	float *o = sh_malloc(olen * 2 * sizeof *o);
	size_t odone = 0;
	soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
	soxr_quality_spec_t q = soxr_quality_spec(SOXR_HQ, 0);
	soxr_error_t e = soxr_oneshot(ratio, 1.0, 2, s->s.d, (size_t)s->s.n, NULL, o, olen, &odone, &io, &q, NULL);
	if (e) {
		free(o);
		sh_set_error("%s: repitching: %s", s->path, e);
		return NULL;
	}
	s->p = sh_realloc(s->p, s->np + 1, sizeof *s->p);
	pitched *pc = sh_malloc(sizeof *pc);
	*pc = (pitched){cents, {o, (int64_t)odone}};
	s->p[s->np++] = pc;
	return &pc->s;
}

/* Fade voice X out over N frames (unless it is already ending sooner). */
static void fade_out(voice *x, int64_t n)
{
	if (x->fn && x->fl <= n)
		return;
	x->fn = n;
	x->fl = n;
	x->rel = -1;
}

/* A free voice, after making room under the limit. */
static voice *grab(sh_voices *v, const sh_region *r)
{
	if (r->choke >= 0)
		for (int j = 0; j < v->nvc; j++) {
			voice *x = &v->vc[j];
			if (x->on && x->choke == r->choke && !(x->name && r->name && !strcmp(x->name, r->name)))
				fade_out(x, v->fade);
		}
	int sounding = 0;
	voice *oldest = NULL;
	for (int j = 0; j < v->nvc; j++) {
		voice *x = &v->vc[j];
		if (x->on && !x->fn) {
			sounding++;
			if (!oldest || x->age < oldest->age)
				oldest = x;
		}
	}
	if (sounding >= v->max && oldest)
		fade_out(oldest, v->fade);
	voice *pick = NULL;
	for (int j = 0; j < v->nvc && !pick; j++)
		if (!v->vc[j].on)
			pick = &v->vc[j];
	if (!pick) /* every slot fading: cut the one closest to its end */
		for (int j = 0; j < v->nvc; j++)
			if (!pick || v->vc[j].fl < pick->fl)
				pick = &v->vc[j];
	return pick;
}

/* Start region R at the next frame. */
static int start(sh_voices *v, const sh_region *r, double pitch, double gain, int64_t gate)
{
	sample *s = v->smp[r->sample];
	long cents = lround((pitch - r->keycenter) * 100);
	double speed = pow(2, (double)cents / 1200.0);
	const sound *snd = repitch(s, cents);
	if (!snd)
		return -1;
	voice *x = grab(v, r);
	*x = (voice){.on = true, .s = snd, .gain = (float)(gain * r->gain), .rel = -1, .choke = r->choke,
	             .name = r->name, .age = v->age++};
	if (gate >= 0 && r->loop_mode != SH_LOOP_ONESHOT)
		x->rel = gate;
	if (r->loop_mode == SH_LOOP_CONTINUOUS) {
		double k = s->scale / speed;
		x->ls = llround((double)r->loop_start * k);
		x->le = llround((double)(r->loop_end + 1) * k);
		if (x->le > snd->n)
			x->le = snd->n;
		x->loop = x->ls < x->le;
	}
	if (snd->n == 0)
		x->on = false;
	return 1;
}

int sh_voices_trigger(sh_voices *v, const char *name, double gain)
{
	int n = 0;
	for (size_t i = 0; i < v->nreg; i++) {
		const sh_region *r = &v->reg[i];
		if (r->name && !strcmp(r->name, name)) {
			sh_region one = *r;
			one.loop_mode = SH_LOOP_ONESHOT; /* a hit has no gate: it rings out */
			if (start(v, &one, one.keycenter, gain, -1) < 0)
				return -1;
			n++;
		}
	}
	return n;
}

int sh_voices_note(sh_voices *v, double pitch, double velocity, int64_t gate, const char *name)
{
	double gain = velocity * velocity;
	int n = 0;
	if (v->keyed) {
		int key = (int)lround(pitch), vel = (int)lround(velocity * 127);
		for (size_t i = 0; i < v->nreg; i++) {
			const sh_region *r = &v->reg[i];
			if (r->keyed && key >= r->lokey && key <= r->hikey && vel >= r->lovel && vel <= r->hivel) {
				if (start(v, r, pitch, gain, gate) < 0)
					return -1;
				n++;
			}
		}
		return n;
	}
	const sh_region *pick = v->nreg ? &v->reg[0] : NULL;
	if (name)
		for (size_t i = 0; i < v->nreg; i++)
			if (v->reg[i].name && !strcmp(v->reg[i].name, name)) {
				pick = &v->reg[i];
				break;
			}
	if (!pick)
		return 0;
	return start(v, pick, pitch, gain, gate);
}

/* out[0..2n) += g * d[0..2n): the common case, kept simple for the vectoriser. */
static void mix(float *restrict out, const float *restrict d, size_t n, float g)
{
	for (size_t i = 0; i < 2 * n; i++)
		out[i] += g * d[i];
}

/* The same on a linear fade: frame j has gain g * (left - j) / total. */
static void mix_fade(float *restrict out, const float *restrict d, size_t n, float g, int64_t left, int64_t total)
{
	double k = (double)g / (double)total;
	for (size_t i = 0; i < n; i++) {
		float gi = (float)(k * (double)(left - (int64_t)i));
		out[2 * i] += gi * d[2 * i];
		out[2 * i + 1] += gi * d[2 * i + 1];
	}
}

static void render_voice(sh_voices *v, voice *x, float *out, size_t n)
{
	size_t done = 0;
	while (done < n && x->on) {
		int64_t k = (int64_t)(n - done);
		if (!x->fn && x->rel == 0) {
			x->fn = x->fl = v->release;
			x->rel = -1;
		}
		if (!x->fn && x->rel > 0 && x->rel < k)
			k = x->rel;
		if (x->fn && x->fl < k)
			k = x->fl;
		int64_t end = x->loop ? x->le : x->s->n;
		if (end - x->pos < k)
			k = end - x->pos;
		if (k <= 0) {
			if (x->loop && x->pos >= x->le) {
				x->pos = x->ls;
				continue;
			}
			x->on = false;
			break;
		}
		const float *d = x->s->d + 2 * x->pos;
		if (x->fn)
			mix_fade(out + 2 * done, d, (size_t)k, x->gain, x->fl, x->fn);
		else
			mix(out + 2 * done, d, (size_t)k, x->gain);
		x->pos += k;
		done += (size_t)k;
		if (x->rel > 0)
			x->rel -= k;
		if (x->fn) {
			x->fl -= k;
			if (x->fl == 0)
				x->on = false;
		}
	}
}

void sh_voices_render(sh_voices *v, float *out, size_t n)
{
	memset(out, 0, n * 2 * sizeof *out);
	for (int j = 0; j < v->nvc; j++)
		if (v->vc[j].on)
			render_voice(v, &v->vc[j], out, n);
	v->pos += (int64_t)n;
}

int64_t sh_voices_tail(const sh_voices *v)
{
	int64_t t = 0;
	for (int j = 0; j < v->nvc; j++) {
		const voice *x = &v->vc[j];
		if (!x->on)
			continue;
		int64_t left;
		if (x->fn)
			left = x->fl;
		else if (x->rel >= 0)
			left = x->rel + v->release;
		else
			left = x->loop ? INT64_MAX / 4 : x->s->n - x->pos; /* a hit never loops */
		if (!x->loop && x->s->n - x->pos < left)
			left = x->s->n - x->pos;
		if (left > t)
			t = left;
	}
	return t;
}

int sh_voices_write_until(sh_voices *v, sh_audio_out *out, int64_t until)
{
	float buf[2 * 4096];
	while (v->pos < until) {
		size_t n = until - v->pos < 4096 ? (size_t)(until - v->pos) : 4096;
		sh_voices_render(v, buf, n);
		if (sh_audio_write(out, buf, n) != 0)
			return -1;
	}
	return 0;
}

int sh_voices_ring_out(sh_voices *v, sh_audio_out *out, int64_t until)
{
	if (sh_voices_write_until(v, out, until) != 0)
		return -1;
	return sh_voices_write_until(v, out, v->pos + sh_voices_tail(v));
}
