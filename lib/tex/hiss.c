/* hiss.c -- hiss loops and flicker bursts from a source or from noise; see hiss.h. */
#include "hiss.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "envelope.h"
#include "proc.h"
#include "seam.h"
#include "stft.h"

/* A fourth-order Butterworth slope as two second-order sections: the q of each
 * is 1 / (2 cos(theta)) for the pole angles pi/8 and 3 pi/8. */
#define BW4_Q1 0.54119610
#define BW4_Q2 1.30656296

struct sh_hiss {
	sh_audio_source *src;  /* NULL: noise */
	int src_channels;
	int64_t src_frames;
	sh_hiss_opts o;
	int64_t lead;          /* frames of material filtered before a stretch */
	sh_rng *rng;
};

/* The top of what a section can place at RATE (as the filter processors hold it). */
static double top(int rate) { return 0.49 * rate; }

sh_hiss *sh_hiss_new(sh_audio_source *src, int src_channels, const sh_hiss_opts *o, sh_rng *rng)
{
	double lowest = o->highpass ? o->highpass_hz : o->band_lo;
	double highest = o->highpass ? o->highpass_hz : o->band_hi;
	if (highest >= top(o->rate)) {
		if (o->highpass)
			sh_set_error("--highpass %g Hz is too high for %d Hz audio: below %g Hz there", highest, o->rate,
			             top(o->rate));
		else
			sh_set_error("--band %g..%g Hz reaches too high for %d Hz audio: its top must be below %g Hz there",
			             o->band_lo, o->band_hi, o->rate, top(o->rate));
		return NULL;
	}
	sh_hiss *h = sh_calloc(1, sizeof *h);
	h->src = src;
	h->src_channels = src_channels;
	h->src_frames = src ? sh_audio_source_frames(src) : 0;
	h->o = *o;
	h->rng = rng;
	double lead_s = 8 / lowest;
	h->lead = (int64_t)ceil((lead_s > 0.05 ? lead_s : 0.05) * o->rate);
	return h;
}

void sh_hiss_free(sh_hiss *h) { free(h); }

/* ---- filtering through the processors ---- */

typedef struct {
	float *buf;      /* where the kept frames go */
	int channels;
	int64_t skip;    /* frames still to drop (the lead-in) */
	int64_t want, got;
} collect;

static int collect_sink(void *user, const float *b, size_t frames)
{
	collect *c = user;
	size_t n = frames;
	if (c->skip > 0) {
		size_t d = (int64_t)n < c->skip ? n : (size_t)c->skip;
		c->skip -= (int64_t)d;
		b += d * (size_t)c->channels;
		n -= d;
	}
	if ((int64_t)n > c->want - c->got)
		n = (size_t)(c->want - c->got);
	memcpy(c->buf + c->got * c->channels, b, n * (size_t)c->channels * sizeof *b);
	c->got += (int64_t)n;
	return 0;
}

static sh_proc *new_proc(const char *name, double freq, double q)
{
	sh_proc *p = sh_proc_new(sh_proc_find(name));
	char words[96];
	snprintf(words, sizeof words, "freq=%.17g q=%.17g", freq, q);
	if (sh_proc_assign(p, words) != 0) {
		sh_proc_free(p);
		return NULL;
	}
	return p;
}

/* IN (LEAD + N frames of the output's channels) through the filter; the last N
 * frames of the result into OUT. 0, or -1 + sh_error(). */
static int filter(const sh_hiss *h, const float *in, int64_t lead, int64_t n, float *out)
{
	sh_proc *procs[4] = {0};
	int np = 0;
	double lo = h->o.highpass ? h->o.highpass_hz : h->o.band_lo;
	procs[np++] = new_proc("highpass", lo, BW4_Q1);
	procs[np++] = new_proc("highpass", lo, BW4_Q2);
	if (!h->o.highpass) {
		procs[np++] = new_proc("lowpass", h->o.band_hi, BW4_Q1);
		procs[np++] = new_proc("lowpass", h->o.band_hi, BW4_Q2);
	}
	int r = 0;
	for (int i = 0; i < np; i++)
		if (!procs[i])
			r = -1;
	collect c = {.buf = out, .channels = h->o.channels, .skip = lead, .want = n};
	if (r == 0 && sh_proc_chain_start(procs, np, h->o.rate, h->o.channels, 0, collect_sink, &c) < 0)
		r = -1;
	sh_stft_no_denormals();
	if (r == 0 && (sh_proc_push(procs[0], in, (size_t)(lead + n)) != 0 || sh_proc_finish(procs[0]) != 0))
		r = -1;
	for (int i = 0; i < np; i++)
		sh_proc_free(procs[i]);
	if (r == 0 && c.got != n) {
		sh_set_error("the filter gave %lld frames, not %lld", (long long)c.got, (long long)n);
		r = -1;
	}
	return r;
}

/* N frames of material from START (a source frame; ignored for noise), with
 * its lead-in before it, filtered into OUT; *whole (may be NULL) is the
 * energy of those N frames before filtering. */
static int material(sh_hiss *h, int64_t start, int64_t n, float *out, double *whole)
{
	const int oc = h->o.channels;
	const int64_t total = h->lead + n;
	float *in = sh_malloc((size_t)total * (size_t)oc * sizeof *in);
	if (!h->src) {
		for (int64_t i = 0; i < total * oc; i++)
			in[i] = (float)(0.1 * sh_rng_gauss(h->rng));
	} else {
		const int sc = h->src_channels;
		float *raw = sc == oc ? in : sh_malloc((size_t)total * (size_t)sc * sizeof *raw);
		if (sh_audio_source_get(h->src, start - h->lead, (size_t)total, raw) != 0) {
			if (raw != in)
				free(raw);
			free(in);
			return -1;
		}
		if (raw != in) {
			/* another channel count: the mono mix on every channel */
			float *mono = sh_malloc((size_t)total * sizeof *mono);
			sh_audio_downmix(raw, (size_t)total, sc, mono);
			for (int64_t i = 0; i < total; i++)
				for (int c = 0; c < oc; c++)
					in[i * oc + c] = mono[i];
			free(mono);
			free(raw);
		}
	}
	if (whole) {
		*whole = 0;
		for (int64_t i = h->lead * oc; i < total * oc; i++)
			*whole += (double)in[i] * in[i];
	}
	int r = filter(h, in, h->lead, n, out);
	free(in);
	return r;
}

/* How much a stretch holds: the energy of its quietest quarter first (so a
 * stretch that is full throughout wins over one loud hit and silence), then
 * its whole energy. */
typedef struct {
	double quiet, all;
} score;

static score score_of(const float *x, int64_t n, int ch)
{
	score s = {INFINITY, 0};
	for (int q = 0; q < 4; q++) {
		double e = 0;
		for (int64_t i = n * q / 4 * ch; i < n * (q + 1) / 4 * ch; i++)
			e += (double)x[i] * x[i];
		if (e < s.quiet)
			s.quiet = e;
		s.all += e;
	}
	return s;
}

static bool better(score a, score b) { return a.quiet > b.quiet || (a.quiet == b.quiet && a.all > b.all); }

static void band_text(const sh_hiss *h, char *buf, size_t cap)
{
	if (h->o.highpass)
		snprintf(buf, cap, "above %g Hz", h->o.highpass_hz);
	else
		snprintf(buf, cap, "in %g..%g Hz", h->o.band_lo, h->o.band_hi);
}

/* N filtered frames into OUT from the best of the candidate places (noise: one
 * draw); *from is where they start in the source (-1: noise). */
static int best_stretch(sh_hiss *h, int64_t n, float *out, int64_t *from, const char *what)
{
	const size_t count = (size_t)n * (size_t)h->o.channels;
	if (!h->src) {
		*from = -1;
		return material(h, 0, n, out, NULL);
	}
	if (h->src_frames < n) {
		sh_set_error("%.3f s of audio is too short for %s: it needs %.3f s", (double)h->src_frames / h->o.rate,
		             what, (double)n / h->o.rate);
		return -1;
	}
	float *tmp = sh_malloc(count * sizeof *tmp);
	score best = {-1, -1};
	double best_whole = 0;
	for (int k = 0; k < SH_HISS_CANDIDATES; k++) {
		int64_t s = (int64_t)sh_rng_int_between(h->rng, 0, (long)(h->src_frames - n));
		double whole;
		if (material(h, s, n, tmp, &whole) != 0) {
			free(tmp);
			return -1;
		}
		score e = score_of(tmp, n, h->o.channels);
		if (better(e, best)) {
			best = e;
			best_whole = whole;
			*from = s;
			memcpy(out, tmp, count * sizeof *tmp);
		}
	}
	free(tmp);
	double db = 10 * log10((best.all + 1e-30) / (best_whole + 1e-30));
	if (best_whole <= 0 || db < SH_HISS_FLOOR_DB) {
		char band[64];
		band_text(h, band, sizeof band);
		if (best_whole <= 0)
			sh_set_error("nothing %s to make hiss from: digital silence", band);
		else
			sh_set_error("nothing %s to make hiss from: the band is %.0f dB below the sound", band, -db);
		return -1;
	}
	return 0;
}

/* ---- loops ---- */

static int tremolo(const sh_hiss *h, float *y, int64_t n, double rate)
{
	sh_proc *p = sh_proc_new(sh_proc_find("tremolo"));
	char words[96];
	snprintf(words, sizeof words, "rate=%.17g depth=%.17g", rate, h->o.trem_depth);
	float *out = sh_malloc((size_t)n * (size_t)h->o.channels * sizeof *out);
	collect c = {.buf = out, .channels = h->o.channels, .want = n};
	int r = sh_proc_assign(p, words);
	if (r == 0 && sh_proc_chain_start(&p, 1, h->o.rate, h->o.channels, 0, collect_sink, &c) < 0)
		r = -1;
	if (r == 0 && (sh_proc_push(p, y, (size_t)n) != 0 || sh_proc_finish(p) != 0))
		r = -1;
	sh_proc_free(p);
	if (r == 0)
		memcpy(y, out, (size_t)n * (size_t)h->o.channels * sizeof *out);
	free(out);
	return r;
}

int sh_hiss_loop(sh_hiss *h, int64_t frames, float **out, double *trem_rate, int64_t *from)
{
	const int ch = h->o.channels;
	int64_t fade = (int64_t)lround(h->o.crossfade * h->o.rate);
	if (fade > frames / 2)
		fade = frames / 2;
	float *x = sh_malloc((size_t)(frames + fade) * (size_t)ch * sizeof *x);
	char what[64];
	snprintf(what, sizeof what, "a loop of %.3f s and its crossfade", (double)frames / h->o.rate);
	if (best_stretch(h, frames + fade, x, from, what) != 0) {
		free(x);
		return -1;
	}
	/* the material past the end fades out over the start as the start fades in */
	sh_seam_crossfade(x, x + frames * ch, 0, fade, fade, ch);
	float *y = sh_realloc(x, (size_t)frames * (size_t)ch, sizeof *y);
	*trem_rate = 0;
	if (h->o.trem_rate > 0 && h->o.trem_depth > 0) {
		double secs = (double)frames / h->o.rate;
		double cycles = round(h->o.trem_rate * secs);
		if (cycles < 1)
			cycles = 1;
		*trem_rate = cycles / secs;
		if (*trem_rate > 100) {
			sh_set_error("a tremolo of %g cycles in a %g s loop is faster than 100 Hz", cycles, secs);
			free(y);
			return -1;
		}
		if (tremolo(h, y, frames, *trem_rate) != 0) {
			free(y);
			return -1;
		}
	}
	sh_normalize_peak(y, (size_t)frames * (size_t)ch, h->o.peak_db);
	*out = y;
	return 0;
}

/* ---- flicker bursts ---- */

static int64_t frames_of(const sh_hiss *h, double seconds) { return (int64_t)llround(seconds * h->o.rate); }

int sh_hiss_flicker(sh_hiss *h, int count, sh_range burst, sh_range gap, float **out, int64_t *frames,
                    sh_hiss_burst *bursts)
{
	const int ch = h->o.channels;
	/* every length is drawn first, so the layout is known before the material */
	int64_t *len = sh_malloc((size_t)count * sizeof *len), *gaps = sh_calloc((size_t)count, sizeof *gaps);
	int64_t total = 0;
	for (int i = 0; i < count; i++) {
		len[i] = frames_of(h, sh_rng_between(h->rng, burst.lo, burst.hi));
		if (len[i] < 2)
			len[i] = 2;
		if (i + 1 < count)
			gaps[i] = frames_of(h, sh_rng_between(h->rng, gap.lo, gap.hi));
		total += len[i] + gaps[i];
	}
	float *y = sh_calloc((size_t)total * (size_t)ch, sizeof *y);
	int64_t at = 0;
	int r = 0;
	for (int i = 0; i < count && r == 0; i++) {
		int64_t from;
		float *b = y + at * ch;
		char what[64];
		snprintf(what, sizeof what, "a flicker burst of %.3f s", (double)len[i] / h->o.rate);
		if ((r = best_stretch(h, len[i], b, &from, what)) != 0)
			break;
		int64_t a = frames_of(h, SH_HISS_ATTACK), rel = frames_of(h, SH_HISS_RELEASE);
		if (a + rel > len[i]) {
			double k = (double)len[i] / (double)(a + rel);
			a = (int64_t)floor(a * k);
			rel = len[i] - a;
		}
		sh_env e = {.rise = a, .decay = rel, .rise_shape = SH_ENV_LINEAR, .decay_shape = SH_ENV_LINEAR};
		sh_env_apply(&e, b, len[i], ch);
		sh_normalize_peak(b, (size_t)len[i] * (size_t)ch, h->o.peak_db);
		if (bursts)
			bursts[i] = (sh_hiss_burst){.start = at, .frames = len[i], .from = from};
		at += len[i] + gaps[i];
	}
	free(len);
	free(gaps);
	if (r != 0) {
		free(y);
		return -1;
	}
	*out = y;
	*frames = total;
	return 0;
}
