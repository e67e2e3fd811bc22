/* avmux -- encode an audio stream and a video stream into one file: H.264
 * (libx264) and AAC in MP4 or MOV, or Matroska by extension. The two must be
 * equally long, within one video frame; the file appears whole or not at all. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>

#include "cli.h"
#include "media.h"
#include "vgraph.h"

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
static const char *at_list = NULL;           /* where each video begins: "+" after the one before (a gap
                                           before a later start is black, a video still playing is cut) */

/* x264's threads: fixed, not -j and not the machine's cores, because x264's bit
 * stream depends on its thread count; with a fixed count the same inputs give the
 * same file everywhere. 3 is x264's own choice for two cores (it adds its
 * lookahead thread); 4 and more were seen to vary between runs on small frames
 * (320x240) on a busy machine, 3 was not. The rest of -j goes to decoding. */
#define X264_THREADS 3

static const char *averr(int e)
{
	static char buf[AV_ERROR_MAX_STRING_SIZE];
	av_strerror(e, buf, sizeof buf);
	return buf;
}

typedef struct {
	AVFormatContext *oc;
	AVCodecContext *venc, *aenc;
	AVStream *vst, *ast;
	AVPacket *pkt;
} muxer;

static void drain(muxer *mx, AVCodecContext *enc, AVStream *st)
{
	for (;;) {
		int e = avcodec_receive_packet(enc, mx->pkt);
		if (e == AVERROR(EAGAIN) || e == AVERROR_EOF)
			return;
		if (e < 0)
			sh_die("encoding failed: %s", averr(e));
		av_packet_rescale_ts(mx->pkt, enc->time_base, st->time_base);
		mx->pkt->stream_index = st->index;
		e = av_interleaved_write_frame(mx->oc, mx->pkt);
		if (e < 0)
			sh_die("%s: cannot write: %s", out_path, averr(e));
	}
}

static void send(muxer *mx, AVCodecContext *enc, AVStream *st, AVFrame *f)
{
	int e = avcodec_send_frame(enc, f);
	if (e < 0 && e != AVERROR_EOF)
		sh_die("encoding failed: %s", averr(e));
	drain(mx, enc, st);
}

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
	double *at_s;           /* --at: each one's start in seconds, -1: after the one before */
	int64_t *at_f;          /* the same in frames */
	sh_media **vins;
	sh_media_video_opts vo; /* the first's geometry and rate, for the others */
	const char *muxname;    /* libavformat's name for the container */
	sh_media *vin, *ain;
	const sh_media_info *vi, *ai;
	sh_y4m_info info;       /* the video as decoded: even size, 4:2:0 */
	double fps;
	double prev_s;          /* --preview in seconds, 0 for all */
	const AVCodec *vc, *ac;
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
	const char *dot = strrchr(out_path, '.');
	if (dot && (!strcasecmp(dot, ".mp4") || !strcasecmp(dot, ".m4v")))
		p->muxname = "mp4";
	else if (dot && !strcasecmp(dot, ".mov"))
		p->muxname = "mov";
	else if (dot && !strcasecmp(dot, ".mkv"))
		p->muxname = "matroska";
	else
		sh_usage_error("-o %s: unknown container: use .mp4, .m4v, .mov or .mkv", out_path);
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

	p->vc = avcodec_find_encoder_by_name("libx264");
	if (!p->vc)
		sh_die("FFmpeg here has no libx264 encoder");
	p->ac = avcodec_find_encoder(AV_CODEC_ID_AAC);
	if (!p->ac)
		sh_die("FFmpeg here has no AAC encoder");
	p->rate = ai->audio_rate;
	bool rate_ok = !p->ac->supported_samplerates;
	for (const int *r = p->ac->supported_samplerates; r && *r; r++)
		if (*r == p->rate)
			rate_ok = true;
	if (!rate_ok) {
		sh_note("%s: %d Hz is not an AAC rate, resampled to 48000 Hz", p->apath, p->rate);
		p->rate = 48000;
	}
	p->ch = ai->audio_channels > 2 ? 2 : (ai->audio_channels < 1 ? 1 : ai->audio_channels);
	if (sh_media_audio_begin(p->ain, p->rate, p->ch, 0, p->prev_s) != 0)
		sh_die("%s", sh_error());

	/* early check when both lengths are known from the headers */
	if (!p->prev_s && !at_list && vtotal > 0 && ai->duration > 0 && strcmp(p->apath, "-") && strcmp(p->vpath, "-") &&
	    fabs(vtotal - ai->duration) > 1.0 / p->fps + 0.05)
		sh_die("%s is %.3fs long but %s%s is %.3fs: they must agree within one frame (%.3fs); "
		       "make the video with avbond or trim the audio", p->apath, ai->duration, p->vpath,
		       p->nv > 1 ? " and the videos after it" : "", vtotal, 1.0 / p->fps);
}

/* The muxer on the temporary name (faststart reopens it by name), both encoders
 * and both streams, the header written. */
static void open_muxer(const plan *p, muxer *mx, sh_atomic *at)
{
	const sh_y4m_info *info = &p->info;
	if (avformat_alloc_output_context2(&mx->oc, NULL, p->muxname, sh_atomic_tmpname(at)) < 0 || !mx->oc)
		sh_die("%s: cannot set up the %s muxer", out_path, p->muxname);
	/* no random identifiers (Matroska's segment and track UIDs) or library
	 * version strings: the same inputs give the same bytes */
	mx->oc->flags |= AVFMT_FLAG_BITEXACT;
	mx->pkt = av_packet_alloc();

	mx->venc = avcodec_alloc_context3(p->vc);
	mx->venc->width = info->width;
	mx->venc->height = info->height;
	mx->venc->pix_fmt = AV_PIX_FMT_YUV420P;
	mx->venc->time_base = (AVRational){info->fps_den, info->fps_num};
	mx->venc->framerate = (AVRational){info->fps_num, info->fps_den};
	mx->venc->sample_aspect_ratio = (AVRational){1, 1};
	mx->venc->color_range = AVCOL_RANGE_MPEG;
	mx->venc->colorspace = AVCOL_SPC_SMPTE170M;
	mx->venc->thread_count = X264_THREADS;
	char crftext[16];
	snprintf(crftext, sizeof crftext, "%d", (int)crf);
	av_opt_set(mx->venc->priv_data, "crf", crftext, 0);
	av_opt_set(mx->venc->priv_data, "preset", x264_preset, 0);
	if (tune)
		av_opt_set(mx->venc->priv_data, "tune", tune, 0);
	if (mx->oc->oformat->flags & AVFMT_GLOBALHEADER)
		mx->venc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
	int e = avcodec_open2(mx->venc, p->vc, NULL);
	if (e < 0)
		sh_die("cannot open libx264: %s", averr(e));
	mx->vst = avformat_new_stream(mx->oc, NULL);
	avcodec_parameters_from_context(mx->vst->codecpar, mx->venc);
	mx->vst->time_base = mx->venc->time_base;
	mx->vst->avg_frame_rate = mx->venc->framerate;

	mx->aenc = avcodec_alloc_context3(p->ac);
	mx->aenc->sample_rate = p->rate;
	av_channel_layout_default(&mx->aenc->ch_layout, p->ch);
	mx->aenc->sample_fmt = AV_SAMPLE_FMT_FLTP;
	mx->aenc->bit_rate = abitrate * 1000;
	mx->aenc->time_base = (AVRational){1, p->rate};
	if (mx->oc->oformat->flags & AVFMT_GLOBALHEADER)
		mx->aenc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
	e = avcodec_open2(mx->aenc, p->ac, NULL);
	if (e < 0)
		sh_die("cannot open the AAC encoder: %s", averr(e));
	mx->ast = avformat_new_stream(mx->oc, NULL);
	avcodec_parameters_from_context(mx->ast->codecpar, mx->aenc);
	mx->ast->time_base = mx->aenc->time_base;

	e = avio_open(&mx->oc->pb, sh_atomic_tmpname(at), AVIO_FLAG_WRITE);
	if (e < 0)
		sh_die("%s: %s", out_path, averr(e));
	AVDictionary *mopts = NULL;
	if (strcmp(p->muxname, "matroska"))
		av_dict_set(&mopts, "movflags", "+faststart", 0);
	e = avformat_write_header(mx->oc, &mopts);
	av_dict_free(&mopts);
	if (e < 0)
		sh_die("%s: cannot write the header: %s", out_path, averr(e));
}

/* Audio up to the video's time NV / fps (all of it once the video has ended):
 * false once the audio has ended. Counts samples in *NA. */
static bool encode_audio(const plan *p, muxer *mx, AVFrame *af, float *abuf, int fsize, bool video_ended, int64_t nv,
                         int64_t *na)
{
	while (video_ended || (double)*na / p->rate < (double)nv / p->fps) {
		ssize_t got = sh_media_audio_read(p->ain, abuf, (size_t)fsize);
		if (got < 0)
			sh_die("%s", sh_error());
		if (got == 0)
			return false;
		if (av_frame_make_writable(af) < 0)
			sh_die("out of memory");
		af->nb_samples = (int)got;
		for (int c = 0; c < p->ch; c++) {
			float *d = (float *)af->data[c];
			for (ssize_t i = 0; i < got; i++)
				d[i] = abuf[i * p->ch + c];
		}
		af->pts = *na;
		*na += got;
		send(mx, mx->aenc, mx->ast, af);
		if (got < fsize)
			return false; /* a short frame is the encoder's last */
	}
	return true;
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
	/* x264 takes its own reference: the same frame serves every gap */
	return *keep;
}

/* Encode: video frame by frame, audio kept up to the video's time; then check
 * the two lengths agree. */
static void encode(plan *p, muxer *mx, int64_t *nv_out, int64_t *na_out)
{
	AVFrame *vf = av_frame_alloc();
	if (!vf)
		sh_die("out of memory");
	AVFrame *af = av_frame_alloc();
	int fsize = mx->aenc->frame_size > 0 ? mx->aenc->frame_size : 1024;
	af->format = AV_SAMPLE_FMT_FLTP;
	af->nb_samples = fsize;
	af->sample_rate = p->rate;
	av_channel_layout_copy(&af->ch_layout, &mx->aenc->ch_layout);
	if (av_frame_get_buffer(af, 0) < 0)
		sh_die("out of memory");
	float *abuf = sh_malloc((size_t)fsize * p->ch * sizeof *abuf);
	int64_t nv = 0, na = 0;
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
			out->pts = nv++;
			send(mx, mx->venc, mx->vst, out);
			if (p->vi->duration > 0)
				sh_progress_update(&pr, nv / p->fps / p->vi->duration);
		}
		if (audio_left)
			audio_left = encode_audio(p, mx, af, abuf, fsize, r == 0, nv, &na);
		if (r == 0)
			break;
	}
	av_frame_free(&black);
	sh_progress_end(&pr);
	send(mx, mx->venc, mx->vst, NULL);
	send(mx, mx->aenc, mx->ast, NULL);

	double vdur = nv / p->fps, adur = (double)na / p->rate;
	if (nv == 0)
		sh_die("%s: no video frames", p->vpath);
	if (na == 0)
		sh_die("%s: no audio", p->apath);
	if (fabs(vdur - adur) > 1.0 / p->fps + 1e-9)
		sh_die("%s is %.3fs long but %s is %.3fs (%lld frames at %g fps): they must agree within one "
		       "frame; make the video with avbond or trim the audio",
		       p->apath, adur, p->vpath, vdur, (long long)nv, p->fps);
	free(abuf);
	av_frame_free(&vf);
	av_frame_free(&af);
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

	sh_atomic *at = sh_atomic_open(out_path);
	if (!at)
		sh_die("%s", sh_error());
	muxer mx = {0};
	open_muxer(&p, &mx, at);
	int64_t nv, na;
	encode(&p, &mx, &nv, &na);
	int e = av_write_trailer(mx.oc);
	if (e < 0)
		sh_die("%s: cannot finish: %s", out_path, averr(e));
	avio_closep(&mx.oc->pb);
	if (sh_atomic_commit(at) != 0)
		sh_die("%s", sh_error());
	sh_note("%lld frames (%.3fs), %lld audio samples (%.3fs)", (long long)nv, nv / p.fps, (long long)na,
	        (double)na / p.rate);

	av_packet_free(&mx.pkt);
	avcodec_free_context(&mx.venc);
	avcodec_free_context(&mx.aenc);
	avformat_free_context(mx.oc);
	for (int i = 0; i < p.nv; i++)
		sh_media_close(p.vins[i]);
	free(p.vins);
	free(p.at_s);
	free(p.at_f);
	sh_media_close(p.ain);
	return 0;
}
