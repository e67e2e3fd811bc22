/* stretch.h -- time-stretch and pitch-shift with librubberband, exact lengths.
 *
 * Two ways through Rubber Band:
 *  - offline (sh_stretch_offline): the whole input is available through an
 *    sh_audio_source (a file read in place, or a pipe spooled); Rubber Band
 *    studies it first and then stretches it, for the best quality;
 *  - real time (sh_stretch_new/push/finish): streaming, for pipes. Rubber Band's
 *    real-time output depends on the block sizes handed to process(), so the
 *    input is always cut into fixed blocks of `block` frames, whatever sizes are
 *    pushed: the same input gives the same bytes however the pipe delivered it.
 *    The stretcher's start delay is compensated (its preferred start pad of
 *    zeros goes in first and its start delay is dropped from the output).
 * Either way, with the finer engine, a block whose output would fill more than
 * half of Rubber Band's output ring (8 windows: a long ratio, a big block) goes
 * in fixed smaller pieces, its output taken after each: a full ring loses
 * output.
 * Either way the output is exactly round(frames_in * ratio) frames long: a
 * shortfall at the end is padded with silence, an excess dropped.
 *
 * Channels: one stretcher takes them all (Rubber Band keeps their phases, and
 * R2 in real time their timing, together), or with `apart` each goes through a
 * stretcher of its own, and those run on `jobs` threads: faster, and each
 * channel is stretched as it would be alone, so the stereo image loosens.
 * Rubber Band's own threads are never used. The output depends on `apart`,
 * never on the thread count. */
#ifndef SHARDS_STRETCH_H
#define SHARDS_STRETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audio.h"
#include "musickey.h"

typedef struct {
	double ratio;  /* output duration / input duration, > 0 */
	double pitch;  /* frequency scale, 2^(semitones/12), > 0 */
	bool formant;  /* preserve the formant envelope when shifting pitch */
	bool faster;   /* Rubber Band's R2 ("faster") engine instead of R3 ("finer") */
	int block;     /* real-time block size in frames (0 = 1024) */
	bool apart;    /* a stretcher per channel, on threads (else one for all channels) */
	int jobs;      /* threads for apart channels (0, 1: none); never changes the output */
} sh_stretch_opts;

typedef void (*sh_stretch_emit_fn)(void *user, const float *buf, size_t frames);

typedef struct sh_stretch sh_stretch;
/* NULL with sh_error() on bad options or when Rubber Band cannot start. */
sh_stretch *sh_stretch_new(const sh_stretch_opts *o, int rate, int channels, sh_stretch_emit_fn emit,
                           void *user);
void sh_stretch_push(sh_stretch *s, const float *in, size_t frames);
void sh_stretch_finish(sh_stretch *s);
void sh_stretch_free(sh_stretch *s);
/* Frames the real-time stretcher holds back at the start (pad + delay), for notes. */
int sh_stretch_latency(const sh_stretch *s);

/* Whole source, offline (study, then process). Returns frames written, or -1
 * with sh_error() when the source cannot be read. */
int64_t sh_stretch_offline(const sh_stretch_opts *o, sh_audio_source *src, int rate, int channels,
                           sh_stretch_emit_fn emit, void *user);

/* Analyse a whole source with the same code as bpm(1) and keydetect(1) (mono
 * mix = mean of the channels, default tempo options). bpm and key may be NULL
 * to skip either; *bpm is 0 and key->tonic -1 when nothing is found. */
int sh_stretch_detect(sh_audio_source *src, int rate, int channels, double *bpm, sh_key_result *key); /* -1 + sh_error() */

/* Semitones taking the key (tonic, minor) to (to_tonic, to_minor) by the shortest
 * interval (-6..+5, +6 for a tritone). When the modes differ the source's
 * relative key is moved (A minor to G major: A minor = C major, so -5). */
int sh_stretch_key_shift(int tonic, bool minor, int to_tonic, bool to_minor);

/* The stretch processor's knobs (proc_stretch.c) as sh_stretch_opts, for a
 * program that runs the offline engine on them. */
struct sh_proc;
sh_stretch_opts sh_proc_stretch_opts(const struct sh_proc *p);

#endif
