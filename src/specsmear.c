/* specsmear -- blur a sound's spectrum across time and scramble its phases.
 *
 * STFT (FFTW), magnitudes smoothed frame to frame, phases rotated at random,
 * overlap-add resynthesis. Streams with a fixed latency that it compensates:
 * the output is aligned with the input and exactly as long. */
#include <stdlib.h>

#include "audio.h"
#include "cli.h"
#include "spectral.h"

static const char *usage = "specsmear [-b BLUR] [-p PHASE] [-n FFT] [--hop N] [-o FILE] [--seed N] [FILE]";

/* Defaults */
static double blur = 0.5;  /* 0 dry; 0.2 soft halo after each hit; 0.5 underwater wash;
                              1 everything hangs for seconds like a frozen reverb */
static double phase = 0.5; /* 0 keeps the phases (clean, just smeared); 0.3 chorus-like
                              shimmer; 1 fully random phases: breathy, whispered, diffuse */
static int64_t fft = 2048; /* window length: 256 ticks and grains stay sharp, 2048 a good
                              balance, 8192+ glassy and smeared with pre-echo */
static int64_t hop = 0;    /* frames between windows, 0 = fft/4 (75% overlap); larger hops
                              are cheaper and rougher, smaller ones smoother */
static const char *out_path = NULL;
static const char *bits; /* the format's default unless given */

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	sh_option opts[] = {
		{.name = "blur", .short_name = 'b', .type = SH_OPT_DOUBLE, .dest = &blur, .min = 0, .max = 1,
		 .arg = "X", .help = "smear magnitudes across time, 0..1 (0.5; time constant 3 s * X^2)"},
		{.name = "phase", .short_name = 'p', .type = SH_OPT_DOUBLE, .dest = &phase, .min = 0, .max = 1,
		 .arg = "X", .help = "randomise phases, 0..1 of +-pi per frame and bin (0.5)"},
		SH_STFT_OPTIONS(fft, hop),
		SH_AUDIO_OUTPUT_OPTION(out_path),
		SH_AUDIO_BITS_OPTION(bits),
		{0},
	};
	sh_program prog = {.usage = usage,
	                   .summary = "blur a sound's spectrum across time and randomise its phases",
	                   .has_seed = true};
	int first = sh_parse_options(&prog, opts, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	if (argc - first > 1)
		sh_usage_error("one input at most (try --help)");
	sh_stft_check_sizes(fft, hop);
	sh_note("seed %llu", (unsigned long long)prog.seed);

	sh_audio_in *in = sh_audio_open_or_die(first < argc ? argv[first] : "-");
	sh_audio_out_opts oo = {.bits = sh_parse_bits(bits), .dither_seed = prog.seed};
	sh_smear_opts so = {.size = (int)fft, .hop = (int)hop, .blur = blur, .phase = phase,
	                    .seed = prog.seed};
	sh_audio_out *out = sh_audio_create(out_path, sh_audio_rate(in), sh_audio_channels(in), &oo);
	sh_spectral *s = sh_smear_new(&so, sh_audio_rate(in), sh_audio_channels(in), sh_audio_emit, out);
	if (!s)
		sh_die("%s", sh_error());
	sh_note("latency %d frames, compensated", sh_spectral_latency(s));
	sh_spectral_run(s, in);
	sh_audio_finish(out);
	sh_spectral_free(s);
	sh_audio_close(in);
	return 0;
}
