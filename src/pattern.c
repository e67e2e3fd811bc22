/* pattern -- a step sequencer over samples: one grid per sample (written out,
 * Euclidean, or by chance), swing and humanised timing, rendered to audio by
 * the same player as sampler(1), or written as events for it. */
#include "audio.h"
#include "cli.h"
#include "euclid.h"
#include "events.h"
#include "instr.h"
#include "rng.h"
#include "timing.h"
#include "voices.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Gains of the grid's marks: an accent at full level, a plain hit 3 dB down. */
#define GAIN_ACCENT 1.0
#define GAIN_HIT 0.7

/* The command line, at its defaults. */
static struct {
	const char *output, *bits;
	sh_strlist grid, euclid;     /* one per sample, in the order given across both */
	const char *kit, *kit_pick;
	const char *notes;           /* --events as notes: a MIDI key per sample */
	int64_t steps;               /* 16: sixteenths in 4/4; 12: triplets; odd: lopsided bars */
	int64_t bars;                /* how many times the grid plays */
	int64_t beats_per_bar;
	double bpm;
	double swing;                /* 0 straight; 0.33 a triplet shuffle; 0.5 a dotted lurch */
	double humanize;             /* ms: 0 machine-tight, 5 a loose drummer, 30 a drunk one */
	bool events;
	int64_t rate, voices;
	sh_duration fade;
} cmd = {
	.steps = 16,
	.bars = 1,
	.beats_per_bar = 4,
	.bpm = 120,
	.rate = 48000,
	.voices = 32,
	.fade = {0.005, SH_DUR_SECONDS},
};

static sh_option options[] = {
	SH_AUDIO_OUTPUT_OPTION(cmd.output),
	{.name = "grid", .short_name = 'g', .type = SH_OPT_LIST, .dest = &cmd.grid, .arg = "STEPS", .no_preset = true,
	 .help = "the next sample's steps: x hit, X accent, 1-9 a 10-90% chance, . rest (repeatable)"},
	{.name = "euclid", .short_name = 'e', .type = SH_OPT_LIST, .dest = &cmd.euclid, .arg = "K,N[,R]",
	 .no_preset = true, .help = "the next sample's steps: K hits spread over N steps, rotated R (repeatable)"},
	{.name = "steps", .short_name = 'n', .type = SH_OPT_INT, .dest = &cmd.steps, .min = 1, .max = SH_EUCLID_MAX,
	 .unit = "steps", .help = "steps in a bar"},
	{.name = "bars", .type = SH_OPT_INT, .dest = &cmd.bars, .min = 1, .max = 1e6, .unit = "bars",
	 .help = "times the bar plays"},
	{.name = "beats-per-bar", .type = SH_OPT_INT, .dest = &cmd.beats_per_bar, .min = 1, .max = 64, .unit = "beats",
	 .help = "beats in a bar"},
	{.name = "bpm", .short_name = 'b', .type = SH_OPT_DOUBLE, .dest = &cmd.bpm, .min = 1, .max = 999,
	 .unit = "bpm", .help = "tempo"},
	{.name = "swing", .short_name = 's', .type = SH_OPT_DOUBLE, .dest = &cmd.swing, .min = 0, .max = 0.9,
	 .unit = "steps", .help = "delay of every second step, as a fraction of a step"},
	{.name = "humanize", .short_name = 'H', .type = SH_OPT_DOUBLE, .dest = &cmd.humanize, .min = 0, .max = 1000,
	 .unit = "ms", .help = "each hit moves by a random amount within plus or minus this"},
	{.name = "kit", .short_name = 'k', .type = SH_OPT_STRING, .dest = &cmd.kit, .arg = "DIR",
	 .help = "a Hydrogen drumkit folder: operands name its instruments"},
	{.name = "kit-pick", .type = SH_OPT_STRING, .dest = &cmd.kit_pick, .arg = "NAME=INSTR,...",
	 .help = "rows named NAME playing the kit's instrument INSTR"},
	{.name = "events", .short_name = 'E', .type = SH_OPT_FLAG, .dest = &cmd.events,
	 .help = "write the hits as events (for sampler, midiout) instead of audio"},
	{.name = "notes", .type = SH_OPT_STRING, .dest = &cmd.notes, .arg = "KEY,KEY...",
	 .help = "with --events: notes on these MIDI keys (one per sample) instead of triggers"},
	{.name = "rate", .short_name = 'r', .type = SH_OPT_INT, .dest = &cmd.rate, .min = 8000, .max = 192000,
	 .unit = "Hz", .help = "sample rate of the output"},
	{.name = "voices", .type = SH_OPT_INT, .dest = &cmd.voices, .min = 1, .max = 1024,
	 .help = "voices sounding at once; the oldest fades out to make room"},
	{.name = "fade", .type = SH_OPT_DURATION, .dest = &cmd.fade, .scale = 0.001,
	 .help = "fade of a stolen voice (bare number: ms)"},
	SH_AUDIO_BITS_OPTION(cmd.bits),
	{0},
};

typedef struct {
	char *name;     /* the trigger name */
	char *path;     /* its sample */
	char *cells;    /* steps: 'x', 'X', '1'..'9', '.' */
	int key;        /* --notes */
} row;

typedef struct {
	double t;       /* beats */
	int row;
	double value;
} hit;

static row *rows;
static size_t nrows;

static void add_row(const char *name, const char *path)
{
	for (size_t i = 0; i < nrows; i++)
		if (!strcmp(rows[i].name, name))
			sh_usage_error("two rows named %s: give each sample once", name);
	rows = sh_realloc(rows, nrows + 1, sizeof *rows);
	rows[nrows++] = (row){sh_strdup(name), sh_strdup(path), NULL, -1};
}

/* A trigger name from text: lower case, anything but letters and digits as '_'. */
static char *tidy(const char *s, size_t n)
{
	char *o = sh_malloc(n + 1);
	for (size_t i = 0; i < n; i++)
		o[i] = isalnum((unsigned char)s[i]) ? (char)tolower((unsigned char)s[i]) : '_';
	o[n] = 0;
	return o;
}

/* The operands and --kit-pick: the rows. */
static void plan_rows(int nargs, char **args)
{
	if (!cmd.kit) {
		if (cmd.kit_pick)
			sh_usage_error("--kit-pick needs --kit DIR");
		for (int i = 0; i < nargs; i++) {
			const char *base = strrchr(args[i], '/');
			base = base ? base + 1 : args[i];
			const char *dot = strrchr(base, '.');
			char *name = tidy(base, dot && dot > base ? (size_t)(dot - base) : strlen(base));
			add_row(name, args[i]);
			free(name);
		}
		return;
	}
	size_t nk;
	sh_kit_instrument *kit = sh_kit_read(cmd.kit, &nk);
	if (!kit)
		sh_die("%s", sh_error());
	for (int i = 0; i < nargs; i++) {
		int k = sh_kit_find(kit, nk, args[i]);
		if (k < 0)
			sh_die("%s: %s", cmd.kit, sh_error());
		char *name = tidy(args[i], strlen(args[i]));
		add_row(name, kit[k].path);
		free(name);
	}
	if (cmd.kit_pick) {
		char *list = sh_strdup(cmd.kit_pick), *save = NULL;
		for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			char *eq = strchr(tok, '=');
			if (!eq || eq == tok || !eq[1])
				sh_usage_error("--kit-pick %s: expected NAME=INSTRUMENT", tok);
			*eq = 0;
			int k = sh_kit_find(kit, nk, eq + 1);
			if (k < 0)
				sh_die("%s: %s", cmd.kit, sh_error());
			add_row(tok, kit[k].path);
		}
		free(list);
	}
	sh_kit_free(kit, nk);
}

/* -g and -e in the order given: one grid per row. */
static void plan_grids(void)
{
	const size_t n = cmd.grid.n + cmd.euclid.n;
	const char **vals = sh_malloc((n + 1) * sizeof *vals);
	int *which = sh_malloc((n + 1) * sizeof *which); /* 0: -g, 1: -e */
	for (size_t i = 0, g = 0, e = 0; i < n; i++) {
		bool grid = e == cmd.euclid.n || (g < cmd.grid.n && cmd.grid.pos[g] < cmd.euclid.pos[e]);
		which[i] = grid ? 0 : 1;
		vals[i] = grid ? cmd.grid.v[g++] : cmd.euclid.v[e++];
	}
	if (nrows == 0)
		sh_usage_error("no samples: name sample files (or, with --kit, instruments)");
	if (n != nrows)
		sh_usage_error("%zu samples but %zu grids: give one -g or -e per sample, in order", nrows, n);
	for (size_t i = 0; i < n; i++) {
		char *c = sh_malloc((size_t)cmd.steps + 1);
		if (which[i] == 0) {
			const char *g = vals[i];
			if ((int64_t)strlen(g) != cmd.steps)
				sh_usage_error("-g %s: %zu steps for %s, --steps is %lld", g, strlen(g), rows[i].name,
				               (long long)cmd.steps);
			for (int64_t k = 0; k < cmd.steps; k++) {
				char ch = g[k];
				if (ch == '-' || ch == '_')
					ch = '.';
				if (ch != '.' && ch != 'x' && ch != 'X' && !(ch >= '1' && ch <= '9'))
					sh_usage_error("-g %s: step %lld is '%c': use x, X, 1-9 or .", g, (long long)k + 1, g[k]);
				c[k] = ch;
			}
		} else {
			long k, s, r = 0;
			int got = 0, used = 0;
			got = sscanf(vals[i], "%ld,%ld%n,%ld%n", &k, &s, &used, &r, &used);
			if (got < 2 || vals[i][used])
				sh_usage_error("-e %s: expected PULSES,STEPS[,ROTATION]", vals[i]);
			if (s != cmd.steps)
				sh_usage_error("-e %s: %ld steps for %s, --steps is %lld", vals[i], s, rows[i].name,
				               (long long)cmd.steps);
			unsigned char on[SH_EUCLID_MAX];
			if (sh_euclid((int)s, (int)k, (int)r, on) != 0)
				sh_usage_error("-e %s: %s", vals[i], sh_error());
			for (long j = 0; j < s; j++)
				c[j] = on[j] ? 'x' : '.';
		}
		c[cmd.steps] = 0;
		rows[i].cells = c;
	}
	free(vals);
	free(which);
}

/* --notes: one MIDI key per row. */
static void plan_keys(void)
{
	if (!cmd.events)
		sh_usage_error("--notes shapes --events: give --events too");
	const char *p = cmd.notes;
	for (size_t i = 0; i < nrows; i++) {
		char *end;
		long k = strtol(p, &end, 10);
		if (end == p || k < 0 || k > 127 || (*end && *end != ','))
			sh_usage_error("--notes %s: expected a MIDI key 0..127 per sample, separated by commas", cmd.notes);
		rows[i].key = (int)k;
		p = *end ? end + 1 : end;
		if (!*end && i + 1 < nrows)
			sh_usage_error("--notes %s: %zu keys for %zu samples", cmd.notes, i + 1, nrows);
	}
	if (*p)
		sh_usage_error("--notes %s: more keys than the %zu samples", cmd.notes, nrows);
}

static int by_time(const void *a, const void *b)
{
	const hit *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->row - y->row;
}

/* Every hit, in time order; the random draws go bar by bar, step by step,
 * row by row: a chance step draws first, then a humanised hit its offset. */
static hit *plan_hits(uint64_t seed, size_t *nhits, double *end)
{
	sh_rng rng;
	sh_rng_seed(&rng, seed);
	double step = (double)cmd.beats_per_bar / (double)cmd.steps;
	double ms_beats = cmd.bpm / 60000.0; /* beats per millisecond */
	size_t cap = 1024, n = 0;
	hit *h = sh_malloc(cap * sizeof *h);
	*end = (double)cmd.bars * (double)cmd.beats_per_bar;
	for (int64_t b = 0; b < cmd.bars; b++)
		for (int64_t s = 0; s < cmd.steps; s++)
			for (size_t r = 0; r < nrows; r++) {
				char c = rows[r].cells[s];
				if (c == '.')
					continue;
				if (c >= '1' && c <= '9' && !sh_rng_chance(&rng, (c - '0') / 10.0))
					continue;
				double t = ((double)(b * cmd.steps + s) + (s % 2 ? cmd.swing : 0)) * step;
				if (cmd.humanize > 0)
					t += sh_rng_between(&rng, -cmd.humanize, cmd.humanize) * ms_beats;
				if (t < 0)
					t = 0; /* the first beat cannot be anticipated */
				if (n == cap)
					h = sh_realloc(h, cap *= 2, sizeof *h);
				h[n++] = (hit){t, (int)r, c == 'X' ? GAIN_ACCENT : GAIN_HIT};
				if (t > *end)
					*end = t;
			}
	qsort(h, n, sizeof *h, by_time);
	*nhits = n;
	return h;
}

static void write_events(const hit *h, size_t n, double end)
{
	sh_evwriter *w = sh_evwriter_create(cmd.output, false);
	if (!w)
		sh_die("%s", sh_error());
	sh_evline l;
	sh_evline_begin(&l, 0, "tempo");
	sh_evline_num(&l, "bpm", cmd.bpm);
	int bad = sh_evwriter_line(w, &l);
	for (size_t i = 0; i < n && !bad; i++) {
		if (cmd.notes) { /* a step long, the hit's gain as velocity */
			sh_evline_begin(&l, h[i].t, "note");
			sh_evline_num(&l, "pitch", rows[h[i].row].key);
			sh_evline_num(&l, "velocity", h[i].value);
			sh_evline_num(&l, "gate", (double)cmd.beats_per_bar / (double)cmd.steps);
			sh_evline_str(&l, "name", rows[h[i].row].name);
		} else {
			sh_evline_begin(&l, h[i].t, "trigger");
			sh_evline_str(&l, "name", rows[h[i].row].name);
			sh_evline_num(&l, "value", h[i].value);
		}
		bad = sh_evwriter_line(w, &l);
	}
	sh_evline_begin(&l, end, "end");
	if (bad || sh_evwriter_line(w, &l) != 0 || sh_evwriter_close(w) != 0)
		sh_die("%s", sh_error());
}

/* Render as sampler(1) would play the events write_events writes: the same
 * tempo map, the same frames, the same player. */
static void render(sh_voices *v, const hit *h, size_t n, double end)
{
	sh_audio_out_opts ao = {.bits = sh_parse_bits(cmd.bits)};
	sh_audio_out *out = sh_audio_create(cmd.output, (int)cmd.rate, 2, &ao);
	if (!out)
		sh_die("%s", sh_error());
	sh_tempomap tm;
	sh_tempomap_init(&tm, cmd.bpm);
	sh_tempomap_set(&tm, 0, cmd.bpm);
	for (size_t i = 0; i < n; i++) {
		int64_t at = llround(sh_tempomap_seconds(&tm, h[i].t) * (double)cmd.rate);
		if (sh_voices_write_until(v, out, at) != 0 || sh_voices_trigger(v, rows[h[i].row].name, h[i].value) < 0) {
			sh_audio_abort(out);
			sh_die("%s", sh_error());
		}
	}
	int64_t last = llround(sh_tempomap_seconds(&tm, end) * (double)cmd.rate);
	if (sh_voices_ring_out(v, out, last) != 0) {
		sh_audio_abort(out);
		sh_die("%s", sh_error());
	}
	if (sh_audio_finish(out) != 0)
		sh_die("%s", sh_error());
}

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	sh_program prog = {.usage = "pattern [options] SAMPLE... (or --kit DIR INSTRUMENT...)",
	                   .summary = "step-sequence samples into audio or trigger events", .has_seed = true};
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	if (!cmd.events) {
		int bits = sh_parse_bits(cmd.bits);
		if (sh_audio_check_output(cmd.output, bits, (int)cmd.rate, 2) != 0)
			sh_usage_error("%s", sh_error());
	} else if (cmd.bits) {
		sh_usage_error("--bits is for audio: --events writes JSON Lines");
	}
	plan_rows(argc - first, argv + first);
	plan_grids();
	if (cmd.notes)
		plan_keys();
	if (!prog.seed_given)
		sh_note("seed %llu", (unsigned long long)prog.seed);
	double fsec;
	sh_duration_seconds(&cmd.fade, cmd.bpm, 0, (double)cmd.rate, &fsec);
	int64_t fade = llround(fsec * (double)cmd.rate);
	/* every sample is read even for --events, so a bad one is found now */
	sh_voices *v = sh_voices_new((int)cmd.rate, (int)cmd.voices, fade < 1 ? 1 : fade,
	                             llround(0.010 * (double)cmd.rate));
	for (size_t i = 0; i < nrows; i++) {
		int s = sh_voices_load(v, rows[i].path);
		if (s < 0)
			sh_die("%s", sh_error());
		sh_region r = {.name = rows[i].name, .sample = s, .hikey = 127, .hivel = 127, .keycenter = 60,
		               .loop_mode = SH_LOOP_NONE, .choke = -1, .gain = 1};
		if (sh_voices_add_region(v, &r) != 0)
			sh_die("%s", sh_error());
	}
	size_t n;
	double end;
	hit *h = plan_hits(prog.seed, &n, &end);
	if (cmd.events)
		write_events(h, n, end);
	else
		render(v, h, n, end);
	free(h);
	sh_voices_free(v);
	for (size_t i = 0; i < nrows; i++) {
		free(rows[i].name);
		free(rows[i].path);
		free(rows[i].cells);
	}
	free(rows);
	return 0;
}
