/* encode.c -- H.264 + AAC into MP4, MOV or Matroska; see encode.h. */
#include "encode.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>

#include "err.h"
#include "file.h"

struct sh_encoder {
	char *path;
	sh_atomic *at;
	AVFormatContext *oc;
	AVCodecContext *venc, *aenc;
	AVStream *vst, *ast;
	AVPacket *pkt;
	AVFrame *af;
	float *abuf;
	int fsize, rate, ch;
	double fps;
	int64_t nv, na;
};

static const char *averr(int e)
{
	static __thread char buf[AV_ERROR_MAX_STRING_SIZE];
	av_strerror(e, buf, sizeof buf);
	return buf;
}

static int oom(void)
{
	sh_set_error("out of memory");
	return -1;
}

const char *sh_encode_container(const char *path)
{
	const char *dot = strrchr(path, '.');
	if (dot && (!strcasecmp(dot, ".mp4") || !strcasecmp(dot, ".m4v")))
		return "mp4";
	if (dot && !strcasecmp(dot, ".mov"))
		return "mov";
	if (dot && !strcasecmp(dot, ".mkv"))
		return "matroska";
	sh_set_error("-o %s: unknown container: use .mp4, .m4v, .mov or .mkv", path);
	return NULL;
}

int sh_encode_audio_rate(int rate)
{
	if (!avcodec_find_encoder_by_name("libx264")) {
		sh_set_error("FFmpeg here has no libx264 encoder");
		return -1;
	}
	const AVCodec *ac = avcodec_find_encoder(AV_CODEC_ID_AAC);
	if (!ac) {
		sh_set_error("FFmpeg here has no AAC encoder");
		return -1;
	}
	bool ok = !ac->supported_samplerates;
	for (const int *r = ac->supported_samplerates; r && *r; r++)
		if (*r == rate)
			ok = true;
	return ok ? rate : 48000;
}

/* Packets out of ENC into the file. */
static int drain(sh_encoder *e, AVCodecContext *enc, AVStream *st)
{
	for (;;) {
		int r = avcodec_receive_packet(enc, e->pkt);
		if (r == AVERROR(EAGAIN) || r == AVERROR_EOF)
			return 0;
		if (r < 0) {
			sh_set_error("encoding failed: %s", averr(r));
			return -1;
		}
		av_packet_rescale_ts(e->pkt, enc->time_base, st->time_base);
		e->pkt->stream_index = st->index;
		r = av_interleaved_write_frame(e->oc, e->pkt);
		if (r < 0) {
			sh_set_error("%s: cannot write: %s", e->path, averr(r));
			return -1;
		}
	}
}

static int send(sh_encoder *e, AVCodecContext *enc, AVStream *st, AVFrame *f)
{
	int r = avcodec_send_frame(enc, f);
	if (r < 0 && r != AVERROR_EOF) {
		sh_set_error("encoding failed: %s", averr(r));
		return -1;
	}
	return drain(e, enc, st);
}

static int open_video(sh_encoder *e, const sh_encode_opts *o)
{
	const AVCodec *vc = avcodec_find_encoder_by_name("libx264");
	if (!vc) {
		sh_set_error("FFmpeg here has no libx264 encoder");
		return -1;
	}
	AVCodecContext *v = e->venc = avcodec_alloc_context3(vc);
	v->width = o->width;
	v->height = o->height;
	v->pix_fmt = AV_PIX_FMT_YUV420P;
	v->time_base = (AVRational){o->fps_den, o->fps_num};
	v->framerate = (AVRational){o->fps_num, o->fps_den};
	v->sample_aspect_ratio = (AVRational){1, 1};
	v->color_range = AVCOL_RANGE_MPEG;
	v->colorspace = AVCOL_SPC_SMPTE170M;
	v->thread_count = SH_X264_THREADS;
	char crftext[16];
	snprintf(crftext, sizeof crftext, "%d", o->crf);
	av_opt_set(v->priv_data, "crf", crftext, 0);
	av_opt_set(v->priv_data, "preset", o->preset, 0);
	if (o->tune)
		av_opt_set(v->priv_data, "tune", o->tune, 0);
	if (e->oc->oformat->flags & AVFMT_GLOBALHEADER)
		v->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
	int r = avcodec_open2(v, vc, NULL);
	if (r < 0) {
		sh_set_error("cannot open libx264: %s", averr(r));
		return -1;
	}
	e->vst = avformat_new_stream(e->oc, NULL);
	avcodec_parameters_from_context(e->vst->codecpar, v);
	e->vst->time_base = v->time_base;
	e->vst->avg_frame_rate = v->framerate;
	return 0;
}

static int open_audio(sh_encoder *e, const sh_encode_opts *o)
{
	const AVCodec *ac = avcodec_find_encoder(AV_CODEC_ID_AAC);
	if (!ac) {
		sh_set_error("FFmpeg here has no AAC encoder");
		return -1;
	}
	AVCodecContext *a = e->aenc = avcodec_alloc_context3(ac);
	a->sample_rate = o->rate;
	av_channel_layout_default(&a->ch_layout, o->channels);
	a->sample_fmt = AV_SAMPLE_FMT_FLTP;
	a->bit_rate = (int64_t)o->audio_kbps * 1000;
	a->time_base = (AVRational){1, o->rate};
	if (e->oc->oformat->flags & AVFMT_GLOBALHEADER)
		a->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
	int r = avcodec_open2(a, ac, NULL);
	if (r < 0) {
		sh_set_error("cannot open the AAC encoder: %s", averr(r));
		return -1;
	}
	e->ast = avformat_new_stream(e->oc, NULL);
	avcodec_parameters_from_context(e->ast->codecpar, a);
	e->ast->time_base = a->time_base;

	e->fsize = a->frame_size > 0 ? a->frame_size : 1024;
	e->af = av_frame_alloc();
	if (!e->af)
		return oom();
	e->af->format = AV_SAMPLE_FMT_FLTP;
	e->af->nb_samples = e->fsize;
	e->af->sample_rate = o->rate;
	av_channel_layout_copy(&e->af->ch_layout, &a->ch_layout);
	if (av_frame_get_buffer(e->af, 0) < 0)
		return oom();
	e->abuf = sh_malloc((size_t)e->fsize * (size_t)o->channels * sizeof *e->abuf);
	return 0;
}

sh_encoder *sh_encoder_open(const char *path, const sh_encode_opts *o)
{
	sh_encoder *e = sh_calloc(1, sizeof *e);
	e->path = sh_strdup(path);
	e->rate = o->rate;
	e->ch = o->channels;
	e->fps = (double)o->fps_num / o->fps_den;
	e->at = sh_atomic_open(path);
	if (!e->at)
		goto fail;
	if (avformat_alloc_output_context2(&e->oc, NULL, o->container, sh_atomic_tmpname(e->at)) < 0 || !e->oc) {
		sh_set_error("%s: cannot set up the %s muxer", path, o->container);
		goto fail;
	}
	/* no random identifiers (Matroska's segment and track UIDs) or library
	 * version strings: the same inputs give the same bytes */
	e->oc->flags |= AVFMT_FLAG_BITEXACT;
	e->pkt = av_packet_alloc();
	if (!e->pkt) {
		oom();
		goto fail;
	}
	if (open_video(e, o) != 0 || open_audio(e, o) != 0)
		goto fail;
	int r = avio_open(&e->oc->pb, sh_atomic_tmpname(e->at), AVIO_FLAG_WRITE);
	if (r < 0) {
		sh_set_error("%s: %s", path, averr(r));
		goto fail;
	}
	if (o->comment)
		av_dict_set(&e->oc->metadata, "comment", o->comment, 0);
	AVDictionary *mopts = NULL;
	if (strcmp(o->container, "matroska"))
		av_dict_set(&mopts, "movflags", "+faststart", 0);
	r = avformat_write_header(e->oc, &mopts);
	av_dict_free(&mopts);
	if (r < 0) {
		sh_set_error("%s: cannot write the header: %s", path, averr(r));
		goto fail;
	}
	return e;
fail:
	sh_encoder_close(e);
	return NULL;
}

int sh_encoder_video(sh_encoder *e, AVFrame *f)
{
	f->pts = e->nv++;
	return send(e, e->venc, e->vst, f);
}

int sh_encoder_audio_frame_size(const sh_encoder *e)
{
	return e->fsize;
}

int sh_encoder_audio(sh_encoder *e, const float *buf, size_t n)
{
	if (av_frame_make_writable(e->af) < 0)
		return oom();
	e->af->nb_samples = (int)n;
	for (int c = 0; c < e->ch; c++) {
		float *d = (float *)e->af->data[c];
		for (size_t i = 0; i < n; i++)
			d[i] = buf[i * (size_t)e->ch + (size_t)c];
	}
	e->af->pts = e->na;
	e->na += (int64_t)n;
	return send(e, e->aenc, e->ast, e->af);
}

int sh_encoder_audio_from(sh_encoder *e, sh_media *src, bool all)
{
	while (all || (double)e->na / e->rate < (double)e->nv / e->fps) {
		ssize_t got = sh_media_audio_read(src, e->abuf, (size_t)e->fsize);
		if (got < 0)
			return -1;
		if (got == 0)
			return 0;
		if (sh_encoder_audio(e, e->abuf, (size_t)got) != 0)
			return -1;
		if (got < e->fsize)
			return 0; /* a short frame is the encoder's last */
	}
	return 1;
}

int64_t sh_encoder_video_frames(const sh_encoder *e)
{
	return e->nv;
}

int64_t sh_encoder_audio_samples(const sh_encoder *e)
{
	return e->na;
}

int sh_encoder_flush(sh_encoder *e)
{
	if (send(e, e->venc, e->vst, NULL) != 0 || send(e, e->aenc, e->ast, NULL) != 0)
		return -1;
	return 0;
}

int sh_encoder_finish(sh_encoder *e)
{
	int r = av_write_trailer(e->oc);
	if (r < 0) {
		sh_set_error("%s: cannot finish: %s", e->path, averr(r));
		return -1;
	}
	avio_closep(&e->oc->pb);
	sh_atomic *at = e->at;
	e->at = NULL;
	return sh_atomic_commit(at);
}

void sh_encoder_close(sh_encoder *e)
{
	if (!e)
		return;
	if (e->oc && e->oc->pb)
		avio_closep(&e->oc->pb);
	if (e->at)
		sh_atomic_abort(e->at);
	av_packet_free(&e->pkt);
	av_frame_free(&e->af);
	avcodec_free_context(&e->venc);
	avcodec_free_context(&e->aenc);
	avformat_free_context(e->oc);
	free(e->abuf);
	free(e->path);
	free(e);
}
