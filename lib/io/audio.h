/* audio.h -- audio streams in and out, always as interleaved 32-bit float.
 *
 * In: "-" (or NULL) is stdin, which may carry Sun AU or WAV of unknown length;
 * AU and WAV files are read by the same streaming parser (seekable when the file
 * is), anything else libsndfile reads (FLAC, AIFF, OGG, MP3, ...) through it.
 * Non-finite samples (NaN, Inf) are an error naming the frame: shards never passes
 * them on. Out: stdout gets AU float with an unknown data size; a file is written
 * by extension through libsndfile under a temporary name and renamed when done. */
#ifndef SHARDS_AUDIO_H
#define SHARDS_AUDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SH_MAX_CHANNELS 64
#define SH_MIN_RATE 1000
#define SH_MAX_RATE 768000

typedef struct sh_audio_in sh_audio_in;

/* Open for reading; NULL with sh_error() on failure (missing file, bad header...). */
sh_audio_in *sh_audio_open(const char *path);
/* Open on a descriptor whose first bytes were already read (to sniff what the
 * stream is): they are given in pre/npre. The descriptor is not closed. */
sh_audio_in *sh_audio_open_fd(int fd, const char *name, const void *pre, size_t npre);
int sh_audio_rate(const sh_audio_in *in);
int sh_audio_channels(const sh_audio_in *in);
const char *sh_audio_name(const sh_audio_in *in);     /* "stdin" or the path */
int64_t sh_audio_frames(const sh_audio_in *in);       /* -1 when unknown (pipes) */
bool sh_audio_seekable(const sh_audio_in *in);
/* Read up to n frames into buf (n * channels floats). Returns frames read, 0 at the
 * end, -1 with sh_error() on a truncated or corrupt stream or non-finite samples. */
ssize_t sh_audio_read(sh_audio_in *in, float *buf, size_t n);
/* Seek to a frame (seekable inputs only); -1 with sh_error() on failure. */
int sh_audio_seek(sh_audio_in *in, int64_t frame);
void sh_audio_close(sh_audio_in *in);

/* The mean of CHANNELS interleaved channels: N frames of IN into OUT (mono). */
void sh_audio_downmix(const float *in, size_t n, int channels, float *out);
/* Resample everything read from now on to RATE (libsoxr, very high quality).
 * Makes the input unseekable. A no-op when the rate already matches. 0, or -1
 * with sh_error(). */
int sh_audio_resample_to(sh_audio_in *in, int rate);

/* Read a whole input into memory (for analysis); NULL with sh_error() on a read
 * error. */
float *sh_audio_slurp(sh_audio_in *in, size_t *frames);

/* Random access over any input: seekable files are read in place; pipes are
 * buffered in memory up to spool_limit bytes, then spooled to a temporary file
 * ($TMPDIR), so memory stays bounded. */
typedef struct sh_audio_source sh_audio_source;
/* A pipe is read whole here: NULL with sh_error() when reading or spooling fails. */
sh_audio_source *sh_audio_source_open(sh_audio_in *in, size_t spool_limit);
int64_t sh_audio_source_frames(const sh_audio_source *s);
/* Frames [start, start+n) into buf; frames outside the source read as zero.
 * 0, or -1 with sh_error() (a read error, or a spool file that failed). */
int sh_audio_source_get(sh_audio_source *s, int64_t start, size_t n, float *buf);
void sh_audio_source_close(sh_audio_source *s);
/* Streaming random access for a pipe: nothing is read until asked for, and
 * sh_audio_source_release lets go of everything before a frame no later read
 * will need, so a list that moves forward streams in bounded memory. Its length
 * (sh_audio_source_frames) is -1 until the stream has ended. A seekable input
 * opens as sh_audio_source_open does. */
sh_audio_source *sh_audio_source_open_lazy(sh_audio_in *in, size_t spool_limit);
int64_t sh_audio_source_ensure(sh_audio_source *s, int64_t upto); /* frames held now; -1 + sh_error() */
bool sh_audio_source_complete(const sh_audio_source *s);         /* its length is known */
void sh_audio_source_release(sh_audio_source *s, int64_t before);

typedef struct sh_audio_out sh_audio_out;
/* Bits for files: 16 (TPDF-dithered PCM), 24 (PCM), 32 (float); 0 = the format's
 * default (32-bit float for wav/aiff/au/caf, 24 for flac, codec quality for ogg/mp3). */
typedef struct {
	int bits;
	uint64_t dither_seed;
} sh_audio_out_opts;
/* Whether PATH can take audio as asked (BITS from sh_parse_bits; RATE and CHANNELS
 * 0 when not known yet): 0, or -1 with sh_error() for what is the user's to
 * change -- --bits on stdout or a stream, an unknown extension, --bits on a lossy
 * format, float FLAC, a layout the format cannot hold. A program calls it before
 * sh_audio_create to end such a run as a usage error (status 2). */
/* Index of the first NaN or infinity among COUNT samples, or COUNT. */
size_t sh_audio_first_nonfinite(const float *x, size_t count);
int sh_audio_check_output(const char *path, int bits, int rate, int channels);
/* path NULL or "-": AU float on stdout (refuses a terminal). NULL with sh_error()
 * on failure, the problems sh_audio_check_output finds included. */
sh_audio_out *sh_audio_create(const char *path, int rate, int channels, const sh_audio_out_opts *opts);
int sh_audio_write(sh_audio_out *out, const float *buf, size_t frames); /* 0, or -1 + sh_error() */
/* sh_audio_write as the emit callback of lib/stft and lib/stretch (user = the
 * sh_audio_out): a callback cannot fail, so the first error is kept, later writes
 * are dropped, and sh_audio_finish reports it. */
void sh_audio_emit(void *out, const float *buf, size_t frames);
/* Flush and rename a file into place; frees OUT either way. 0, or -1 with
 * sh_error() (the temporary file is removed). */
int sh_audio_finish(sh_audio_out *out);
/* The same short of the rename: the file is complete and synced under its
 * temporary name, and sh_atomic_commit puts it in place (for a caller that puts
 * several files in place together). Only for a file path, not stdout or a
 * device. NULL with sh_error() (the temporary file removed); frees OUT. */
struct sh_atomic *sh_audio_finish_held(sh_audio_out *out);
/* Give up on OUT: remove a temporary file, free everything. */
void sh_audio_abort(sh_audio_out *out);
int64_t sh_audio_written(const sh_audio_out *out);

/* Parse "--bits" text: 16, 24, 32, 32f -> 16/24/32; NULL (not given) -> 0, the
 * format's default; -1 on anything else. */
int sh_parse_bits(const char *text);

/* The -o entry of a program whose output is audio (a const char *). */
#define SH_AUDIO_OUTPUT_OPTION(var)                                                         \
	{.name = "output", .short_name = 'o', .type = SH_OPT_STRING, .dest = &(var), .arg = "FILE", \
	 .no_preset = true, .help = "write audio to FILE (format by extension) instead of AU on stdout"}
/* The --bits entry every audio writer's option table shares (a const char *;
 * unset, so --help prints no default: the format chooses). */
#define SH_AUDIO_BITS_OPTION(var)                                                              \
	{.name = "bits", .type = SH_OPT_CHOICE, .dest = &(var), .choices = "16|24|32|32f",          \
	 .arg = "16|24|32f", .help = "sample format of -o FILE (16 is dithered; default: the format's)"}

#endif
