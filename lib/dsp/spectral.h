/* spectral.h -- the spectral effects behind specsmear and specmangle, on lib/stft;
 * the smear and mangle processors (proc_spectral.c) wrap them.
 *
 * Each effect owns an STFT (see stft.h), takes interleaved float audio pushed in
 * blocks of any size, and hands interleaved output to an emit callback, a hop at
 * a time, uncompensated: the first sh_spectral_latency frames out are the
 * pre-roll, and the tail comes out when the caller pushes that many zeros after
 * the input (the sh_proc driver does both). All random decisions
 * come from one sh_rng seeded by the caller and are drawn once per frame and bin
 * for all channels together, so the stereo image survives and the same seed and
 * input give the same bytes whatever the block sizes. The draws are made in
 * frame order on the caller's thread; the channels' FFTs and bin work may then
 * run on threads of their own (jobs), which never changes the bytes. With every knob at zero
 * the spectrum is left untouched: output = input within float rounding. */
#ifndef SHARDS_SPECTRAL_H
#define SHARDS_SPECTRAL_H

#include <stdint.h>

#include "stft.h"

typedef struct sh_spectral sh_spectral;

typedef struct {
	int size, hop;    /* FFT length and hop (hop 0 = size/4) */
	double blur;      /* 0..1: magnitude smoothing across time; time constant 3 s * blur^2 */
	double phase;     /* 0..1: phase randomisation, as a fraction of +-pi */
	uint64_t seed;
	int jobs;         /* threads for the channels (0, 1: none); never changes the output */
} sh_smear_opts;

typedef struct {
	int size, hop;
	double swap;      /* 0..1: fraction of bins exchanged with a random other bin, per frame */
	double noise;     /* 0..1: blend toward noise shaped by the frame's spectral envelope */
	double freeze;    /* 0..1: chance per frame that a freeze (hold) starts */
	double hold_min, hold_max; /* hold length in seconds, drawn per freeze */
	double shift_min, shift_max; /* bin shift in bins, drawn per frame (equal: fixed) */
	uint64_t seed;
	int jobs;
} sh_mangle_opts;

/* NULL with sh_error() on bad sizes. */
sh_spectral *sh_smear_new(const sh_smear_opts *o, int rate, int channels, sh_stft_emit_fn emit,
                          void *user);
sh_spectral *sh_mangle_new(const sh_mangle_opts *o, int rate, int channels, sh_stft_emit_fn emit,
                           void *user);
void sh_spectral_push(sh_spectral *s, const float *in, size_t frames);
/* With threads the output comes a batch of hops at a time (stft.h): emit what
 * is held, at the end of the stream. */
void sh_spectral_flush(sh_spectral *s);
/* Watching an effect, for a picture of what it does: WATCH(user, channel,
 * before, after, bins) is called for every frame of every channel with the
 * power of each bin (re^2 + im^2, bins = size/2 + 1, unnormalised as stft.h
 * says) as the frame came in and as it goes to the resynthesis. Frames are
 * given in order, counting from the first (its centre is sh_stft_frame_centre);
 * with jobs the channels call from threads of their own at once. Watching
 * never changes the output. Set before the first push. */
typedef void (*sh_spectral_watch_fn)(void *user, int channel, const float *before,
                                     const float *after, int bins);
void sh_spectral_watch(sh_spectral *s, sh_spectral_watch_fn fn, void *user);
/* The same for the smear or mangle processor P (proc_spectral.c), set before
 * it starts; and the FFT and hop its knobs ask for (the hop in effect: 0 given
 * is fft/4). -1 with sh_error() for another processor. */
typedef struct sh_proc sh_proc;
int sh_proc_spectral_watch(sh_proc *p, sh_spectral_watch_fn fn, void *user);
int sh_proc_spectral_sizes(const sh_proc *p, int *fft, int *hop);
int sh_spectral_latency(const sh_spectral *s); /* size - hop frames */
int sh_spectral_hop(const sh_spectral *s);     /* the hop in effect (0 given: size/4) */
void sh_spectral_free(sh_spectral *s);

#endif
