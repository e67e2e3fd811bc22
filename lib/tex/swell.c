/* swell.c -- swell one-shots; see swell.h. */
#include "swell.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "stretch.h"

/* The stretcher's output, of which the frames [from, from + n) are kept. */
typedef struct {
	float *buf;
	int channels;
	int64_t from, n;
	int64_t seen;  /* frames of output so far */
} keep;

static void keep_emit(void *user, const float *b, size_t frames)
{
	keep *k = user;
	int64_t a = k->seen, e = k->seen + (int64_t)frames;
	k->seen = e;
	int64_t lo = a > k->from ? a : k->from, hi = e < k->from + k->n ? e : k->from + k->n;
	if (hi > lo)
		memcpy(k->buf + (lo - k->from) * k->channels, b + (lo - a) * k->channels,
		       (size_t)(hi - lo) * (size_t)k->channels * sizeof *b);
}

int sh_swell_make(sh_audio_source *src, int rate, int channels, const sh_swell_opts *o, sh_swell *out)
{
	memset(out, 0, sizeof *out);
	const bool stretched = o->stretch != 1 || o->pitch != 0;
	const int64_t in_frames = sh_audio_source_frames(src);
	const int64_t total = stretched ? llround((double)in_frames * o->stretch) : in_frames;
	const double secs = (double)total / rate;
	char what[96] = "";
	if (stretched && o->stretch != 1)
		snprintf(what, sizeof what, " (%.3f s stretched %g times)", (double)in_frames / rate, o->stretch);
	int64_t first = o->start >= 0 ? llround(o->start * rate) : 0;
	if (first > total) {
		sh_set_error("--start %g s is past the end of %.3f s of audio%s", o->start, secs, what);
		return -1;
	}
	int64_t n = o->duration > 0 ? llround(o->duration * rate) : total - first;
	int64_t rise = llround(o->rise * rate), decay = llround(o->decay * rate);
	if (n > total) {
		sh_set_error("%.3f s of audio%s is shorter than the swell's %g s", secs, what, o->duration);
		return -1;
	}
	if (rise + decay > n) {
		if (o->duration > 0)
			sh_set_error("the swell's %g s is shorter than its rise %g s and decay %g s", o->duration, o->rise,
			             o->decay);
		else if (o->start >= 0)
			sh_set_error("%.3f s of audio%s from %g s on is shorter than the rise %g s and decay %g s",
			             (double)n / rate, what, o->start, o->rise, o->decay);
		else
			sh_set_error("%.3f s of audio%s is shorter than the rise %g s and decay %g s", secs, what, o->rise,
			             o->decay);
		return -1;
	}
	int64_t start = o->start >= 0 ? first : (total - n) / 2;
	if (start + n > total) {
		sh_set_error("a swell of %.3f s from %g s runs past the end of %.3f s of audio%s", (double)n / rate,
		             o->start, secs, what);
		return -1;
	}
	float *y = sh_calloc((size_t)(n ? n : 1) * (size_t)channels, sizeof *y);
	if (stretched) {
		sh_stretch_opts so = {.ratio = o->stretch, .pitch = pow(2, o->pitch / 12)};
		keep k = {.buf = y, .channels = channels, .from = start, .n = n};
		if (sh_stretch_offline(&so, src, rate, channels, keep_emit, &k) < 0) {
			free(y);
			return -1;
		}
	} else if (sh_audio_source_get(src, start, (size_t)n, y) != 0) {
		free(y);
		return -1;
	}
	sh_env e = {.rise = rise, .decay = decay, .rise_shape = o->rise_shape, .decay_shape = o->decay_shape};
	sh_env_apply(&e, y, n, channels);
	out->channels = channels;
	if (o->mono && channels > 1) {
		sh_audio_downmix(y, (size_t)n, channels, y); /* in place: frame i is read before slot i is written */
		out->channels = 1;
	}
	out->peak_before = sh_normalize_peak(y, (size_t)n * (size_t)out->channels, o->peak_db);
	out->audio = y;
	out->frames = n;
	out->start = start;
	out->source_frames = total;
	out->rise = rise;
	out->decay = decay;
	return 0;
}
