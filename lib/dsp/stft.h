/* stft.h -- streaming short-time Fourier analysis and overlap-add resynthesis.
 *
 * Single-precision FFTW (real-to-complex and back), planned once per object with
 * FFTW_ESTIMATE so the same input gives the same bytes on every run. Periodic Hann
 * window for analysis and for synthesis; the synthesis side is divided by the
 * summed window product, so with an untouched spectrum the output equals the input
 * to within float rounding for any hop from 1 to size/2.
 *
 * Framing. Input is processed in fixed hops of `hop` frames whatever sizes are
 * pushed, so the output never depends on how the input arrived. Conceptually the
 * input is preceded by size - hop zeros: frame m (m = 0, 1, ...) covers input
 * samples [m*hop - (size-hop), m*hop + hop), and is computed as soon as its last
 * hop has been pushed. Its centre is sample m*hop - size/2 + hop
 * (sh_stft_frame_centre).
 *
 * Resynthesis mode (emit != NULL): after each frame the next `hop` output samples
 * are complete. The object compensates its own latency (size - hop samples): the
 * first output sample handed to emit is aligned with input sample 0, and
 * sh_stft_finish pads with zeros so that exactly as many frames come out as went
 * in. Analysis-only mode (emit == NULL) skips the inverse transforms.
 *
 * Multichannel input is interleaved; every channel is transformed and the
 * callback sees all channels' spectra of one frame at once (so it can, say, draw
 * one random phase per bin for all channels and keep the stereo image).
 *
 * Creating an object also sets flush-to-zero and denormals-are-zero for the
 * calling thread (sh_stft_no_denormals), so decaying tails never slow down. */
#ifndef SHARDS_STFT_H
#define SHARDS_STFT_H

#include <complex.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SH_STFT_MIN_SIZE 16
#define SH_STFT_MAX_SIZE 65536

typedef struct sh_stft sh_stft;

/* |x| without cabsf's overflow-safe hypotf, which costs several times more in the
 * per-bin loops (spectra of audio are far from overflow) */
static inline float sh_cmag(float complex x)
{
	float re = crealf(x), im = cimagf(x);
	return sqrtf(re * re + im * im);
}

/* Called once per frame with spec[ch][0..bins-1], bins = size/2 + 1, for every
 * channel. Bin k is k*rate/size Hz; values are the unnormalised FFT of the
 * windowed frame (a full-scale sine of amplitude A in bin k reads about
 * A*size/4). Modify in place for resynthesis; frame counts from 0. */
typedef void (*sh_stft_frame_fn)(void *user, float complex *const *spec, int channels, int bins,
                                 int64_t frame);
/* Receives `frames` interleaved output frames (resynthesis mode). */
typedef void (*sh_stft_emit_fn)(void *user, const float *buf, size_t frames);

/* size: even, SH_STFT_MIN_SIZE..SH_STFT_MAX_SIZE (any even length; powers of two
 * are fastest). hop: 1..size/2. channels: 1..64. Returns NULL with sh_error() on
 * bad arguments. */
sh_stft *sh_stft_new(int size, int hop, int channels, sh_stft_frame_fn frame, sh_stft_emit_fn emit,
                     void *user);
/* ---- channels on threads ----
 * An effect whose channels are independent but for decisions all of them share
 * (random draws made once per frame for every channel, so the stereo image
 * holds) is given as two callbacks instead of one frame function:
 *   shared(user, frame, slot)   once per frame, in frame order, on the calling
 *                               thread: draw what the channels share and keep it
 *                               in slot SLOT (0 .. sh_stft_slots() - 1);
 *   channel(user, spec, c, bins, frame, slot)
 *                               one channel's spectrum of that frame, with the
 *                               slot its shared call filled; channels may run at
 *                               once on the pool's threads, each in frame order.
 * With a pool of more than one thread and more than one channel, frames are
 * gathered into batches of sh_stft_slots() hops: the shared calls of a batch run
 * first, then each channel works through the whole batch on a thread of its own
 * (window, FFT, callback, inverse FFT, overlap-add), so the threads meet once per
 * batch, not once per hop. A channel's arithmetic is the same whichever thread
 * runs it, so the output is the same bytes for any pool (or none: one frame at a
 * time, as sh_stft_new). Output then comes a batch at a time: sh_stft_flush runs
 * a batch that is not full (sh_stft_finish does it). POOL is the caller's and
 * must outlive the object; NULL runs everything on the calling thread. */
typedef struct sh_pool sh_pool;
typedef void (*sh_stft_shared_fn)(void *user, int64_t frame, int slot);
typedef void (*sh_stft_channel_fn)(void *user, float complex *spec, int channel, int bins,
                                   int64_t frame, int slot);
sh_stft *sh_stft_new_split(int size, int hop, int channels, sh_stft_shared_fn shared,
                           sh_stft_channel_fn channel, sh_stft_emit_fn emit, void *user,
                           sh_pool *pool);
/* Frames per batch (1 without threads): the slots a shared callback fills. */
int sh_stft_slots(const sh_stft *s);
/* Run the frames waiting for a batch and emit their output (nothing else to do
 * without threads). */
void sh_stft_flush(sh_stft *s);

/* Push n interleaved frames of any count (0 is fine). */
void sh_stft_push(sh_stft *s, const float *in, size_t n);
/* Hand every hop to emit from the first frame on, the latency not compensated
 * (the first size - hop samples out are the pre-roll), for a caller that
 * compensates it itself, as the sh_proc driver does: it pads the end with zeros
 * and never calls sh_stft_finish. Call before the first push. */
void sh_stft_raw(sh_stft *s);
/* End of input: process the remaining frames, emit the tail. Call once. */
void sh_stft_finish(sh_stft *s);
void sh_stft_free(sh_stft *s);

/* The fft and hop rows of a processor's parameter table (proc.h), for int64_t
 * fields FFT_FIELD and HOP_FIELD of the private state STATE. Check them with
 * sh_stft_check_sizes before starting. */
#define SH_STFT_PARAMS(state, fft_field, hop_field)                                                         \
	{.name = "fft", .short_name = 'n', .type = SH_OPT_INT, .dest = SH_PROC_PARAM(state, fft_field),   \
	 .min = SH_STFT_MIN_SIZE, .max = SH_STFT_MAX_SIZE, .arg = "N", .unit = "frames",          \
	 .help = "FFT window length, even, 16..65536"},                                           \
	{.name = "hop", .type = SH_OPT_INT, .dest = SH_PROC_PARAM(state, hop_field), .min = 0,            \
	 .max = SH_STFT_MAX_SIZE / 2, .arg = "N", .unit = "frames",                               \
	 .help = "hop between windows, 1..fft/2, 0 = fft/4"}

/* FFT and HOP as a user gave them: 0, or -1 with sh_error() when the window is
 * odd or the hop longer than half of it (hop 0 means fft/4). */
int sh_stft_check_sizes(int64_t fft, int64_t hop);
int sh_stft_size(const sh_stft *s);
int sh_stft_hop(const sh_stft *s);
int sh_stft_bins(const sh_stft *s);
/* Latency the object compensates internally, in samples: size - hop. */
int sh_stft_latency(const sh_stft *s);
/* Input sample index at the centre of frame m (may be negative for early frames). */
int64_t sh_stft_frame_centre(const sh_stft *s, int64_t m);
/* The analysis window (size values), e.g. for magnitude normalisation. */
const float *sh_stft_window(const sh_stft *s);
/* Power ratio of fully phase-randomised to untouched resynthesis of a stationary
 * noise input with this size and hop (about 0.25 at 75% overlap): a caller that
 * scrambles phases can divide by its square root to keep the level. */
double sh_stft_incoherent_gain(const sh_stft *s);

/* Magnitude spectra of single frames, for analysis code that frames a mono
 * signal itself (its own hop and alignment): a Hann window sampled at the
 * sample centres, w[i] = 0.5 - 0.5 cos(2 pi (i + 0.5) / n) (no zero ends, unlike
 * the periodic window above), and one FFTW plan made at creation. */
typedef struct sh_magspec sh_magspec;
/* n: even, at least 2. NULL with sh_error() when the FFT cannot be set up. */
sh_magspec *sh_magspec_new(size_t n);
/* Window n samples of x, transform, and return the n/2 + 1 magnitudes
 * sqrt(re^2 + im^2) (unnormalised: a full-scale sine reads about n/4); valid
 * until the next call. */
const float *sh_magspec_run(sh_magspec *m, const float *x);
const float *sh_magspec_window(const sh_magspec *m); /* n values */
void sh_magspec_free(sh_magspec *m);

/* Set flush-to-zero / denormals-are-zero in this thread (x86 SSE; elsewhere a
 * no-op, and the callers add no tiny offsets, so tails just cost more). */
void sh_stft_no_denormals(void);
/* Does this processor run the AVX2 forms of the frame loops (x86-64 with GCC)?
 * They give the same bits as the SSE and scalar forms (no fused multiply-add),
 * only sooner. */
bool sh_stft_avx2(void);

/* FFTW's planner is not thread-safe by itself: every plan in lib/dsp is made
 * (and destroyed) after this call, which makes it so, once per process. */
void sh_fftw_init(void);

#endif
