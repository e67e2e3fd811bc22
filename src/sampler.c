/* sampler -- play samples from events: triggers fire named samples, notes play
 * a sample repitched (or the regions of an SFZ file), audio out. */
#include "audio.h"
#include "cli.h"
#include "evfilter.h"
#include "instr.h"
#include "voices.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The command line, at its defaults. */
static struct {
	const char *input, *output, *bits;
	sh_strlist map, choke;
	const char *sfz;
	int64_t rate;
	double bpm;            /* 0: the stream must carry its tempo */
	double root;           /* key at which a --map sample plays as recorded for notes */
	int64_t voices;        /* few: hits cut each other short; many: long tails pile up */
	sh_duration fade;      /* stolen and choked voices: 1ms clicks, 50ms smears */
	sh_duration release;   /* after a note's gate: short = staccato, long = ringing */
	bool skip_bad;
} cmd = {
	.rate = 48000,
	.root = 60,
	.voices = 32,
	.fade = {0.005, SH_DUR_SECONDS},
	.release = {0.010, SH_DUR_SECONDS},
};

static sh_option options[] = {
	SH_AUDIO_OUTPUT_OPTION(cmd.output),
	{.name = "map", .short_name = 'm', .type = SH_OPT_LIST, .dest = &cmd.map, .arg = "NAME=FILE", .no_preset = true,
	 .help = "triggers named NAME play FILE (repeatable)"},
	{.name = "sfz", .type = SH_OPT_STRING, .dest = &cmd.sfz, .arg = "FILE", .no_preset = true,
	 .help = "notes play the regions of this SFZ instrument"},
	{.name = "choke", .short_name = 'c', .type = SH_OPT_LIST, .dest = &cmd.choke, .arg = "NAME,NAME...",
	 .no_preset = true, .help = "a hit of one of these names cuts the others short (repeatable)"},
	{.name = "root", .type = SH_OPT_DOUBLE, .dest = &cmd.root, .min = 0, .max = 127, .unit = "key",
	 .help = "note at which a --map sample sounds as recorded"},
	{.name = "voices", .type = SH_OPT_INT, .dest = &cmd.voices, .min = 1, .max = 1024,
	 .help = "voices sounding at once; the oldest fades out to make room"},
	{.name = "fade", .type = SH_OPT_DURATION, .dest = &cmd.fade, .scale = 0.001,
	 .help = "fade of a stolen or choked voice (bare number: ms)"},
	{.name = "release", .type = SH_OPT_DURATION, .dest = &cmd.release, .scale = 0.001,
	 .help = "fade after a note's gate (bare number: ms)"},
	{.name = "rate", .short_name = 'r', .type = SH_OPT_INT, .dest = &cmd.rate, .min = 8000, .max = 192000,
	 .unit = "Hz", .help = "sample rate of the output"},
	{.name = "bpm", .short_name = 'b', .type = SH_OPT_DOUBLE, .dest = &cmd.bpm, .min = 0, .max = 999,
	 .unit = "bpm", .help = "tempo before the first tempo event; 0: the events must set it"},
	SH_AUDIO_BITS_OPTION(cmd.bits),
	SH_EV_SKIP_BAD_OPTION(cmd.skip_bad),
	{0},
};

/* A duration in frames, at least one. */
static int64_t frames(const sh_duration *d)
{
	double sec;
	sh_duration_seconds(d, cmd.bpm > 0 ? cmd.bpm : 120, 0, (double)cmd.rate, &sec);
	int64_t n = llround(sec * (double)cmd.rate);
	return n < 1 ? 1 : n;
}

/* --map and --choke: samples and their choke groups. */
static void build(sh_voices *v)
{
	/* choke groups first: group g holds the names of the g-th --choke */
	const char *const *groups = cmd.choke.v;
	const size_t ng = cmd.choke.n;
	for (size_t g = 0; g < ng; g++)
		if (!groups[g][0])
			sh_usage_error("--choke: give names separated by commas");
	for (size_t i = 0; i < cmd.map.n; i++) {
		const char *m = cmd.map.v[i];
		const char *eq = strchr(m, '=');
		if (!eq || eq == m || !eq[1])
			sh_usage_error("--map %s: expected NAME=FILE", m);
		char *name = sh_strdup(m);
		name[eq - m] = 0;
		if (sh_voices_has(v, name))
			sh_usage_error("--map %s: %s is mapped twice", m, name);
		int s = sh_voices_load(v, eq + 1);
		if (s < 0)
			sh_die("%s", sh_error());
		int choke = -1;
		for (size_t g = 0; g < ng && choke < 0; g++) {
			char *list = sh_strdup(groups[g]), *save = NULL;
			for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
				if (!strcmp(tok, name))
					choke = (int)g;
			free(list);
		}
		sh_region r = {.name = name, .sample = s, .lokey = 0, .hikey = 127, .lovel = 0, .hivel = 127,
		               .keycenter = cmd.root, .loop_mode = SH_LOOP_NONE, .choke = choke, .gain = 1};
		if (sh_voices_add_region(v, &r) != 0)
			sh_die("%s", sh_error());
		free(name);
	}
	for (size_t g = 0; g < ng; g++) { /* a choke name nothing plays is a typo */
		char *list = sh_strdup(groups[g]), *save = NULL;
		for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			if (!sh_voices_has(v, tok))
				sh_usage_error("--choke %s: %s is not a --map name", groups[g], tok);
		free(list);
	}
	if (cmd.sfz) {
		size_t nr;
		sh_sfz_region *r = sh_sfz_read(cmd.sfz, &nr);
		if (!r)
			sh_die("%s", sh_error());
		for (size_t i = 0; i < nr; i++) {
			r[i].r.sample = sh_voices_load(v, r[i].path);
			if (r[i].r.sample < 0)
				sh_die("%s: %s", cmd.sfz, sh_error());
			if (sh_voices_add_region(v, &r[i].r) != 0)
				sh_die("%s", sh_error());
		}
		sh_sfz_free(r, nr);
	}
	if (!cmd.map.n && !cmd.choke.n && !cmd.sfz)
		sh_usage_error("nothing to play: give --map NAME=FILE or --sfz FILE");
}

/* Every event, each hit started on its frame; -1 with sh_error(). */
static int play(sh_voices *v, sh_evreader *in, sh_audio_out *out)
{
	sh_tempomap tm;
	bool have_tempo = cmd.bpm > 0;
	sh_tempomap_init(&tm, have_tempo ? cmd.bpm : 120);
	sh_event ev;
	int64_t last = 0;
	int r;
	while ((r = sh_evreader_next(in, &ev)) == 1) {
		bool tempo = sh_ev_is(&ev, "tempo");
		if (!have_tempo && !tempo) {
			sh_set_error("%s: line %ld: a %s event before any tempo: the stream needs a tempo event first, "
			             "or give --bpm", ev.src, ev.lineno, ev.type);
			return -1;
		}
		double b = 0;
		if (tempo && !sh_ev_tempo(in, &ev, &b))
			continue;
		if (tempo && !have_tempo) /* the tempo before it was this one */
			sh_tempomap_init(&tm, b);
		int64_t at = llround(sh_tempomap_seconds(&tm, ev.t) * (double)cmd.rate);
		if (sh_voices_write_until(v, out, at) != 0)
			return -1;
		last = at;
		if (tempo) {
			sh_tempomap_set(&tm, ev.t, b);
			have_tempo = true;
		} else if (sh_ev_is(&ev, "trigger")) {
			const char *name;
			double g;
			if (sh_ev_string(&ev, "name", &name) != 0) {
				sh_event_bad(in, &ev, "trigger needs a \"name\"");
				continue;
			}
			if (sh_ev_number(&ev, "value", &g) != 0 && sh_ev_number(&ev, "velocity", &g) != 0)
				g = 1;
			if (!(g >= 0 && g <= 1000)) {
				sh_event_bad(in, &ev, "trigger value %g: 0..1000 (a linear gain)", g);
				continue;
			}
			if (sh_voices_trigger(v, name, g) < 0)
				return -1;
		} else if (sh_ev_is(&ev, "note")) {
			sh_evnote nt;
			if (!sh_ev_note(in, &ev, false, &nt))
				continue;
			const char *name = NULL;
			if (sh_ev_string(&ev, "name", &name) != 0)
				name = NULL;
			int64_t off = llround(sh_tempomap_seconds(&tm, ev.t + nt.gate) * (double)cmd.rate);
			if (sh_voices_note(v, nt.pitch, nt.velocity, off > at ? off - at : 1, name) < 0)
				return -1;
		}
	}
	if (r != 0)
		return -1;
	return sh_voices_ring_out(v, out, last);
}

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	sh_program prog = {.usage = "sampler [options] [FILE]",
	                   .summary = "play samples from trigger and note events, audio out"};
	int status = sh_evfilter_parse(&prog, options, argc, argv, &cmd.input);
	if (status >= 0)
		return status;
	sh_audio_out_opts ao = {.bits = sh_parse_bits(cmd.bits)};
	if (sh_audio_check_output(cmd.output, ao.bits, (int)cmd.rate, 2) != 0)
		sh_usage_error("%s", sh_error());
	sh_voices *v = sh_voices_new((int)cmd.rate, (int)cmd.voices, frames(&cmd.fade), frames(&cmd.release));
	build(v);
	sh_evreader *in = sh_evreader_open(cmd.input, cmd.skip_bad);
	if (!in)
		sh_die("%s", sh_error());
	sh_audio_out *out = sh_audio_create(cmd.output, (int)cmd.rate, 2, &ao);
	if (!out)
		sh_die("%s", sh_error());
	if (play(v, in, out) != 0) {
		sh_audio_abort(out);
		sh_die("%s", sh_error());
	}
	sh_evreader_close(in);
	if (sh_audio_finish(out) != 0)
		sh_die("%s", sh_error());
	sh_voices_free(v);
	return 0;
}
