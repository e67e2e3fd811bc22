/* chop -- quick chop-and-shuffle in one step: slice a source, shuffle every
 * slice (by default), reverse/stutter/drop by chance, and write the audio.
 * The cut list it used can be kept with --cutlist for video or replay. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "audio.h"
#include "cli.h"
#include "cutlist.h"
#include "render.h"
#include "slicer.h"

static sh_program prog = {
	.usage = "chop [options] [SOURCE]",
	.summary = "Chop audio into slices, shuffle them and write the result (AU float on stdout or -o FILE).",
	.has_seed = true,
};

static struct {
	sh_slicer_cli knobs;
	const char *output;
	const char *bits;
	const char *cutlist;  /* keep the list: apply it to video, or replay it */
	sh_duration declick;  /* 0: clean digital cuts; 2ms: softened edges */
} opt = {
	.knobs = SH_SLICER_CLI_DEFAULTS(1),
};

static sh_option options[] = {
	SH_SLICER_OPTIONS(opt.knobs, "chance a slice moves, 0..1 (default 1: all of them)"),
	SH_AUDIO_OUTPUT_OPTION(opt.output),
	SH_AUDIO_BITS_OPTION(opt.bits),
	{"cutlist", 'c', SH_OPT_STRING, &opt.cutlist, .arg = "FILE", .no_preset = true,
	 .help = "also write the cut list used to FILE"},
	{"declick", 0, SH_OPT_DURATION, &opt.declick, .scale = 0.001, .arg = "DUR",
	 .help = "fade each piece's edges over DUR (bare number: ms; default off)"},
	{0},
};

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	/* chop's classic call is by count: 32 slices unless a length is asked for */
	opt.knobs.slices = 32;
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	if (argc - first > 1)
		sh_usage_error("too many operands (try --help)");
	if ((sh_option_given(options, "slice") || sh_option_given(options, "onsets")) && !sh_option_given(options, "slices"))
		opt.knobs.slices = 0;
	if (!opt.output || !strcmp(opt.output, "-"))
		if (sh_stdout_binary() != 0)
			sh_die("%s", sh_error());
	sh_render_opts ro = {.fit = SH_FIT_NONE};
	if (sh_option_given(options, "declick") && sh_duration_seconds(&opt.declick, 0, 0, 0, &ro.declick) != 0)
		sh_usage_error("--declick: %s", sh_error());

	sh_audio_in *in = sh_audio_open_or_die(first < argc ? argv[first] : "-");
	sh_audio_source *src = sh_audio_source_open(in, (size_t)256 << 20);
	int rate = sh_audio_rate(in), ch = sh_audio_channels(in);
	sh_slicer_opts so = {.total = sh_audio_source_frames(src), .rate = rate};
	double *times;
	sh_slicer_from_cli(&opt.knobs, prog.seed, &so, &times);
	sh_cutlist *cl = sh_slice(&so, prog.seed);
	if (!cl)
		sh_die("%s: %s", sh_audio_name(in), sh_error());
	json_t *made = json_object();
	json_object_set_new(made, "program", json_string("chop"));
	json_object_set_new(made, "version", json_string(SHARDS_VERSION));
	json_object_set_new(made, "options", sh_options_json(options));
	json_object_set_new(made, "drawn", sh_slicer_drawn_json(&so));
	cl->made_by = made;
	sh_note("seed %llu", (unsigned long long)prog.seed);

	sh_audio_out_opts oo = {.bits = sh_parse_bits(opt.bits), .dither_seed = prog.seed};
	sh_audio_out *out = sh_audio_create(opt.output, rate, ch, &oo);
	sh_render_audio(cl, src, rate, ch, out, &ro);
	if (opt.cutlist) {
		char *text = sh_cutlist_dump(cl);
		if (sh_write_file_atomic(opt.cutlist, text, strlen(text)) != 0)
			sh_die("%s", sh_error());
		free(text);
	}
	sh_audio_finish(out);
	sh_audio_source_close(src);
	sh_audio_close(in);
	sh_cutlist_free(cl);
	free(times);
	return 0;
}
