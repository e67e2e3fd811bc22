/* chop -- quick chop-and-shuffle in one step: slice a source, shuffle every
 * slice (by default), reverse/stutter/drop by chance, and write the audio.
 * The cut list it used can be kept with --cutlist for video or replay. */
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
	.max_operands = 1,
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
	SH_SLICER_OPTIONS(opt.knobs),
	SH_AUDIO_OUTPUT_OPTION(opt.output),
	SH_AUDIO_BITS_OPTION(opt.bits),
	{.name = "cutlist", .short_name = 'c', .type = SH_OPT_STRING, .dest = &opt.cutlist, .arg = "FILE",
	 .no_preset = true, .help = "also write the cut list used to FILE: for video, or to replay it"},
	{.name = "declick", .type = SH_OPT_DURATION, .dest = &opt.declick, .scale = 0.001, .arg = "DUR",
	 .help = "fade each piece's edges over DUR (bare number: ms; default off: clean digital cuts)"},
	{0},
};

/* Options that only make sense together, and the output, before any audio is read. */
static void validate(sh_render_opts *ro)
{
	if ((sh_option_given(options, "slice") || sh_option_given(options, "onsets")) && !sh_option_given(options, "slices"))
		opt.knobs.slices = 0;
	if (!opt.output || !strcmp(opt.output, "-"))
		if (sh_stdout_binary() != 0)
			sh_die("%s", sh_error());
	*ro = (sh_render_opts){.fit = SH_CUT_FIT_NONE};
	if (sh_option_given(options, "declick") && sh_duration_seconds(&opt.declick, 0, 0, 0, &ro->declick) != 0)
		sh_usage_error("--declick: %s", sh_error());
}

/* The pass over the whole source, with its made_by record. */
static sh_cutlist *plan(sh_audio_source *src, const char *name, int rate)
{
	sh_slicer_opts so = {.total = sh_audio_source_frames(src), .rate = rate};
	sh_cutlist *cl;
	int bad = sh_slicer_pass(&opt.knobs, prog.seed, &so, name, &cl);
	if (bad == SH_EXIT_USAGE)
		sh_usage_error("%s", sh_error());
	if (bad)
		sh_die("%s", sh_error());
	cl->made_by = sh_slicer_made_by("chop", sh_options_json(options), &so);
	sh_note("seed %llu", (unsigned long long)prog.seed);
	return cl;
}

/* Play the pass into the output; keep the list when asked. */
static void process(const sh_cutlist *cl, sh_audio_source *src, int rate, int ch, const sh_render_opts *ro)
{
	sh_audio_out_opts oo = {.bits = sh_parse_bits(opt.bits), .dither_seed = prog.seed};
	if (sh_audio_check_output(opt.output, oo.bits, rate, ch) != 0)
		sh_usage_error("%s", sh_error());
	sh_audio_out *out = sh_audio_create(opt.output, rate, ch, &oo);
	if (!out || sh_render_audio(cl, src, rate, ch, out, ro) != 0)
		sh_die("%s", sh_error());
	if (opt.cutlist) {
		char *text = sh_cutlist_dump(cl);
		if (sh_write_file_atomic(opt.cutlist, text, strlen(text)) != 0)
			sh_die("%s", sh_error());
		free(text);
	}
	if (sh_audio_finish(out) != 0)
		sh_die("%s", sh_error());
}

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	/* chop's classic call is by count: 32 slices unless a length is asked for */
	opt.knobs.slices = 32;
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	sh_render_opts ro;
	validate(&ro);

	sh_audio_in *in = sh_audio_open(first < argc ? argv[first] : "-");
	sh_audio_source *src = in ? sh_audio_source_open(in, (size_t)256 << 20) : NULL;
	if (!src)
		sh_die("%s", sh_error());
	int rate = sh_audio_rate(in), ch = sh_audio_channels(in);
	sh_cutlist *cl = plan(src, sh_audio_name(in), rate);
	process(cl, src, rate, ch, &ro);
	sh_audio_source_close(src);
	sh_audio_close(in);
	sh_cutlist_free(cl);
	return 0;
}
