/* avbond -- bond a sound to a picture: a y4m stream exactly as long as the
 * audio (round(frames * fps / rate) frames), from a still image, a folder of
 * images switching at the audio's transients (or every N beats), or a video
 * clip trimmed, looped and fitted to the size. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audio.h"
#include "cli.h"
#include "media.h"
#include "onsets.h"
#include "rng.h"
#include "y4m.h"

static const char *usage = "avbond [-r FPS] [-s WxH] [--fit crop|pad|stretch] [--every N --bpm BPM] [-o OUT.y4m] AUDIO VISUAL";

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

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void scan_folder(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		sh_die("%s: %s", dir, strerror(errno));
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = sh_realloc(names, cap, sizeof *names);
		}
		size_t len = strlen(dir) + strlen(e->d_name) + 2;
		names[n] = sh_malloc(len);
		snprintf(names[n], len, "%s/%s", dir, e->d_name);
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_str);
	images = sh_calloc(n ? n : 1, sizeof *images);
	for (size_t i = 0; i < n; i++) {
		struct stat sb;
		if (stat(names[i], &sb) != 0 || !S_ISREG(sb.st_mode)) {
			free(names[i]);
			continue; /* sub-folders are not pictures */
		}
		/* a picture is a file FFmpeg (or ImageMagick) decodes into one still frame */
		sh_media *m = sh_media_open_image(names[i]);
		if (!m || !sh_media_get_info(m)->is_image) {
			sh_warn("%s: not a picture, skipped", names[i]);
			sh_media_close(m);
			free(names[i]);
			continue;
		}
		sh_media_close(m);
		images[nimages++] = names[i];
	}
	free(names);
	if (!nimages)
		sh_die("%s: no pictures in the folder", dir);
}

/* One still frame of PATH at the output geometry. */
static void decode_still(const char *path, sh_media_video_opts *vo, sh_y4m_info *info, uint8_t **frame)
{
	sh_media *m = sh_media_open_image(path);
	if (!m)
		sh_die("%s", sh_error());
	sh_y4m_info got;
	if (sh_media_video_begin(m, vo, &got) != 0)
		sh_die("%s", sh_error());
	if (!*frame) {
		/* the first picture sets the size the others are fitted to */
		*info = got;
		*frame = sh_malloc(got.frame_size);
		vo->width = got.width;
		vo->height = got.height;
	}
	if (sh_media_video_read(m, *frame) != 1)
		sh_die("%s: %s", path, sh_error());
	sh_media_close(m);
}

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	sh_option opts[] = {
		{.name = "output", .short_name = 'o', .type = SH_OPT_STRING, .dest = &out_path, .no_preset = true,
		 .arg = "FILE", .help = "write y4m to FILE instead of stdout"},
		{.name = "fps", .short_name = 'r', .type = SH_OPT_RATE, .dest = &fps,
		 .help = "frame rate: 24, 25, 30, 30000/1001, ... (30)"},
		{.name = "size", .short_name = 's', .type = SH_OPT_STRING, .dest = &size, .arg = "WxH",
		 .help = "frame size (the visual's own; a folder: its first picture's)"},
		{.name = "fit", .type = SH_OPT_CHOICE, .dest = &fit, .choices = SH_FIT_CHOICES,
		 .help = "how a picture of another aspect fills the frame (crop)"},
		{.name = "chroma", .short_name = 'C', .type = SH_OPT_CHOICE, .dest = &chroma,
		 .choices = SH_CHROMA_CHOICES, .arg = "CHROMA",
		 .help = "y4m chroma (420jpeg)"},
		{.name = "threshold", .short_name = 't', .type = SH_OPT_DOUBLE, .dest = &threshold, .min = 0,
		 .max = 1, .help = "folder: transient sensitivity, 0 (every ripple)..1 (hardest hits) (0.3)"},
		{.name = "min-gap", .short_name = 'g', .type = SH_OPT_DURATION, .dest = &min_gap, .scale = 1,
		 .help = "folder: shortest time between switches (0.1s)"},
		{.name = "every", .short_name = 'e', .type = SH_OPT_DOUBLE, .dest = &every, .min = 0, .max = 1024,
		 .arg = "N", .help = "folder: switch every N beats instead of at transients (needs --bpm)"},
		{.name = "bpm", .short_name = 'b', .type = SH_OPT_DOUBLE, .dest = &bpm, .min = 0, .max = 1000,
		 .help = "tempo for --every"},
		{.name = "onsets", .type = SH_OPT_STRING, .dest = &onsets_file, .no_preset = true, .arg = "FILE",
		 .help = "folder: switch at the times in FILE (onsets' JSON) instead"},
		{.name = "shuffle", .short_name = 'S', .type = SH_OPT_FLAG, .dest = &shuffle,
		 .help = "folder: pick pictures at random (seeded), never the same twice in a row"},
		{.name = "start", .type = SH_OPT_STRING, .dest = &start, .arg = "T",
		 .help = "video clip: start this far into it (0)"},
		{.name = "no-loop", .type = SH_OPT_FLAG, .dest = &no_loop,
		 .help = "video clip: hold the last frame instead of looping"},
		{0},
	};
	sh_program prog = {.usage = usage,
	                   .summary = "bond audio to a still, a folder of pictures or a clip: y4m exactly as long as the audio",
	                   .has_seed = true};
	int first = sh_parse_options(&prog, opts, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	if (argc - first != 2)
		sh_usage_error("an audio input and a visual (usage: %s)", usage);
	const char *apath = argv[first], *visual = argv[first + 1];
	out_path = sh_media_output(out_path);
	if (every > 0 && bpm <= 0)
		sh_usage_error("--every needs --bpm");
	sh_media_video_opts vo;
	sh_media_video_opts_cli(&vo, size, fit, chroma, fps);
	double dfps = sh_rational_value(fps);
	double gap;
	if (sh_duration_seconds(&min_gap, bpm, dfps, 0, &gap) != 0)
		sh_usage_error("--min-gap: %s", sh_error());
	sh_rng rng;
	sh_rng_seed(&rng, prog.seed);
	sh_note("seed %llu", (unsigned long long)prog.seed);

	/* what kind of visual */
	struct stat sb;
	if (stat(visual, &sb) != 0)
		sh_die("%s: %s", visual, strerror(errno));
	enum { STILL, FOLDER, CLIP } kind;
	sh_media *clip = NULL;
	if (S_ISDIR(sb.st_mode)) {
		kind = FOLDER;
		scan_folder(visual);
	} else {
		clip = sh_media_open_image(visual);
		if (!clip)
			sh_die("%s", sh_error());
		kind = sh_media_get_info(clip)->is_image ? STILL : CLIP;
	}

	/* read the audio once: its length, and (folder) its transients */
	sh_audio_in *ain = sh_audio_open_or_die(apath);
	int rate = sh_audio_rate(ain), ch = sh_audio_channels(ain);
	bool want_onsets = kind == FOLDER && every <= 0 && !onsets_file;
	sh_odf *odf = want_onsets ? sh_odf_new(rate) : NULL;
	size_t block = 8192;
	float *buf = sh_malloc(block * ch * sizeof *buf);
	float *mono = sh_malloc(block * sizeof *mono);
	int64_t aframes = 0;
	size_t got;
	while ((got = sh_audio_read_or_die(ain, buf, block)) > 0) {
		aframes += (int64_t)got;
		if (odf) {
			sh_audio_downmix(buf, got, ch, mono);
			sh_odf_feed(odf, mono, got);
		}
	}
	sh_audio_close(ain);
	free(buf);
	free(mono);
	/* frames = round(aframes * fps / rate), in integers */
	int64_t num = (int64_t)fps.num, den = (int64_t)fps.den * rate;
	int64_t nframes = (aframes * num * 2 + den) / (2 * den);
	sh_note("%lld audio frames at %d Hz: %lld video frames at %d/%d fps", (long long)aframes, rate,
	        (long long)nframes, fps.num, fps.den);

	/* switch times (folder) */
	double *sw = NULL;
	size_t nsw = 0;
	if (kind == FOLDER) {
		if (onsets_file) {
			if (sh_onsets_load(onsets_file, &sw, &nsw) != 0)
				sh_die("%s", sh_error());
		} else if (every > 0) {
			double step = every * 60.0 / bpm;
			double total = (double)aframes / rate;
			nsw = (size_t)(total / step) + 1;
			sw = sh_calloc(nsw, sizeof *sw);
			for (size_t i = 0; i < nsw; i++)
				sw[i] = (double)(i + 1) * step;
		} else {
			sh_odf_flush(odf);
			sh_onset_opts oo;
			sh_onset_opts_default(&oo);
			oo.threshold = threshold;
			oo.min_gap = gap;
			sh_onset *on = NULL;
			nsw = sh_onsets_pick(sh_odf_values(odf, -1), sh_odf_frames(odf), sh_odf_rate(odf), &oo, &on);
			sw = sh_calloc(nsw ? nsw : 1, sizeof *sw);
			for (size_t i = 0; i < nsw; i++)
				sw[i] = on[i].t;
			free(on);
			sh_odf_free(odf);
		}
		sh_note("%zu pictures, %zu switch times", nimages, nsw);
	}

	sh_y4m_info info;
	uint8_t *frame = NULL;
	sh_y4m_out *out = NULL;
	if (kind == STILL) {
		sh_media_close(clip);
		clip = NULL;
		decode_still(visual, &vo, &info, &frame);
		out = sh_y4m_create(out_path, &info);
		for (int64_t k = 0; k < nframes; k++)
			sh_y4m_write_frame(out, frame);
	} else if (kind == CLIP) {
		double v;
		if (sh_parse_double(start, &v) == 0 && v >= 0) {
			vo.start = v;
		} else {
			sh_duration d;
			if (sh_parse_duration(start, 1, &d) != 0 || sh_duration_seconds(&d, bpm, dfps, rate, &vo.start) != 0)
				sh_usage_error("--start: %s", sh_error());
		}
		vo.loop = !no_loop;
		if (sh_media_video_begin(clip, &vo, &info) != 0)
			sh_die("%s", sh_error());
		frame = sh_malloc(info.frame_size);
		out = sh_y4m_create(out_path, &info);
		bool ended = false;
		for (int64_t k = 0; k < nframes; k++) {
			if (!ended) {
				int r = sh_media_video_read(clip, frame);
				if (r < 0)
					sh_die("%s", sh_error());
				if (r == 0) {
					if (k == 0)
						sh_die("%s: no frames to show", visual);
					ended = true; /* hold the last frame */
				}
			}
			sh_y4m_write_frame(out, frame);
		}
		sh_media_close(clip);
	} else {
		/* which picture each switch shows */
		size_t cur = 0;
		decode_still(images[0], &vo, &info, &frame);
		out = sh_y4m_create(out_path, &info);
		size_t next_sw = 0;
		/* a switch at the very start would only skip the first picture */
		while (next_sw < nsw && sw[next_sw] < 0.5 / dfps)
			next_sw++;
		for (int64_t k = 0; k < nframes; k++) {
			double t = (double)k * fps.den / fps.num;
			bool changed = false;
			/* a switch lands on the frame nearest its time */
			while (next_sw < nsw && sw[next_sw] < t + 0.5 / dfps) {
				next_sw++;
				if (nimages > 1) {
					if (shuffle) {
						size_t pick = (size_t)sh_rng_below(&rng, nimages - 1);
						cur = pick >= cur ? pick + 1 : pick;
					} else {
						cur = (cur + 1) % nimages;
					}
					changed = true;
				}
			}
			if (changed)
				decode_still(images[cur], &vo, &info, &frame);
			sh_y4m_write_frame(out, frame);
		}
	}
	sh_y4m_finish(out);
	free(frame);
	free(sw);
	for (size_t i = 0; i < nimages; i++)
		free(images[i]);
	free(images);
	return 0;
}
