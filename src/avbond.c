/* avbond -- bond a sound to a picture: a y4m stream exactly as long as the
 * audio (round(frames * fps / rate) frames), from a still image, a folder of
 * images switching at the audio's transients (or every N beats), or a video
 * clip trimmed, looped and fitted to the size. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bond.h"
#include "cli.h"
#include "media.h"
#include "rng.h"
#include "vfilter.h"
#include "y4m.h"

static const char usage[] = "avbond [-r FPS] [-s WxH] [--fit crop|pad|stretch] [--every N --bpm BPM] [-o OUT.y4m] AUDIO VISUAL";

/* Defaults */
static const char *out_path = NULL;
static sh_rational fps = {30, 1};       /* 12 choppy and dreamlike, 24 film, 30 video, 60 glassy */
static const char *size = NULL;         /* WxH; unset = the visual's own (a folder: its first image) */
static const char *fit = "crop";        /* crop fills the frame; pad keeps the whole picture with
                                           black bars; stretch distorts it to fill */
static const char *chroma = "420jpeg";
static double threshold = 0.3;          /* transient sensitivity for a folder: 0.05 every ghost note
                                           flips the picture, 0.3 the clear hits, 0.8 only the
                                           hardest accents */
static sh_duration min_gap = {0.1, SH_DUR_SECONDS}; /* shortest time a picture stays: 40ms strobes,
                                                       100ms flickers with the hats, 0.5s calm */
static double every = 0;                /* switch every N beats instead of at transients (needs
                                           --bpm): 1 on each beat, 4 once a bar, 0.5 on eighths */
static double bpm = 0;
static const char *onsets_file = NULL;  /* switch at these times (onsets' JSON) instead */
static bool shuffle = false;            /* folder order (false) or a seeded random pick (true) */
static const char *start = "0";         /* video clip: where to start in it */
static bool no_loop = false;            /* video clip shorter than the audio: loop it (default)
                                           or hold its last frame */

/* The folder's pictures, in name order; non-pictures are skipped. */
static char **images;
static size_t nimages;

static sh_option options[] = {
	SH_VF_OUTPUT_OPTION(out_path),
	{.name = "fps", .short_name = 'r', .type = SH_OPT_RATE, .dest = &fps,
	 .help = "frame rate: 24, 25, 30, 30000/1001, ..."},
	{.name = "size", .short_name = 's', .type = SH_OPT_STRING, .dest = &size, .arg = "WxH",
	 .help = "frame size; unset: the visual's own (a folder: its first picture's)"},
	{.name = "fit", .type = SH_OPT_CHOICE, .dest = &fit, .choices = SH_FRAME_FIT_CHOICES,
	 .help = "how a picture of another aspect fills the frame"},
	{.name = "chroma", .short_name = 'C', .type = SH_OPT_CHOICE, .dest = &chroma, .choices = SH_CHROMA_CHOICES,
	 .arg = "CHROMA", .help = "y4m chroma"},
	{.name = "threshold", .short_name = 't', .type = SH_OPT_DOUBLE, .dest = &threshold, .min = 0, .max = 1,
	 .help = "folder: transient sensitivity, 0 (every ripple)..1 (hardest hits)"},
	{.name = "min-gap", .short_name = 'g', .type = SH_OPT_DURATION, .dest = &min_gap, .scale = 1,
	 .help = "folder: shortest time between switches"},
	{.name = "every", .short_name = 'e', .type = SH_OPT_DOUBLE, .dest = &every, .min = 0, .max = 1024,
	 .arg = "N", .unit = "beats", .help = "folder: switch every N beats instead of at transients; needs --bpm"},
	{.name = "bpm", .short_name = 'b', .type = SH_OPT_DOUBLE, .dest = &bpm, .min = 0, .max = 1000,
	 .unit = "BPM", .help = "tempo for --every"},
	{.name = "onsets", .type = SH_OPT_STRING, .dest = &onsets_file, .no_preset = true, .arg = "FILE",
	 .help = "folder: switch at the times in FILE (onsets' JSON) instead"},
	{.name = "shuffle", .short_name = 'S', .type = SH_OPT_FLAG, .dest = &shuffle,
	 .help = "folder: pick pictures at random (seeded), never the same twice in a row"},
	{.name = "start", .type = SH_OPT_STRING, .dest = &start, .arg = "T",
	 .help = "video clip: start this far into it"},
	{.name = "no-loop", .type = SH_OPT_FLAG, .dest = &no_loop,
	 .help = "video clip: hold the last frame instead of looping"},
	{0},
};

enum { STILL = SH_BOND_STILL, FOLDER = SH_BOND_FOLDER, CLIP = SH_BOND_CLIP };

/* What the run writes: the visual, the audio's length in frames and rate, and
 * for a folder the times the picture switches. */
typedef struct {
	const char *apath, *visual;
	sh_media_video_opts vo;
	double dfps, gap;
	int kind;
	sh_media *clip;         /* STILL and CLIP: the visual, open */
	int rate;               /* the audio's */
	int64_t aframes, nframes;
	sh_odf *odf;            /* FOLDER at transients: the audio's onset envelope */
	double *sw;             /* FOLDER: switch times in seconds */
	size_t nsw;
} plan;

/* Usage errors, before any file is opened. */
static void validate(plan *p, int argc, char **argv, int first)
{
	if (argc - first != 2)
		sh_usage_error("an audio input and a visual (usage: %s)", usage);
	p->apath = argv[first];
	p->visual = argv[first + 1];
	if (out_path && !(out_path = sh_media_output(out_path)))
		sh_die("%s", sh_error());
	if (every > 0 && bpm <= 0)
		sh_usage_error("--every needs --bpm");
	if (sh_media_video_opts_cli(&p->vo, size, fit, chroma, fps) != 0)
		sh_usage_error("%s", sh_error());
	p->dfps = sh_rational_value(fps);
	if (sh_duration_seconds(&min_gap, bpm, p->dfps, 0, &p->gap) != 0)
		sh_usage_error("--min-gap: %s", sh_error());
}

/* A still, a folder of pictures or a clip. */
static void open_visual(plan *p)
{
	sh_bond_kind kind;
	if (sh_bond_open_visual(p->visual, &kind, &p->clip) != 0)
		sh_die("%s", sh_error());
	p->kind = (int)kind;
	if (p->kind == FOLDER && !(images = sh_bond_scan_folder(p->visual, &nimages)))
		sh_die("%s", sh_error());
}

/* Read the audio once: its length, and (folder) its transients. */
static void read_audio(plan *p)
{
	bool want_onsets = p->kind == FOLDER && every <= 0 && !onsets_file;
	if (sh_bond_read_audio(p->apath, &p->aframes, &p->rate, want_onsets ? &p->odf : NULL) != 0)
		sh_die("%s", sh_error());
	p->nframes = sh_bond_frames(p->aframes, p->rate, fps);
	sh_note("%lld audio frames at %d Hz: %lld video frames at %d/%d fps", (long long)p->aframes, p->rate,
	        (long long)p->nframes, fps.num, fps.den);
}

/* Folder: when the picture switches, from a file, the beat or the transients. */
static void switch_times(plan *p)
{
	sh_bond_switch_opts so = {.onsets_file = onsets_file, .every = every, .bpm = bpm, .threshold = threshold,
	                          .min_gap = p->gap};
	sh_odf *odf = p->odf;
	p->odf = NULL;
	if (sh_bond_switch_times(&so, odf, p->aframes, p->rate, &p->sw, &p->nsw) != 0)
		sh_die("%s", sh_error());
	sh_note("%zu pictures, %zu switch times", nimages, p->nsw);
}

/* One still frame of PATH at the output geometry. */
static void decode_still(const char *path, sh_media_video_opts *vo, sh_y4m_info *info, uint8_t **frame)
{
	if (sh_bond_decode_still(path, vo, info, frame) != 0)
		sh_die("%s", sh_error());
}

static sh_y4m_out *create_output(const sh_y4m_info *info)
{
	sh_y4m_out *out = sh_y4m_create(out_path, info);
	if (!out)
		sh_die("%s", sh_error());
	return out;
}

static void put(sh_y4m_out *out, const uint8_t *frame)
{
	if (sh_y4m_write_frame(out, frame) != 0)
		sh_die("%s", sh_error());
}

/* The still, once per frame. */
static sh_y4m_out *write_still(plan *p, sh_y4m_info *info, uint8_t **frame)
{
	sh_media_close(p->clip);
	p->clip = NULL;
	decode_still(p->visual, &p->vo, info, frame);
	sh_y4m_out *out = create_output(info);
	for (int64_t k = 0; k < p->nframes; k++)
		put(out, *frame);
	return out;
}

/* The clip from --start, looped or held on its last frame. */
static sh_y4m_out *write_clip(plan *p, sh_y4m_info *info, uint8_t **frame)
{
	double v;
	if (sh_parse_double(start, &v) == 0 && v >= 0) {
		p->vo.start = v;
	} else {
		sh_duration d;
		if (sh_parse_duration(start, 1, &d) != 0 ||
		    sh_duration_seconds(&d, bpm, p->dfps, p->rate, &p->vo.start) != 0)
			sh_usage_error("--start: %s", sh_error());
	}
	p->vo.loop = !no_loop;
	if (sh_media_video_begin(p->clip, &p->vo, info) != 0)
		sh_die("%s", sh_error());
	*frame = sh_malloc(info->frame_size);
	sh_y4m_out *out = create_output(info);
	bool ended = false;
	for (int64_t k = 0; k < p->nframes; k++) {
		if (!ended) {
			int r = sh_media_video_read(p->clip, *frame);
			if (r < 0)
				sh_die("%s", sh_error());
			if (r == 0) {
				if (k == 0)
					sh_die("%s: no frames to show", p->visual);
				ended = true; /* hold the last frame */
			}
		}
		put(out, *frame);
	}
	sh_media_close(p->clip);
	p->clip = NULL;
	return out;
}

/* The folder's pictures, switching at the switch times. */
static sh_y4m_out *write_folder(plan *p, sh_rng *rng, sh_y4m_info *info, uint8_t **frame)
{
	size_t *pic = sh_bond_pictures(p->sw, p->nsw, nimages, p->nframes, fps, shuffle, rng);
	decode_still(images[0], &p->vo, info, frame);
	sh_y4m_out *out = create_output(info);
	for (int64_t k = 0; k < p->nframes; k++) {
		if (k > 0 && pic[k] != pic[k - 1])
			decode_still(images[pic[k]], &p->vo, info, frame);
		put(out, *frame);
	}
	free(pic);
	return out;
}

static sh_program prog = {
	.usage = usage,
	.summary = "bond audio to a still, a folder of pictures or a clip: y4m exactly as long as the audio",
	.has_seed = true,
};

int main(int argc, char **argv)
{
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	plan p = {0};
	validate(&p, argc, argv, first);
	sh_rng rng;
	sh_rng_seed(&rng, prog.seed);
	sh_note("seed %llu", (unsigned long long)prog.seed);

	open_visual(&p);
	read_audio(&p);
	if (p.kind == FOLDER)
		switch_times(&p);

	sh_y4m_info info;
	uint8_t *frame = NULL;
	sh_y4m_out *out = p.kind == STILL  ? write_still(&p, &info, &frame)
	                  : p.kind == CLIP ? write_clip(&p, &info, &frame)
	                                   : write_folder(&p, &rng, &info, &frame);
	if (sh_y4m_finish(out) != 0)
		sh_die("%s", sh_error());
	free(frame);
	free(p.sw);
	for (size_t i = 0; i < nimages; i++)
		free(images[i]);
	free(images);
	return 0;
}
