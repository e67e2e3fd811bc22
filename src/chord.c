/* chord -- triggers and notes in, chords out: a named chord on every root, or a
 * progression of roman numerals over a key and a scale, with inversions,
 * voicings and a strum. */
#include "cli.h"
#include "evfilter.h"
#include "scales.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TONES SH_SCALE_MAX /* notes in a chord */
#define MAX_STEPS 256  /* chords in a progression */

/* The knobs, at their defaults. */
static const char *key = "60";           /* where I sits: a MIDI note or a name (C, F#3, Bb2) */
static const char *scale_name = "major"; /* what the numerals count in: major bright, minor dark, dorian smoky */
static const char *scales_file = NULL;   /* extra scales (adds to or replaces the registry's) */
static const char *chord_name = "";      /* one chord for every step; empty: each numeral says */
static const char *chords_file = NULL;   /* extra chords (adds to or replaces the vocabulary) */
static const char *progression = "I";    /* I,vi,IV,V the pop loop; i,bVII,bVI,V7 the Andalusian fall */
static const char *advance = "bar";      /* what moves the progression on: each bar, or each trigger */
static int64_t every = 1;                /* bars (or triggers) per chord: 1 restless, 4 slow harmony */
static int64_t beats_per_bar = 4;        /* the bar the progression counts */
static int64_t inversion = 0;            /* 0 the root in the bass; 1 the third, 2 the fifth: smoother moves */
static const char *voicing = "close";    /* close tight and dense; open and drop2 wide and airy */
static int64_t octave = 0;               /* the whole chord up or down */
static const char *strum = "0";          /* between notes: 0 a block, 20ms a strum, 1/16 a slow roll */
static const char *direction = "up";     /* up low to high, down high to low, alternate like a strumming hand */
static double gate = 1;                  /* a triggered chord's length: 0.1 a stab, 4 a pad */
static double velocity = 0.8;            /* a triggered chord's loudness, 0..1 */
static int64_t channel = 0;              /* a triggered chord's MIDI channel */
static const char *trigger = "rhythm_hit"; /* the triggers that play */
static const char *from = "both";        /* what makes chords: triggers, notes or both */
static bool list = false;

static sh_option options[] = {
	{.name = "key", .short_name = 'K', .type = SH_OPT_STRING, .dest = &key, .arg = "NOTE", .live = true,
	 .help = "the root of I: a MIDI note 0..127 or a name such as C, F#3, Bb2 (C alone is 60)"},
	{.name = "scale", .short_name = 'S', .type = SH_OPT_STRING, .dest = &scale_name, .arg = "NAME", .live = true,
	 .help = "scale the numerals count in: major bright, minor dark, dorian smoky"},
	{.name = "scales", .type = SH_OPT_STRING, .dest = &scales_file, .arg = "FILE",
	 .help = "extra scales file (JSON object)"},
	{.name = "chord", .short_name = 'C', .type = SH_OPT_STRING, .dest = &chord_name, .arg = "NAME", .live = true,
	 .help = "one chord from the vocabulary for every step (min7, sus4, add9...); empty: the numerals say"},
	{.name = "chords", .type = SH_OPT_STRING, .dest = &chords_file, .arg = "FILE",
	 .help = "extra chords file (JSON object of name -> semitones)"},
	{.name = "progression", .short_name = 'P', .type = SH_OPT_STRING, .dest = &progression, .arg = "LIST",
	 .live = true, .help = "roman numerals: I,vi,IV,V the pop loop; i,bVII,bVI,V7 a minor fall"},
	{.name = "advance", .short_name = 'A', .type = SH_OPT_CHOICE, .dest = &advance, .choices = "bar|trigger",
	 .live = true, .help = "the progression moves on each bar, or each trigger"},
	{.name = "every", .short_name = 'e', .type = SH_OPT_INT, .dest = &every, .min = 1, .max = 1e6, .live = true,
	 .help = "bars (or triggers) per chord: 1 restless, 4 slow harmony"},
	{.name = "beats-per-bar", .type = SH_OPT_INT, .dest = &beats_per_bar, .min = 1, .max = 64, .unit = "beats",
	 .live = true, .help = "beats in a bar, for --advance bar"},
	{.name = "inversion", .short_name = 'I', .type = SH_OPT_INT, .dest = &inversion, .min = 0, .max = 24,
	 .live = true, .help = "which chord note is lowest: 0 the root, 1 the next, ...; n and up an octave higher"},
	{.name = "voicing", .type = SH_OPT_CHOICE, .dest = &voicing,
	 .choices = "close|open|drop2|drop3|drop24", .live = true,
	 .help = "close tight and dense; open and drops spread the notes wider"},
	{.name = "octave", .short_name = 'O', .type = SH_OPT_INT, .dest = &octave, .min = -8, .max = 8, .live = true,
	 .help = "move the whole chord by octaves"},
	{.name = "strum", .short_name = 's', .type = SH_OPT_STRING, .dest = &strum, .arg = "TIME", .live = true,
	 .help = "time between a chord's notes: beats (0.05), 20ms, or a note value (1/32); 0 all at once"},
	{.name = "direction", .type = SH_OPT_CHOICE, .dest = &direction,
	 .choices = "up|down|alternate", .live = true,
	 .help = "strum order: up low to high, down high to low, alternate chord by chord"},
	{.name = "gate", .short_name = 'g', .type = SH_OPT_DOUBLE, .dest = &gate, .min = 1e-6, .max = 1e6,
	 .arg = "BEATS", .unit = "beats", .live = true, .help = "a triggered chord's length: 0.1 a stab, 4 a pad"},
	{.name = "velocity", .short_name = 'V', .type = SH_OPT_DOUBLE, .dest = &velocity, .min = 0, .max = 1,
	 .live = true, .help = "a triggered chord's loudness, 0..1"},
	{.name = "channel", .short_name = 'c', .type = SH_OPT_CHANNEL, .dest = &channel, .live = true,
	 .help = "a triggered chord's MIDI channel: 0..15, or ch1..ch16 as DAWs number them"},
	{.name = "trigger", .short_name = 't', .type = SH_OPT_STRING, .dest = &trigger, .arg = "NAME", .live = true,
	 .help = "trigger name that plays"},
	{.name = "from", .type = SH_OPT_CHOICE, .dest = &from, .choices = "both|trigger|note",
	 .live = true, .help = "what makes chords: triggers, notes (the chord on their pitch) or both"},
	{.name = "list-chords", .type = SH_OPT_FLAG, .dest = &list, .help = "print the chord vocabulary and exit"},
	{0},
};

/* ---------------------------------------------------------------- the vocabulary */

/* A chord: the registry's pitch set (scales.h), offsets above the root. */
typedef sh_scale chord_def;

/* The chords the numerals' marks stand for: theory, not vocabulary, so a user
 * file cannot redefine what viio means. */
static const chord_def mark_maj = {(char *)"maj", 3, {0, 4, 7}}, mark_min = {(char *)"min", 3, {0, 3, 7}},
                       mark_dom7 = {(char *)"7", 4, {0, 4, 7, 10}}, mark_min7 = {(char *)"min7", 4, {0, 3, 7, 10}},
                       mark_dim = {(char *)"dim", 3, {0, 3, 6}}, mark_dim7 = {(char *)"dim7", 4, {0, 3, 6, 9}},
                       mark_hdim7 = {(char *)"m7b5", 4, {0, 3, 6, 10}}, mark_aug = {(char *)"aug", 3, {0, 4, 8}},
                       mark_aug7 = {(char *)"aug7", 4, {0, 4, 8, 10}};

/* ---------------------------------------------------------------- the progression */

typedef struct {
	int degree;             /* 0 for I */
	int shift;              /* semitones from b and # */
	bool chromatic;         /* b or # written: counted from the major scale */
	bool upper;             /* upper case: a major third */
	bool seventh;           /* a plain 7 after the numeral */
	const chord_def *named; /* a mark or a vocabulary chord after the numeral; NULL: diatonic */
} step;

static struct {
	sh_scales vocab; /* the chords */
	sh_scales scales;
	const sh_scale *scale;
	int key;
	const chord_def *fixed; /* --chord, or NULL */
	step steps[MAX_STEPS];
	int nsteps;
	bool restart;       /* a new progression starts at the next chord */
	int64_t bar0;       /* the bar its first chord fell in */
	uint64_t triggers;  /* triggers since then */
	double strum;       /* beats, or seconds when strum_sec */
	bool strum_sec;
	double bpm;         /* the latest tempo event's, for a strum in seconds */
	uint64_t chords;    /* chords made, for --direction alternate */
} c = {.bpm = 120};

#define SYMBOLS "roman numerals I..VII (upper case major, lower case minor), b or # before, " \
                "and after it nothing, 7, o, o7, h7, + or a chord name"

/* One symbol ("bVII", "ii7", "Vsus4", "viio7") into S; -1 with sh_error(). */
static int parse_symbol(const char *text, step *s)
{
	static const char *numerals[] = {"vii", "iii", "vi", "iv", "ii", "v", "i"};
	static const int degrees[] = {6, 2, 5, 3, 1, 4, 0};
	const char *p = text;
	*s = (step){0};
	for (; *p == 'b' || *p == '#'; p++) {
		s->shift += *p == '#' ? 1 : -1;
		s->chromatic = true;
	}
	size_t len = 0;
	for (size_t i = 0; i < sizeof numerals / sizeof *numerals && !len; i++) {
		size_t n = strlen(numerals[i]);
		bool lower = !strncmp(p, numerals[i], n), upper = true;
		for (size_t k = 0; k < n && upper; k++)
			upper = p[k] == toupper((unsigned char)numerals[i][k]);
		if (lower || upper) {
			len = n;
			s->degree = degrees[i];
			s->upper = upper;
		}
	}
	if (!len) {
		char *names = sh_scales_names(&c.vocab);
		sh_set_error("'%s' is not a chord symbol: %s (%s)", text, SYMBOLS, names);
		free(names);
		return -1;
	}
	const char *mark = p + len;
	static const struct {
		const char *mark;
		const chord_def *def;
	} marks[] = {{"o", &mark_dim}, {"\xc2\xb0", &mark_dim}, {"o7", &mark_dim7}, {"\xc2\xb0" "7", &mark_dim7},
	             {"h", &mark_hdim7}, {"h7", &mark_hdim7}, {"\xc3\xb8", &mark_hdim7},
	             {"\xc3\xb8" "7", &mark_hdim7}, {"+", &mark_aug}, {"+7", &mark_aug7}};
	if (!*mark || !strcmp(mark, "7"))
		s->seventh = *mark != 0;
	else {
		for (size_t i = 0; i < sizeof marks / sizeof *marks && !s->named; i++)
			if (!strcmp(mark, marks[i].mark))
				s->named = marks[i].def;
		if (!s->named)
			s->named = sh_scales_find(&c.vocab, mark);
		if (!s->named) {
			char *names = sh_scales_names(&c.vocab);
			sh_set_error("'%s': unknown chord '%s' after the numeral (after it: nothing, 7, o, o7, h7, + or one "
			             "of %s)", text, mark, names);
			free(names);
			return -1;
		}
	}
	return 0;
}

/* "I,vi,IV,V" into c.steps; -1 with sh_error() and the old progression kept. */
static int parse_progression(const char *text)
{
	step steps[MAX_STEPS];
	int n = 0;
	char *copy = sh_strdup(text), *save = NULL;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		while (isspace((unsigned char)*tok))
			tok++;
		for (size_t l = strlen(tok); l && isspace((unsigned char)tok[l - 1]); l--)
			tok[l - 1] = 0;
		if (n == MAX_STEPS) {
			sh_set_error("more than %d chords", MAX_STEPS);
			free(copy);
			return -1;
		}
		if (parse_symbol(tok, &steps[n++]) != 0) {
			free(copy);
			return -1;
		}
	}
	free(copy);
	if (n == 0) {
		sh_set_error("no chords: give %s, e.g. I,vi,IV,V", SYMBOLS);
		return -1;
	}
	memcpy(c.steps, steps, (size_t)n * sizeof *steps);
	c.nsteps = n;
	c.restart = true;
	return 0;
}

/* The chord of step S: semitones above its root into OFF (its count returned),
 * the root's distance from the key into *ROOT. */
static int step_chord(const step *s, int *off, int *root)
{
	/* bVII means the same in every mode, as in pop and jazz analysis: in minor
	 * it is VII, in major the borrowed chord */
	static const int major[] = {0, 2, 4, 5, 7, 9, 11};
	*root = s->chromatic ? major[s->degree] + s->shift : sh_scale_pitch(c.scale, 0, s->degree, 0);
	const chord_def *d = c.fixed ? c.fixed : s->named;
	if (!d && !s->chromatic && c.scale->n == 7) {
		/* thirds stacked in the scale, when they agree with the numeral's case */
		int n = s->seventh ? 4 : 3;
		for (int i = 0; i < n; i++)
			off[i] = sh_scale_pitch(c.scale, 0, s->degree + 2 * i, 0) - *root;
		if (off[1] == (s->upper ? 4 : 3))
			return n;
	}
	if (!d)
		d = s->upper ? (s->seventh ? &mark_dom7 : &mark_maj) : (s->seventh ? &mark_min7 : &mark_min);
	memcpy(off, d->step, (size_t)d->n * sizeof *off);
	return d->n;
}

static int64_t bar_of(double t) { return (int64_t)floor(t / (double)beats_per_bar + 1e-9); }

/* The step sounding at time T; a trigger moves --advance trigger on. */
static const step *current_step(double t, bool is_trigger)
{
	if (c.restart) {
		c.restart = false;
		c.bar0 = bar_of(t);
		c.triggers = 0;
	}
	uint64_t k;
	if (!strcmp(advance, "trigger")) {
		/* a note takes the chord of the latest trigger */
		k = is_trigger ? c.triggers++ : c.triggers ? c.triggers - 1 : 0;
		k /= (uint64_t)every;
	} else
		k = (uint64_t)((bar_of(t) - c.bar0) / every);
	return &c.steps[k % (uint64_t)c.nsteps];
}

/* ---------------------------------------------------------------- voicing */

static void sort_unique(int *p, int *n)
{
	for (int i = 1; i < *n; i++)
		for (int j = i; j > 0 && p[j - 1] > p[j]; j--) {
			int x = p[j];
			p[j] = p[j - 1];
			p[j - 1] = x;
		}
	int m = 0;
	for (int i = 0; i < *n; i++)
		if (m == 0 || p[i] != p[m - 1])
			p[m++] = p[i];
	*n = m;
}

/* The chord OFF (ascending) inverted, voiced and moved by octaves: semitones
 * from the root, ascending, into OUT; its count returned. */
static int voice(const int *off, int n, int *out)
{
	int q = (int)inversion / n, r = (int)inversion % n;
	int bass = off[r] + 12 * q;
	for (int i = 0; i < n; i++) {
		out[i] = off[i] + 12 * q;
		while (i < r && out[i] <= bass) /* the notes below the bass go over it */
			out[i] += 12;
	}
	sort_unique(out, &n);
	if (!strcmp(voicing, "open")) {
		for (int i = 1; i < n; i += 2)
			out[i] += 12;
	} else if (!strcmp(voicing, "drop2") || !strcmp(voicing, "drop24")) {
		if (n >= 2)
			out[n - 2] -= 12;
		if (n >= 4 && voicing[5] == '4')
			out[n - 4] -= 12;
	} else if (!strcmp(voicing, "drop3") && n >= 3)
		out[n - 3] -= 12;
	sort_unique(out, &n);
	for (int i = 0; i < n; i++)
		out[i] += 12 * (int)octave;
	return n;
}

/* ---------------------------------------------------------------- output in time order */

/* A strummed note comes after its chord's time, maybe after input still to come:
 * it waits here in time order until the input has passed it. */
static sh_evqueue q = {.last = -INFINITY};

/* ---------------------------------------------------------------- knobs */

/* "60", "C", "F#3", "Bb2", "c#-1": a MIDI note, or -1. A name without an octave
 * is in the octave from middle C up. */
static int parse_key(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (end != s && !*end)
		return v >= 0 && v <= 127 ? (int)v : -1;
	static const int pc[] = {9, 11, 0, 2, 4, 5, 7}; /* A..G */
	int l = tolower((unsigned char)*s);
	if (l < 'a' || l > 'g')
		return -1;
	int p = pc[l - 'a'];
	for (s++; *s == '#' || *s == 'b'; s++)
		p += *s == '#' ? 1 : -1;
	long oct = 4;
	if (*s) {
		oct = strtol(s, &end, 10);
		if (end == s || *end || oct < -1 || oct > 9)
			return -1;
	}
	long n = 12 * (oct + 1) + p;
	return n >= 0 && n <= 127 ? (int)n : -1;
}

/* "0", "0.05" (beats), "20ms", "0.02s", "1/32", "0.1b" into c.strum. */
static int parse_strum(const char *text)
{
	double v;
	sh_duration d;
	if (sh_parse_double(text, &v) == 0) {
		d = (sh_duration){v, SH_DUR_BEATS};
		if (v == 0) {
			c.strum = 0;
			c.strum_sec = false;
			return 0;
		}
	} else if (sh_parse_duration(text, 1, &d) != 0 || (d.unit != SH_DUR_BEATS && d.unit != SH_DUR_SECONDS)) {
		sh_set_error("'%s' is not a strum time (0, beats such as 0.05, 20ms, or a note value such as 1/32)", text);
		return -1;
	}
	if (!(d.amount > 0) || d.amount > (d.unit == SH_DUR_BEATS ? 16 : 10)) {
		sh_set_error("'%s': a strum is 0 or up to 16 beats (10 s) between notes", text);
		return -1;
	}
	c.strum = d.amount;
	c.strum_sec = d.unit == SH_DUR_SECONDS;
	return 0;
}

static const chord_def *find_chord(const char *name) { return *name ? sh_scales_lookup(&c.vocab, name) : NULL; }

#define KEY_FORM "a MIDI note 0..127 or a note name such as C, F#3, Bb2"

/* Take in knob O's new value: 0, or -1 with sh_error() (the old value stays). */
static int take(sh_option *o)
{
	if (o->dest == &key) {
		int k = parse_key(key);
		if (k < 0) {
			sh_set_error("'%s' is not %s", key, KEY_FORM);
			return -1;
		}
		c.key = k;
	} else if (o->dest == &scale_name) {
		const sh_scale *sc = sh_scales_lookup(&c.scales, scale_name);
		if (!sc)
			return -1;
		c.scale = sc;
	} else if (o->dest == &chord_name) {
		const chord_def *d = find_chord(chord_name);
		if (!d && *chord_name)
			return -1;
		c.fixed = d;
	} else if (o->dest == &progression)
		return parse_progression(progression);
	else if (o->dest == &strum)
		return parse_strum(strum);
	else if (o->dest == &trigger && !*trigger) {
		sh_set_error("trigger needs a name");
		return -1;
	} else if (o->dest == &advance || o->dest == &every || o->dest == &beats_per_bar)
		c.restart = true; /* bars or triggers count afresh from the next chord */
	return 0;
}

static void print_vocabulary(void)
{
	for (size_t i = 0; i < c.vocab.n; i++) {
		printf("%s", c.vocab.s[i].name);
		for (int j = 0; j < c.vocab.s[i].n; j++)
			printf("%c%d", j ? ',' : ' ', c.vocab.s[i].step[j]);
		printf("\n");
	}
}

static int setup(sh_evfilter *f)
{
	if (sh_sets_load(&c.vocab, &sh_chord_kind, chords_file) != 0 || sh_scales_load(&c.scales, scales_file) != 0)
		return SH_EVF_FAIL;
	if (list) {
		print_vocabulary();
		return SH_EVF_DONE;
	}
	static void *const order[] = {&key, &scale_name, &chord_name, &progression, &strum, &trigger};
	for (size_t i = 0; i < sizeof order / sizeof *order; i++)
		for (sh_option *o = f->opts; o->name; o++)
			if (o->dest == order[i] && take(o) != 0) {
				sh_set_error("--%s: %s", o->name, sh_error());
				return SH_EVF_USAGE;
			}
	c.restart = false; /* the first progression counts bars from beat 0 */
	return SH_EVF_GO;
}

static int changed(sh_evfilter *f, sh_option *o)
{
	(void)f;
	return take(o);
}

/* ---------------------------------------------------------------- events */

/* The notes of step S's chord for event EV: a trigger's chord stands on the key
 * and its notes are built whole; a note's stands on its pitch, and each of its
 * notes is the note's own line with pitch and time replaced. */
static int play(sh_evfilter *f, const sh_event *ev, bool from_note, double root, const step *s)
{
	int off[MAX_TONES], v[MAX_TONES], rel;
	int n = step_chord(s, off, &rel);
	n = voice(off, n, v);
	if (!from_note)
		root += rel;
	for (int i = 0; i < n; i++)
		if (root + v[i] < 0 || root + v[i] > 127) {
			sh_event_bad(f->in, ev, "chord note %g is outside MIDI's 0..127 (root %g, inversion %d, octave %d)",
			             root + v[i], root, (int)inversion, (int)octave);
			return 0;
		}
	double step_beats = c.strum_sec ? c.strum * c.bpm / 60 : c.strum;
	if (ev->t + (n - 1) * step_beats > SH_EV_MAX_BEATS) {
		sh_event_bad(f->in, ev, "the strum ends past beat %g, the pipe's last", SH_EV_MAX_BEATS);
		return 0;
	}
	bool down = !strcmp(direction, "down") || (!strcmp(direction, "alternate") && c.chords % 2);
	c.chords++;
	for (int k = 0; k < n; k++) {
		double pitch = root + v[down ? n - 1 - k : k];
		double t = k ? round((ev->t + k * step_beats) * 1e9) / 1e9 : ev->t; /* no 0.30000000000000004 */
		char *line;
		size_t len;
		if (from_note) {
			char num[48];
			sh_format_number(num, sizeof num, pitch);
			line = sh_event_with(ev, "pitch", num, &len);
			if (line && t != ev->t) {
				sh_event moved = *ev;
				moved.line = line;
				moved.len = len;
				sh_format_number(num, sizeof num, t);
				char *l2 = sh_event_with(&moved, "t", num, &len);
				free(line);
				line = l2;
			}
			if (!line) {
				sh_set_error("%s:%ld: cannot rewrite the note", ev->src, ev->lineno);
				return -1;
			}
		} else {
			sh_evline l;
			sh_evline_begin(&l, t, "note");
			sh_evline_num(&l, "pitch", pitch);
			sh_evline_num(&l, "velocity", velocity);
			sh_evline_num(&l, "gate", gate);
			sh_evline_num(&l, "channel", (double)channel);
			if (sh_evline_end(&l) != 0)
				return -1;
			line = sh_malloc(l.len + 1);
			memcpy(line, l.buf, l.len + 1);
			len = l.len;
		}
		sh_evqueue_hold(&q, t, line, len);
	}
	return sh_evqueue_release(&q, f->out, ev->t);
}

static int event(sh_evfilter *f, const sh_event *ev)
{
	if (sh_evqueue_release(&q, f->out, ev->t) != 0)
		return -1;
	double bpm;
	if (sh_ev_is(ev, "tempo") && sh_ev_number(ev, "bpm", &bpm) == 0 && bpm >= 1 && bpm <= 999)
		c.bpm = bpm;
	const char *name;
	if (sh_ev_is(ev, "trigger") && strcmp(from, "note") != 0 && sh_ev_string(ev, "name", &name) == 0 &&
	    !strcmp(name, trigger))
		return play(f, ev, false, c.key, current_step(ev->t, true));
	if (sh_ev_is(ev, "note") && strcmp(from, "trigger") != 0) {
		sh_evnote note;
		if (!sh_ev_note(f->in, ev, false, &note))
			return 0;
		if (note.velocity > 0) /* a rest stays a rest */
			return play(f, ev, true, note.pitch, current_step(ev->t, false));
	}
	return sh_evwriter_pass(f->out, ev);
}

static int finish(sh_evfilter *f) { return sh_evqueue_release(&q, f->out, INFINITY); }

static void stop(sh_evfilter *f)
{
	(void)f;
	sh_evqueue_free(&q);
	sh_scales_free(&c.vocab);
	sh_scales_free(&c.scales);
}

static const sh_evfilter_program program = {
	.usage = "chord [options] [FILE]",
	.summary = "play triggers and notes as chords: named, or a progression of roman numerals in a key, "
	           "inverted, voiced and strummed",
	.options = options, .target = "chord",
	.setup = setup, .event = event, .changed = changed, .finish = finish, .stop = stop,
};

int main(int argc, char **argv) { return sh_evfilter_main(&program, argc, argv); }
