/* avmux -- encode an audio stream and a video stream into one file: H.264
 * (libx264) and AAC in MP4 or MOV, or Matroska by extension. The two must be
 * equally long, within one video frame; the file appears whole or not at all. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libavutil/frame.h>

#include "cli.h"
#include "encode.h"
#include "media.h"

static const char *usage = "avmux [--crf N] [--x264-preset P] [--preview DUR] -o OUT.mp4|.mkv|.mov AUDIO VIDEO";

/* Defaults */
static const char *out_path = NULL;
static int64_t crf = 18;                /* picture quality: 0 lossless and huge, 18 looks like the
                                           source, 23 x264's default, 30+ smeared blocks */
static const char *x264_preset = "medium"; /* encoder effort: ultrafast for drafts, medium balanced,
                                             slow/veryslow smaller files for the final render */
static int64_t abitrate = 192;          /* AAC kbit/s: 96 thin, 192 clean, 320 transparent */
static sh_duration preview = {0, SH_DUR_SECONDS}; /* encode only the first DUR (a quick look) */
static const char *tune = NULL;         /* x264 tune: film, animation, grain, stillimage, ... */

static sh_option options[] = {
	{.name = "output", .short_name = 'o', .type = SH_OPT_STRING, .dest = &out_path, .no_preset = true,
	 .arg = "FILE", .help = "the file to write: .mp4, .m4v, .mov or .mkv (required)"},
	{.name = "crf", .short_name = 'q', .type = SH_OPT_INT, .dest = &crf, .min = 0, .max = 51,
	 .help = "x264 constant quality, 0 (lossless)..51"},
	{.name = "x264-preset", .type = SH_OPT_CHOICE, .dest = &x264_preset,
	 .choices = "ultrafast|superfast|veryfast|faster|fast|medium|slow|slower|veryslow", .arg = "P",
	 .help = "x264 speed preset, ultrafast..veryslow"},
	{.name = "tune", .type = SH_OPT_CHOICE, .dest = &tune,
	 .choices = "film|animation|grain|stillimage|fastdecode|zerolatency", .arg = "T",
	 .help = "x264 tune: film animation grain stillimage fastdecode zerolatency; unset: none"},
	{.name = "audio-bitrate", .short_name = 'B', .type = SH_OPT_INT, .dest = &abitrate, .min = 32, .max = 512,
	 .arg = "KBPS", .unit = "kbit/s", .help = "AAC bit rate, 32..512"},
	{.name = "preview", .type = SH_OPT_DURATION, .dest = &preview, .scale = 1,
	 .help = "encode only the first DUR (seconds, 5s, 120f) for a quick look; unset: all"},
	{0},
};

/* The run: its inputs, the encoders' settings and the muxer's name. */
typedef struct {
	const char *apath, *vpath;
	const char *muxname;    /* libavformat's name for the container */
	sh_media *vin, *ain;
	const sh_media_info *vi, *ai;
	sh_y4m_info info;       /* the video as decoded: even size, 4:2:0 */
	double fps;
	double prev_s;          /* --preview in seconds, 0 for all */
	int rate, ch;           /* the audio as encoded */
} plan;

/* Usage errors, from the command line alone. */
static void validate(plan *p, int argc, char **argv, int first)
{
	if (argc - first != 2)
		sh_usage_error("an audio and a video input (usage: %s)", usage);
	if (!out_path)
		sh_usage_error("no output file: give -o OUT.mp4 (or .mkv, .mov)");
	p->apath = argv[first];
	p->vpath = argv[first + 1];
	struct stat osb;
	if (stat(out_path, &osb) == 0 && !S_ISREG(osb.st_mode))
		sh_usage_error("-o %s: not a regular file (an MP4 or MKV is written whole and renamed into place)", out_path);
	if (!strcmp(p->apath, "-") && !strcmp(p->vpath, "-"))
		sh_usage_error("audio and video cannot both come from stdin");
	if (!(p->muxname = sh_encode_container(out_path)))
		sh_usage_error("%s", sh_error());
}

/* Open PATH, which must carry a video (or audio) stream. */
static sh_media *open_input(const char *path, bool video, const sh_media_info **info)
{
	sh_media *m = sh_media_open(path);
	if (!m)
		sh_die("%s", sh_error());
	*info = sh_media_get_info(m);
	if (video ? !(*info)->has_video : !(*info)->has_audio)
		sh_die("%s: no %s stream", path, video ? "video" : "audio");
	return m;
}

/* Open both inputs and decide what is encoded: the video's geometry, the
 * audio's rate and channels, the preview's length. Every error comes here,
 * before the output file exists. */
static void plan_inputs(plan *p, int jobs)
{
	p->vin = open_input(p->vpath, true, &p->vi);
	p->ain = open_input(p->apath, false, &p->ai);
	/* -j: the video's decoding and reading (a thread ahead of the encoder) */
	sh_media_set_threads(p->vin, jobs);
	sh_media_set_threads(p->ain, 1);
	const sh_media_info *vi = p->vi, *ai = p->ai;

	if (sh_option_given(options, "preview")) {
		double f = vi->fps_num ? (double)vi->fps_num / vi->fps_den : 25;
		if (sh_duration_seconds(&preview, 0, f, ai->audio_rate, &p->prev_s) != 0)
			sh_usage_error("--preview: %s", sh_error());
	}

	sh_media_video_opts vo;
	sh_media_video_opts_default(&vo);
	/* 4:2:0 needs even sizes: an odd row or column is cropped off */
	vo.width = vi->width & ~1;
	vo.height = vi->height & ~1;
	if (vo.width < 2 || vo.height < 2)
		sh_die("%s: a %dx%d picture is too small to encode", p->vpath, vi->width, vi->height);
	vo.fit = SH_FRAME_FIT_CROP;
	vo.chroma = SH_CHROMA_420;
	vo.duration = p->prev_s;
	if (sh_media_video_begin(p->vin, &vo, &p->info) != 0)
		sh_die("%s", sh_error());
	p->fps = (double)p->info.fps_num / p->info.fps_den;

	p->rate = sh_encode_audio_rate(ai->audio_rate);
	if (p->rate < 0)
		sh_die("%s", sh_error());
	if (p->rate != ai->audio_rate)
		sh_note("%s: %d Hz is not an AAC rate, resampled to 48000 Hz", p->apath, ai->audio_rate);
	p->ch = ai->audio_channels > 2 ? 2 : (ai->audio_channels < 1 ? 1 : ai->audio_channels);
	if (sh_media_audio_begin(p->ain, p->rate, p->ch, 0, p->prev_s) != 0)
		sh_die("%s", sh_error());

	/* early check when both lengths are known from the headers */
	if (!p->prev_s && vi->duration > 0 && ai->duration > 0 && strcmp(p->apath, "-") && strcmp(p->vpath, "-") &&
	    fabs(vi->duration - ai->duration) > 1.0 / p->fps + 0.05)
		sh_die("%s is %.3fs long but %s is %.3fs: they must agree within one frame (%.3fs); "
		       "make the video with avbond or trim the audio", p->apath, ai->duration, p->vpath, vi->duration,
		       1.0 / p->fps);
}

/* Encode: video frame by frame, audio kept up to the video's time; then check
 * the two lengths agree. */
static void encode(const plan *p, sh_encoder *enc, int64_t *nv_out, int64_t *na_out)
{
	AVFrame *vf = av_frame_alloc();
	if (!vf)
		sh_die("out of memory");
	int64_t nv = 0;
	bool audio_left = true;
	sh_progress pr;
	sh_progress_start(&pr, "encoding");
	for (;;) {
		/* the decoded frame itself when it needs no conversion (a y4m's planes
		 * go to x264 without a copy) */
		int r = sh_media_video_read_av(p->vin, vf);
		if (r < 0)
			sh_die("%s", sh_error());
		if (r == 1) {
			if (sh_encoder_video(enc, vf) != 0)
				sh_die("%s", sh_error());
			nv++;
			if (p->vi->duration > 0)
				sh_progress_update(&pr, nv / p->fps / p->vi->duration);
		}
		if (audio_left) {
			int a = sh_encoder_audio_from(enc, p->ain, r == 0);
			if (a < 0)
				sh_die("%s", sh_error());
			audio_left = a > 0;
		}
		if (r == 0)
			break;
	}
	sh_progress_end(&pr);
	if (sh_encoder_flush(enc) != 0)
		sh_die("%s", sh_error());
	int64_t na = sh_encoder_audio_samples(enc);

	double vdur = nv / p->fps, adur = (double)na / p->rate;
	if (nv == 0)
		sh_die("%s: no video frames", p->vpath);
	if (na == 0)
		sh_die("%s: no audio", p->apath);
	if (fabs(vdur - adur) > 1.0 / p->fps + 1e-9)
		sh_die("%s is %.3fs long but %s is %.3fs (%lld frames at %g fps): they must agree within one "
		       "frame; make the video with avbond or trim the audio",
		       p->apath, adur, p->vpath, vdur, (long long)nv, p->fps);
	av_frame_free(&vf);
	*nv_out = nv;
	*na_out = na;
}

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	sh_program prog = {.usage = usage, .has_jobs = true,
	                   .summary = "encode audio + y4m video into MP4/MOV (H.264 + AAC) or MKV, checking they are equally long"};
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	plan p = {0};
	validate(&p, argc, argv, first);
	plan_inputs(&p, prog.jobs);

	sh_encode_opts eo = {.container = p.muxname, .width = p.info.width, .height = p.info.height,
	                     .fps_num = p.info.fps_num, .fps_den = p.info.fps_den, .rate = p.rate,
	                     .channels = p.ch, .crf = (int)crf, .preset = x264_preset, .tune = tune,
	                     .audio_kbps = (int)abitrate};
	sh_encoder *enc = sh_encoder_open(out_path, &eo);
	if (!enc)
		sh_die("%s", sh_error());
	int64_t nv, na;
	encode(&p, enc, &nv, &na);
	if (sh_encoder_finish(enc) != 0)
		sh_die("%s", sh_error());
	sh_note("%lld frames (%.3fs), %lld audio samples (%.3fs)", (long long)nv, nv / p.fps, (long long)na,
	        (double)na / p.rate);

	sh_encoder_close(enc);
	sh_media_close(p.vin);
	sh_media_close(p.ain);
	return 0;
}
