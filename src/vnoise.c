/* vnoise -- add seeded noise (film grain, video hiss) to a y4m stream.
 *
 *   vnoise [options] [FILE]   y4m on stdin or FILE, y4m on stdout or -o FILE
 *
 * Noise rows come from a table drawn once from the seed, read at a random offset
 * per row, so the cost is one random number per row and a vectorised add. The
 * row offsets are drawn first, in order, then rows are shared among the -j
 * threads. */
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
	int8_t *scaled[3];      /* the table at each plane's deviation this frame */
	const int8_t **rows[3]; /* each row's noise this frame (NULL: a clean plane) */
	const sh_vf *vf;
} state;

static int start(sh_vf *vf, sh_rng *rng, void *st)
{
	state *s = st;
	sh_vf_noise_rows(vf, &s->noise, strcmp(type, "gauss") == 0, rng);
	s->frozen_start = s->noise.rows;
	/* plane 2 shares plane 1's deviation, so its scaled table too */
	s->scaled[0] = s->noise.scaled;
	s->scaled[1] = s->scaled[2] = sh_vf_alloc(vf, (size_t)s->noise.table.n, 1);
	for (int p = 0; p < vf->nplanes; p++)
		s->rows[p] = sh_vf_alloc(vf, (size_t)vf->ph[p], sizeof *s->rows[p]);
	s->vf = vf;
	return 0;
}

static void noise_rows(void *st, int y0, int y1)
{
	state *s = st;
	const sh_vf *vf = s->vf;
	for (int p = 0; p < vf->nplanes; p++) {
		if (!s->rows[p][0])
			continue;
		int w = vf->pw[p], a, b;
		sh_vf_plane_rows(vf, p, y0, y1, &a, &b);
		uint8_t *row = vf->plane[p] + (size_t)a * w;
		for (int y = a; y < b; y++, row += w)
			sh_add_noise_row(row, row, s->rows[p][y], w);
	}
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
	/* every row's noise, drawn in the order of a plain plane-by-plane pass */
	for (int p = 0; p < vf->nplanes; p++) {
		s->rows[p][0] = NULL;
		if (!on || mul[p] == 0)
			continue;
		if (p < 2)
			sh_noise_scale(&s->noise.table, mul[p], s->scaled[p]);
		for (int y = 0; y < vf->ph[p]; y++)
			s->rows[p][y] = s->scaled[p] + sh_rng_below(&s->noise.rows, (uint64_t)s->noise.span);
	}
	if (on)
		sh_vf_slices(vf, vf->ph[0], noise_rows, s);
	return 0;
}

static const sh_vf_program vnoise = {
	.usage = "vnoise [options] [FILE]", .summary = "add seeded noise to a y4m video stream",
	.options = options, .state_size = sizeof(state), .start = start, .frame = frame,
};

int main(int argc, char **argv) { return sh_vf_main(&vnoise, argc, argv); }
