/* encode.h -- write H.264 (libx264) and AAC into MP4, MOV or Matroska: the
 * encoder avmux and avglitch share.
 *
 * The file is written under a temporary name and appears whole at
 * sh_encoder_finish, or not at all. Video frames get the timestamps 0, 1, 2 ...
 * at the frame rate; audio frames follow sample by sample. x264 runs on a fixed
 * number of threads (its bit stream depends on the count), so the same frames
 * and samples give the same file on every machine. */
#ifndef SHARDS_ENCODE_H
#define SHARDS_ENCODE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "media.h"

/* x264's threads: fixed, not -j and not the machine's cores, because x264's bit
 * stream depends on its thread count; with a fixed count the same inputs give the
 * same file everywhere. 3 is x264's own choice for two cores (it adds its
 * lookahead thread); 4 and more were seen to vary between runs on small frames
 * (320x240) on a busy machine, 3 was not. */
#define SH_X264_THREADS 3

typedef struct {
	const char *container;  /* libavformat's name: "mp4", "mov", "matroska" */
	int width, height;      /* even */
	int fps_num, fps_den;
	int rate, channels;     /* the audio as encoded (an AAC rate, 1 or 2 channels) */
	int crf;                /* 0..51 */
	const char *preset;     /* x264 preset */
	const char *tune;       /* x264 tune or NULL */
	int audio_kbps;
	const char *comment;    /* the file's comment tag, or NULL for none */
} sh_encode_opts;

/* The container for PATH's extension (.mp4 .m4v -> "mp4", .mov, .mkv ->
 * "matroska"); NULL + sh_error() for any other. */
const char *sh_encode_container(const char *path);
/* RATE if AAC takes it, else 48000; -1 + sh_error() when FFmpeg here has no
 * libx264 or no AAC encoder. */
int sh_encode_audio_rate(int rate);

typedef struct sh_encoder sh_encoder;
/* Open both encoders and the muxer on a temporary name beside PATH and write
 * the header; NULL + sh_error(), nothing left behind. */
sh_encoder *sh_encoder_open(const char *path, const sh_encode_opts *o);
/* Encode one video frame (a yuv420p AVFrame of the size; its pts is set here). */
struct AVFrame;
int sh_encoder_video(sh_encoder *e, struct AVFrame *f);
/* AAC's frame size: feed audio in frames of this many samples (the last may
 * be shorter, and is the last). */
int sh_encoder_audio_frame_size(const sh_encoder *e);
/* Encode N (<= the frame size) interleaved float samples. */
int sh_encoder_audio(sh_encoder *e, const float *buf, size_t n);
/* Audio from SRC (begun at the encoder's rate and channels) up to the video's
 * time so far, or all of it when ALL: 1 while SRC has more, 0 once it has
 * ended, -1 + sh_error(). */
int sh_encoder_audio_from(sh_encoder *e, sh_media *src, bool all);
int64_t sh_encoder_video_frames(const sh_encoder *e);
int64_t sh_encoder_audio_samples(const sh_encoder *e);
/* Flush both encoders (then check the lengths), and finish: the trailer
 * written and the file renamed into place. 0, or -1 + sh_error(). */
int sh_encoder_flush(sh_encoder *e);
int sh_encoder_finish(sh_encoder *e);
/* Free; a file not finished is removed. NULL is a no-op. */
void sh_encoder_close(sh_encoder *e);

#endif
