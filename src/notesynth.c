/* notesynth -- hear note events without a MIDI synth: a small polyphonic synth
 * (sine, triangle, saw, square with an ADSR envelope) writing audio. */
#include "audio.h"
#include "cli.h"
#include "evfilter.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { WAVE_SINE, WAVE_TRI, WAVE_SAW, WAVE_SQUARE };

typedef struct {
	bool on;
	int pitch;
	double phase, inc;    /* cycles, cycles per sample */
	double amp;           /* velocity x gain */
	int64_t start, off;   /* sample of note-on and of note-off */
	double env;           /* current envelope level */
	double rel_from;      /* level when the release began */
	int64_t age;
} voice;

typedef struct {
	int wave;
	double a, d, s, r; /* attack, decay, release in samples; sustain level */
	voice *v;
	int nv;
	int64_t pos;       /* frames written so far */
	int rate, channels;
	sh_audio_out *out;
	float buf[1024 * 2];
} synth;

/* PolyBLEP: smooths the jumps of saw and square so high notes do not alias. */
static double blep(double t, double dt)
{
	if (t < dt) {
		t /= dt;
		return t + t - t * t - 1;
	}
	if (t > 1 - dt) {
		t = (t - 1) / dt;
		return t * t + t + t + 1;
	}
	return 0;
}

static double osc(int wave, double ph, double dt)
{
	switch (wave) {
	case WAVE_SINE: return sin(2 * M_PI * ph);
	case WAVE_TRI: return ph < 0.5 ? 4 * ph - 1 : 3 - 4 * ph;
	case WAVE_SAW: return 2 * ph - 1 - blep(ph, dt);
	default: {
		double v = ph < 0.5 ? 1 : -1;
		v += blep(ph, dt);
		double p2 = ph + 0.5 - floor(ph + 0.5);
		v -= blep(p2, dt);
		return v;
	}
	}
}

/* Envelope of a voice at absolute sample n. */
static double envelope(const synth *s, voice *v, int64_t n)
{
	if (n < v->off) {
		double k = (double)(n - v->start);
		double e;
		if (k < s->a)
			e = k / s->a;
		else if (k < s->a + s->d)
			e = 1 - (1 - s->s) * (k - s->a) / s->d;
		else
			e = s->s;
		v->env = e;
		return e;
	}
	if (n == v->off)
		v->rel_from = v->env;
	double k = (double)(n - v->off);
	if (k >= s->r) {
		v->on = false;
		return 0;
	}
	return v->rel_from * (1 - k / s->r);
}

static void render_until(synth *s, int64_t until)
{
	while (s->pos < until) {
		size_t n = (size_t)(until - s->pos);
		if (n > 1024)
			n = 1024;
		for (size_t i = 0; i < n; i++) {
			double acc = 0;
			int64_t at = s->pos + (int64_t)i;
			for (int j = 0; j < s->nv; j++) {
				voice *v = &s->v[j];
				if (!v->on)
					continue;
				double e = envelope(s, v, at);
				acc += v->amp * e * osc(s->wave, v->phase, v->inc);
				v->phase += v->inc;
				v->phase -= floor(v->phase);
			}
			for (int c = 0; c < s->channels; c++)
				s->buf[i * (size_t)s->channels + (size_t)c] = (float)acc;
		}
		if (sh_audio_write(s->out, s->buf, n) != 0)
			sh_die("%s", sh_error());
		s->pos += (int64_t)n;
	}
}

/* The command line, at its defaults. */
static struct {
	const char *input, *output;
	const char *wave;      /* sine pure, tri soft, saw buzzy, square hollow */
	int64_t rate, channels;
	double bpm;            /* tempo until the first tempo event */
	sh_duration attack;    /* 1ms clicks, 200ms swells */
	sh_duration decay;     /* time to fall to the sustain level */
	double sustain;        /* level held while the gate is open */
	sh_duration release;   /* tail after the gate: 20ms dry, 2s washy */
	double gain;           /* level of one full-velocity voice: keep chords below 0 dBFS */
	int64_t voices;        /* polyphony; the oldest voice is stolen beyond it */
	const char *bits;
	bool skip_bad;
	bool tail;             /* past an end event, let releases ring */
} cmd = {
	.wave = "tri",
	.rate = 48000,
	.channels = 1,
	.bpm = 120,
	.attack = {0.005, SH_DUR_SECONDS},
	.decay = {0.080, SH_DUR_SECONDS},
	.sustain = 0.6,
	.release = {0.150, SH_DUR_SECONDS},
	.gain = 0.25,
	.voices = 32,
};

/* Fill cmd from argv: -1 to go on, else the exit status. */
static int parse_command_line(int argc, char **argv)
{
	static sh_option opts[] = {
		SH_AUDIO_OUTPUT_OPTION(cmd.output),
		{.name = "wave", .short_name = 'w', .type = SH_OPT_CHOICE, .dest = &cmd.wave,
		 .choices = "sine|tri|saw|square", .help = "oscillator"},
		{.name = "rate", .short_name = 'r', .type = SH_OPT_INT, .dest = &cmd.rate, .min = 8000, .max = 192000,
		 .unit = "Hz", .help = "sample rate"},
		{.name = "channels", .short_name = 'C', .type = SH_OPT_INT, .dest = &cmd.channels, .min = 1, .max = 2,
		 .help = "1 or 2"},
		{.name = "bpm", .short_name = 'b', .type = SH_OPT_DOUBLE, .dest = &cmd.bpm, .min = 1, .max = 999,
		 .unit = "bpm", .help = "tempo before the first tempo event"},
		{.name = "attack", .short_name = 'A', .type = SH_OPT_DURATION, .dest = &cmd.attack, .scale = 0.001,
		 .help = "attack time (bare number: ms)"},
		{.name = "decay", .short_name = 'D', .type = SH_OPT_DURATION, .dest = &cmd.decay, .scale = 0.001,
		 .help = "decay time (bare number: ms)"},
		{.name = "sustain", .short_name = 'S', .type = SH_OPT_DOUBLE, .dest = &cmd.sustain, .min = 0, .max = 1,
		 .help = "sustain level, 0..1"},
		{.name = "release", .short_name = 'R', .type = SH_OPT_DURATION, .dest = &cmd.release, .scale = 0.001,
		 .help = "release time (bare number: ms)"},
		{.name = "gain", .short_name = 'g', .type = SH_OPT_DOUBLE, .dest = &cmd.gain, .min = 0, .max = 4,
		 .help = "level of a full-velocity voice"},
		{.name = "voices", .type = SH_OPT_INT, .dest = &cmd.voices, .min = 1, .max = 256, .help = "polyphony"},
		{.name = "tail", .type = SH_OPT_FLAG, .dest = &cmd.tail,
		 .help = "let releases ring past the stream's end event (default: end exactly there)"},
		SH_AUDIO_BITS_OPTION(cmd.bits),
		SH_EV_SKIP_BAD_OPTION(cmd.skip_bad),
		{0},
	};
	sh_program prog = {.usage = "notesynth [options] [FILE]",
	                   .summary = "play note events on a small polyphonic synth, audio out"};
	return sh_evfilter_parse(&prog, opts, argc, argv, &cmd.input);
}

/* A duration in samples, at least one. */
static double samples(const sh_duration *d)
{
	double sec;
	sh_duration_seconds(d, cmd.bpm, 0, (double)cmd.rate, &sec);
	return fmax(1, sec * (double)cmd.rate);
}

/* The synth the command line asks for (its output not yet open). */
static void make_synth(synth *s)
{
	*s = (synth){.rate = (int)cmd.rate, .channels = (int)cmd.channels, .s = cmd.sustain, .nv = (int)cmd.voices};
	const char *w = cmd.wave;
	s->wave = !strcmp(w, "sine") ? WAVE_SINE : !strcmp(w, "tri") ? WAVE_TRI : !strcmp(w, "saw") ? WAVE_SAW : WAVE_SQUARE;
	s->a = samples(&cmd.attack);
	s->d = samples(&cmd.decay);
	s->r = samples(&cmd.release);
	s->v = sh_calloc((size_t)cmd.voices, sizeof *s->v);
}

/* A note starts on a free voice, or on the oldest one. */
static void start_note(synth *s, const sh_evnote *nt, int64_t at, int64_t off, int64_t age)
{
	int pick = -1;
	for (int j = 0; j < s->nv && pick < 0; j++)
		if (!s->v[j].on)
			pick = j;
	if (pick < 0) { /* steal the oldest */
		pick = 0;
		for (int j = 1; j < s->nv; j++)
			if (s->v[j].age < s->v[pick].age)
				pick = j;
	}
	voice *v = &s->v[pick];
	memset(v, 0, sizeof *v);
	v->on = true;
	v->pitch = (int)nt->pitch;
	v->inc = 440.0 * pow(2, (nt->pitch - 69) / 12.0) / (double)s->rate; /* microtonal pitches welcome */
	v->amp = nt->velocity * cmd.gain;
	v->start = at;
	v->off = off <= at ? at + 1 : off;
	v->age = age;
}

/* Every note and tempo event, rendered up to its time; the last end event's
 * sample into *END (-1 when there is none); -1 with sh_error(). */
static int play(synth *s, sh_evreader *in, int64_t *end)
{
	*end = -1;
	sh_tempomap tm;
	sh_tempomap_init(&tm, cmd.bpm);
	sh_event ev;
	int64_t age = 0;
	int r;
	while ((r = sh_evreader_next(in, &ev)) == 1) {
		int64_t at = llround(sh_tempomap_seconds(&tm, ev.t) * (double)s->rate);
		if (sh_ev_is(&ev, "tempo")) {
			double b;
			if (!sh_ev_tempo(in, &ev, &b))
				continue;
			render_until(s, at);
			sh_tempomap_set(&tm, ev.t, b);
			continue;
		}
		if (sh_ev_is(&ev, "end")) {
			*end = at;
			continue;
		}
		sh_evnote nt;
		if (!sh_ev_is(&ev, "note") || !sh_ev_note(in, &ev, false, &nt))
			continue;
		render_until(s, at);
		start_note(s, &nt, at, llround(sh_tempomap_seconds(&tm, ev.t + nt.gate) * (double)s->rate), age++);
	}
	return r;
}

/* Let every voice finish its release. */
static void ring_out(synth *s)
{
	int64_t end = s->pos;
	for (int j = 0; j < s->nv; j++)
		if (s->v[j].on) {
			int64_t e = (s->v[j].off > s->pos ? s->v[j].off : s->pos) + (int64_t)ceil(s->r);
			end = e > end ? e : end;
		}
	render_until(s, end);
}

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	int status = parse_command_line(argc, argv);
	if (status >= 0)
		return status;
	synth s;
	make_synth(&s);
	sh_audio_out_opts ao = {.bits = sh_parse_bits(cmd.bits)};
	sh_evreader *in = sh_evreader_open(cmd.input, cmd.skip_bad);
	if (!in)
		sh_die("%s", sh_error());
	if (sh_audio_check_output(cmd.output, ao.bits, s.rate, s.channels) != 0)
		sh_usage_error("%s", sh_error());
	s.out = sh_audio_create(cmd.output, s.rate, s.channels, &ao);
	if (!s.out)
		sh_die("%s", sh_error());
	int64_t end;
	if (play(&s, in, &end) != 0)
		sh_die("%s", sh_error());
	sh_evreader_close(in);
	/* N bars end after N bars (a loop that tiles); --tail adds the releases
	 * still sounding there. An end event that notes came after is no end. */
	bool at_end = end >= s.pos;
	if (at_end)
		render_until(&s, end);
	if (!at_end || cmd.tail)
		ring_out(&s);
	if (sh_audio_finish(s.out) != 0)
		sh_die("%s", sh_error());
	free(s.v);
	return 0;
}
