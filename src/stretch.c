/* stretch -- change a sound's duration and pitch independently (Rubber Band).
 *
 * Files are stretched offline with the finer engine (studied first, best
 * quality); pipes stream through the real-time engine in fixed blocks, as the
 * stretch processor (lib/dsp/proc_stretch.c, whose knobs these are). A target
 * tempo or key is reached by measuring the source with the code of bpm(1) and
 * keydetect(1). The output is exactly round(input x ratio) frames long.
 *
 * The offline mode is the one special case of the processor driver: Rubber
 * Band has to study the whole input before it stretches, so `run` below takes
 * over from streaming when the input is a file (or must be analysed). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "musickey.h"
#include "proc.h"
#include "stretch.h"

/* Defaults of the program's own knobs (the processor's: ratio, pitch, formant,
 * engine, block) */
static double to_bpm = 0;          /* stretch to this tempo instead of by a ratio */
static double from_bpm = 0;        /* the source's tempo, when detection is not wanted */
static const char *to_key = NULL;  /* transpose to this key by the shortest interval */
static const char *from_key = NULL;/* the source's key, when detection is not wanted */
static const char *mode = "auto";  /* auto: offline for files (and when analysing), real time on
                                      pipes */
static int64_t memory = 256;       /* MiB of a piped input kept in memory before spooling */
#define MIN_TEMPO_RATIO 0.5        /* --to-bpm: a detected tempo implying a time ratio outside */
#define MAX_TEMPO_RATIO 2.0        /* these is refused, a given one (--from-bpm) warned about */

static sh_option options[] = {
	{.name = "to-bpm", .short_name = 't', .type = SH_OPT_DOUBLE, .dest = &to_bpm, .min = 1,
	 .max = 1000, .arg = "BPM", .unit = "BPM",
	 .help = "stretch to this tempo (source tempo detected as bpm(1) does)"},
	{.name = "from-bpm", .type = SH_OPT_DOUBLE, .dest = &from_bpm, .min = 1, .max = 1000,
	 .arg = "BPM", .unit = "BPM", .help = "the source's tempo for --to-bpm, instead of detecting it"},
	{.name = "to-key", .short_name = 'k', .type = SH_OPT_STRING, .dest = &to_key, .arg = "KEY",
	 .help = "transpose to KEY (Am, F#, Eb major) by the shortest interval"},
	{.name = "from-key", .type = SH_OPT_STRING, .dest = &from_key, .arg = "KEY",
	 .help = "the source's key for --to-key, instead of detecting it"},
	{.name = "mode", .type = SH_OPT_CHOICE, .dest = &mode, .choices = "auto|offline|realtime",
	 .help = "offline (whole input), realtime (streaming) or auto"},
	{.name = "memory", .type = SH_OPT_INT, .dest = &memory, .min = 1, .max = 1 << 20, .arg = "MIB",
	 .unit = "MiB", .help = "offline: piped input kept in memory before spooling to $TMPDIR"},
	{0},
};

/* What check and plan found */
static bool by_bpm, by_key, offline;
static int to_tonic, from_tonic = -1;
static bool to_minor, from_minor;
static sh_audio_source *source; /* offline: the whole input */

static int check(sh_proc *p, const sh_option *opts)
{
	by_bpm = sh_option_given(opts, "to-bpm");
	by_key = sh_option_given(opts, "to-key");
	const char *clash = by_bpm && sh_option_given(opts, "ratio")        ? "--ratio and --to-bpm exclude each other"
	                    : sh_option_given(opts, "from-bpm") && !by_bpm  ? "--from-bpm needs --to-bpm"
	                    : by_key && sh_option_given(opts, "pitch")      ? "--pitch and --to-key exclude each other"
	                    : sh_option_given(opts, "from-key") && !by_key  ? "--from-key needs --to-key"
	                                                                    : NULL;
	if (clash) {
		sh_set_error("%s", clash);
		return -1;
	}
	if (by_key && sh_key_parse(to_key, &to_tonic, &to_minor)) {
		sh_set_error("--to-key: %s", sh_error());
		return -1;
	}
	if (from_key && sh_key_parse(from_key, &from_tonic, &from_minor)) {
		sh_set_error("--from-key: %s", sh_error());
		return -1;
	}
	return 0;
}

static double *knob(sh_proc *p, const char *name) { return sh_params_find(p->params, name)->dest; }

/* Offline or not, the source's tempo and key when they are to be found, and the
 * ratio and pitch that reach the targets. */
static int plan(sh_proc *p, sh_audio_in *in, const sh_option *opts)
{
	const int rate = sh_audio_rate(in), ch = sh_audio_channels(in);
	bool need_bpm = by_bpm && !from_bpm, need_key = by_key && from_tonic < 0;
	double detected = 0, assumed = 1; /* --to-bpm: the tempo detected and the octave taken */
	offline = !strcmp(mode, "offline") ||
	          (!strcmp(mode, "auto") && (sh_audio_seekable(in) || need_bpm || need_key));
	if (!offline && (need_bpm || need_key)) {
		sh_set_error("--mode realtime cannot detect the source's %s: give --from-%s",
		             need_bpm ? "tempo" : "key", need_bpm ? "bpm" : "key");
		return SH_EXIT_USAGE;
	}
	if (offline && !(source = sh_audio_source_open(in, (size_t)memory << 20)))
		return SH_EXIT_FAIL;
	if (need_bpm || need_key) {
		double bpm = 0;
		sh_key_result kr;
		if (sh_stretch_detect(source, rate, ch, need_bpm ? &bpm : NULL, need_key ? &kr : NULL) != 0)
			return SH_EXIT_FAIL;
		if (need_bpm) {
			if (bpm <= 0) {
				sh_set_error("%s: no tempo found (too short, silent or without rhythm): give --from-bpm",
				             sh_audio_name(in));
				return SH_EXIT_FAIL;
			}
			/* Tempo detection cannot tell a tempo from its double or half
			 * (bpm(1)'s alternative readings): take the octave of the
			 * detected tempo nearest the target, and say so. */
			double pick = bpm, factor = 1;
			for (double f = 0.25; f <= 4.0; f *= 2)
				if (fabs(log(bpm * f / to_bpm)) < fabs(log(pick / to_bpm)) - 1e-9) {
					pick = bpm * f;
					factor = f;
				}
			from_bpm = pick;
			detected = bpm;
			assumed = factor;
		}
		if (need_key) {
			if (kr.tonic < 0) {
				sh_set_error("%s: no key found (silent or without tonal content): give --from-key",
				             sh_audio_name(in));
				return SH_EXIT_FAIL;
			}
			from_tonic = kr.tonic;
			from_minor = kr.minor;
		}
	}
	double *ratio = knob(p, "ratio"), *pitch = knob(p, "pitch");
	if (by_bpm)
		*ratio = from_bpm / to_bpm;
	if (by_key) {
		*pitch = sh_stretch_key_shift(from_tonic, from_minor, to_tonic, to_minor);
		char a[32], b[32];
		sh_key_name(from_tonic, from_minor, a, sizeof a);
		sh_key_name(to_tonic, to_minor, b, sizeof b);
		if (need_key) /* as --to-bpm says what it measured: the key heard, and the shift it implies */
			sh_warn("detected key %s: %+g semitones to %s", a, *pitch, b);
		else
			sh_note("source key %s, target %s: %+g semitones", a, b, *pitch);
	}
	if (by_bpm && (*ratio < MIN_TEMPO_RATIO || *ratio > MAX_TEMPO_RATIO)) {
		if (need_bpm) {
			sh_set_error("detected %.2f BPM, assumed %.2f: to %g BPM is a time ratio of %.3g, outside %g..%g: "
			             "the detected tempo may be wrong; give --from-bpm to confirm it, or --ratio",
			             detected, from_bpm, to_bpm, *ratio, MIN_TEMPO_RATIO, MAX_TEMPO_RATIO);
			return SH_EXIT_FAIL;
		}
		sh_warn("warning: %g BPM to %g BPM is a time ratio of %.3g, outside %g..%g: expect audible artefacts",
		        from_bpm, to_bpm, *ratio, MIN_TEMPO_RATIO, MAX_TEMPO_RATIO);
	}
	if (need_bpm && assumed != 1)
		sh_warn("detected %.2f BPM, assumed %.2f BPM (x%g, the octave nearest %g BPM), time ratio %.4g: "
		        "give --from-bpm to override",
		        detected, from_bpm, assumed, to_bpm, *ratio);
	else if (need_bpm)
		sh_warn("detected %.2f BPM, time ratio %.4g", detected, *ratio);
	if (*ratio < 0.01 || *ratio > 100) {
		sh_set_error("time ratio %g (%g BPM to %g BPM) is outside 0.01..100", *ratio, from_bpm, to_bpm);
		return SH_EXIT_FAIL;
	}
	sh_note("ratio %.6g, pitch %+g semitones, %s engine, %s", *ratio, *pitch,
	        *(const char **)sh_params_find(p->params, "engine")->dest, offline ? "offline" : "real time");
	return 0;
}

static int run(sh_proc *p, sh_audio_in *in, sh_audio_out *out)
{
	if (!offline)
		return sh_proc_stream(p, in, out);
	sh_stretch_opts so = sh_proc_stretch_opts(p);
	int64_t r = sh_stretch_offline(&so, source, sh_audio_rate(in), sh_audio_channels(in), sh_audio_emit, out);
	sh_audio_source_close(source);
	return r < 0 ? -1 : 0;
}

static const sh_proc_program stretch = {
	.usage = "stretch [-r RATIO | -t BPM [--from-bpm BPM]] [-p SEMITONES | -k KEY [--from-key KEY]] [-F] "
	         "[--channels together|apart] [-j N] [-o FILE] [FILE]",
	.summary = "time-stretch and pitch-shift audio with Rubber Band, to a tempo or key",
	.proc = "stretch",
	.has_jobs = true,
	.options = options,
	.check = check,
	.plan = plan,
	.run = run,
};

int main(int argc, char **argv) { return sh_proc_main(&stretch, argc, argv); }
