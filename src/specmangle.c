/* specmangle -- full spectral destruction: bin swaps, spectral noise, frame
 * freezes and bin shifts, seeded.
 *
 * STFT (FFTW) and overlap-add like specsmear(1), with the latency compensated:
 * the output is aligned with the input and exactly as long. */
#include <stdlib.h>

#include "audio.h"
#include "cli.h"
#include "spectral.h"

static const char *usage =
	"specmangle [-s P] [-N P] [-f P] [--hold MIN..MAX] [--shift MIN..MAX] [-n FFT] [--hop N] "
	"[-o FILE] [--seed N] [FILE]";

/* Defaults */
static double swap = 0.2;    /* share of bins swapped with random others each frame: 0.05 a
                                metallic fizz, 0.5 shattered glass, 1 unrecognisable hash */
static double noise = 0.2;   /* blend toward noise shaped like the sound: 0.2 breathy grain,
                                0.6 a whispered ghost of it, 1 pure shaped noise (vocoded hiss) */
static double freeze = 0.01; /* chance per frame that a freeze starts (about 94 frames a second
                                at 48 kHz): 0.005 the odd stuck moment, 0.05 stutters everywhere */
static sh_range hold = {0.1, 0.5}; /* how long a freeze holds, seconds: short = buzzy stutter,
                                      long = drones */
static sh_range shift = {0, 0};    /* bins to move the spectrum (rate/fft Hz each), drawn per
                                      frame: a fixed 10 is a clangorous frequency shift, -40..40
                                      a warbling radio tuner */
static int64_t fft = 2048;   /* window: short = gritty and rhythmic, long = smooth and smeared */
static int64_t hop = 0;      /* 0 = fft/4 */
static const char *out_path = NULL;
static const char *bits; /* the format's default unless given */

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	sh_option opts[] = {
		{.name = "swap", .short_name = 's', .type = SH_OPT_DOUBLE, .dest = &swap, .min = 0, .max = 1,
		 .arg = "P", .help = "share of bins swapped each frame, 0..1 (0.2)"},
		{.name = "noise", .short_name = 'N', .type = SH_OPT_DOUBLE, .dest = &noise, .min = 0, .max = 1,
		 .arg = "P", .help = "blend toward spectrally shaped noise, 0..1 (0.2)"},
		{.name = "freeze", .short_name = 'f', .type = SH_OPT_DOUBLE, .dest = &freeze, .min = 0,
		 .max = 1, .arg = "P", .help = "chance per frame that a freeze starts, 0..1 (0.01)"},
		{.name = "hold", .type = SH_OPT_RANGE, .dest = &hold, .min = 0.001, .max = 3600,
		 .arg = "MIN..MAX", .help = "freeze length in seconds, drawn per freeze (0.1..0.5)"},
		{.name = "shift", .type = SH_OPT_RANGE, .dest = &shift, .min = -32768, .max = 32768,
		 .arg = "MIN..MAX", .help = "move the spectrum by bins, drawn per frame (0)"},
		SH_STFT_OPTIONS(fft, hop),
		SH_AUDIO_OUTPUT_OPTION(out_path),
		SH_AUDIO_BITS_OPTION(bits),
		{0},
	};
	sh_program prog = {.usage = usage,
	                   .summary = "mangle a sound's spectrum: swap bins, add shaped noise, freeze, shift",
	                   .has_seed = true};
	int first = sh_parse_options(&prog, opts, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	if (argc - first > 1)
		sh_usage_error("one input at most (try --help)");
	sh_stft_check_sizes(fft, hop);
	sh_note("seed %llu", (unsigned long long)prog.seed);

	sh_audio_in *in = sh_audio_open_or_die(first < argc ? argv[first] : "-");
	sh_mangle_opts mo = {.size = (int)fft, .hop = (int)hop, .swap = swap, .noise = noise,
	                     .freeze = freeze, .hold_min = hold.lo, .hold_max = hold.hi,
	                     .shift_min = shift.lo, .shift_max = shift.hi, .seed = prog.seed};
	sh_audio_out_opts oo = {.bits = sh_parse_bits(bits), .dither_seed = prog.seed};
	sh_audio_out *out = sh_audio_create(out_path, sh_audio_rate(in), sh_audio_channels(in), &oo);
	sh_spectral *s = sh_mangle_new(&mo, sh_audio_rate(in), sh_audio_channels(in), sh_audio_emit, out);
	if (!s)
		sh_die("%s", sh_error());
	sh_spectral_run(s, in);
	sh_audio_finish(out);
	sh_spectral_free(s);
	sh_audio_close(in);
	return 0;
}
