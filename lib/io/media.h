/* media.h -- any media file through FFmpeg's libraries: probe it, decode its video
 * into y4m-shaped frames (scaled and fitted to a size, converted to a chroma,
 * resampled to a constant frame rate), decode its audio into interleaved float
 * at a chosen rate.
 *
 * One sh_media handle decodes one kind of stream at a time (video or audio); to
 * take both from one file, open it twice. Packets of other streams are skipped.
 *
 * Frame timing: output frame k stands at time start + k / fps. It shows the
 * latest source frame whose timestamp is at or before that instant plus half an
 * output frame (the "nearest" rounding of ffmpeg's fps filter): sources faster
 * than fps drop frames, slower ones repeat them. A source's end is its last
 * frame's timestamp plus that frame's duration.
 *
 * Fit: crop (scale to cover the size, cut the overflow around the centre), pad
 * (scale to fit inside, black bars), stretch (scale to the size, ignore the aspect).
 * The source's pixel aspect is taken as square. Range: YUV outputs are video
 * range (Y 16..235), mono output is full range (as ffmpeg reads Cmono).
 *
 * Images (PNG, JPEG, ... anything FFmpeg decodes) open as a one-frame video;
 * sh_media_open_image also converts what FFmpeg cannot read (SVG, PSD, XCF, ...)
 * through ImageMagick's `convert` into a temporary PNG first. */
#ifndef SHARDS_MEDIA_H
#define SHARDS_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cli.h"
#include "y4m.h"

typedef struct {
	char format[32];        /* container short name: "mov,mp4,...", "matroska,webm", "yuv4mpegpipe" */
	double duration;        /* seconds; -1 when unknown */
	bool has_video, has_audio;
	bool is_image;          /* a still-picture codec or image demuxer */
	int width, height;      /* video */
	int fps_num, fps_den;   /* video frame rate (average, else the stream's base rate); 0/0 unknown */
	char vcodec[32];        /* "h264", "rawvideo", "png", ... ("" without video) */
	char pix_fmt[32];
	int audio_rate, audio_channels;
	char acodec[32];        /* "" without audio */
	int64_t bit_rate;       /* bits per second, 0 unknown */
} sh_media_info;

typedef struct sh_media sh_media;

/* Open and probe; NULL + sh_error() ("path: why") on a missing file, a directory,
 * a file FFmpeg cannot read. "-" opens stdin. */
sh_media *sh_media_open(const char *path);
/* Like sh_media_open, but for pictures: the formats FFmpeg lacks (by extension:
 * svg, psd, xcf, eps, pdf, heic, raw...) go through `convert 'FILE[0]' png:TMP`
 * first. Fails unless the result holds a picture or a video. */
sh_media *sh_media_open_image(const char *path);
const sh_media_info *sh_media_get_info(const sh_media *m);
/* Threads for decoding (FFmpeg's frame and slice threads) and for scaling and
 * converting video (libswscale's slice threads): THREADS, or 0 for the default,
 * sh_jobs_default() (SHARDS_JOBS, else the cores). Set it before
 * sh_media_video_begin or sh_media_audio_begin; a program with -j passes
 * prog.jobs. 1 decodes and converts on the calling thread only. Threads never
 * change the frames: FFmpeg's decoders are exact whatever their threads, and
 * each converted row is computed as one thread computes it. */
void sh_media_set_threads(sh_media *m, int threads);
int sh_media_threads(const sh_media *m);
const char *sh_media_path(const sh_media *m);
void sh_media_close(sh_media *m);

/* Is PATH's name one of the picture extensions avbond and colorkey take? */
bool sh_media_image_name(const char *path);

typedef enum { SH_FRAME_FIT_CROP, SH_FRAME_FIT_PAD, SH_FRAME_FIT_STRETCH } sh_frame_fit;
/* The choice lists of --fit and --chroma options (what the parsers below take). */
#define SH_FRAME_FIT_CHOICES "crop|pad|stretch"
#define SH_CHROMA_CHOICES "420jpeg|420mpeg2|420paldv|420|422|444|mono"
/* "crop" "pad" "stretch" -> fit; -1 on anything else */
int sh_parse_frame_fit(const char *text);
/* "420jpeg" "420mpeg2" "420paldv" "420" "422" "444" "mono" -> fills chroma and tag; -1 else */
int sh_parse_chroma(const char *text, sh_chroma *chroma, char tag[16]);
/* "WxH" (each 2..16384) -> 0, -1 + sh_error() else */
int sh_parse_size(const char *text, int *w, int *h);

typedef struct {
	int width, height;      /* 0: the source's */
	sh_chroma chroma;
	char chroma_tag[16];    /* "" = "420jpeg"/"422"/"444"/"mono" from chroma */
	sh_frame_fit fit;
	int fps_num, fps_den;   /* 0: the source's (25 when unknown) */
	double start;           /* seconds into the source */
	double duration;        /* seconds of output; <= 0: to the end */
	bool loop;              /* at the source's end, go back to start (needs a seekable file) */
} sh_media_video_opts;

void sh_media_video_opts_default(sh_media_video_opts *o);
/* Defaults, then the output geometry from a program's options: SIZE "WxH" (NULL:
 * the source's), FIT, CHROMA and FPS ({0, 0}: the source's). A bad value is -1 +
 * sh_error() naming --size, --fit or --chroma (a usage error for the caller). */
int sh_media_video_opts_cli(sh_media_video_opts *o, const char *size, const char *fit, const char *chroma,
                            sh_rational fps);
/* Choose the video stream and set up the conversion; fills *info with the output
 * geometry (F, C, W, H; interlace 'p', aspect 1:1). -1 + sh_error() when the file
 * has no video stream or the decoder cannot open. */
int sh_media_video_begin(sh_media *m, const sh_media_video_opts *o, sh_y4m_info *info);
/* Next output frame (info->frame_size bytes, planes Y Cb Cr contiguous).
 * 1 = frame, 0 = end, -1 + sh_error() on a decoding failure. */
int sh_media_video_read(sh_media *m, uint8_t *frame);
/* The same frame as an AVFrame (FFmpeg's struct AVFrame), for an encoder:
 * OUT is unreferenced, then refers to the frame (its format, width, height and
 * planes only; no timestamps, picture type or side data). A source frame that
 * already is the output (same size, format and range) is passed on without a
 * copy; a converted one comes from a pool. The caller unrefs OUT. 1 = frame,
 * 0 = end, -1 + sh_error(). Do not mix with sh_media_video_read on one handle. */
struct AVFrame;
int sh_media_video_read_av(sh_media *m, struct AVFrame *out);
/* Output frames so far. */
int64_t sh_media_video_count(const sh_media *m);

/* Audio: interleaved float at RATE (0: the source's) with CHANNELS (0: the source's;
 * 1 and 2 are down/up-mixed by libswresample), from START seconds, DURATION
 * seconds (<= 0: to the end). -1 + sh_error() when there is no audio stream. */
int sh_media_audio_begin(sh_media *m, int rate, int channels, double start, double duration);
int sh_media_audio_rate(const sh_media *m);
int sh_media_audio_channels(const sh_media *m);
/* Up to n frames into buf; returns frames, 0 at the end, -1 + sh_error(). */
ssize_t sh_media_audio_read(sh_media *m, float *buf, size_t n);

/* Read-ahead: a thread decodes up to DEPTH (2..8) frames ahead of the caller,
 * so several sources decode in parallel with the work on the current frame.
 * sh_media_reader_next gives 1 and a frame valid until the next call that
 * gives a frame (after 0, the last frame stays valid), 0 at the end, or -1 +
 * sh_error(). The handle must not be used directly while the reader runs. */
typedef struct sh_media_reader sh_media_reader;
/* NULL + sh_error() when the thread cannot start. */
sh_media_reader *sh_media_reader_start(sh_media *m, size_t frame_size, int depth);
int sh_media_reader_next(sh_media_reader *r, const uint8_t **frame);
void sh_media_reader_stop(sh_media_reader *r);

/* Outputs that are not regular files (/dev/null, a FIFO, /dev/stdout): the
 * atomic writers would rename a temporary file over them. sh_media_output
 * returns PATH for a regular file or a new name, and "-" after pointing stdout
 * at PATH when PATH is an existing device or FIFO (one such output per run);
 * NULL + sh_error() for a second one or one that cannot be opened.
 * sh_media_write_text writes a whole text file atomically, or straight into a
 * device or FIFO: 0, or -1 + sh_error(). */
const char *sh_media_output(const char *path);
int sh_media_write_text(const char *path, const char *data, size_t n);

/* Geometry helper (also used without a decoder): the derived plane sizes for
 * width, height and chroma, as sh_y4m_layout computes them. -1 when too large. */
int sh_media_layout(sh_y4m_info *info);

/* Fill a frame with black for its chroma (Y 16, or 0 for mono; Cb Cr 128). */
void sh_media_black(const sh_y4m_info *info, uint8_t *frame);

/* ---- y4m frames and FFmpeg's AVFrame (also for vgraph and avmux; here, not in vgraph, so that
 * a program reading media does not load libavfilter) ---- */
struct AVFrame;
/* The FFmpeg pixel format (an enum AVPixelFormat) of a y4m chroma layout. */
int sh_av_pix_fmt(sh_chroma chroma);
/* Copy the planes of a y4m-layout frame into an allocated AVFrame of the same
 * geometry and format (whose rows may be padded), and back. */
void sh_frame_to_av(const sh_y4m_info *info, const uint8_t *frame, struct AVFrame *f);
void sh_frame_from_av(const sh_y4m_info *info, const struct AVFrame *f, uint8_t *frame);

/* ---- video input for the y4m programs: a y4m stream, or any media file's video ----
 * A named file that starts with the YUV4MPEG2 magic is read as y4m. Any other
 * named regular file is decoded through FFmpeg: its video stream (audio is
 * ignored), at its own size and frame rate (a still picture: one frame at 25),
 * in the chroma nearest its own (4:4:4 for 4:4:4 and RGB sources, 4:2:2 for
 * 4:2:2, else 4:2:0 "420jpeg"), video range. Stdin ("-" or NULL) and named pipes
 * are read as y4m only (a pipe cannot be probed and then handed to FFmpeg);
 * one that is not y4m fails with a message that names what it looks like and
 * how to go on (name the file, or convert with ffmpeg). */
typedef struct sh_video_in sh_video_in;
/* THREADS as for sh_media_set_threads (a decoded file only). NULL + sh_error(). */
sh_video_in *sh_video_in_open(const char *path, int threads);
/* The stream's header: the y4m's own, or the decoded frames' geometry. */
const sh_y4m_info *sh_video_in_info(const sh_video_in *v);
/* Is it a decoded media file (not y4m)? */
bool sh_video_in_decoded(const sh_video_in *v);
/* Next frame (info->frame_size bytes): 1, 0 at the end, -1 + sh_error(). */
int sh_video_in_read(sh_video_in *v, uint8_t *frame);
/* NULL is a no-op. */
void sh_video_in_close(sh_video_in *v);

#endif
