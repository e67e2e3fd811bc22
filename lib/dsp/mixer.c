/* mixer.c -- N inputs summed block by block; see mixer.h.
 *
 * Each input is a small pipeline: a reader of the part used (trim, len,
 * loops) at the input's own rate, the `resample` processor when its rate is
 * not the mix's, and a FIFO of mix-rate frames. The mix is made in blocks:
 * for the block [t, t + n) each input that has begun tops its FIFO up to what
 * the block needs, and its frames are multiplied by its matrix (gain, pan,
 * channel map) into the sum. An input that runs dry within the block has
 * ended there, at an exact sample, and the mix's end follows from those ends
 * (the longest, the shortest, or a given duration). A FIFO is topped up to
 * what the block needs however few frames a read gives (and the resampler's
 * output does not depend on its block sizes), so the output does not depend
 * on how a pipe or a decoder delivers its frames. */
#define _GNU_SOURCE
#include "mixer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "audio.h"
#include "cli.h"
#include "media.h"
#include "proc.h"

#define READ_BLOCK 8192 /* input frames read at a time */

/* ---------------------------------------------------------------- operands */

static bool exists(const char *path)
{
	struct stat st;
	return !strcmp(path, "-") || stat(path, &st) == 0;
}

/* "0" or a duration in seconds or samples (never beats or frames): 0 / -1. */
static int parse_dur(const char *op, const char *key, const char *text, bool zero_ok, sh_duration *d)
{
	double v;
	if (zero_ok && sh_parse_double(text, &v) == 0 && v == 0) {
		*d = (sh_duration){0, SH_DUR_SECONDS};
		return 0;
	}
	if (sh_parse_duration(text, 1.0, d) != 0) {
		sh_set_error("%s: %s=%s: %s", op, key, text, sh_error());
		return -1;
	}
	if (d->unit != SH_DUR_SECONDS && d->unit != SH_DUR_SAMPLES) {
		sh_set_error("%s: %s=%s: give seconds (2.5, 300ms, 1min) or samples (1200smp)", op, key, text);
		return -1;
	}
	return 0;
}

static int parse_gain(const char *op, const char *text, double *db)
{
	char buf[64];
	size_t n = strlen(text);
	if (n < sizeof buf) { /* longer is no gain anyone writes: refused, not cut short */
		memcpy(buf, text, n + 1);
		if (n > 2 && !strcasecmp(buf + n - 2, "db"))
			buf[n - 2] = 0;
	}
	if (n >= sizeof buf || sh_parse_double(buf, db) != 0) {
		sh_set_error("%s: gain '%s' is not a number of dB (-6, -6dB, +3.5dB)", op, text);
		return -1;
	}
	if (*db < SH_MIX_GAIN_MIN || *db > SH_MIX_GAIN_MAX) {
		sh_set_error("%s: gain %s dB is outside %g..%g dB", op, buf, SH_MIX_GAIN_MIN, SH_MIX_GAIN_MAX);
		return -1;
	}
	return 0;
}

static int parse_pan(const char *op, const char *text, double *pan)
{
	if (sh_parse_double(text, pan) != 0) {
		sh_set_error("%s: pan '%s' is not a number (-1 left .. 1 right)", op, text);
		return -1;
	}
	if (*pan < -1 || *pan > 1) {
		sh_set_error("%s: pan %s is outside -1..1 (-1 left, 0 centre, 1 right)", op, text);
		return -1;
	}
	return 0;
}

static int parse_loop(const char *op, const char *text, int64_t *loops)
{
	if (!strcmp(text, "inf") || !strcmp(text, "forever")) {
		*loops = 0;
		return 0;
	}
	if (sh_parse_int64(text, loops) != 0 || *loops < 1 || *loops > SH_MIX_LOOPS_MAX) {
		sh_set_error("%s: loop=%s: the times the part plays, 1..%d, or inf (until the mix ends)", op,
		             text, SH_MIX_LOOPS_MAX);
		return -1;
	}
	return 0;
}

/* One field of an operand: a positional GAIN (index 0) or PAN (1), or KEY=VALUE. */
static int parse_field(const char *op, char *f, int index, sh_mix_input *in)
{
	char *eq = strchr(f, '=');
	if (!eq) {
		if (!*f)
			return 0; /* an empty field keeps the default: a.wav::0.5 */
		if (index == 0)
			return parse_gain(op, f, &in->gain_db);
		if (index == 1)
			return parse_pan(op, f, &in->pan);
		sh_set_error("%s: '%s': after GAIN and PAN only KEY=VALUE fields (gain, pan, start, end, trim, "
		             "len, loop, fadein, fadeout)", op, f);
		return -1;
	}
	*eq = 0;
	const char *key = f, *val = eq + 1;
	if (!strcmp(key, "gain"))
		return parse_gain(op, val, &in->gain_db);
	if (!strcmp(key, "pan"))
		return parse_pan(op, val, &in->pan);
	if (!strcmp(key, "start")) {
		/* +DUR: after the input before ends (+0: right after it) */
		in->after = val[0] == '+';
		return in->has_start = true, parse_dur(op, key, val + in->after, true, &in->start);
	}
	if (!strcmp(key, "end"))
		return in->has_end = true, parse_dur(op, key, val, true, &in->end);
	if (!strcmp(key, "trim"))
		return in->has_trim = true, parse_dur(op, key, val, true, &in->trim);
	if (!strcmp(key, "len"))
		return in->has_len = true, parse_dur(op, key, val, false, &in->len);
	if (!strcmp(key, "loop"))
		return parse_loop(op, val, &in->loops);
	if (!strcmp(key, "fadein"))
		return in->has_fade_in = true, parse_dur(op, key, val, true, &in->fade_in);
	if (!strcmp(key, "fadeout"))
		return in->has_fade_out = true, parse_dur(op, key, val, true, &in->fade_out);
	sh_set_error("%s: unknown key '%s' (gain, pan, start, end, trim, len, loop, fadein, fadeout)", op, key);
	return -1;
}

int sh_mix_parse(const char *operand, sh_mix_input *in)
{
	memset(in, 0, sizeof *in);
	in->loops = 1;
	if (!*operand) {
		sh_set_error("an empty operand: give FILE[:GAIN[:PAN]]");
		return -1;
	}
	/* the file: the whole operand, else the longest part before a ':' that
	 * exists, else the part before the first ':' (the one to report missing) */
	size_t plen = strlen(operand);
	if (!exists(operand)) {
		char *t = sh_strdup(operand);
		plen = strcspn(operand, ":");
		for (size_t i = strlen(t); i-- > 0;) {
			if (t[i] != ':')
				continue;
			t[i] = 0;
			if (exists(t)) {
				plen = i;
				break;
			}
		}
		free(t);
	}
	if (plen == 0) {
		sh_set_error("%s: no file before the ':' (FILE[:GAIN[:PAN]])", operand);
		return -1;
	}
	in->path = sh_strdup(operand);
	in->path[plen] = 0;
	if (!operand[plen])
		return 0;
	char *fields = sh_strdup(operand + plen + 1);
	int index = 0, rc = 0;
	for (char *f = fields, *next; f && rc == 0; f = next, index++) {
		next = strchr(f, ':');
		if (next)
			*next++ = 0;
		rc = parse_field(operand, f, index, in);
	}
	free(fields);
	if (rc != 0) {
		sh_mix_input_free(in);
		return -1;
	}
	return 0;
}

void sh_mix_input_free(sh_mix_input *in)
{
	free(in->path);
	in->path = NULL;
}

/* ---------------------------------------------------------------- inputs */

typedef struct {
	const sh_mix_input *spec;
	const char *name;
	sh_audio_in *in;         /* libsndfile or our AU/WAV parser */
	sh_audio_source *src;    /* a pipe that loops: random access over a spool */
	sh_media *media;         /* FFmpeg */
	int rate, ch;
	int64_t trim, len;       /* input frames; len -1: to the input's end */
	int64_t start;           /* mix frames */
	int64_t gap;             /* after: frames from the end of the input before */
	bool waiting;            /* after: the input before has not ended yet */
	int64_t stop;            /* mix frames where it is cut; -1: none */
	int64_t loops;           /* 0: forever */
	int64_t fade_in, fade_out; /* mix frames; 0: none */
	/* the reader */
	int64_t pos;             /* frames into the current pass */
	int64_t passes;          /* passes done */
	int64_t abs;             /* src: the next frame to read */
	bool in_done;            /* no more input frames */
	/* the resampler and the FIFO of mix-rate frames */
	sh_proc *rs;
	float *inbuf;            /* READ_BLOCK input frames for the resampler */
	float *fifo;
	size_t fhead, ftail, fcap; /* frames */
	bool finished;           /* everything is in the FIFO */
	bool ended;              /* ran dry: its end in the mix is known */
	bool begun;              /* its first frame has been asked for */
	int64_t taken;           /* frames taken from the FIFO */
	int64_t end;             /* its end in the mix, once ended */
	float *mat;              /* channels x ch */
	bool diag;               /* mat is diagonal with ch == channels */
} input;

struct sh_mixer {
	input *in;
	int n;
	int rate, channels;
	bool shortest;
	int64_t length;          /* -1: from the inputs */
	int64_t t;               /* frames of the mix made */
	int64_t known_end;       /* -1 until known */
	float *scratch;          /* READ_BLOCK input frames for discarding */
};

static int to_frames(const sh_duration *d, int rate, int64_t *frames)
{
	double s;
	if (d->unit == SH_DUR_SAMPLES) {
		*frames = llround(d->amount);
		return 0;
	}
	if (sh_duration_seconds(d, 0, 0, rate, &s) != 0)
		return -1;
	*frames = llround(s * rate);
	return 0;
}

/* Open the file: our parser or libsndfile, else FFmpeg. */
static int open_input(input *x)
{
	const char *path = x->spec->path;
	x->in = sh_audio_open(path);
	if (x->in) {
		x->rate = sh_audio_rate(x->in);
		x->ch = sh_audio_channels(x->in);
		x->name = sh_audio_name(x->in);
		return 0;
	}
	struct stat st;
	if (!strcmp(path, "-") || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return -1;
	char *why = sh_strdup(sh_error());
	x->media = sh_media_open(path);
	if (!x->media) {
		sh_set_error("%s", why); /* not media either: libsndfile's word on it */
		free(why);
		return -1;
	}
	free(why);
	if (sh_media_audio_begin(x->media, 0, 0, 0, 0) != 0)
		return -1;
	x->rate = sh_media_audio_rate(x->media);
	x->ch = sh_media_audio_channels(x->media);
	x->name = x->spec->path;
	if (x->ch < 1 || x->ch > SH_MAX_CHANNELS) {
		sh_set_error("%s: %d channels: shards handles 1 to %d", path, x->ch, SH_MAX_CHANNELS);
		return -1;
	}
	return 0;
}

/* Raw frames from wherever the input is, in order. */
static ssize_t raw_read(input *x, float *buf, size_t n)
{
	if (x->src) {
		int64_t held = sh_audio_source_ensure(x->src, x->abs + (int64_t)n);
		if (held < 0)
			return -1;
		int64_t k = held - x->abs;
		if (k <= 0)
			return 0;
		if (k > (int64_t)n)
			k = (int64_t)n;
		if (sh_audio_source_get(x->src, x->abs, (size_t)k, buf) != 0)
			return -1;
		x->abs += k;
		return (ssize_t)k;
	}
	if (x->media) /* short reads are fine: fill() and discard() ask again */
		return sh_media_audio_read(x->media, buf, n);
	return sh_audio_read(x->in, buf, n);
}

/* Skip K frames of a reader that cannot seek. */
static int discard(sh_mixer *m, input *x, int64_t k)
{
	while (k > 0) {
		size_t want = k < READ_BLOCK ? (size_t)k : READ_BLOCK;
		ssize_t r = raw_read(x, m->scratch, want);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		k -= r;
	}
	return 0;
}

/* To the beginning of the part: the first pass and every loop. */
static int rewind_part(sh_mixer *m, input *x)
{
	x->pos = 0;
	if (x->src) {
		x->abs = x->trim;
		return 0;
	}
	if (x->media) {
		if (x->passes > 0) { /* a decoder goes forwards only: open the file again */
			sh_media_close(x->media);
			if (!(x->media = sh_media_open(x->spec->path)) ||
			    sh_media_audio_begin(x->media, 0, 0, 0, 0) != 0)
				return -1;
		}
		return discard(m, x, x->trim);
	}
	if (sh_audio_seekable(x->in)) {
		int64_t f = sh_audio_frames(x->in);
		return sh_audio_seek(x->in, x->trim < f ? x->trim : f);
	}
	return discard(m, x, x->trim); /* a pipe read once */
}

/* Up to N frames of the part (loops included); 0 when it is over. */
static ssize_t read_part(sh_mixer *m, input *x, float *buf, size_t n)
{
	for (;;) {
		if (x->in_done)
			return 0;
		size_t k = n;
		if (x->len >= 0 && (int64_t)k > x->len - x->pos)
			k = (size_t)(x->len - x->pos);
		ssize_t got = k ? raw_read(x, buf, k) : 0;
		if (got < 0)
			return -1;
		if (got > 0) {
			x->pos += got;
			return got;
		}
		/* the end of a pass */
		x->passes++;
		if (x->pos == 0 || (x->loops > 0 && x->passes >= x->loops)) {
			if (x->pos == 0 && x->passes == 1)
				sh_warn("%s: nothing to play (trimmed past its end?)", x->name);
			x->in_done = true;
			return 0;
		}
		if (rewind_part(m, x) != 0)
			return -1;
	}
}

static void fifo_room(input *x, size_t frames)
{
	const size_t ch = (size_t)x->ch;
	if (x->ftail + frames <= x->fcap)
		return;
	if (x->fhead) {
		memmove(x->fifo, x->fifo + x->fhead * ch, (x->ftail - x->fhead) * ch * sizeof(float));
		x->ftail -= x->fhead;
		x->fhead = 0;
	}
	if (x->ftail + frames > x->fcap) {
		x->fcap = 2 * (x->ftail + frames);
		x->fifo = sh_realloc(x->fifo, x->fcap * ch, sizeof(float));
	}
}

/* The resampler's sink: into the FIFO. */
static int to_fifo(void *user, const float *buf, size_t frames)
{
	input *x = user;
	fifo_room(x, frames);
	memcpy(x->fifo + x->ftail * (size_t)x->ch, buf, frames * (size_t)x->ch * sizeof(float));
	x->ftail += frames;
	return 0;
}

/* Top the FIFO up to WANT frames, or to the input's end. */
static int fill(sh_mixer *m, input *x, size_t want)
{
	while (x->ftail - x->fhead < want && !x->finished) {
		ssize_t got;
		if (!x->rs) { /* straight into the FIFO */
			fifo_room(x, READ_BLOCK);
			got = read_part(m, x, x->fifo + x->ftail * (size_t)x->ch, READ_BLOCK);
			if (got < 0)
				return -1;
			x->ftail += (size_t)got;
		} else {
			got = read_part(m, x, x->inbuf, READ_BLOCK);
			if (got < 0 || (got > 0 && sh_proc_push(x->rs, x->inbuf, (size_t)got) != 0))
				return -1;
			if (got == 0 && sh_proc_finish(x->rs) != 0)
				return -1;
		}
		if (got == 0)
			x->finished = true;
	}
	return 0;
}

/* The gains from input channel i to mix channel j (mixer.h has the rules). */
static int plan_matrix(input *x, int C)
{
	const int N = x->ch;
	const double g = pow(10, x->spec->gain_db / 20);
	const double th = (x->spec->pan + 1) * M_PI / 4, pan = x->spec->pan;
	x->mat = sh_calloc((size_t)C * (size_t)N, sizeof(float));
	float *M = x->mat;
	if (pan != 0 && (N > 2 || C == 1)) {
		if (C == 1)
			sh_warn("%s: pan %g: the mix is mono, so it has no sides: pan ignored", x->name, pan);
		else {
			sh_set_error("%s: pan works on mono and stereo inputs; this one has %d channels", x->name, N);
			return -1;
		}
	}
	if (N == 1 && C >= 2) {
		M[0 * N] = (float)(g * cos(th));
		M[1 * N] = (float)(g * sin(th));
	} else if (N <= C) {
		double bal[2] = {1, 1};
		if (N == 2) {
			bal[0] = fmin(1, M_SQRT2 * cos(th));
			bal[1] = fmin(1, M_SQRT2 * sin(th));
		}
		for (int i = 0; i < N; i++)
			M[i * N + i] = (float)(g * (i < 2 ? bal[i] : 1));
	} else {
		for (int j = 0; j < C; j++) {
			int count = 0;
			for (int i = j; i < N; i += C)
				count++;
			for (int i = j; i < N; i += C)
				M[j * N + i] = (float)(g / count);
		}
	}
	x->diag = N == C;
	for (int j = 0; j < C && x->diag; j++)
		for (int i = 0; i < N; i++)
			if (i != j && M[j * N + i] != 0)
				x->diag = false;
	return 0;
}

/* OUT (C channels) += X's N frames times its matrix. */
static void mix_into(const input *x, int C, float *restrict out, const float *restrict in, size_t n)
{
	const int N = x->ch;
	const float *M = x->mat;
	if (x->diag && C == 2) {
		const float a = M[0], b = M[3];
		for (size_t f = 0; f < n; f++) {
			out[2 * f] += a * in[2 * f];
			out[2 * f + 1] += b * in[2 * f + 1];
		}
	} else if (x->diag) {
		for (size_t f = 0; f < n; f++)
			for (int c = 0; c < C; c++)
				out[f * C + c] += M[c * N + c] * in[f * N + c];
	} else if (N == 1 && C == 2) {
		const float a = M[0], b = M[1];
		for (size_t f = 0; f < n; f++) {
			out[2 * f] += a * in[f];
			out[2 * f + 1] += b * in[f];
		}
	} else {
		for (int j = 0; j < C; j++)
			for (int i = 0; i < N; i++) {
				const float w = M[j * N + i];
				if (w == 0)
					continue;
				for (size_t f = 0; f < n; f++)
					out[f * C + j] += w * in[f * N + i];
			}
	}
}

static int setup_input(sh_mixer *m, input *x, const sh_mixer_opts *o, bool *usage)
{
	const sh_mix_input *s = x->spec;
	x->len = -1;
	x->stop = -1;
	x->loops = s->loops;
	if ((s->has_start && to_frames(&s->start, m->rate, &x->start) != 0) ||
	    (s->has_fade_in && to_frames(&s->fade_in, m->rate, &x->fade_in) != 0) ||
	    (s->has_fade_out && to_frames(&s->fade_out, m->rate, &x->fade_out) != 0) ||
	    (s->has_trim && to_frames(&s->trim, x->rate, &x->trim) != 0) ||
	    (s->has_len && to_frames(&s->len, x->rate, &x->len) != 0) ||
	    (s->has_end && to_frames(&s->end, m->rate, &x->stop) != 0)) {
		sh_set_error("%s: %s", s->path, sh_error());
		*usage = true;
		return -1;
	}
	if (s->after) {
		if (x == m->in) {
			/* the first input: counted from the mix's start */
		} else if (x[-1].loops == 0) {
			sh_set_error("%s: start=+: the input before loops forever, so it never ends", s->path);
			*usage = true;
			return -1;
		} else {
			x->gap = x->start;
			x->waiting = true;
		}
	}
	if (s->has_end && !s->after && x->stop <= x->start) {
		sh_set_error("%s: end= is not after start=", s->path);
		*usage = true;
		return -1;
	}
	if (s->has_len && x->len < 1) {
		sh_set_error("%s: len is shorter than one sample", s->path);
		*usage = true;
		return -1;
	}
	if (plan_matrix(x, m->channels) != 0) {
		*usage = true;
		return -1;
	}
	/* a pipe that loops is kept for the next pass (memory, then a spool file) */
	if (x->in && !sh_audio_seekable(x->in) && x->loops != 1) {
		if (!(x->src = sh_audio_source_open_lazy(x->in, o->spool_limit)))
			return -1;
		if (discard(m, x, x->trim) != 0) /* read up to the part, then let that go */
			return -1;
		sh_audio_source_release(x->src, x->trim);
	}
	if (x->rate != m->rate) {
		sh_note("%s: resampling %d Hz to %d Hz", x->name, x->rate, m->rate);
		x->inbuf = sh_malloc((size_t)READ_BLOCK * (size_t)x->ch * sizeof(float));
		char r[32];
		snprintf(r, sizeof r, "%d", m->rate);
		x->rs = sh_proc_new(sh_proc_find("resample"));
		if (sh_proc_set(x->rs, "rate", r) != 0 ||
		    sh_proc_chain_start(&x->rs, 1, x->rate, x->ch, 1, to_fifo, x) < 0) {
			sh_set_error("%s: %s", x->name, sh_error());
			return -1;
		}
	}
	if (!x->src)
		return rewind_part(m, x);
	x->abs = x->trim;
	return 0;
}

sh_mixer *sh_mixer_open(const sh_mix_input *inputs, int n, const sh_mixer_opts *o, bool *usage)
{
	*usage = false;
	if (n < 1) {
		sh_set_error("no inputs");
		*usage = true;
		return NULL;
	}
	sh_mixer *m = sh_calloc(1, sizeof *m);
	m->in = sh_calloc((size_t)n, sizeof *m->in);
	m->n = n;
	m->shortest = o->shortest;
	m->length = -1;
	m->known_end = -1;
	int most = 0;
	bool finite = false;
	for (int i = 0; i < n; i++) {
		m->in[i].spec = &inputs[i];
		if (open_input(&m->in[i]) != 0)
			goto fail;
		if (m->in[i].ch > most)
			most = m->in[i].ch;
		finite = finite || inputs[i].loops != 0;
	}
	m->rate = o->rate > 0 ? o->rate : m->in[0].rate;
	m->channels = o->channels > 0 ? o->channels : most;
	if (o->has_duration) {
		if (to_frames(&o->duration, m->rate, &m->length) != 0) {
			*usage = true;
			goto fail;
		}
		m->known_end = m->length;
	} else if (!finite) {
		sh_set_error("every input loops forever (loop=inf): give the mix a --duration");
		*usage = true;
		goto fail;
	}
	m->scratch = sh_malloc((size_t)READ_BLOCK * SH_MAX_CHANNELS * sizeof(float));
	for (int i = 0; i < n; i++)
		if (setup_input(m, &m->in[i], o, usage) != 0)
			goto fail;
	return m;
fail:
	sh_mixer_close(m);
	return NULL;
}

int sh_mixer_rate(const sh_mixer *m) { return m->rate; }
int sh_mixer_channels(const sh_mixer *m) { return m->channels; }

/* The mix's end, when the inputs' ends settle it: -1 while not. */
static int64_t settled_end(const sh_mixer *m)
{
	if (m->known_end >= 0)
		return m->known_end;
	int64_t best = -1;
	for (int i = 0; i < m->n; i++) {
		const input *x = &m->in[i];
		if (x->loops == 0)
			continue; /* forever: it follows the others */
		if (!x->ended) {
			if (!m->shortest)
				return -1;
			continue;
		}
		if (best < 0 || (m->shortest ? x->end < best : x->end > best))
			best = x->end;
	}
	return best;
}

/* The fades over the next N frames at the FIFO's head, in place (they are
 * taken at once). The end is known here when the fade-out reaches this block:
 * fill() read fade_out frames beyond it, so an input not finished ends later. */
static void fade(input *x, size_t n)
{
	const size_t ch = (size_t)x->ch;
	const int64_t k0 = x->taken;
	const int64_t total = x->finished ? x->taken + (int64_t)(x->ftail - x->fhead) : -1;
	float *p = x->fifo + x->fhead * ch;
	if (k0 < x->fade_in) {
		const int64_t e = x->fade_in - k0 < (int64_t)n ? x->fade_in - k0 : (int64_t)n;
		for (int64_t f = 0; f < e; f++) {
			const float g = (float)((k0 + f + 0.5) / (double)x->fade_in);
			for (size_t c = 0; c < ch; c++)
				p[f * ch + c] *= g;
		}
	}
	if (total >= 0 && x->fade_out > 0 && k0 + (int64_t)n > total - x->fade_out) {
		int64_t f = total - x->fade_out - k0;
		for (f = f < 0 ? 0 : f; f < (int64_t)n; f++) {
			const float g = (float)((total - k0 - f - 0.5) / (double)x->fade_out);
			for (size_t c = 0; c < ch; c++)
				p[f * ch + c] *= g;
		}
	}
}

ssize_t sh_mixer_read(sh_mixer *m, float *buf, size_t n)
{
	const size_t C = (size_t)m->channels;
	if (m->known_end >= 0 && m->t >= m->known_end)
		return 0;
	if (m->known_end >= 0 && (int64_t)n > m->known_end - m->t)
		n = (size_t)(m->known_end - m->t);
	memset(buf, 0, n * C * sizeof(float));
	const int64_t t = m->t, t1 = t + (int64_t)n;
	for (int i = 0; i < m->n; i++) {
		input *x = &m->in[i];
		if (x->waiting && i > 0 && m->in[i - 1].ended) {
			x->start = m->in[i - 1].end + x->gap;
			x->waiting = false;
		}
		if (x->ended || x->waiting || x->start >= t1)
			continue;
		const int64_t from = x->start > t ? x->start : t;
		const int64_t lim = x->stop >= 0 && x->stop < t1 ? x->stop : t1;
		if (lim <= from) { /* cut by end= (before it even began: it ends where it starts) */
			x->ended = true;
			x->end = from;
			continue;
		}
		const size_t want = (size_t)(lim - from);
		/* a fade-out needs to see its end: fade_out frames beyond the block */
		if (fill(m, x, want + (size_t)x->fade_out) != 0) {
			if (!strstr(sh_error(), x->name)) {
				char *e = sh_strdup(sh_error());
				sh_set_error("%s: %s", x->name, e);
				free(e);
			}
			return -1;
		}
		size_t have = x->ftail - x->fhead;
		if (have > want)
			have = want;
		if (x->fade_in > 0 || x->fade_out > 0)
			fade(x, have);
		mix_into(x, (int)C, buf + (size_t)(from - t) * C, x->fifo + x->fhead * (size_t)x->ch, have);
		x->fhead += have;
		x->taken += (int64_t)have;
		if (have < want) {
			x->ended = true;
			x->end = x->start + x->taken;
		} else if (lim < t1 || from + (int64_t)have == x->stop) {
			x->ended = true; /* cut at end= */
			x->end = x->stop;
		}
	}
	int64_t e = settled_end(m);
	if (e >= 0) {
		m->known_end = e;
		if (e < t1)
			n = e > t ? (size_t)(e - t) : 0;
	}
	m->t += (int64_t)n;
	return (ssize_t)n;
}

void sh_mixer_close(sh_mixer *m)
{
	if (!m)
		return;
	for (int i = 0; i < m->n; i++) {
		input *x = &m->in[i];
		sh_proc_free(x->rs);
		sh_audio_source_close(x->src);
		sh_audio_close(x->in);
		sh_media_close(x->media);
		free(x->inbuf);
		free(x->fifo);
		free(x->mat);
	}
	free(m->in);
	free(m->scratch);
	free(m);
}
