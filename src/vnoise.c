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
	{.name = "strength", .short_name = 's', .type = SH_OPT_RANGE, .dest = &strength, .min = 0, .max = 100,
	 .arg = "MIN..MAX", .unit = "code values", .help = "luma noise deviation, drawn per frame"},
	{.name = "chroma", .short_name = 'c', .type = SH_OPT_RANGE, .dest = &chroma, .min = 0, .max = 100,
	 .arg = "MIN..MAX", .unit = "code values", .help = "chroma noise deviation, drawn per frame"},
	{.name = "prob", .short_name = 'p', .type = SH_OPT_DOUBLE, .dest = &prob, .min = 0, .max = 1, .arg = "P",
	 .help = "probability that a frame gets noise"},
	{.name = "type", .short_name = 't', .type = SH_OPT_CHOICE, .dest = &type, .choices = "gauss|uniform",
	 .arg = "gauss|uniform", .help = "noise shape: soft and photographic, or harsh and digital"},
	{.name = "frozen", .short_name = 'f', .type = SH_OPT_FLAG, .dest = &frozen,
	 .help = "the same noise pattern on every frame"},
	{0},
};

typedef struct {
	sh_noise_rows noise;
	sh_rng frozen_start;    /* --frozen: every frame's rows start here */
} state;

static int start(sh_vf *vf, sh_rng *rng, void *st)
{
	state *s = st;
	sh_vf_noise_rows(vf, &s->noise, strcmp(type, "gauss") == 0, rng);
	s->frozen_start = s->noise.rows;
	return 0;
}

static int frame(sh_vf *vf, sh_rng *rng, void *st)
{
	state *s = st;
	/* draw every per-frame value whether used or not, so streams stay aligned */
	bool on = sh_rng_chance(rng, prob);
	double sl = sh_rng_between(rng, strength.lo, strength.hi);
	double sc = sh_rng_between(rng, chroma.lo, chroma.hi);
	int mul[3] = {sh_noise_mul(sl), sh_noise_mul(sc), sh_noise_mul(sc)};
	if (frozen)
		s->noise.rows = s->frozen_start;
	for (int p = 0; on && p < vf->nplanes; p++) {
		if (mul[p] == 0)
			continue;
		if (p < 2)
			sh_noise_scale(&s->noise.table, mul[p], s->noise.scaled);
		int w = vf->pw[p];
		uint8_t *row = vf->plane[p];
		for (int y = 0; y < vf->ph[p]; y++, row += w)
			sh_add_noise_row(row, row, sh_noise_row(&s->noise), w);
	}
	return 0;
}

static const sh_vf_program vnoise = {
	.usage = "vnoise [options] [FILE]", .summary = "add seeded noise to a y4m video stream",
	.options = options, .state_size = sizeof(state), .start = start, .frame = frame,
};

int main(int argc, char **argv) { return sh_vf_main(&vnoise, argc, argv); }
