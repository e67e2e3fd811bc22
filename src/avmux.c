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

static const char *usage = "avmux [--crf N] [--x264-preset P] [--preview DUR] [--at LIST] -o OUT.mp4|.mkv|.mov AUDIO VIDEO...";

/* Defaults */
static const char *out_path = NULL;
static int64_t crf = 18;                /* picture quality: 0 lossless and huge, 18 looks like the
                                           source, 23 x264's default, 30+ smeared blocks */
static const char *x264_preset = "medium"; /* encoder effort: ultrafast for drafts, medium balanced,
                                             slow/veryslow smaller files for the final render */
static int64_t abitrate = 192;          /* AAC kbit/s: 96 thin, 192 clean, 320 transparent */
static sh_duration preview = {0, SH_DUR_SECONDS}; /* encode only the first DUR (a quick look) */
static const char *tune = NULL;         /* x264 tune: film, animation, grain, stillimage, ... */
static const char *at_list = NULL;      /* where each video begins: "+" after the one before (a gap
                                           before a later start is black, a video still playing is cut) */

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
	{.name = "at", .type = SH_OPT_STRING, .dest = &at_list, .arg = "LIST",
	 .help = "where each video begins, comma-separated seconds or + (right after the one before); unset: all +"},
	{.name = "preview", .type = SH_OPT_DURATION, .dest = &preview, .scale = 1,
	 .help = "encode only the first DUR (seconds, 5s, 120f) for a quick look; unset: all"},
	{0},
};

/* The run: its inputs, the encoders' settings and the muxer's name. */
typedef struct {
	const char *apath, *vpath;
	char **vpaths;          /* every video, played one after another */
	int nv, cur;            /* how many; the one playing */
	sh_media **vins;
	sh_media_video_opts vo; /* the first's geometry and rate, for the others */
	double *at_s;           /* --at: each one's start in seconds, -1: after the one before */
	int64_t *at_f;          /* the same in frames */
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
	if (argc - first < 2)
		sh_usage_error("an audio and a video input (usage: %s)", usage);
	if (!out_path)
		sh_usage_error("no output file: give -o OUT.mp4 (or .mkv, .mov)");
	p->apath = argv[first];
	p->vpath = argv[first + 1];
	p->vpaths = argv + first + 1;
	p->nv = argc - first - 1;
	for (int i = 0; i < p->nv; i++)
		if (!strcmp(p->vpaths[i], "-") && (i || p->nv > 1))
			sh_usage_error("with several videos none may be stdin");
	p->at_s = sh_malloc((size_t)p->nv * sizeof *p->at_s);
	p->at_f = sh_malloc((size_t)p->nv * sizeof *p->at_f);
	for (int i = 0; i < p->nv; i++)
		p->at_s[i] = -1;
	if (at_list) {
		char *list = sh_strdup(at_list), *save = NULL;
		int i = 0;
		double last = 0;
		for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save), i++) {
			if (i >= p->nv)
				sh_usage_error("--at %s: %d starts for %d videos", at_list, i + 1, p->nv);
			if (!strcmp(tok, "+"))
				continue;
			sh_duration d;
			double sec;
			if (sh_parse_time(tok, 1, &d) != 0 || d.unit != SH_DUR_SECONDS ||
			    sh_duration_seconds(&d, 0, 0, 0, &sec) != 0 || sec < last)
				sh_usage_error("--at %s: '%s': seconds, not before the start before, or +", at_list, tok);
			p->at_s[i] = last = sec;
		}
		free(list);
	}
	struct stat osb;
	if (stat(out_path, &osb) == 0 && !S_ISREG(osb.st_mode))
		sh_usage_error("-o %s: not a regular file (an MP4 or MKV is written whole and renamed into place)", out_path);
	if (!strcmp(p->apath, "-") && !strcmp(p->vpath, "-") && p->nv == 1)
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
	/* the videos after the first: opened now, so a bad one stops the run before
	 * the output exists; begun when the one before ends */
	p->vins = sh_calloc((size_t)p->nv, sizeof *p->vins);
	p->vins[0] = p->vin;
	double vtotal = p->vi->duration;
	for (int i = 1; i < p->nv; i++) {
		const sh_media_info *inf;
		p->vins[i] = open_input(p->vpaths[i], true, &inf);
		sh_media_set_threads(p->vins[i], jobs);
		vtotal = vtotal > 0 && inf->duration > 0 ? vtotal + inf->duration : -1;
	}
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
	for (int i = 0; i < p->nv; i++)
		p->at_f[i] = p->at_s[i] >= 0 ? llround(p->at_s[i] * p->fps) : -1;
	/* the others are fitted to the first's size and frame rate */
	p->vo = vo;
	p->vo.width = p->info.width;
	p->vo.height = p->info.height;
	p->vo.fps_num = p->info.fps_num;
	p->vo.fps_den = p->info.fps_den;

	p->rate = sh_encode_audio_rate(ai->audio_rate);
	if (p->rate < 0)
		sh_die("%s", sh_error());
	if (p->rate != ai->audio_rate)
		sh_note("%s: %d Hz is not an AAC rate, resampled to 48000 Hz", p->apath, ai->audio_rate);
	p->ch = ai->audio_channels > 2 ? 2 : (ai->audio_channels < 1 ? 1 : ai->audio_channels);
	if (sh_media_audio_begin(p->ain, p->rate, p->ch, 0, p->prev_s) != 0)
		sh_die("%s", sh_error());

	/* early check when both lengths are known from the headers */
	if (!p->prev_s && !at_list && vtotal > 0 && ai->duration > 0 && strcmp(p->apath, "-") &&
	    strcmp(p->vpath, "-") && fabs(vtotal - ai->duration) > 1.0 / p->fps + 0.05)
		sh_die("%s is %.3fs long but %s%s is %.3fs: they must agree within one frame (%.3fs); "
		       "make the video with avbond or trim the audio", p->apath, ai->duration, p->vpath,
		       p->nv > 1 ? " and the videos after it" : "", vtotal, 1.0 / p->fps);
}

/* Begin the next video, fitted to the first's size and rate, for the rest of
 * the preview. */
static void next_video(plan *p, int64_t nv)
{
	p->cur++;
	p->vin = p->vins[p->cur];
	p->vpath = p->vpaths[p->cur];
	sh_media_video_opts vo = p->vo;
	vo.duration = p->prev_s > 0 ? p->prev_s - nv / p->fps : 0;
	sh_y4m_info info;
	if (sh_media_video_begin(p->vin, &vo, &info) != 0)
		sh_die("%s", sh_error());
	if (info.width != p->info.width || info.height != p->info.height)
		sh_die("%s: %dx%d, not the first video's %dx%d", p->vpath, info.width, info.height, p->info.width,
		       p->info.height);
}

/* A black 4:2:0 frame of the video's size (made once). */
static AVFrame *black_frame(const plan *p, AVFrame **keep)
{
	if (!*keep) {
		AVFrame *f = av_frame_alloc();
		if (!f)
			sh_die("out of memory");
		f->format = AV_PIX_FMT_YUV420P;
		f->width = p->info.width;
		f->height = p->info.height;
		if (av_frame_get_buffer(f, 0) < 0)
			sh_die("out of memory");
		for (int y = 0; y < f->height; y++)
			memset(f->data[0] + (size_t)y * f->linesize[0], 16, (size_t)f->width);
		for (int c = 1; c < 3; c++)
			for (int y = 0; y < f->height / 2; y++)
				memset(f->data[c] + (size_t)y * f->linesize[c], 128, (size_t)f->width / 2);
		*keep = f;
	}
	/* the encoder takes its own reference: the same frame serves every gap */
	return *keep;
}

/* Encode: video frame by frame, audio kept up to the video's time; then check
 * the two lengths agree. */
static void encode(plan *p, sh_encoder *enc, int64_t *nv_out, int64_t *na_out)
{
	AVFrame *vf = av_frame_alloc();
	if (!vf)
		sh_die("out of memory");
	int64_t nv = 0;
	bool audio_left = true;
	sh_progress pr;
	sh_progress_start(&pr, "encoding");
	AVFrame *black = NULL; /* a gap before a video's --at */
	bool cur_done = false;
	for (;;) {
		int r = 1;
		AVFrame *out = vf;
		const bool more = p->cur + 1 < p->nv;
		if (p->prev_s > 0 && nv / p->fps >= p->prev_s - 1e-9) {
			r = 0; /* the preview is long enough */
		} else if (more && p->at_f[p->cur + 1] >= 0 && nv >= p->at_f[p->cur + 1]) {
			next_video(p, nv); /* its start: the one playing is cut here */
			cur_done = false;
			continue;
		} else if (cur_done && more && p->at_f[p->cur + 1] > nv) {
			out = black_frame(p, &black);
		} else if (cur_done && more) {
			next_video(p, nv);
			cur_done = false;
			continue;
		} else if (cur_done) {
			r = 0;
		} else if (p->cur == 0 && nv < p->at_f[0]) {
			out = black_frame(p, &black); /* black before the first video's start */
		} else {
			/* the decoded frame itself when it needs no conversion (a y4m's
			 * planes go to x264 without a copy) */
			r = sh_media_video_read_av(p->vin, vf);
			if (r < 0)
				sh_die("%s", sh_error());
			if (r == 0) {
				cur_done = true;
				continue;
			}
		}
		if (r == 1) {
			if (sh_encoder_video(enc, out) != 0)
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
	av_frame_free(&black);
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
	for (int i = 0; i < p.nv; i++)
		sh_media_close(p.vins[i]);
	free(p.vins);
	free(p.at_s);
	free(p.at_f);
	sh_media_close(p.ain);
	return 0;
}
