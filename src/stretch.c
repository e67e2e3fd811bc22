/* stretch -- change a sound's duration and pitch independently (Rubber Band).
 *
 * Files are stretched offline with the finer engine (studied first, best
 * quality); pipes stream through the real-time engine in fixed blocks. A target
 * tempo or key is reached by measuring the source with the code of bpm(1) and
 * keydetect(1). The output is exactly round(input x ratio) frames long. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audio.h"
#include "cli.h"
#include "musickey.h"
#include "stretch.h"

static const char *usage =
	"stretch [-r RATIO | -t BPM [--from-bpm BPM]] [-p SEMITONES | -k KEY [--from-key KEY]] [-F] "
	"[-o FILE] [FILE]";

/* Defaults */
static double ratio = 1;           /* output length / input length: 0.5 double speed, 2 half
                                      speed, 8+ smeared into slow-motion drones */
static double to_bpm = 0;          /* stretch to this tempo instead of by a ratio */
static double from_bpm = 0;        /* the source's tempo, when detection is not wanted */
static double pitch = 0;           /* semitones: -12 an octave down (darker, slower-sounding),
                                      +7 a fifth up, +-0.1 a subtle detune */
static const char *to_key = NULL;  /* transpose to this key by the shortest interval */
static const char *from_key = NULL;/* the source's key, when detection is not wanted */
static bool formant = false;       /* keep the formants: voices shift without chipmunking */
static const char *engine = "finer"; /* finer: R3, smooth and clean; faster: R2, cheaper, crisper
                                      transients, more phasey on big shifts */
static const char *mode = "auto";  /* auto: offline for files (and when analysing), real time on
                                      pipes */
static int64_t block = 1024;       /* real-time block: the output depends on it, never on the pipe */
static int64_t memory = 256;       /* MiB of a piped input kept in memory before spooling */
static const char *out_path = NULL;
static const char *bits; /* the format's default unless given */

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	sh_option opts[] = {
		{.name = "ratio", .short_name = 'r', .type = SH_OPT_DOUBLE, .dest = &ratio, .min = 0.01,
		 .max = 100, .arg = "R", .help = "output duration / input duration, 0.01..100 (1)"},
		{.name = "to-bpm", .short_name = 't', .type = SH_OPT_DOUBLE, .dest = &to_bpm, .min = 1,
		 .max = 1000, .arg = "BPM", .help = "stretch to this tempo (source tempo detected as bpm(1) does)"},
		{.name = "from-bpm", .type = SH_OPT_DOUBLE, .dest = &from_bpm, .min = 1, .max = 1000,
		 .arg = "BPM", .help = "the source's tempo for --to-bpm, instead of detecting it"},
		{.name = "pitch", .short_name = 'p', .type = SH_OPT_DOUBLE, .dest = &pitch, .min = -48,
		 .max = 48, .arg = "SEMITONES", .help = "shift pitch by semitones, -48..48 (0)"},
		{.name = "to-key", .short_name = 'k', .type = SH_OPT_STRING, .dest = &to_key, .arg = "KEY",
		 .help = "transpose to KEY (Am, F#, Eb major) by the shortest interval"},
		{.name = "from-key", .type = SH_OPT_STRING, .dest = &from_key, .arg = "KEY",
		 .help = "the source's key for --to-key, instead of detecting it"},
		{.name = "formant", .short_name = 'F', .type = SH_OPT_FLAG, .dest = &formant,
		 .help = "preserve formants when shifting pitch"},
		{.name = "engine", .type = SH_OPT_CHOICE, .dest = &engine, .choices = "finer|faster",
		 .help = "Rubber Band engine: finer (R3, default) or faster (R2)"},
		{.name = "mode", .type = SH_OPT_CHOICE, .dest = &mode, .choices = "auto|offline|realtime",
		 .help = "offline (whole input), realtime (streaming) or auto (default)"},
		{.name = "block", .type = SH_OPT_INT, .dest = &block, .min = 64, .max = 65536, .arg = "N",
		 .help = "real-time block size in frames, 64..65536 (1024)"},
		{.name = "memory", .type = SH_OPT_INT, .dest = &memory, .min = 1, .max = 1 << 20, .arg = "MIB",
		 .help = "offline: piped input kept in memory before spooling to $TMPDIR (256)"},
		SH_AUDIO_OUTPUT_OPTION(out_path),
		SH_AUDIO_BITS_OPTION(bits),
		{0},
	};
	sh_program prog = {.usage = usage,
	                   .summary = "time-stretch and pitch-shift audio with Rubber Band, to a tempo or key"};
	int first = sh_parse_options(&prog, opts, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	if (argc - first > 1)
		sh_usage_error("one input at most (try --help)");
	bool by_bpm = sh_option_given(opts, "to-bpm"), by_key = sh_option_given(opts, "to-key");
	if (by_bpm && sh_option_given(opts, "ratio"))
		sh_usage_error("--ratio and --to-bpm exclude each other");
	if (sh_option_given(opts, "from-bpm") && !by_bpm)
		sh_usage_error("--from-bpm needs --to-bpm");
	if (by_key && sh_option_given(opts, "pitch"))
		sh_usage_error("--pitch and --to-key exclude each other");
	if (sh_option_given(opts, "from-key") && !by_key)
		sh_usage_error("--from-key needs --to-key");
	int to_tonic = 0, from_tonic = -1;
	bool to_minor = false, from_minor = false;
	if (by_key && sh_key_parse(to_key, &to_tonic, &to_minor))
		sh_usage_error("--to-key: %s", sh_error());
	if (from_key && sh_key_parse(from_key, &from_tonic, &from_minor))
		sh_usage_error("--from-key: %s", sh_error());

	sh_audio_in *in = sh_audio_open_or_die(first < argc ? argv[first] : "-");
	const int rate = sh_audio_rate(in), ch = sh_audio_channels(in);
	bool need_bpm = by_bpm && !from_bpm, need_key = by_key && from_tonic < 0;
	bool offline = !strcmp(mode, "offline") ||
	               (!strcmp(mode, "auto") && (sh_audio_seekable(in) || need_bpm || need_key));
	if (!offline && (need_bpm || need_key))
		sh_usage_error("--mode realtime cannot detect the source's %s: give --from-%s",
		               need_bpm ? "tempo" : "key", need_bpm ? "bpm" : "key");

	sh_audio_source *src = NULL;
	if (offline)
		src = sh_audio_source_open(in, (size_t)memory << 20);
	if (need_bpm || need_key) {
		double bpm = 0;
		sh_key_result kr;
		sh_stretch_detect(src, rate, ch, need_bpm ? &bpm : NULL, need_key ? &kr : NULL);
		if (need_bpm) {
			if (bpm <= 0)
				sh_die("%s: no tempo found (too short, silent or without rhythm): give --from-bpm",
				       sh_audio_name(in));
			from_bpm = bpm;
			sh_note("source tempo %.2f BPM", bpm);
		}
		if (need_key) {
			if (kr.tonic < 0)
				sh_die("%s: no key found (silent or without tonal content): give --from-key",
				       sh_audio_name(in));
			from_tonic = kr.tonic;
			from_minor = kr.minor;
		}
	}
	if (by_bpm)
		ratio = from_bpm / to_bpm;
	if (by_key) {
		pitch = sh_stretch_key_shift(from_tonic, from_minor, to_tonic, to_minor);
		char a[32], b[32];
		sh_note("source key %s, target %s: %+g semitones", sh_key_name(from_tonic, from_minor, a, sizeof a),
		        sh_key_name(to_tonic, to_minor, b, sizeof b), pitch);
	}
	if (ratio < 0.01 || ratio > 100)
		sh_die("time ratio %g (%g BPM to %g BPM) is outside 0.01..100", ratio, from_bpm, to_bpm);
	sh_note("ratio %.6g, pitch %+g semitones, %s engine, %s", ratio, pitch, engine,
	        offline ? "offline" : "real time");

	sh_stretch_opts so = {.ratio = ratio, .pitch = pow(2.0, pitch / 12.0), .formant = formant,
	                      .faster = !strcmp(engine, "faster"), .block = (int)block};
	sh_audio_out_opts oo = {.bits = sh_parse_bits(bits), .dither_seed = 1};
	sh_audio_out *out = sh_audio_create(out_path, rate, ch, &oo);
	if (offline) {
		sh_stretch_offline(&so, src, rate, ch, sh_audio_emit, out);
		sh_audio_source_close(src);
		sh_audio_close(in);
	} else {
		sh_stretch *s = sh_stretch_new(&so, rate, ch, sh_audio_emit, out);
		if (!s)
			sh_die("%s", sh_error());
		const size_t n = 16384;
		float *buf = sh_malloc(n * (size_t)ch * sizeof(float));
		size_t got;
		while ((got = sh_audio_read_or_die(in, buf, n)) > 0)
			sh_stretch_push(s, buf, got);
		sh_stretch_finish(s);
		sh_stretch_free(s);
		free(buf);
		sh_audio_close(in);
	}
	sh_audio_finish(out);
	return 0;
}
