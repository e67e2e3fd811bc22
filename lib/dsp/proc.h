/* proc.h -- the audio processor class (sh_proc), its chain driver and its registry.
 *
 * A processor is an object of one class, shaped after SoX's effect handler: a
 * name, a one-line purpose, a parameter table, private state, and the
 * start / flow / drain / set / stop functions. The driver around it keeps the
 * promises every processor makes to its users, so that no processor has to:
 *
 *  - Any block size in. sh_proc_push takes any number of frames; the driver cuts
 *    them into the processor's fixed internal block (p->block frames), so the
 *    output can never depend on how a pipe delivered the bytes.
 *  - Latency compensated. A processor declares the frames of delay it adds
 *    (p->latency); the driver drops that many frames from the start of its
 *    output and, at the end of the stream, feeds zeros in whole blocks until the
 *    delayed tail is out. So unless the class says otherwise (own_length), the
 *    output is aligned with the input and exactly as long.
 *  - Errors returned. Every call returns 0 or -1 with sh_error(); nothing here
 *    ends the run. The program layer (sh_proc_main's caller) turns that into an
 *    exit status.
 *
 * Audio is interleaved 32-bit float everywhere, as the reader and writer carry
 * it: p->channels_in channels into flow, p->channels_out out of it (a processor
 * may change the count, e.g. mono to stereo; most keep it).
 *
 * Parameters. The class's table (params) is a template of sh_option rows whose
 * .dest is an offset into the private state (SH_PROC_PARAM); each instance gets
 * its own copy pointing into its own state, which starts as a copy of the
 * class's defaults. So the same rows serve a program's getopt, presets,
 * --print-config, `param` events (sh_proc_set_json) and `dsp NAME key=value`
 * (sh_proc_set); --help prints each default from the defaults themselves.
 *
 * Audio is interleaved because that is what readers, writers and the lib/dsp
 * engines speak; a processor built on planar code (a Faust `compute`) splits
 * the channels in its flow. Its own block then fixes the size Faust sees.
 *
 * Writing one: see proc_gain.c, the smallest. One file lib/dsp/proc_NAME.c that
 * defines `const sh_proc_class sh_proc_NAME`, plus one line in the registry
 * (SH_PROC_REGISTRY in proc.c); tests/unit/test_proc.c then checks it like every
 * other: identical output for blocks of 1, 7, 64 and 4096 frames, finite bounded
 * output on noise and impulses at the defaults, latency as declared (an impulse
 * through the class's neutral settings comes out where it went in), a set/get
 * round trip of every parameter.
 *
 * Threads. p->jobs (sh_proc_main sets it from -j) is how many threads a
 * processor may use; it starts as 1, and 1 is the single-threaded run, exactly.
 * A processor that uses more must give the same bytes for any count: split work
 * whose pieces are computed exactly as they would be alone (channels, say) and
 * make every shared decision (random draws) on one thread, in stream order. It
 * may hold output back to batch the work (the threads then meet once per batch,
 * not per block), and lets it out in drain. */
#ifndef SHARDS_PROC_H
#define SHARDS_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audio.h"
#include "params.h"

typedef struct sh_proc sh_proc;

/* The destination of a template row: where the knob lives in the private state. */
#define SH_PROC_PARAM(type, field) ((void *)offsetof(type, field))
/* A class's state: its type, the defaults it starts as, its parameter table. */
#define SH_PROC_STATE(type, defaults_, params_) \
	.priv_size = sizeof(type), .defaults = &(defaults_), .params = (params_)

typedef struct sh_proc_class {
	const char *name;         /* "smear": what `dsp NAME` and the registry call it */
	const char *purpose;      /* one line for `dsp --list`, in artistic terms */
	size_t priv_size;         /* bytes of private state, given as p->priv */
	const void *defaults;     /* priv_size bytes the state starts as (the knobs' defaults) */
	const sh_option *params;  /* template rows (SH_PROC_PARAM dests), ending with a zeroed row */
	bool seeded;              /* draws random numbers: takes the run's seed (p->seed) */
	bool own_length;          /* the output's length is the processor's (drain ends it), not the
	                             input's; the driver then hands the last short block to flow */
	const char *neutral;      /* "key=value ..." that leave the sound as it is (or as near as
	                             the processor can): tests check the latency with them; NULL: none */
	int ports;                /* channels it takes. 0: any number, each channel processed
	                             alike with state of its own (a mono processor on a stereo
	                             stream runs once per channel); N > 0: exactly N, processed
	                             together (2: a stereo pair, as pan, width or a stereo
	                             reverb). The driver refuses other counts at start. */

	/* Knobs that only make sense together, checked before start: -1 + sh_error()
	 * is the user's to change (a usage error). May be NULL. */
	int (*check)(sh_proc *p);
	/* p->rate, p->channels_in and p->seed are set, and p->channels_out is
	 * p->channels_in: allocate, and set p->block (0: any count up to
	 * SH_PROC_CHUNK), p->latency and p->channels_out when they differ.
	 * -1 + sh_error(). */
	int (*start)(sh_proc *p);
	/* FRAMES interleaved frames of input: exactly p->block when it is set
	 * (own_length processors: fewer once, at the very end). Output goes out
	 * through sh_proc_emit, any count at any time. -1 + sh_error(). */
	int (*flow)(sh_proc *p, const float *in, size_t frames);
	/* End of the stream (the latency already flushed with zero blocks): emit
	 * what is still held. May be NULL. -1 + sh_error(). */
	int (*drain)(sh_proc *p);
	/* The knob O changed while running (its new value is already in the state):
	 * update what is derived from it. May be NULL. -1 + sh_error(). */
	int (*set)(sh_proc *p, const sh_option *o);
	/* Free what start made. sh_proc_free calls it whether start ran or not,
	 * failed half way or not: pointers it did not set are as the defaults left
	 * them (NULL). May be NULL. */
	void (*stop)(sh_proc *p);
} sh_proc_class;

/* The largest count flow sees from a processor whose block is 0 (any). */
#define SH_PROC_CHUNK 4096

struct sh_proc {
	const sh_proc_class *cls;
	void *priv;               /* private state: starts as cls->defaults */
	sh_option *params;        /* this instance's table: dests point into priv */
	uint64_t seed;
	int jobs;                 /* threads the processor may use (set before start; 1 from
	                             sh_proc_new: one thread, no batching); never changes output */
	int rate, channels_in, channels_out;
	int rate_out;             /* the output's rate: rate unless start changes it (resample) */
	uint64_t pick;            /* the stream's channels this processor touches (bit i: channel
	                             i); 0: all. Set before start (sh_proc_pick). */
	int block;                /* fixed frames per flow call, 0 = any */
	int latency;              /* frames of delay the driver compensates */

	/* the driver's own */
	bool started, finished;
	bool emit_failed;         /* sh_proc_emit_callback saw an error */
	float *inbuf;             /* one block of input being gathered */
	int fill;                 /* frames in inbuf */
	int64_t frames_in;        /* real input frames pushed */
	int64_t frames_out;       /* frames passed on after dropping the latency */
	int64_t drop_left;        /* latency still to drop */
	int stream_channels;      /* with a pick: the channels of the stream around it */
	float *rest;              /* with a pick: the untouched channels of the frames in flight, */
	size_t rest_head, rest_tail, rest_cap; /* a FIFO in frames, rejoined in emit */
	float *gather;            /* with a pick: the touched channels of one chunk */
	float *out;               /* sh_proc_out's buffer, made on first use */
	sh_proc *next;            /* the next processor of a chain, or NULL: the sink */
	int (*sink)(void *user, const float *buf, size_t frames);
	void *sink_user;
};

/* ---- the registry ----
 * Every processor, listed in lib/dsp/proc.c (one line each), found by name. */

/* The class named NAME, or NULL with sh_error() listing the names there are. */
const sh_proc_class *sh_proc_find(const char *name);
/* The I-th class in the registry (0, 1, ...), NULL past the end: for `dsp --list`. */
const sh_proc_class *sh_proc_class_at(size_t i);

/* ---- one processor ----
 * For `dsp NAME --params --json`: sh_options_json(p->params) is every knob with
 * its value, and each row has its range, unit, live flag and help. */

/* A new instance with its knobs at their defaults. */
sh_proc *sh_proc_new(const sh_proc_class *cls);
/* Set knob NAME from TEXT (as `dsp NAME key=value` gives it), or from a JSON
 * value (a json_t *, as a `param` event carries it). Before start any knob;
 * once running only those marked live, and the processor hears of it through
 * its set function. -1 + sh_error() naming the knob, the value and the range
 * (an unknown name lists the valid ones); the knob is then unchanged. */
int sh_proc_set(sh_proc *p, const char *name, const char *text);
int sh_proc_set_json(sh_proc *p, const char *name, const void *value);
/* Touch only the stream's channels in TEXT ("0,1", "0-3", "L,R": 0-based, L and R
 * are 0 and 1), before start. The processor sees those channels, in order, as
 * its stream; the others pass through unchanged and in step (its latency
 * applies to them too). It must keep their count and the length: a processor
 * whose length is its own (stretch, resample) takes the whole stream. -1 +
 * sh_error() for a list that is not one. */
int sh_proc_pick(sh_proc *p, const char *text);
/* sh_proc_set from "key=value" words, as `dsp NAME key=value ...` and a class's
 * neutral settings give them (blanks between words). */
int sh_proc_assign(sh_proc *p, const char *words);
/* The class's check: -1 + sh_error() when the knobs do not fit together. */
int sh_proc_check(const sh_proc *p);
/* Check and start at RATE with CHANNELS in (sh_proc_chain_start does this and
 * connects the output). -1 + sh_error(). */
int sh_proc_start(sh_proc *p, int rate, int channels, uint64_t seed);
/* p->rate_out: the next processor's rate (chains pass it on). */
/* Any number of frames (0 too) of interleaved input. -1 + sh_error(). */
int sh_proc_push(sh_proc *p, const float *in, size_t frames);
/* End of the stream: flush the latency, drain, and finish the next processor
 * of a chain. Call once. -1 + sh_error(). */
int sh_proc_finish(sh_proc *p);
/* Stop and free (NULL is fine). */
void sh_proc_free(sh_proc *p);

/* For processors: pass FRAMES interleaved frames of output on (to the next
 * processor or the sink), after the driver's latency and length bookkeeping. */
int sh_proc_emit(sh_proc *p, const float *out, size_t frames);
/* For processors: room for SH_PROC_CHUNK frames of p->channels_out to build
 * output in before emitting it; the driver's, made once and freed with P. */
float *sh_proc_out(sh_proc *p);
/* sh_proc_emit as the emit callback of a lib/dsp object that takes one
 * (sh_stft, sh_spectral, sh_stretch; user = the sh_proc): a callback cannot
 * fail, so the first error is kept, later output dropped, and the driver
 * returns it when flow or drain comes back. */
void sh_proc_emit_callback(void *proc, const float *out, size_t frames);

/* ---- a chain ----
 * Start PROCS[0..n-1] in order, each taking the previous one's output
 * (rate, channels), and send the last one's output to SINK. The chain is then
 * fed with sh_proc_push(procs[0], ...) and ended with sh_proc_finish(procs[0]).
 * Returns the chain's output channel count, or -1 + sh_error(). */
typedef int (*sh_proc_sink_fn)(void *user, const float *buf, size_t frames);
int sh_proc_chain_start(sh_proc **procs, int n, int rate, int channels, uint64_t seed,
                        sh_proc_sink_fn sink, void *user);
/* Run a started chain from IN to its end and finish it. -1 + sh_error(). */
int sh_proc_chain_run(sh_proc **procs, sh_audio_in *in);
/* The sink that writes to an sh_audio_out (user = the sh_audio_out). */
int sh_proc_audio_sink(void *out, const float *buf, size_t frames);

/* ---- a program that is one processor ----
 * specsmear, specmangle and stretch are a processor plus, at most, a few knobs
 * of their own; main is `return sh_proc_main(&program, argc, argv);`. The
 * driver builds the option table (the processor's knobs, the program's, -o and
 * --bits; --seed when the processor is seeded; -j/--jobs, the processor's
 * p->jobs, when has_jobs), parses it, takes one input
 * operand ("-" or none: stdin), runs the checks, notes the seed, opens the
 * input, starts the processor, creates the output (16-bit dither seeded by
 * --seed, or 1), streams the input through (with more than one job, reading
 * and writing on threads of their own, a block ahead and behind: the same
 * bytes) and finishes the output. Any
 * problem is one line on stderr and the exit status: 2 for a usage error, 1 for
 * anything else (a half-written -o file is removed). */
typedef struct sh_proc_program {
	const char *usage;          /* "specsmear [-b BLUR] ... [FILE]" */
	const char *summary;        /* one line for --help */
	const char *proc;           /* the registry's name of what it runs */
	bool has_jobs;              /* -j/--jobs: threads for the processor (p->jobs) */
	sh_option *options;         /* the program's own knobs, after the processor's; may be NULL */
	/* The program's knobs together (OPTS: the whole parsed table, for
	 * sh_option_given): -1 + sh_error() is a usage error. May be NULL. */
	int (*check)(sh_proc *p, const sh_option *opts);
	/* The input is open, the processor not started: analyse, set knobs from
	 * what was found. Returns 0, or the exit status (1, 2) with sh_error().
	 * May be NULL. */
	int (*plan)(sh_proc *p, sh_audio_in *in, const sh_option *opts);
	/* Instead of streaming: a run of its own from IN to OUT (the output has the
	 * input's channels), for stretch's offline mode, where Rubber Band studies
	 * the whole input first. It may stream after all with sh_proc_stream.
	 * -1 + sh_error(). May be NULL. */
	int (*run)(sh_proc *p, sh_audio_in *in, sh_audio_out *out);
} sh_proc_program;

int sh_proc_main(const sh_proc_program *prog, int argc, char **argv);
/* The streaming run of sh_proc_main: start P at IN's rate and channels (unless
 * started), write to OUT, run IN through it and finish (reading and writing on
 * threads of their own when p->jobs > 1). -1 + sh_error(). */
int sh_proc_stream(sh_proc *p, sh_audio_in *in, sh_audio_out *out);

#endif
