/* avglitch -- the one-command AV glitch render: bond a sound to a still, a
 * folder of pictures (switching at its transients) or a clip, micro-sample
 * both in lockstep with one frame-snapped cut list, and encode H.264 + AAC.
 * The same pictures and sound as cutgen --fps | cutapply | avbond | avmux,
 * without the bonded video in between. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "glitch.h"
#include "slicer.h"

static sh_program prog = {
	.usage = "avglitch [options] -o OUT.mp4|.mov|.mkv AUDIO VISUAL",
	.summary = "Bond audio to a still, a picture folder or a clip, micro-sample both with one cut list, encode",
	.has_seed = true,
	.has_jobs = true,
	.max_operands = 2,
};

/* Defaults */
static struct {
	const char *output;
	/* the cut list (cutgen's knobs) */
	sh_slicer_cli knobs;
	const char *cutlist;     /* apply this saved list instead of making one */
	const char *cut_fit;     /* a saved list on other material: none refuses, scale or wrap reuse it */
	const char *drop_video;  /* dropped pieces: black gaps or a frozen frame */
	/* the bond (avbond's knobs) */
	sh_rational fps;         /* 12 choppy and dreamlike, 24 film, 30 video, 60 glassy */
	const char *size;        /* WxH; unset = the visual's own (a folder: its first picture's) */
	const char *fit;         /* crop fills the frame; pad keeps the whole picture, black bars;
	                            stretch distorts it to fill */
	double threshold;        /* 0.05 every ghost note flips the picture, 0.3 the clear hits,
	                            0.8 only the hardest accents */
	sh_duration min_gap;     /* shortest time a picture stays: 40ms strobes, 0.5s calm */
	double every;            /* switch every N beats instead of at transients (needs --bpm) */
	const char *switch_at;   /* switch at the times in this file (onsets' JSON) instead */
	bool shuffle_pictures;   /* folder order, or a seeded random pick */
	const char *start;       /* a clip: where to start in it */
	bool no_loop;            /* a clip shorter than the audio loops, or holds its last frame */
	/* the encoding (avmux's knobs) */
	int64_t crf;             /* 0 lossless and huge, 18 looks like the source, 30+ smeared blocks */
	const char *x264_preset; /* ultrafast for drafts, medium balanced, slow for the final render */
	const char *tune;
	int64_t abitrate;        /* AAC kbit/s: 96 thin, 192 clean, 320 transparent */
	sh_duration preview;     /* encode only the first DUR (a quick look) */
	int64_t memory;          /* MiB of a clip's frames kept in memory before $TMPDIR */
	const char *keep;        /* keep the cut list and the cut audio in this folder */
} opt = {
	.knobs = SH_SLICER_CLI_DEFAULTS(0.5),
	.cut_fit = "none",
	.drop_video = "black",
	.fps = {30, 1},
	.fit = "crop",
	.threshold = 0.3,
	.min_gap = {0.1, SH_DUR_SECONDS},
	.start = "0",
	.crf = 18,
	.x264_preset = "medium",
	.abitrate = 192,
	.memory = 512,
};

static sh_option options[] = {
	{.name = "output", .short_name = 'o', .type = SH_OPT_STRING, .dest = &opt.output, .no_preset = true,
	 .arg = "FILE", .help = "the file to write: .mp4, .m4v, .mov or .mkv (required)"},
	/* the cut list, as cutgen makes it */
	{.name = "slice", .short_name = 's', .type = SH_OPT_DURATION, .dest = &opt.knobs.slice, .scale = 0.001,
	 .arg = "DUR", .help = "slice length: 40ms, 0.5s, 2f, 1/16 (bare number: ms); 250ms and up keeps phrases"},
	{.name = "slices", .short_name = 'n', .type = SH_OPT_INT, .dest = &opt.knobs.slices, .min = 1,
	 .max = 10000000, .help = "cut into N equal slices instead"},
	{.name = "onsets", .type = SH_OPT_STRING, .dest = &opt.knobs.onsets, .arg = "FILE", .no_preset = true,
	 .help = "cut at the onsets in FILE (JSON from onsets(1)) instead: the grains follow the playing"},
	{.name = "shuffle", .short_name = 'S', .type = SH_OPT_RANGE, .dest = &opt.knobs.shuffle, .min = 0, .max = 1,
	 .arg = "P", .help = "chance a slice moves, 0..1: 0 keeps the order, 1 moves every slice"},
	{.name = "stutter", .short_name = 't', .type = SH_OPT_RANGE, .dest = &opt.knobs.stutter, .min = 0, .max = 1,
	 .arg = "P", .help = "chance a piece repeats, 0..1: 0.3 is a machine-gun repeat now and then"},
	{.name = "max-repeats", .short_name = 'm', .type = SH_OPT_INT, .dest = &opt.knobs.max_repeats, .min = 2,
	 .max = 64, .help = "a stutter plays 2..N times: 2 flams, 8 and up buzzing rolls"},
	{.name = "reverse", .short_name = 'R', .type = SH_OPT_RANGE, .dest = &opt.knobs.reverse, .min = 0, .max = 1,
	 .arg = "P", .help = "chance a piece plays backwards, 0..1: swells and sucked-in hits"},
	{.name = "drop", .short_name = 'd', .type = SH_OPT_RANGE, .dest = &opt.knobs.drop, .min = 0, .max = 1,
	 .arg = "P", .help = "chance a piece is silence (and black), 0..1: air and gaps"},
	{.name = "bpm", .short_name = 'b', .type = SH_OPT_DOUBLE, .dest = &opt.knobs.bpm, .min = 1, .max = 1000,
	 .unit = "BPM", .help = "tempo for beat and note-value slices and for --every"},
	{.name = "cutlist", .type = SH_OPT_STRING, .dest = &opt.cutlist, .arg = "FILE", .no_preset = true,
	 .help = "apply this saved cut list instead of making one"},
	{.name = "cut-fit", .type = SH_OPT_CHOICE, .dest = &opt.cut_fit, .choices = "none|scale|wrap",
	 .help = "a list longer than the audio: none is an error; scale and wrap reuse it (cutapply's --fit)"},
	{.name = "drop-video", .type = SH_OPT_CHOICE, .dest = &opt.drop_video, .choices = "black|hold",
	 .help = "dropped pieces show black gaps or hold the last frame (cutapply's --drop)"},
	/* the bond, as avbond makes it */
	{.name = "fps", .short_name = 'r', .type = SH_OPT_RATE, .dest = &opt.fps,
	 .help = "frame rate, and the grid every cut snaps to: 24, 25, 30, 30000/1001, ..."},
	{.name = "size", .type = SH_OPT_STRING, .dest = &opt.size, .arg = "WxH",
	 .help = "frame size (even); unset: the visual's own (a folder: its first picture's)"},
	{.name = "fit", .type = SH_OPT_CHOICE, .dest = &opt.fit, .choices = SH_FRAME_FIT_CHOICES,
	 .help = "how a picture of another aspect fills the frame"},
	{.name = "threshold", .type = SH_OPT_DOUBLE, .dest = &opt.threshold, .min = 0, .max = 1,
	 .help = "folder: transient sensitivity, 0 (every ripple)..1 (hardest hits)"},
	{.name = "min-gap", .short_name = 'g', .type = SH_OPT_DURATION, .dest = &opt.min_gap, .scale = 1,
	 .help = "folder: shortest time between switches"},
	{.name = "every", .short_name = 'e', .type = SH_OPT_DOUBLE, .dest = &opt.every, .min = 0, .max = 1024,
	 .arg = "N", .unit = "beats", .help = "folder: switch every N beats instead of at transients; needs --bpm"},
	{.name = "switch-at", .type = SH_OPT_STRING, .dest = &opt.switch_at, .no_preset = true, .arg = "FILE",
	 .help = "folder: switch at the times in FILE (onsets' JSON) instead (avbond's --onsets)"},
	{.name = "shuffle-pictures", .type = SH_OPT_FLAG, .dest = &opt.shuffle_pictures,
	 .help = "folder: pick pictures at random (seeded), never the same twice in a row (avbond's --shuffle)"},
	{.name = "start", .type = SH_OPT_STRING, .dest = &opt.start, .arg = "T",
	 .help = "clip: start this far into it"},
	{.name = "no-loop", .type = SH_OPT_FLAG, .dest = &opt.no_loop,
	 .help = "clip: hold the last frame instead of looping"},
	/* the encoding, as avmux does it */
	{.name = "crf", .short_name = 'q', .type = SH_OPT_INT, .dest = &opt.crf, .min = 0, .max = 51,
	 .help = "x264 constant quality, 0 (lossless)..51"},
	{.name = "x264-preset", .type = SH_OPT_CHOICE, .dest = &opt.x264_preset,
	 .choices = "ultrafast|superfast|veryfast|faster|fast|medium|slow|slower|veryslow", .arg = "P",
	 .help = "x264 speed preset, ultrafast..veryslow"},
	{.name = "tune", .type = SH_OPT_CHOICE, .dest = &opt.tune,
	 .choices = "film|animation|grain|stillimage|fastdecode|zerolatency", .arg = "T",
	 .help = "x264 tune: film animation grain stillimage fastdecode zerolatency; unset: none"},
	{.name = "audio-bitrate", .short_name = 'B', .type = SH_OPT_INT, .dest = &opt.abitrate, .min = 32,
	 .max = 512, .arg = "KBPS", .unit = "kbit/s", .help = "AAC bit rate, 32..512"},
	{.name = "preview", .type = SH_OPT_DURATION, .dest = &opt.preview, .scale = 1,
	 .help = "encode only the first DUR (seconds, 5s, 120f) for a quick look; unset: all"},
	{.name = "memory", .type = SH_OPT_INT, .dest = &opt.memory, .min = 1, .max = 65536, .arg = "MIB",
	 .unit = "MiB", .help = "clip: frames kept in memory before spooling to $TMPDIR"},
	{.name = "keep", .type = SH_OPT_STRING, .dest = &opt.keep, .arg = "DIR", .no_preset = true,
	 .help = "also write the cut list (DIR/cuts.json) and the cut audio (DIR/cut.wav)"},
	{0},
};

static const char *const slicer_knobs[] = {"slice", "slices", "onsets", "shuffle", "stutter", "max-repeats",
                                           "reverse", "drop", NULL};

/* Settings checked one against another, before --print-config prints them. */
static int check(void)
{
	if (opt.every > 0 && !sh_option_given(options, "bpm")) {
		sh_set_error("--every needs --bpm");
		return -1;
	}
	if (opt.cutlist)
		for (const char *const *k = slicer_knobs; *k; k++)
			if (sh_option_given(options, *k)) {
				sh_set_error("--%s makes a cut list; --cutlist applies a saved one: give one or the other", *k);
				return -1;
			}
	if (opt.size) {
		int w, h;
		if (sh_parse_size(opt.size, &w, &h) != 0) {
			sh_set_error("--size: %s", sh_error());
			return -1;
		}
		if ((w | h) & 1) {
			sh_set_error("--size %s: H.264 in 4:2:0 needs an even width and height", opt.size);
			return -1;
		}
	}
	return 0;
}

/* Usage errors, from the command line alone. */
static void validate(sh_glitch_opts *g, int argc, char **argv, int first)
{
	if (argc - first != 2)
		sh_usage_error("an audio input and a visual (usage: %s)", prog.usage);
	if (!opt.output)
		sh_usage_error("no output file: give -o OUT.mp4 (or .mkv, .mov)");
	g->audio = argv[first];
	g->visual = argv[first + 1];
	g->output = opt.output;
	struct stat osb;
	if (stat(opt.output, &osb) == 0 && !S_ISREG(osb.st_mode))
		sh_usage_error("-o %s: not a regular file (an MP4 or MKV is written whole and renamed into place)",
		               opt.output);
	if (!(g->eo.container = sh_encode_container(opt.output)))
		sh_usage_error("%s", sh_error());
	if (!strcmp(g->audio, "-"))
		sh_usage_error("the audio is read twice: name a file, not stdin");
	g->fps = opt.fps;
	if (sh_media_video_opts_cli(&g->vo, opt.size, opt.fit, "420jpeg", opt.fps) != 0)
		sh_usage_error("%s", sh_error());
	double dfps = sh_rational_value(opt.fps);
	g->sw = (sh_bond_switch_opts){.onsets_file = opt.switch_at, .every = opt.every, .bpm = opt.knobs.bpm,
	                              .threshold = opt.threshold};
	if (sh_duration_seconds(&opt.min_gap, opt.knobs.bpm, dfps, 0, &g->sw.min_gap) != 0)
		sh_usage_error("--min-gap: %s", sh_error());
	if (sh_parse_cut_fit(opt.cut_fit, &g->ro.fit) != 0)
		sh_usage_error("--cut-fit: %s", sh_error());
	g->drop = !strcmp(opt.drop_video, "hold") ? SH_DROP_HOLD : SH_DROP_BLACK;
	g->shuffle_pictures = opt.shuffle_pictures;
	g->loop = !opt.no_loop;
	g->eo.crf = (int)opt.crf;
	g->eo.preset = opt.x264_preset;
	g->eo.tune = opt.tune;
	g->eo.audio_kbps = (int)opt.abitrate;
	g->memory = (size_t)opt.memory << 20;
	g->keep = opt.keep;
	g->threads = prog.jobs;
}

/* Settings that need the audio's rate: --start and --preview. */
static void timing(sh_glitch_opts *g, int rate)
{
	double dfps = sh_rational_value(opt.fps), v;
	if (sh_parse_double(opt.start, &v) == 0 && v >= 0) {
		g->start = v;
	} else {
		sh_duration d;
		if (sh_parse_duration(opt.start, 1, &d) != 0 ||
		    sh_duration_seconds(&d, opt.knobs.bpm, dfps, rate, &g->start) != 0)
			sh_usage_error("--start: %s", sh_error());
	}
	if (sh_option_given(options, "preview") &&
	    sh_duration_seconds(&opt.preview, opt.knobs.bpm, dfps, rate, &g->preview) != 0)
		sh_usage_error("--preview: %s", sh_error());
}

/* The cut list: the saved one, or a pass over the audio on the frame grid. */
static sh_cutlist *cut_list(const sh_glitch *gl, const char *audio)
{
	if (opt.cutlist) {
		sh_cutlist *cl = sh_cutlist_load(opt.cutlist);
		if (!cl)
			sh_die("%s", sh_error());
		return cl;
	}
	sh_slicer_opts so = {.total = sh_glitch_samples(gl), .rate = sh_glitch_rate(gl), .fps = opt.fps};
	opt.knobs.fps = opt.fps;
	sh_cutlist *cl;
	int bad = sh_slicer_pass(&opt.knobs, prog.seed, &so, NULL, &cl);
	if (bad == SH_EXIT_USAGE)
		sh_usage_error("%s", sh_error());
	if (bad)
		sh_die("%s: %s", audio, sh_error());
	cl->made_by = sh_slicer_made_by("avglitch", sh_options_json(options), &so);
	return cl;
}

int main(int argc, char **argv)
{
	prog.check = check;
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	sh_glitch_opts go = {0};
	validate(&go, argc, argv, first);
	sh_rng rng;
	sh_rng_seed(&rng, prog.seed);
	go.rng = &rng;
	sh_note("seed %llu", (unsigned long long)prog.seed);

	sh_glitch *gl = sh_glitch_open(&go);
	if (!gl)
		sh_die("%s", sh_error());
	timing(&go, sh_glitch_rate(gl));
	sh_cutlist *cl = cut_list(gl, go.audio);
	/* a picked seed rides in the file's comment (and in the kept cut list) */
	uint64_t seed;
	char comment[64];
	bool carry = sh_seed_to_carry(&seed);
	if (carry) {
		snprintf(comment, sizeof comment, "shards seed %llu", (unsigned long long)seed);
		go.eo.comment = comment;
	}
	char *text = sh_cutlist_dump(cl);
	if (sh_glitch_render(gl, cl, text) != 0)
		sh_die("%s", sh_error());
	if (carry)
		sh_seed_carried(seed);
	free(text);
	sh_cutlist_free(cl);
	sh_glitch_free(gl);
	return 0;
}
