/* vnoise -- add seeded noise (film grain, video hiss) to a y4m stream.
 *
 *   vnoise [options] [FILE]   y4m on stdin or FILE, y4m on stdout or -o FILE
 *
 * Noise rows come from a table drawn once from the seed, read at a random offset
 * per row, so the cost is one random number per row and a vectorised add. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rng.h"
#include "vfilter.h"

static const char *output = NULL;
/* Luma noise deviation in code values, drawn per frame from the range.
 * 0 = clean; 3-6 = fine film grain; 15-30 = a worn tape; 60+ = snow. */
static sh_range strength = {8, 8};
/* Chroma noise deviation. 0 keeps the grain colourless (like real film
 * grain on luma); 5-15 adds the coloured speckle of cheap sensors. */
static sh_range chroma = {0, 0};
/* Probability that a frame gets noise at all: 1 = every frame; 0.1 =
 * occasional bursts of static between clean frames. */
static double prob = 1;
/* Shape: gauss is soft and photographic; uniform is harsher, digital. */
static const char *type = "gauss";
/* Frozen: the same pattern on every frame, like dirt on the lens or a stuck
 * sensor, instead of grain that dances. */
static bool frozen = false;

static sh_option options[] = {
	{"strength", 's', SH_OPT_RANGE, &strength, 0, 100, NULL, 0, false, "MIN..MAX",
	 "luma noise deviation in code values, per frame (8; 0..100)"},
	{"chroma", 'c', SH_OPT_RANGE, &chroma, 0, 100, NULL, 0, false, "MIN..MAX",
	 "chroma noise deviation, per frame (0; 0..100)"},
	{"prob", 'p', SH_OPT_DOUBLE, &prob, 0, 1, NULL, 0, false, "P",
	 "probability that a frame gets noise (1; 0..1)"},
	{"type", 't', SH_OPT_CHOICE, &type, 0, 0, "gauss|uniform", 0, false, "gauss|uniform",
	 "noise shape (gauss)"},
	{"frozen", 'f', SH_OPT_FLAG, &frozen, 0, 0, NULL, 0, false, NULL,
	 "the same noise pattern on every frame"},
	SH_VF_OUTPUT_OPTION(output),
	{0},
};

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	sh_program prog = {"vnoise [options] [FILE]", "add seeded noise to a y4m video stream", true, 0, false};
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	const char *input = sh_vf_operand(argc, argv, first);
	sh_note("seed %llu", (unsigned long long)prog.seed);

	sh_vf vf;
	sh_vf_open(&vf, input, output);
	sh_rng rng, rows;
	sh_rng_seed(&rng, prog.seed);
	rows = sh_rng_fork(&rng);
	sh_rng table_rng = sh_rng_fork(&rng);
	sh_noise_table table;
	int span = vf.info.width + 4096;
	sh_noise_table_init(&table, vf.info.width + span, strcmp(type, "gauss") == 0, &table_rng);
	sh_rng frozen_start = rows;
	int8_t *scaled = sh_malloc((size_t)table.n);

	while (sh_vf_read(&vf)) {
		/* draw every per-frame value whether used or not, so streams stay aligned */
		bool on = sh_rng_chance(&rng, prob);
		double sl = sh_rng_between(&rng, strength.lo, strength.hi);
		double sc = sh_rng_between(&rng, chroma.lo, chroma.hi);
		int mul[3] = {sh_noise_mul(sl), sh_noise_mul(sc), sh_noise_mul(sc)};
		if (frozen)
			rows = frozen_start;
		for (int p = 0; on && p < vf.nplanes; p++) {
			if (mul[p] == 0)
				continue;
			if (p < 2)
				sh_noise_scale(&table, mul[p], scaled);
			int w = vf.pw[p];
			uint8_t *row = vf.plane[p];
			for (int y = 0; y < vf.ph[p]; y++, row += w)
				sh_add_noise_row(row, row, scaled + sh_rng_below(&rows, (uint64_t)span), w);
		}
		sh_vf_write(&vf, NULL);
	}
	sh_noise_table_free(&table);
	free(scaled);
	sh_vf_close(&vf);
	return 0;
}
