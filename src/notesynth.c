/* notesynth -- hear note events without a MIDI synth: a small polyphonic synth
 * (sine, triangle, saw, square with an ADSR envelope) writing audio. */
#include "audio.h"
#include "cli.h"
#include "events.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] = "notesynth [options] [FILE]";

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
		sh_audio_write(s->out, s->buf, n);
		s->pos += (int64_t)n;
	}
}

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	const char *out = NULL;
	const char *wave = "tri";    /* sine pure, tri soft, saw buzzy, square hollow */
	int64_t rate = 48000;
	int64_t channels = 1;
	double bpm = 120;            /* tempo until the first tempo event */
	sh_duration attack = {0.005, SH_DUR_SECONDS};  /* 1ms clicks, 200ms swells */
	sh_duration decay = {0.080, SH_DUR_SECONDS};   /* time to fall to the sustain level */
	double sustain = 0.6;                           /* level held while the gate is open */
	sh_duration release = {0.150, SH_DUR_SECONDS}; /* tail after the gate: 20ms dry, 2s washy */
	double gain = 0.25;          /* level of one full-velocity voice: keep chords below 0 dBFS */
	int64_t voices = 32;         /* polyphony; the oldest voice is stolen beyond it */
	const char *bits_text = NULL;
	bool skip_bad = false;
	sh_option opts[] = {
		SH_AUDIO_OUTPUT_OPTION(out),
		{"wave", 'w', SH_OPT_CHOICE, &wave, .choices = "sine|tri|saw|square", .help = "oscillator (tri)"},
		{"rate", 'r', SH_OPT_INT, &rate, 8000, 192000, .help = "sample rate (48000)"},
		{"channels", 'C', SH_OPT_INT, &channels, 1, 2, .help = "1 or 2 (1)"},
		{"bpm", 'b', SH_OPT_DOUBLE, &bpm, 1, 999, .help = "tempo before the first tempo event (120)"},
		{"attack", 'A', SH_OPT_DURATION, &attack, .scale = 0.001, .help = "attack time (5ms)"},
		{"decay", 'D', SH_OPT_DURATION, &decay, .scale = 0.001, .help = "decay time (80ms)"},
		{"sustain", 'S', SH_OPT_DOUBLE, &sustain, 0, 1, .help = "sustain level (0.6; 0..1)"},
		{"release", 'R', SH_OPT_DURATION, &release, .scale = 0.001, .help = "release time (150ms)"},
		{"gain", 'g', SH_OPT_DOUBLE, &gain, 0, 4, .help = "level of a full-velocity voice (0.25)"},
		{"voices", 0, SH_OPT_INT, &voices, 1, 256, .help = "polyphony (32)"},
		SH_AUDIO_BITS_OPTION(bits_text),
		SH_EV_SKIP_BAD_OPTION(skip_bad),
		{0},
	};
	sh_program prog = {.usage = usage, .summary = "play note events on a small polyphonic synth, audio out"};
	int idx = sh_parse_options(&prog, opts, argc, argv);
	if (idx <= 0)
		return sh_parse_status(idx);
	if (argc - idx > 1)
		sh_usage_error("too many operands (one input file at most)");
	sh_audio_out_opts ao = {0};
	ao.bits = sh_parse_bits(bits_text);
	synth s = {.rate = (int)rate, .channels = (int)channels, .s = sustain, .nv = (int)voices};
	s.wave = !strcmp(wave, "sine") ? WAVE_SINE : !strcmp(wave, "tri") ? WAVE_TRI : !strcmp(wave, "saw") ? WAVE_SAW : WAVE_SQUARE;
	double sec;
	sh_duration_seconds(&attack, bpm, 0, (double)rate, &sec);
	s.a = fmax(1, sec * (double)rate);
	sh_duration_seconds(&decay, bpm, 0, (double)rate, &sec);
	s.d = fmax(1, sec * (double)rate);
	sh_duration_seconds(&release, bpm, 0, (double)rate, &sec);
	s.r = fmax(1, sec * (double)rate);
	s.v = sh_calloc((size_t)voices, sizeof *s.v);

	sh_evreader *in = sh_evreader_open(idx < argc ? argv[idx] : NULL, skip_bad);
	s.out = sh_audio_create(out, (int)rate, (int)channels, &ao);
	sh_tempomap tm;
	sh_tempomap_init(&tm, bpm);
	sh_event ev;
	int64_t age = 0;
	while (sh_evreader_next(in, &ev) == 1) {
		int64_t at = llround(sh_tempomap_seconds(&tm, ev.t) * (double)rate);
		if (sh_ev_is(&ev, "tempo")) {
			double b;
			if (!sh_ev_tempo(in, &ev, &b))
				continue;
			render_until(&s, at);
			sh_tempomap_set(&tm, ev.t, b);
			continue;
		}
		if (!sh_ev_is(&ev, "note"))
			continue;
		sh_evnote nt;
		if (!sh_ev_note(in, &ev, false, &nt))
			continue;
		render_until(&s, at);
		int pick = -1;
		for (int j = 0; j < s.nv && pick < 0; j++)
			if (!s.v[j].on)
				pick = j;
		if (pick < 0) { /* steal the oldest */
			pick = 0;
			for (int j = 1; j < s.nv; j++)
				if (s.v[j].age < s.v[pick].age)
					pick = j;
		}
		voice *v = &s.v[pick];
		memset(v, 0, sizeof *v);
		v->on = true;
		v->pitch = (int)nt.pitch;
		v->inc = 440.0 * pow(2, (nt.pitch - 69) / 12.0) / (double)rate; /* microtonal pitches welcome */
		v->amp = nt.velocity * gain;
		v->start = at;
		v->off = llround(sh_tempomap_seconds(&tm, ev.t + nt.gate) * (double)rate);
		if (v->off <= at)
			v->off = at + 1;
		v->age = age++;
	}
	sh_evreader_close(in);
	/* let every voice finish its release */
	int64_t end = s.pos;
	for (int j = 0; j < s.nv; j++)
		if (s.v[j].on) {
			int64_t e = (s.v[j].off > s.pos ? s.v[j].off : s.pos) + (int64_t)ceil(s.r);
			end = e > end ? e : end;
		}
	render_until(&s, end);
	sh_audio_finish(s.out);
	free(s.v);
	return 0;
}
