/* drone.c -- stretch, shift, colour and normalise a tonal source; see drone.h. */
#include "drone.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "musickey.h"
#include "proc.h"
#include "stretch.h"

static const char *const variant_names[] = {"dry", "warm", "airy", "dark", NULL};

const char *sh_drone_variant(const char *name)
{
	for (const char *const *v = variant_names; *v; v++)
		if (!strcmp(name, *v))
			return *v;
	sh_set_error("no variant named '%s' (there are: %s)", name, SH_DRONE_VARIANTS);
	return NULL;
}

int sh_drone_channels(const sh_drone_opts *o, int channels) { return o->mono ? 1 : channels; }

/* ---------------------------------------------------------------- one variant
 * A lane: the variant's processors (mono fold, colour; none for a dry stereo
 * lane), then its output, or with normalisation a spool whose peak is kept. */
typedef struct {
	sh_proc *procs[2];
	int nprocs;
	int channels;         /* out of the processors */
	const char *variant;
	sh_audio_out *out;
	int spool;            /* -1: straight to out */
	int64_t spooled;      /* frames in the spool */
	float peak;           /* largest |sample| spooled */
} lane;

static int lane_sink(void *user, const float *buf, size_t frames)
{
	lane *l = user;
	if (l->spool < 0)
		return sh_audio_write(l->out, buf, frames);
	const size_t n = frames * (size_t)l->channels;
	for (size_t i = 0; i < n; i++)
		if (fabsf(buf[i]) > l->peak)
			l->peak = fabsf(buf[i]);
	if (sh_write_named(l->spool, buf, n * sizeof *buf, "the normalisation spool") != 0)
		return -1;
	l->spooled += (int64_t)frames;
	return 0;
}

static int lane_start(lane *l, const sh_drone_opts *o, const char *variant, int rate, int channels,
                      sh_audio_out *out)
{
	l->out = out;
	l->variant = variant;
	if (o->mono) {
		const sh_proc_class *c = sh_proc_find("mono");
		if (!c)
			return -1;
		l->procs[l->nprocs++] = sh_proc_new(c);
		if (sh_proc_set(l->procs[l->nprocs - 1], "to", "one") != 0)
			return -1;
	}
	if (strcmp(variant, "dry") != 0) {
		const sh_proc_class *c = sh_proc_find(variant);
		if (!c)
			return -1;
		sh_proc *p = l->procs[l->nprocs++] = sh_proc_new(c);
		char amount[32];
		sh_format_number(amount, sizeof amount, o->amount);
		if (sh_proc_set(p, "amount", amount) != 0)
			return -1;
	}
	l->channels = channels;
	if (l->nprocs > 0) {
		/* nothing here draws a random number: the seed is never used */
		l->channels = sh_proc_chain_start(l->procs, l->nprocs, rate, channels, 0, lane_sink, l);
		if (l->channels < 0)
			return -1;
	}
	if (o->normalize && (l->spool = sh_spool_file()) < 0)
		return -1;
	return 0;
}

static int lane_push(lane *l, const float *buf, size_t frames)
{
	return l->nprocs ? sh_proc_push(l->procs[0], buf, frames) : lane_sink(l, buf, frames);
}

/* The spooled output scaled so its sample peak is PEAK_DB, into the output. A
 * plain multiplication by one factor: the gain processor's range (+-40 dB) is
 * for a knob, and would refuse a very quiet source. Silence stays silence. */
static int lane_normalised(lane *l, double peak_db)
{
	const float k = l->peak > 0 ? (float)(pow(10.0, peak_db / 20.0) / l->peak) : 1.0f;
	if (l->peak > 0)
		sh_note("%s: peak %.2f dBFS, normalised by %+.2f dB", l->variant, 20 * log10(l->peak), 20 * log10(k));
	else
		sh_note("%s: digital silence, nothing to normalise", l->variant);
	enum { BLOCK = 16384 };
	const size_t ch = (size_t)l->channels;
	float *buf = sh_malloc(BLOCK * ch * sizeof *buf);
	int r = 0;
	for (int64_t at = 0; at < l->spooled && r == 0;) {
		const size_t n = l->spooled - at < BLOCK ? (size_t)(l->spooled - at) : BLOCK;
		r = sh_pread_all(l->spool, buf, n * ch * sizeof *buf, (off_t)at * (off_t)(ch * sizeof *buf),
		                 "the normalisation spool");
		for (size_t i = 0; r == 0 && i < n * ch; i++)
			buf[i] *= k;
		if (r == 0)
			r = sh_audio_write(l->out, buf, n);
		at += (int64_t)n;
	}
	free(buf);
	return r;
}

static void lane_free(lane *l)
{
	for (int i = 0; i < l->nprocs; i++)
		sh_proc_free(l->procs[i]);
	if (l->spool >= 0)
		close(l->spool);
}

/* ---------------------------------------------------------------- the render */

/* Rubber Band's output, handed to every lane. The stretcher's emit callback
 * cannot fail, so the first error is kept and later output dropped. */
struct sh_drone {
	sh_drone_opts o;
	int rate, channels;
	lane lanes[SH_DRONE_MAX_VARIANTS];
	size_t n;
	bool failed;
	char *err;
};

static void fan_emit(void *user, const float *buf, size_t frames)
{
	sh_drone *d = user;
	for (size_t i = 0; i < d->n && !d->failed; i++)
		if (lane_push(&d->lanes[i], buf, frames) != 0) {
			d->failed = true;
			d->err = sh_strdup(sh_error());
		}
}

void sh_drone_free(sh_drone *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++)
		lane_free(&d->lanes[i]);
	free(d->err);
	free(d);
}

sh_drone *sh_drone_new(const sh_drone_opts *o, int rate, int channels, sh_audio_out *const *outs)
{
	sh_drone *d = sh_calloc(1, sizeof *d);
	d->o = *o;
	d->rate = rate;
	d->channels = channels;
	d->n = o->nvariants;
	for (size_t i = 0; i < d->n; i++)
		d->lanes[i].spool = -1;
	for (size_t i = 0; i < d->n; i++)
		if (lane_start(&d->lanes[i], o, o->variants[i], rate, channels, outs[i]) != 0) {
			sh_drone_free(d);
			return NULL;
		}
	return d;
}

int sh_drone_run(sh_drone *d, sh_audio_source *src)
{
	sh_stretch_opts so = {.ratio = d->o.stretch, .pitch = pow(2.0, d->o.pitch / 12.0),
	                      .formant = d->o.formant, .faster = d->o.faster};
	if (sh_stretch_offline(&so, src, d->rate, d->channels, fan_emit, d) < 0)
		return -1;
	if (d->failed) {
		sh_set_error("%s", d->err);
		return -1;
	}
	for (size_t i = 0; i < d->n; i++) {
		lane *l = &d->lanes[i];
		if (l->nprocs && sh_proc_finish(l->procs[0]) != 0)
			return -1;
		if (d->o.normalize && lane_normalised(l, d->o.peak_db) != 0)
			return -1;
	}
	return 0;
}

int sh_drone_render(const sh_drone_opts *o, sh_audio_source *src, int rate, int channels,
                    sh_audio_out *const *outs)
{
	sh_drone *d = sh_drone_new(o, rate, channels, outs);
	int r = d ? sh_drone_run(d, src) : -1;
	sh_drone_free(d);
	return r;
}

/* ---------------------------------------------------------------- key */

int sh_drone_key_shift(sh_audio_source *src, int rate, int channels, int from_tonic, int to_tonic,
                       int *shift, int *found_tonic, bool *found_minor)
{
	*found_minor = false;
	if (from_tonic < 0) {
		sh_key_result kr;
		if (sh_stretch_detect(src, rate, channels, NULL, &kr) != 0)
			return -1;
		if (kr.tonic < 0) {
			sh_set_error("no key found (silent or without tonal content): give --from-key");
			return -1;
		}
		from_tonic = kr.tonic;
		*found_minor = kr.minor;
	}
	*found_tonic = from_tonic;
	*shift = sh_key_shortest_shift(from_tonic, to_tonic);
	return 0;
}

/* ---------------------------------------------------------------- names */

char *sh_drone_file_name(const char *stem, const char *key, double stretch, double pitch,
                         const char *variant, const char *ext)
{
	char s[32], p[32];
	sh_format_number(s, sizeof s, stretch);
	sh_format_number(p, sizeof p, pitch == 0 ? 0 : pitch); /* no "-0" */
	size_t n = strlen(stem) + (key ? strlen(key) : 0) + strlen(s) + strlen(p) + strlen(variant) +
	           strlen(ext) + 16;
	char *name = sh_malloc(n);
	snprintf(name, n, "%s%s%s_s%s_p%s%s_%s.%s", stem, key ? "_" : "", key ? key : "", s,
	         pitch > 0 ? "+" : "", p, variant, ext);
	return name;
}
