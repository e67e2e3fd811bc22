/* media.c -- decode any media file with libavformat/libavcodec into y4m-shaped
 * frames (libswscale) at a constant frame rate, and into float audio
 * (libswresample). See media.h for the timing and fitting rules. */
#include "media.h"
#include "audio.h"
#include "y4m.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>

#include "cli.h"

struct sh_media {
	char *path;
	char *tmpfile;            /* converted picture, removed on close */
	AVFormatContext *fmt;
	sh_media_info info;
	int vidx, aidx;

	/* decoding (one stream per handle) */
	AVCodecContext *dec;
	int sidx;
	AVStream *st;
	double st_start;          /* seconds of the stream's first timestamp */
	AVPacket *pkt;
	bool eof_input;
	int64_t last_end;         /* byte after the last packet read */

	/* video */
	sh_media_video_opts vo;
	sh_y4m_info out;
	int out_fmt;
	struct SwsContext *sws;
	int threads;              /* decoder and scaler threads; 0 = sh_jobs_default() */
	sh_queue *dq;             /* decode-ahead: decoded frames from the decoding thread */
	pthread_t dth;
	int dq_result;            /* how the decoding thread ended: 0 end, -1 error */
	char dq_err[512];
	AVBufferPool *pool;       /* converted frames handed out as AVFrames */
	AVBufferRef *img_ref;     /* the last of them, for repeats */
	AVFrame *cur, *next;
	bool have_cur, have_next;
	double cur_t, next_t, cur_dur, next_dur;
	double src_frame_dur;
	int64_t cur_serial, next_serial, img_serial;
	uint8_t *img;
	int64_t k, max_frames;
	double loop_offset;
	double pass_end;          /* end time of the last frame decoded in this pass */
	int64_t pass_frames;

	/* audio */
	SwrContext *swr;
	AVFrame *aframe;
	int arate, ach, src_rate;
	int64_t adrop;            /* source samples still to drop before start */
	bool astarted, aflushed;
	double astart;
	int64_t aremaining;       /* output frames left; -1 unlimited */
	int64_t adelivered;       /* output frames handed out, for errors */
	float *abuf;
	size_t abuf_cap, abuf_len, abuf_pos;
};

static void quiet_ffmpeg(void)
{
	static bool done;
	if (!done) {
		av_log_set_level(sh_verbose > 1 ? AV_LOG_WARNING : AV_LOG_QUIET);
		done = true;
	}
}

static const char *averr(int e)
{
	static __thread char buf[AV_ERROR_MAX_STRING_SIZE];
	av_strerror(e, buf, sizeof buf);
	return buf;
}

static int nomem(const sh_media *m)
{
	sh_set_error("%s: out of memory", m->path);
	return -1;
}

static void copy_name(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

static bool image_format(const AVFormatContext *fmt)
{
	const char *n = fmt->iformat->name;
	return strstr(n, "image2") != NULL || (strlen(n) > 5 && strcmp(n + strlen(n) - 5, "_pipe") == 0);
}

static void fill_info(sh_media *m)
{
	sh_media_info *i = &m->info;
	memset(i, 0, sizeof *i);
	copy_name(i->format, sizeof i->format, m->fmt->iformat->name);
	i->duration = m->fmt->duration != AV_NOPTS_VALUE ? m->fmt->duration / (double)AV_TIME_BASE : -1;
	i->bit_rate = m->fmt->bit_rate > 0 ? m->fmt->bit_rate : 0;
	m->vidx = av_find_best_stream(m->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
	m->aidx = av_find_best_stream(m->fmt, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
	if (m->vidx >= 0) {
		AVStream *st = m->fmt->streams[m->vidx];
		/* a cover picture attached to an audio file is not a video */
		if (st->disposition & AV_DISPOSITION_ATTACHED_PIC) {
			m->vidx = -1;
		} else {
			const AVCodecParameters *p = st->codecpar;
			i->has_video = true;
			i->width = p->width;
			i->height = p->height;
			AVRational r = st->avg_frame_rate;
			if (r.num <= 0 || r.den <= 0)
				r = st->r_frame_rate;
			if (r.num > 0 && r.den > 0) {
				av_reduce(&r.num, &r.den, r.num, r.den, 1 << 30);
				i->fps_num = r.num;
				i->fps_den = r.den;
			}
			copy_name(i->vcodec, sizeof i->vcodec, avcodec_get_name(p->codec_id));
			copy_name(i->pix_fmt, sizeof i->pix_fmt, av_get_pix_fmt_name(p->format));
			i->is_image = image_format(m->fmt);
			if (i->duration < 0 && st->duration != AV_NOPTS_VALUE)
				i->duration = st->duration * av_q2d(st->time_base);
		}
	}
	if (m->aidx >= 0) {
		const AVCodecParameters *p = m->fmt->streams[m->aidx]->codecpar;
		i->has_audio = true;
		i->audio_rate = p->sample_rate;
		i->audio_channels = p->ch_layout.nb_channels;
		copy_name(i->acodec, sizeof i->acodec, avcodec_get_name(p->codec_id));
		if (i->duration < 0 && m->fmt->streams[m->aidx]->duration != AV_NOPTS_VALUE)
			i->duration = m->fmt->streams[m->aidx]->duration *
			              av_q2d(m->fmt->streams[m->aidx]->time_base);
	}
	if (i->is_image)
		i->duration = -1;
}

/* An input path that exists and is not a directory; -1 + sh_error() else. */
static int stat_input(const char *path, struct stat *sb)
{
	if (stat(path, sb) != 0) {
		sh_set_error("%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(sb->st_mode)) {
		sh_set_error("%s: is a directory", path);
		return -1;
	}
	return 0;
}

/* FFmpeg plays a y4m header's bad fields (F-30:1, F0:5) at a guessed 25 fps:
 * the header, still in FFmpeg's first buffer, goes through the suite's own
 * y4m parser too, so every program refuses what the y4m readers refuse. */
static bool y4m_header_bad(sh_media *m)
{
	const AVIOContext *pb = m->fmt->pb;
	if (!pb || pb->pos != pb->buf_end - pb->buffer)
		return false; /* the buffer no longer starts at the header */
	const uint8_t *nl = memchr(pb->buffer, '\n', (size_t)(pb->buf_end - pb->buffer));
	if (!nl)
		return false;
	sh_y4m_info info = {0};
	bool bad = sh_y4m_parse_header((const char *)pb->buffer, (size_t)(nl - pb->buffer), &info) != 0;
	if (bad)
		sh_set_error("%s: %s", m->path, sh_error());
	sh_y4m_info_free(&info);
	return bad;
}

sh_media *sh_media_open(const char *path)
{
	quiet_ffmpeg();
	const char *url = path;
	if (!path || strcmp(path, "-") == 0) {
		url = "pipe:0";
		path = "stdin";
	} else {
		struct stat sb;
		if (stat_input(path, &sb) != 0)
			return NULL;
		if (S_ISREG(sb.st_mode) && sb.st_size == 0) {
			sh_set_error("%s: empty file", path);
			return NULL;
		}
	}
	sh_media *m = sh_calloc(1, sizeof *m);
	m->path = sh_strdup(path);
	m->vidx = m->aidx = m->sidx = -1;
	AVDictionary *opts = NULL;
	av_dict_set(&opts, "pattern_type", "none", 0); /* a '%' in a picture's name is a name */
	int e = avformat_open_input(&m->fmt, url, NULL, &opts);
	av_dict_free(&opts);
	if (e < 0) {
		sh_set_error("%s: not a media file FFmpeg reads (%s)", path, averr(e));
		free(m->path);
		free(m);
		return NULL;
	}
	e = avformat_find_stream_info(m->fmt, NULL);
	if (e < 0) {
		sh_set_error("%s: cannot read its streams (%s)", path, averr(e));
		sh_media_close(m);
		return NULL;
	}
	fill_info(m);
	if (!m->info.has_video && !m->info.has_audio) {
		sh_set_error("%s: no audio or video stream", path);
		sh_media_close(m);
		return NULL;
	}
	if (strcmp(m->info.format, "yuv4mpegpipe") == 0 && y4m_header_bad(m)) {
		sh_media_close(m);
		return NULL;
	}
	return m;
}

/* Extensions FFmpeg does not decode (or decodes badly) that ImageMagick does. */
static bool needs_convert(const char *path)
{
	static const char *ext[] = {"svg", "svgz", "psd", "xcf", "eps", "ps", "pdf", "ai", "heic",
	                            "heif", "ico", "cr2", "nef", "dng", "jp2", "avif", NULL};
	const char *dot = strrchr(path, '.');
	if (!dot)
		return false;
	for (int i = 0; ext[i]; i++)
		if (strcasecmp(dot + 1, ext[i]) == 0)
			return true;
	return false;
}

bool sh_media_image_name(const char *path)
{
	static const char *ext[] = {"png", "jpg", "jpeg", "bmp", "gif", "tif", "tiff", "webp", "tga",
	                            "ppm", "pgm", "pbm", "pam", "pnm", "qoi", "exr", "dpx", "jxl",
	                            "pcx", "sgi", "xbm", "xwd", NULL};
	const char *dot = strrchr(path, '.');
	if (!dot)
		return false;
	if (needs_convert(path))
		return true;
	for (int i = 0; ext[i]; i++)
		if (strcasecmp(dot + 1, ext[i]) == 0)
			return true;
	return false;
}

/* convert 'PATH[0]' png:TMP; returns the temporary name or NULL + sh_error. */
static char *convert_to_png(const char *path)
{
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	size_t n = strlen(dir) + 40;
	char *tmp = sh_malloc(n);
	snprintf(tmp, n, "%s/shards-image-XXXXXX.png", dir);
	int fd = mkstemps(tmp, 4);
	if (fd < 0) {
		sh_set_error("%s: cannot make a temporary file in %s: %s", path, dir, strerror(errno));
		free(tmp);
		return NULL;
	}
	close(fd);
	size_t an = strlen(path) + 8;
	char *arg = sh_malloc(an);
	snprintf(arg, an, "%s%s[0]", path[0] == '-' ? "./" : "", path);
	size_t on = strlen(tmp) + 8;
	char *outarg = sh_malloc(on);
	snprintf(outarg, on, "png:%s", tmp);
	pid_t pid = fork();
	if (pid == 0) {
		int dn = open("/dev/null", O_WRONLY);
		if (dn >= 0) {
			dup2(dn, 1);
			dup2(dn, 2);
		}
		execlp("convert", "convert", arg, "-strip", outarg, (char *)NULL);
		_exit(127); /* ends the run: the forked child's exec failed (127: no convert) */
	}
	int status = 0;
	bool ok = pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	free(arg);
	free(outarg);
	struct stat sb;
	if (!ok || stat(tmp, &sb) != 0 || sb.st_size == 0) {
		if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 127)
			sh_set_error("%s: not a picture FFmpeg reads, and ImageMagick's convert is not installed", path);
		else
			sh_set_error("%s: not a picture (neither FFmpeg nor ImageMagick reads it)", path);
		unlink(tmp);
		free(tmp);
		return NULL;
	}
	return tmp;
}

sh_media *sh_media_open_image(const char *path)
{
	struct stat sb;
	if (stat_input(path, &sb) != 0)
		return NULL;
	/* ImageMagick only for the formats FFmpeg lacks: it would happily render a
	 * text file or a sound's waveform as a picture */
	if (!needs_convert(path)) {
		sh_media *m = sh_media_open(path);
		if (m && !m->info.has_video) {
			sh_set_error("%s: no picture or video in it", path);
			sh_media_close(m);
			return NULL;
		}
		return m;
	}
	char *tmp = convert_to_png(path);
	if (!tmp)
		return NULL;
	sh_media *m = sh_media_open(tmp);
	if (!m || !m->info.has_video) {
		if (m)
			sh_media_close(m);
		unlink(tmp);
		free(tmp);
		sh_set_error("%s: ImageMagick's conversion gave no picture", path);
		return NULL;
	}
	m->tmpfile = tmp;
	free(m->path);
	m->path = sh_strdup(path);
	return m;
}

const sh_media_info *sh_media_get_info(const sh_media *m) { return &m->info; }

void sh_media_set_threads(sh_media *m, int threads) { m->threads = threads > 0 ? threads : 0; }
int sh_media_threads(const sh_media *m) { return m->threads > 0 ? m->threads : sh_jobs_default(); }
const char *sh_media_path(const sh_media *m) { return m->path; }

static int decode_ahead_start(sh_media *m);
static void decode_ahead_stop(sh_media *m);

void sh_media_close(sh_media *m)
{
	if (!m)
		return;
	decode_ahead_stop(m);
	avcodec_free_context(&m->dec);
	av_packet_free(&m->pkt);
	av_frame_free(&m->cur);
	av_frame_free(&m->next);
	av_frame_free(&m->aframe);
	sws_freeContext(m->sws);
	av_buffer_unref(&m->img_ref);
	av_buffer_pool_uninit(&m->pool);
	swr_free(&m->swr);
	avformat_close_input(&m->fmt);
	free(m->img);
	free(m->abuf);
	if (m->tmpfile) {
		unlink(m->tmpfile);
		free(m->tmpfile);
	}
	free(m->path);
	free(m);
}

/* ---------------------------------------------------------------- parsing */

int sh_parse_frame_fit(const char *text)
{
	if (!strcmp(text, "crop"))
		return SH_FRAME_FIT_CROP;
	if (!strcmp(text, "pad"))
		return SH_FRAME_FIT_PAD;
	if (!strcmp(text, "stretch"))
		return SH_FRAME_FIT_STRETCH;
	return -1;
}

int sh_parse_chroma(const char *text, sh_chroma *chroma, char tag[16])
{
	static const struct {
		const char *name;
		sh_chroma c;
	} t[] = {{"420jpeg", SH_CHROMA_420}, {"420mpeg2", SH_CHROMA_420}, {"420paldv", SH_CHROMA_420},
	         {"420", SH_CHROMA_420},     {"422", SH_CHROMA_422},      {"444", SH_CHROMA_444},
	         {"mono", SH_CHROMA_MONO}};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++)
		if (!strcmp(text, t[i].name)) {
			*chroma = t[i].c;
			snprintf(tag, 16, "%s", t[i].name);
			return 0;
		}
	sh_set_error("'%s' is not a chroma (420jpeg, 420mpeg2, 420paldv, 420, 422, 444, mono)", text);
	return -1;
}

int sh_parse_size(const char *text, int *w, int *h)
{
	char *end;
	long a = strtol(text, &end, 10);
	if (end == text || (*end != 'x' && *end != 'X')) {
		sh_set_error("'%s' is not a size WxH (e.g. 1280x720)", text);
		return -1;
	}
	const char *p = end + 1;
	long b = strtol(p, &end, 10);
	if (end == p || *end) {
		sh_set_error("'%s' is not a size WxH (e.g. 1280x720)", text);
		return -1;
	}
	if (a < 2 || b < 2 || a > SH_Y4M_MAX_DIM || b > SH_Y4M_MAX_DIM) {
		sh_set_error("'%s': width and height must be within 2..%d", text, SH_Y4M_MAX_DIM);
		return -1;
	}
	*w = (int)a;
	*h = (int)b;
	return 0;
}

int sh_media_layout(sh_y4m_info *info)
{
	if (info->width < 1 || info->height < 1 || info->width > SH_Y4M_MAX_DIM ||
	    info->height > SH_Y4M_MAX_DIM) {
		sh_set_error("frame size %dx%d is outside 1..%d", info->width, info->height, SH_Y4M_MAX_DIM);
		return -1;
	}
	switch (info->chroma) {
	case SH_CHROMA_420: info->cw = (info->width + 1) / 2; info->ch = (info->height + 1) / 2; break;
	case SH_CHROMA_422: info->cw = (info->width + 1) / 2; info->ch = info->height; break;
	case SH_CHROMA_444: info->cw = info->width; info->ch = info->height; break;
	case SH_CHROMA_MONO: info->cw = info->ch = 0; break;
	}
	info->plane_size[0] = (size_t)info->width * (size_t)info->height;
	info->plane_size[1] = info->plane_size[2] = (size_t)info->cw * (size_t)info->ch;
	info->frame_size = info->plane_size[0] + 2 * info->plane_size[1];
	if (info->frame_size > SH_Y4M_MAX_FRAME) {
		sh_set_error("frame size %dx%d is too large", info->width, info->height);
		return -1;
	}
	return 0;
}

void sh_media_black(const sh_y4m_info *info, uint8_t *frame)
{
	if (info->chroma == SH_CHROMA_MONO) {
		memset(frame, 0, info->plane_size[0]);
		return;
	}
	memset(frame, 16, info->plane_size[0]);
	memset(frame + info->plane_size[0], 128, 2 * info->plane_size[1]);
}

/* ---------------------------------------------------------------- decoding */

static int open_decoder(sh_media *m, int idx)
{
	AVStream *st = m->fmt->streams[idx];
	const AVCodec *c = avcodec_find_decoder(st->codecpar->codec_id);
	if (!c) {
		sh_set_error("%s: no decoder for %s", m->path, avcodec_get_name(st->codecpar->codec_id));
		return -1;
	}
	m->dec = avcodec_alloc_context3(c);
	if (!m->dec || avcodec_parameters_to_context(m->dec, st->codecpar) < 0) {
		sh_set_error("%s: cannot set up the %s decoder", m->path, c->name);
		return -1;
	}
	/* decoders give the same frames whatever their threads (frame and slice) */
	m->dec->thread_count = sh_media_threads(m);
	m->dec->pkt_timebase = st->time_base;
	int e = avcodec_open2(m->dec, c, NULL);
	if (e < 0) {
		sh_set_error("%s: cannot open the %s decoder (%s)", m->path, c->name, averr(e));
		return -1;
	}
	for (unsigned i = 0; i < m->fmt->nb_streams; i++)
		m->fmt->streams[i]->discard = (int)i == idx ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
	m->sidx = idx;
	m->st = st;
	m->st_start = st->start_time != AV_NOPTS_VALUE ? st->start_time * av_q2d(st->time_base) : 0;
	m->pkt = av_packet_alloc();
	return 0;
}

/* 1 = a frame in f, 0 = end of stream, -1 = error */
static int decode_frame(sh_media *m, AVFrame *f)
{
	for (;;) {
		int e = avcodec_receive_frame(m->dec, f);
		if (e == 0)
			return 1;
		if (e == AVERROR_EOF)
			return 0;
		if (e != AVERROR(EAGAIN)) {
			sh_set_error("%s: decoding failed (%s)", m->path, averr(e));
			return -1;
		}
		if (m->eof_input)
			return 0;
		e = av_read_frame(m->fmt, m->pkt);
		if (e < 0) {
			/* in a y4m stream, bytes after the last whole frame mean the stream
			 * was cut inside a frame: an error, as for every y4m reader in shards
			 * (other formats conceal damage as ffmpeg does) */
			if (e == AVERROR_EOF && m->last_end > 0 && m->fmt->pb &&
			    !strcmp(m->fmt->iformat->name, "yuv4mpegpipe") && avio_tell(m->fmt->pb) > m->last_end) {
				sh_set_error("%s: truncated frame at the end of the y4m stream", m->path);
				return -1;
			}
			m->eof_input = true;
			avcodec_send_packet(m->dec, NULL);
			continue;
		}
		if (m->pkt->stream_index != m->sidx) {
			av_packet_unref(m->pkt);
			continue;
		}
		if (m->pkt->pos >= 0)
			m->last_end = m->pkt->pos + m->pkt->size;
		e = avcodec_send_packet(m->dec, m->pkt);
		av_packet_unref(m->pkt);
		if (e < 0 && e != AVERROR(EAGAIN) && e != AVERROR_INVALIDDATA) {
			sh_set_error("%s: decoding failed (%s)", m->path, averr(e));
			return -1;
		}
	}
}

static int seek_to(sh_media *m, double t)
{
	int64_t ts = (int64_t)floor((t + m->st_start) / av_q2d(m->st->time_base));
	int e = av_seek_frame(m->fmt, m->sidx, ts, AVSEEK_FLAG_BACKWARD);
	if (e < 0)
		e = avformat_seek_file(m->fmt, m->sidx, INT64_MIN, ts, ts, 0);
	if (e < 0) {
		sh_set_error("%s: cannot seek (%s)", m->path, averr(e));
		return -1;
	}
	avcodec_flush_buffers(m->dec);
	m->eof_input = false;
	return 0;
}

/* ---------------------------------------------------------------- video */

void sh_media_video_opts_default(sh_media_video_opts *o)
{
	memset(o, 0, sizeof *o);
	o->chroma = SH_CHROMA_420;
	o->fit = SH_FRAME_FIT_CROP;
}

int sh_media_video_opts_cli(sh_media_video_opts *o, const char *size, const char *fit, const char *chroma,
                            sh_rational fps)
{
	sh_media_video_opts_default(o);
	if (size && sh_parse_size(size, &o->width, &o->height) != 0) {
		sh_set_error("--size: %s", sh_error());
		return -1;
	}
	int f = sh_parse_frame_fit(fit);
	if (f < 0) {
		sh_set_error("--fit: '%s' is not crop, pad or stretch", fit);
		return -1;
	}
	o->fit = (sh_frame_fit)f;
	if (sh_parse_chroma(chroma, &o->chroma, o->chroma_tag) != 0) {
		sh_set_error("--chroma: %s", sh_error());
		return -1;
	}
	o->fps_num = fps.num;
	o->fps_den = fps.den;
	return 0;
}

int sh_media_video_begin(sh_media *m, const sh_media_video_opts *o, sh_y4m_info *info)
{
	if (m->vidx < 0) {
		sh_set_error("%s: no video stream", m->path);
		return -1;
	}
	if (open_decoder(m, m->vidx) != 0)
		return -1;
	m->vo = *o;
	sh_y4m_info *out = &m->out;
	memset(out, 0, sizeof *out);
	out->width = o->width > 0 ? o->width : m->info.width;
	out->height = o->height > 0 ? o->height : m->info.height;
	if (o->fps_num > 0 && o->fps_den > 0) {
		out->fps_num = o->fps_num;
		out->fps_den = o->fps_den;
	} else if (m->info.fps_num > 0 && !m->info.is_image) {
		out->fps_num = m->info.fps_num;
		out->fps_den = m->info.fps_den;
	} else {
		out->fps_num = 25;
		out->fps_den = 1;
	}
	m->vo.fps_num = out->fps_num;
	m->vo.fps_den = out->fps_den;
	out->aspect_num = out->aspect_den = 1;
	out->interlace = 'p';
	out->chroma = o->chroma;
	if (o->chroma_tag[0])
		snprintf(out->chroma_tag, sizeof out->chroma_tag, "%s", o->chroma_tag);
	else
		snprintf(out->chroma_tag, sizeof out->chroma_tag, "%s",
		         o->chroma == SH_CHROMA_420   ? "420jpeg"
		         : o->chroma == SH_CHROMA_422 ? "422"
		         : o->chroma == SH_CHROMA_444 ? "444"
		                                      : "mono");
	if (out->width < 1 || out->height < 1) {
		sh_set_error("%s: the video has no size", m->path);
		return -1;
	}
	if (sh_media_layout(out) != 0) {
		sh_set_error("%s: %s", m->path, sh_error());
		return -1;
	}
	m->out_fmt = sh_av_pix_fmt(o->chroma);
	m->img = sh_malloc(out->frame_size);
	m->cur = av_frame_alloc();
	m->next = av_frame_alloc();
	double fps = (double)out->fps_num / out->fps_den;
	m->max_frames = o->duration > 0 ? llround(o->duration * fps) : -1;
	if (m->info.fps_num > 0)
		m->src_frame_dur = (double)m->info.fps_den / m->info.fps_num;
	else
		m->src_frame_dur = 1.0 / fps;
	m->img_serial = -1;
	if (o->start > 0 && seek_to(m, o->start) != 0)
		return -1;
	if (sh_media_threads(m) > 1 && !o->loop && decode_ahead_start(m) != 0)
		return -1;
	*info = *out;
	info->xtags = NULL;
	return 0;
}

/* Decode-ahead: with threads, demuxing and decoding run on a thread of their
 * own, a few frames ahead of the timing and the conversion. The frames are the
 * same, in the same order; only a looping source (which seeks) decodes in line. */
static void *decode_ahead_main(void *arg)
{
	sh_media *m = arg;
	for (;;) {
		AVFrame *f = av_frame_alloc();
		int r = f ? decode_frame(m, f) : nomem(m);
		if (r != 1) {
			av_frame_free(&f);
			if (r < 0)
				snprintf(m->dq_err, sizeof m->dq_err, "%s", sh_error());
			m->dq_result = r; /* published by the close below */
			sh_queue_close(m->dq);
			return NULL;
		}
		if (!sh_queue_push(m->dq, f)) { /* the reader stopped */
			av_frame_free(&f);
			return NULL;
		}
	}
}

static int decode_ahead_start(sh_media *m)
{
	m->dq = sh_queue_new(4);
	if (pthread_create(&m->dth, NULL, decode_ahead_main, m) != 0) {
		sh_queue_free(m->dq);
		m->dq = NULL;
		sh_set_error("%s: cannot start a decoding thread", m->path);
		return -1;
	}
	return 0;
}

static void decode_ahead_stop(sh_media *m)
{
	if (!m->dq)
		return;
	sh_queue_close(m->dq);
	pthread_join(m->dth, NULL);
	AVFrame *f;
	while ((f = sh_queue_pop(m->dq)))
		av_frame_free(&f);
	sh_queue_free(m->dq);
	m->dq = NULL;
}

/* The next decoded frame into F: 1, 0 at the end, -1 + sh_error(). */
static int decode_ahead_pop(sh_media *m, AVFrame *f)
{
	AVFrame *g = sh_queue_pop(m->dq);
	if (!g) {
		if (m->dq_result < 0)
			sh_set_error("%s", m->dq_err);
		return m->dq_result;
	}
	av_frame_move_ref(f, g);
	av_frame_free(&g);
	return 1;
}

/* Decode the next frame of the source into m->next, with its time; loops when asked. */
static int fetch_next(sh_media *m)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		av_frame_unref(m->next);
		int r = m->dq ? decode_ahead_pop(m, m->next) : decode_frame(m, m->next);
		if (r < 0)
			return -1;
		if (r == 1) {
			int64_t ts = m->next->best_effort_timestamp;
			double t;
			if (ts == AV_NOPTS_VALUE)
				t = m->have_next || m->have_cur ? m->pass_end - m->loop_offset : 0;
			else
				t = ts * av_q2d(m->st->time_base) - m->st_start;
			double dur = m->next->pkt_duration > 0 ? m->next->pkt_duration * av_q2d(m->st->time_base)
			                                   : m->src_frame_dur;
			/* seeking lands on a keyframe before start: frames that end before it are not shown */
			if (m->vo.start > 0 && t + dur <= m->vo.start + 1e-6) {
				attempt--;
				continue;
			}
			m->next_t = t + m->loop_offset;
			m->next_dur = dur;
			if (m->next_t + dur > m->pass_end || m->pass_frames == 0)
				m->pass_end = m->next_t + dur;
			m->pass_frames++;
			m->next_serial++;
			m->have_next = true;
			return 1;
		}
		m->have_next = false;
		if (!m->vo.loop || m->pass_frames == 0)
			return 0;
		/* go round again: the next pass starts where this one ended */
		double period = m->pass_end - (m->loop_offset + m->vo.start);
		if (period <= 0)
			return 0;
		if (seek_to(m, m->vo.start) != 0)
			return -1;
		m->loop_offset += period;
		m->pass_frames = 0;
	}
	return 0;
}

/* Pad: the picture's side *N (SCALED rounded, at least 2) centred in FULL at *OFF,
 * both even when that direction's chroma is subsampled. */
static void pad_side(double scaled, int full, bool even, int *n, int *off)
{
	int k = (int)llround(scaled);
	if (even)
		k &= ~1;
	if (k < 2)
		k = 2 < full ? 2 : full;
	int o = (full - k) / 2;
	*n = k;
	*off = even ? o & ~1 : o;
}

/* How a decoded frame becomes an output frame: its format and range as sws
 * takes them, the part of it used (crop), where that lands (pad), and whether
 * it already is the output (same geometry and format: passed on bit-exact). */
typedef struct {
	int sfmt, srange, drange;
	const AVPixFmtDescriptor *sd;
	int cl, ct, cwid, chei;   /* the source's part */
	int fw, fh, ox, oy;       /* where it lands in the W x H output */
	bool same;
} frame_plan;

static int plan_frame(sh_media *m, const AVFrame *src, frame_plan *g)
{
	const sh_y4m_info *o = &m->out;
	int sfmt = src->format;
	int srange = src->color_range == AVCOL_RANGE_JPEG;
	switch (sfmt) {
	case AV_PIX_FMT_YUVJ420P: sfmt = AV_PIX_FMT_YUV420P; srange = 1; break;
	case AV_PIX_FMT_YUVJ422P: sfmt = AV_PIX_FMT_YUV422P; srange = 1; break;
	case AV_PIX_FMT_YUVJ444P: sfmt = AV_PIX_FMT_YUV444P; srange = 1; break;
	case AV_PIX_FMT_YUVJ440P: sfmt = AV_PIX_FMT_YUV440P; srange = 1; break;
	default: break;
	}
	const AVPixFmtDescriptor *sd = av_pix_fmt_desc_get(sfmt);
	if (!sd) {
		sh_set_error("%s: the decoder gave an unknown pixel format", m->path);
		return -1;
	}
	if (sd->flags & AV_PIX_FMT_FLAG_RGB || sfmt == AV_PIX_FMT_GRAY8 || sfmt == AV_PIX_FMT_GRAY16LE ||
	    sfmt == AV_PIX_FMT_PAL8 || sfmt == AV_PIX_FMT_MONOBLACK || sfmt == AV_PIX_FMT_MONOWHITE ||
	    sfmt == AV_PIX_FMT_YA8)
		srange = 1; /* pictures are full range */
	int drange = o->chroma == SH_CHROMA_MONO;
	int sw = src->width, sh = src->height;
	int W = o->width, H = o->height;
	int sx = o->chroma == SH_CHROMA_420 || o->chroma == SH_CHROMA_422;
	int sy = o->chroma == SH_CHROMA_420;

	/* the part of the source used, and where it lands */
	int cl = 0, ct = 0, cwid = sw, chei = sh;
	int fw = W, fh = H, ox = 0, oy = 0;
	if (m->vo.fit == SH_FRAME_FIT_CROP) {
		if ((int64_t)sw * H > (int64_t)sh * W) {
			cwid = (int)llround((double)sh * W / H);
			if (cwid < 1)
				cwid = 1;
			cl = ((sw - cwid) / 2) & ~1;
		} else {
			chei = (int)llround((double)sw * H / W);
			if (chei < 1)
				chei = 1;
			ct = ((sh - chei) / 2) & ~1;
		}
	} else if (m->vo.fit == SH_FRAME_FIT_PAD) {
		if ((int64_t)sw * H > (int64_t)sh * W)
			pad_side((double)sh * W / sw, H, sy, &fh, &oy);
		else
			pad_side((double)sw * H / sh, W, sx, &fw, &ox);
	}
	*g = (frame_plan){.sfmt = sfmt, .srange = srange, .drange = drange, .sd = sd, .cl = cl, .ct = ct,
	                  .cwid = cwid, .chei = chei, .fw = fw, .fh = fh, .ox = ox, .oy = oy};
	g->same = sfmt == m->out_fmt && srange == drange && cwid == sw && chei == sh && sw == fw && sh == fh &&
	          fw == W && fh == H;
	return 0;
}

/* Convert SRC by plan G into DST, a y4m-layout frame of FRAME_SIZE bytes. */
static int convert_frame(sh_media *m, const AVFrame *src, const frame_plan *g, uint8_t *dst)
{
	const sh_y4m_info *o = &m->out;
	const AVPixFmtDescriptor *sd = g->sd;
	int W = o->width, H = o->height;
	int sx = o->chroma == SH_CHROMA_420 || o->chroma == SH_CHROMA_422;
	int sy = o->chroma == SH_CHROMA_420;
	int cwid = g->cwid, chei = g->chei;
	if (g->fw != W || g->fh != H)
		sh_media_black(o, dst);

	uint8_t *dp[4] = {dst + (size_t)g->oy * W + g->ox, NULL, NULL, NULL};
	int ds[4] = {W, o->cw, o->cw, 0};
	if (o->chroma != SH_CHROMA_MONO) {
		size_t coff = (size_t)(g->oy >> sy) * o->cw + (size_t)(g->ox >> sx);
		dp[1] = dst + o->plane_size[0] + coff;
		dp[2] = dst + o->plane_size[0] + o->plane_size[1] + coff;
	}

	/* same geometry and format: a plain copy keeps the source bit-exact */
	if (g->same) {
		sh_frame_from_av(o, src, dst);
		return 0;
	}

	const uint8_t *sp[4] = {0};
	int ss[4] = {0};
	for (int p = 0; p < 4; p++) {
		sp[p] = src->data[p];
		ss[p] = src->linesize[p];
	}
	if (g->cl || g->ct) {
		/* crop by moving the plane pointers (offsets kept even for subsampled chroma) */
		for (int p = 0; p < 4 && sp[p]; p++) {
			if (sd->flags & AV_PIX_FMT_FLAG_PAL && p == 1)
				break;
			int shx = (p == 1 || p == 2) && !(sd->flags & AV_PIX_FMT_FLAG_RGB) ? sd->log2_chroma_w : 0;
			int shy = (p == 1 || p == 2) && !(sd->flags & AV_PIX_FMT_FLAG_RGB) ? sd->log2_chroma_h : 0;
			int step = 0;
			for (int c = 0; c < sd->nb_components; c++)
				if (sd->comp[c].plane == p && sd->comp[c].step > step)
					step = sd->comp[c].step;
			if (sd->flags & AV_PIX_FMT_FLAG_BITSTREAM)
				step = 0;
			/* ptrdiff_t: a bottom-up picture has negative line sizes */
			sp[p] += (ptrdiff_t)(g->ct >> shy) * ss[p] + (ptrdiff_t)(g->cl >> shx) * step;
		}
		if (sd->flags & AV_PIX_FMT_FLAG_BITSTREAM) { /* 1-bit formats: scale the whole picture */
			sp[0] = src->data[0];
			cwid = src->width;
			chei = src->height;
		}
	}
	m->sws = sws_getCachedContext(m->sws, cwid, chei, g->sfmt, g->fw, g->fh, m->out_fmt,
	                              SWS_BICUBIC | SWS_ACCURATE_RND | SWS_BITEXACT, NULL, NULL, NULL);
	if (!m->sws) {
		sh_set_error("%s: cannot convert %s %dx%d to %dx%d", m->path, av_get_pix_fmt_name(g->sfmt), cwid,
		             chei, g->fw, g->fh);
		return -1;
	}
	const int *coef = sws_getCoefficients(SWS_CS_ITU601);
	sws_setColorspaceDetails(m->sws, coef, g->srange, coef, g->drange, 0, 1 << 16, 1 << 16);
	sws_scale(m->sws, sp, ss, 0, chei, dp, ds);
	return 0;
}

/* Step the output clock: m->cur becomes the source frame output frame k shows.
 * 1 = a frame to show, 0 = end, -1 = error. */
static int advance(sh_media *m)
{
	if (!m->img) {
		sh_set_error("%s: video not set up", m->path);
		return -1;
	}
	if (m->max_frames >= 0 && m->k >= m->max_frames)
		return 0;
	double fps = (double)m->out.fps_num / m->out.fps_den;
	double target = m->vo.start + (double)m->k * m->out.fps_den / m->out.fps_num;
	double tol = 0.5 / fps - 1e-6; /* a source frame exactly half an output frame late is not taken: ties go to the earlier frame, whatever the rounding */
	if (!m->have_cur && !m->have_next) {
		int r = fetch_next(m);
		if (r < 0)
			return -1;
		if (r == 0) {
			if (m->k == 0 && m->vo.start > 0)
				sh_set_error("%s: no video frames after %gs", m->path, m->vo.start);
			else if (m->k == 0)
				sh_set_error("%s: no video frames could be decoded", m->path);
			return m->k == 0 ? -1 : 0;
		}
	}
	while (m->have_next && (m->next_t <= target + tol || !m->have_cur)) {
		AVFrame *t = m->cur;
		m->cur = m->next;
		m->next = t;
		m->cur_t = m->next_t;
		m->cur_dur = m->next_dur;
		m->cur_serial = m->next_serial;
		m->have_cur = true;
		if (fetch_next(m) < 0)
			return -1;
	}
	if (!m->have_next && target >= m->cur_t + m->cur_dur - 1e-9 && !(m->vo.loop && m->max_frames >= 0))
		return 0;
	return 1;
}

int sh_media_video_read(sh_media *m, uint8_t *frame)
{
	int r = advance(m);
	if (r <= 0)
		return r;
	if (m->img_serial != m->cur_serial) {
		frame_plan g;
		if (plan_frame(m, m->cur, &g) != 0 || convert_frame(m, m->cur, &g, m->img) != 0)
			return -1;
		m->img_serial = m->cur_serial;
	}
	memcpy(frame, m->img, m->out.frame_size);
	m->k++;
	return 1;
}

/* OUT refers to SRC's planes and buffers, and carries nothing else (no picture
 * type, side data or timestamps for an encoder to act on). */
static int ref_planes(AVFrame *out, const AVFrame *src, int format)
{
	for (int i = 0; i < AV_NUM_DATA_POINTERS; i++) {
		if (src->buf[i] && !(out->buf[i] = av_buffer_ref(src->buf[i]))) {
			av_frame_unref(out);
			return -1;
		}
		out->data[i] = src->data[i];
		out->linesize[i] = src->linesize[i];
	}
	out->extended_data = out->data;
	out->format = format;
	out->width = src->width;
	out->height = src->height;
	return 0;
}

int sh_media_video_read_av(sh_media *m, AVFrame *out)
{
	int r = advance(m);
	if (r <= 0)
		return r;
	frame_plan g;
	if (plan_frame(m, m->cur, &g) != 0)
		return -1;
	av_frame_unref(out);
	/* no copy at all when decoding runs ahead on its own thread; on the caller's
	 * thread, holding the demuxer's large packets longer had glibc map and unmap
	 * one per frame (measured: the page faults cost more than a copy) */
	if (g.same && m->cur->buf[0] && m->dq) {
		if (ref_planes(out, m->cur, m->out_fmt) != 0)
			return nomem(m);
	} else {
		const sh_y4m_info *o = &m->out;
		if (m->img_serial != m->cur_serial || !m->img_ref) {
			if (!m->pool && !(m->pool = av_buffer_pool_init(o->frame_size, NULL)))
				return nomem(m);
			av_buffer_unref(&m->img_ref);
			if (!(m->img_ref = av_buffer_pool_get(m->pool)))
				return nomem(m);
			if (convert_frame(m, m->cur, &g, m->img_ref->data) != 0)
				return -1;
			m->img_serial = m->cur_serial;
		}
		AVFrame f = {0};
		f.buf[0] = m->img_ref;
		f.data[0] = m->img_ref->data;
		f.linesize[0] = o->width;
		if (o->chroma != SH_CHROMA_MONO) {
			f.data[1] = f.data[0] + o->plane_size[0];
			f.data[2] = f.data[1] + o->plane_size[1];
			f.linesize[1] = f.linesize[2] = o->cw;
		}
		f.width = o->width;
		f.height = o->height;
		if (ref_planes(out, &f, m->out_fmt) != 0)
			return nomem(m);
	}
	m->k++;
	return 1;
}

int64_t sh_media_video_count(const sh_media *m) { return m->k; }

/* ---------------------------------------------------------------- y4m frames and AVFrames */

int sh_av_pix_fmt(sh_chroma chroma)
{
	switch (chroma) {
	case SH_CHROMA_420: return AV_PIX_FMT_YUV420P;
	case SH_CHROMA_422: return AV_PIX_FMT_YUV422P;
	case SH_CHROMA_444: return AV_PIX_FMT_YUV444P;
	case SH_CHROMA_MONO: return AV_PIX_FMT_GRAY8;
	}
	return AV_PIX_FMT_YUV420P;
}

/* Plane k of a y4m-layout frame: its offset, width and height. */
static size_t plane_geometry(const sh_y4m_info *info, int k, int *w, int *h)
{
	*w = k ? info->cw : info->width;
	*h = k ? info->ch : info->height;
	return k == 0 ? 0 : k == 1 ? info->plane_size[0] : info->plane_size[0] + info->plane_size[1];
}

void sh_frame_to_av(const sh_y4m_info *info, const uint8_t *frame, AVFrame *f)
{
	int planes = info->chroma == SH_CHROMA_MONO ? 1 : 3, w, h;
	for (int k = 0; k < planes; k++) {
		size_t off = plane_geometry(info, k, &w, &h);
		av_image_copy_plane(f->data[k], f->linesize[k], frame + off, w, w, h);
	}
}

void sh_frame_from_av(const sh_y4m_info *info, const AVFrame *f, uint8_t *frame)
{
	int planes = info->chroma == SH_CHROMA_MONO ? 1 : 3, w, h;
	for (int k = 0; k < planes; k++) {
		size_t off = plane_geometry(info, k, &w, &h);
		av_image_copy_plane(frame + off, w, f->data[k], f->linesize[k], w, h);
	}
}

/* ---------------------------------------------------------------- audio */

int sh_media_audio_begin(sh_media *m, int rate, int channels, double start, double duration)
{
	if (m->aidx < 0) {
		sh_set_error("%s: no audio stream", m->path);
		return -1;
	}
	if (open_decoder(m, m->aidx) != 0)
		return -1;
	AVChannelLayout in = {0}, outl = {0};
	if (m->dec->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC || m->dec->ch_layout.nb_channels == 0)
		av_channel_layout_default(&in, m->dec->ch_layout.nb_channels > 0 ? m->dec->ch_layout.nb_channels : 1);
	else
		av_channel_layout_copy(&in, &m->dec->ch_layout);
	m->src_rate = m->dec->sample_rate;
	if (m->src_rate <= 0) {
		sh_set_error("%s: the audio stream has no sample rate", m->path);
		return -1;
	}
	/* a header's absurd rate would have the resampler work (and allocate) without end */
	if (m->src_rate < SH_MIN_RATE || m->src_rate > SH_MAX_RATE) {
		sh_set_error("%s: sample rate %d Hz: shards handles %d to %d", m->path, m->src_rate,
		             SH_MIN_RATE, SH_MAX_RATE);
		return -1;
	}
	m->arate = rate > 0 ? rate : m->src_rate;
	m->ach = channels > 0 ? channels : in.nb_channels;
	if (m->ach > 64) {
		sh_set_error("%s: %d channels is too many", m->path, m->ach);
		return -1;
	}
	if (m->ach == in.nb_channels)
		av_channel_layout_copy(&outl, &in);
	else
		av_channel_layout_default(&outl, m->ach);
	int e = swr_alloc_set_opts2(&m->swr, &outl, AV_SAMPLE_FMT_FLT, m->arate, &in, m->dec->sample_fmt,
	                            m->src_rate, 0, NULL);
	if (e >= 0 && m->arate != m->src_rate)
		av_opt_set_int(m->swr, "filter_size", 32, 0);
	if (e >= 0)
		e = swr_init(m->swr);
	av_channel_layout_uninit(&in);
	av_channel_layout_uninit(&outl);
	if (e < 0) {
		sh_set_error("%s: cannot set up the resampler (%s)", m->path, averr(e));
		return -1;
	}
	m->aframe = av_frame_alloc();
	m->astart = start > 0 ? start : 0;
	m->aremaining = duration > 0 ? llround(duration * m->arate) : -1;
	m->adelivered = 0;
	if (m->astart > 0 && seek_to(m, m->astart) != 0)
		return -1;
	return 0;
}

int sh_media_audio_rate(const sh_media *m) { return m->arate; }
int sh_media_audio_channels(const sh_media *m) { return m->ach; }

/* Decode and resample one more block into abuf; 0 at the end. */
static int audio_refill(sh_media *m)
{
	for (;;) {
		if (m->aflushed)
			return 0;
		av_frame_unref(m->aframe);
		int r = decode_frame(m, m->aframe);
		if (r < 0)
			return -1;
		const uint8_t **in = NULL;
		int nin = 0;
		if (r == 1) {
			if (m->aframe->format != m->dec->sample_fmt || m->aframe->sample_rate != m->src_rate) {
				sh_set_error("%s: the audio format changes mid-stream", m->path);
				return -1;
			}
			in = (const uint8_t **)m->aframe->extended_data;
			nin = m->aframe->nb_samples;
			if (!m->astarted) {
				/* drop what lies before start (seeking lands on or before it) */
				int64_t ts = m->aframe->best_effort_timestamp;
				double t = ts == AV_NOPTS_VALUE ? m->astart : ts * av_q2d(m->st->time_base) - m->st_start;
				int64_t drop = llround((m->astart - t) * m->src_rate);
				if (drop >= nin)
					continue;
				if (drop > 0) {
					int bps = av_get_bytes_per_sample(m->aframe->format);
					int planar = av_sample_fmt_is_planar(m->aframe->format);
					int nch = m->aframe->ch_layout.nb_channels;
					static __thread const uint8_t *shifted[64];
					for (int c = 0; c < (planar ? nch : 1) && c < 64; c++)
						shifted[c] = m->aframe->extended_data[c] +
						             (size_t)drop * bps * (planar ? 1 : (size_t)nch);
					in = shifted;
					nin -= (int)drop;
				}
				m->astarted = true;
			}
		} else {
			m->aflushed = true; /* drain the resampler */
		}
		int cap = swr_get_out_samples(m->swr, nin);
		if (cap <= 0 && r == 0)
			return 0;
		if (cap < 0)
			cap = 0;
		size_t need = (size_t)(cap + 16) * m->ach;
		if (need > m->abuf_cap) {
			m->abuf = sh_realloc(m->abuf, need, sizeof *m->abuf);
			m->abuf_cap = need;
		}
		uint8_t *outp[1] = {(uint8_t *)m->abuf};
		int got = swr_convert(m->swr, outp, cap + 16, in, nin);
		if (got < 0) {
			sh_set_error("%s: resampling failed (%s)", m->path, averr(got));
			return -1;
		}
		m->abuf_len = (size_t)got;
		m->abuf_pos = 0;
		if (got > 0)
			return 1;
	}
}

ssize_t sh_media_audio_read(sh_media *m, float *buf, size_t n)
{
	if (!m->swr) {
		sh_set_error("%s: audio not set up", m->path);
		return -1;
	}
	size_t done = 0;
	while (done < n) {
		if (m->aremaining == 0)
			break;
		if (m->abuf_pos >= m->abuf_len) {
			int r = audio_refill(m);
			if (r < 0)
				return -1;
			if (r == 0)
				break;
		}
		size_t take = m->abuf_len - m->abuf_pos;
		if (take > n - done)
			take = n - done;
		if (m->aremaining > 0 && (int64_t)take > m->aremaining)
			take = (size_t)m->aremaining;
		memcpy(buf + done * m->ach, m->abuf + m->abuf_pos * m->ach, take * m->ach * sizeof *buf);
		m->abuf_pos += take;
		done += take;
		if (m->aremaining > 0)
			m->aremaining -= (int64_t)take;
	}
	/* the rule of every audio reader: non-finite samples are an error */
	size_t count = done * (size_t)m->ach, bad = sh_audio_first_nonfinite(buf, count);
	if (bad < count) {
		sh_set_error("%s: frame %lld channel %zu is %s: shards refuses non-finite audio", m->path,
		             (long long)(m->adelivered + (int64_t)(bad / (size_t)m->ach)), bad % (size_t)m->ach,
		             isnan(buf[bad]) ? "NaN" : "infinite");
		return -1;
	}
	m->adelivered += (int64_t)done;
	return (ssize_t)done;
}

/* ---------------------------------------------------------------- read-ahead */

struct sh_media_reader {
	sh_media *m;
	int depth;
	uint8_t **slot;
	int *result;           /* per slot: 1 frame, 0 end, -1 error */
	int head, count;       /* the oldest filled slot, filled slots */
	int held;              /* slot the caller holds, -1 none */
	bool stop, done;
	char err[512];
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void *reader_main(void *arg)
{
	sh_media_reader *r = arg;
	for (;;) {
		pthread_mutex_lock(&r->mu);
		/* a free slot: not filled and not held by the caller */
		while (!r->stop && r->count + (r->held >= 0) >= r->depth)
			pthread_cond_wait(&r->cv, &r->mu);
		if (r->stop) {
			pthread_mutex_unlock(&r->mu);
			return NULL;
		}
		int s = (r->head + r->count) % r->depth;
		pthread_mutex_unlock(&r->mu);
		int res = sh_media_video_read(r->m, r->slot[s]);
		pthread_mutex_lock(&r->mu);
		if (res < 0)
			snprintf(r->err, sizeof r->err, "%s", sh_error());
		r->result[s] = res;
		r->count++;
		if (res <= 0)
			r->done = true;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		if (res <= 0)
			return NULL;
	}
}

/* Everything but the thread, which has ended or never started. */
static void reader_free(sh_media_reader *r)
{
	for (int i = 0; i < r->depth; i++)
		free(r->slot[i]);
	free(r->slot);
	free(r->result);
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv);
	free(r);
}

sh_media_reader *sh_media_reader_start(sh_media *m, size_t frame_size, int depth)
{
	sh_media_reader *r = sh_calloc(1, sizeof *r);
	r->m = m;
	r->depth = depth < 2 ? 2 : depth > 8 ? 8 : depth;
	r->slot = sh_calloc((size_t)r->depth, sizeof *r->slot);
	r->result = sh_calloc((size_t)r->depth, sizeof *r->result);
	for (int i = 0; i < r->depth; i++)
		r->slot[i] = sh_malloc(frame_size);
	r->held = -1;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	if (pthread_create(&r->th, NULL, reader_main, r) != 0) {
		sh_set_error("%s: cannot start a decoding thread", m->path);
		reader_free(r);
		return NULL;
	}
	return r;
}

int sh_media_reader_next(sh_media_reader *r, const uint8_t **frame)
{
	pthread_mutex_lock(&r->mu);
	while (r->count == 0)
		pthread_cond_wait(&r->cv, &r->mu);
	int s = r->head;
	int res = r->result[s];
	if (res == 1) {
		r->head = (r->head + 1) % r->depth;
		r->count--;
		r->held = s; /* the previous held slot is free again */
		*frame = r->slot[s];
		pthread_cond_broadcast(&r->cv);
	} else if (res < 0) {
		sh_set_error("%s", r->err);
	}
	/* 0 and -1 stay queued: every later call gives the same answer */
	pthread_mutex_unlock(&r->mu);
	return res;
}

void sh_media_reader_stop(sh_media_reader *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->mu);
	r->stop = true;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	pthread_join(r->th, NULL);
	reader_free(r);
}

/* ---------------------------------------------------------------- outputs */

static bool special_file(const char *path)
{
	struct stat sb;
	return path && strcmp(path, "-") && stat(path, &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode);
}

const char *sh_media_output(const char *path)
{
	static bool stdout_taken;
	if (!special_file(path))
		return path;
	if (stdout_taken) {
		sh_set_error("%s: only one output of a run can be a device or FIFO", path);
		return NULL;
	}
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		sh_set_error("%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fd != 1) {
		if (dup2(fd, 1) < 0) {
			sh_set_error("%s: %s", path, strerror(errno));
			close(fd);
			return NULL;
		}
		close(fd);
	}
	stdout_taken = true;
	return "-";
}

int sh_media_write_text(const char *path, const char *data, size_t n)
{
	if (!special_file(path))
		return sh_write_file_atomic(path, data, n);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		sh_set_error("%s: %s", path, strerror(errno));
		return -1;
	}
	int r = sh_write_named(fd, data, n, path);
	close(fd);
	return r;
}

/* ---------------------------------------------------------------- video input */

struct sh_video_in {
	sh_y4m_in *y4m;
	int fd;                 /* the y4m file's own descriptor; -1 for stdin */
	sh_media *media;
	sh_y4m_info info;       /* the decoded frames' geometry */
};

#define Y4M_MAGIC "YUV4MPEG2"
#define SNIFF_MAX 4096

/* Read until BUF holds WANT bytes or the input ends: the count, -1 + sh_error(). */
static ssize_t read_upto(int fd, const char *name, uint8_t *buf, size_t have, size_t want)
{
	while (have < want) {
		ssize_t r = read(fd, buf + have, want - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			sh_set_error("%s: %s", name, strerror(errno));
			return -1;
		}
		if (r == 0)
			break;
		have += (size_t)r;
	}
	return (ssize_t)have;
}

/* What the first bytes of a stream look like, for a message: a format FFmpeg
 * recognises, else the bytes themselves. */
static void describe_bytes(const uint8_t *buf, size_t n, char *out, size_t cap)
{
	if (n == 0) {
		snprintf(out, cap, "it is empty");
		return;
	}
	quiet_ffmpeg();
	uint8_t *pad = sh_calloc(n + AVPROBE_PADDING_SIZE, 1);
	memcpy(pad, buf, n);
	AVProbeData pd = {.filename = "", .buf = pad, .buf_size = (int)n};
	int score = AVPROBE_SCORE_RETRY;
	const AVInputFormat *f = av_probe_input_format2(&pd, 1, &score);
	free(pad);
	if (f) {
		snprintf(out, cap, "it looks like %s", f->long_name ? f->long_name : f->name);
		return;
	}
	/* text, or a tag such as RIFF: its first printable characters */
	size_t text = 0;
	while (text < n && text < 24 && buf[text] >= 0x20 && buf[text] < 0x7f && buf[text] != '"')
		text++;
	if (text >= 4 || text == n) {
		bool more = text == 24 && n > 24 && buf[24] >= 0x20 && buf[24] < 0x7f;
		snprintf(out, cap, "it starts with \"%.*s%s\"", (int)text, (const char *)buf, more ? "..." : "");
		return;
	}
	size_t o = (size_t)snprintf(out, cap, "it starts with bytes");
	for (size_t i = 0; i < (n < 8 ? n : 8) && o < cap; i++)
		o += (size_t)snprintf(out + o, cap - o, " %02x", buf[i]);
}

static bool y4m_magic(const uint8_t *buf, size_t n)
{
	return n >= sizeof Y4M_MAGIC - 1 && memcmp(buf, Y4M_MAGIC, sizeof Y4M_MAGIC - 1) == 0;
}

/* The y4m chroma nearest a decoded source's pixel format. */
static sh_chroma nearest_chroma(const char *pix_fmt)
{
	const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(av_get_pix_fmt(pix_fmt));
	if (!d || d->nb_components < 3)
		return SH_CHROMA_420; /* grey: neutral chroma, in the common layout */
	if ((d->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL)) || (!d->log2_chroma_w && !d->log2_chroma_h))
		return SH_CHROMA_444;
	if (d->log2_chroma_w == 1 && !d->log2_chroma_h)
		return SH_CHROMA_422;
	return SH_CHROMA_420;
}

static int open_decoded(sh_video_in *v, const char *path, const uint8_t *head, size_t n, int threads)
{
	v->media = sh_media_open(path);
	if (!v->media) {
		/* sh_media_open's message starts with the path: keep its reason, in
		 * the parentheses, only */
		char why[160], saw[96];
		const char *paren = strrchr(sh_error(), '(');
		snprintf(why, sizeof why, "%s", paren ? paren + 1 : "");
		size_t k = strlen(why);
		if (k && why[k - 1] == ')')
			why[k - 1] = 0;
		describe_bytes(head, n, saw, sizeof saw);
		sh_set_error("%s: not a y4m stream (bad magic: %s), nor a media file FFmpeg reads%s%s%s; give a "
		             "video, a picture or a y4m stream",
		             path, saw, why[0] ? " (" : "", why, why[0] ? ")" : "");
		return -1;
	}
	const sh_media_info *mi = sh_media_get_info(v->media);
	if (!mi->has_video) {
		sh_set_error("%s: no video stream in it (%s%s); give a video, a picture or a y4m stream", path,
		             mi->has_audio ? "audio only: " : "", mi->format);
		return -1;
	}
	sh_media_set_threads(v->media, threads);
	sh_media_video_opts o;
	sh_media_video_opts_default(&o);
	o.chroma = nearest_chroma(mi->pix_fmt);
	return sh_media_video_begin(v->media, &o, &v->info);
}

sh_video_in *sh_video_in_open(const char *path, int threads)
{
	bool is_stdin = !path || strcmp(path, "-") == 0;
	const char *name = is_stdin ? "stdin" : path;
	const char *prog = sh_progname ? sh_progname : "PROGRAM";
	sh_video_in *v = sh_calloc(1, sizeof *v);
	v->fd = -1;
	int fd = 0;
	bool regular = false;
	if (!is_stdin) {
		struct stat sb;
		if (stat_input(path, &sb) != 0)
			goto fail;
		regular = S_ISREG(sb.st_mode);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
			sh_set_error("%s: %s", path, strerror(errno));
			goto fail;
		}
		v->fd = fd;
	}
	uint8_t head[SNIFF_MAX];
	/* no more than the magic before knowing: the rest belongs to the y4m reader */
	ssize_t n = read_upto(fd, name, head, 0, sizeof Y4M_MAGIC - 1);
	if (n < 0)
		goto fail;
	if (n == 0 || y4m_magic(head, (size_t)n)) {
		if (!(v->y4m = sh_y4m_open_fd(fd, name, head, (size_t)n)))
			goto fail;
		return v;
	}
	if (regular) {
		n = read_upto(fd, name, head, (size_t)n, sizeof head);
		close(fd);
		v->fd = -1;
		if (n < 0 || open_decoded(v, path, head, (size_t)n, threads) != 0)
			goto fail;
		return v;
	}
	/* a pipe: read a little more to say what it is */
	n = read_upto(fd, name, head, (size_t)n, sizeof head);
	if (n < 0)
		goto fail;
	char saw[96];
	describe_bytes(head, (size_t)n, saw, sizeof saw);
	if (is_stdin)
		sh_set_error("stdin: not a y4m stream (bad magic: %s); name the file instead (%s FILE) or convert it: "
		             "ffmpeg -i FILE -f yuv4mpegpipe - | %s",
		             saw, prog, prog);
	else
		sh_set_error("%s: not a y4m stream (bad magic: %s), and a pipe is read as y4m only; name a file or convert: "
		             "ffmpeg -i FILE -f yuv4mpegpipe - | %s",
		             path, saw, prog);
fail:
	sh_video_in_close(v);
	return NULL;
}

const sh_y4m_info *sh_video_in_info(const sh_video_in *v) { return v->y4m ? sh_y4m_in_info(v->y4m) : &v->info; }

bool sh_video_in_decoded(const sh_video_in *v) { return v->media != NULL; }

int sh_video_in_read(sh_video_in *v, uint8_t *frame)
{
	return v->y4m ? sh_y4m_read_frame(v->y4m, frame) : sh_media_video_read(v->media, frame);
}

void sh_video_in_close(sh_video_in *v)
{
	if (!v)
		return;
	sh_y4m_close(v->y4m);
	if (v->fd >= 0)
		close(v->fd);
	if (v->media)
		sh_media_close(v->media);
	sh_y4m_info_free(&v->info);
	free(v);
}
