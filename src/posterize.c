/* posterize -- reduce a y4m stream to a few flat levels of light and colour.
 *
 *   posterize [options] [FILE]   y4m on stdin or FILE, y4m on stdout or -o FILE
 *
 * Works in YUV through one 256-entry table per plane, rebuilt per frame when the
 * drawn level counts change; rows are shared among the -j threads. */
#include <math.h>

#include "cli.h"
#include "rng.h"
#include "vfilter.h"

/* Luma levels, drawn per frame. 2 = stark two-tone print; 4-8 = screen-print
 * and comic bands; 16-32 = subtle banding; 256 = untouched. */
static sh_range levels = {6, 6};
/* Chroma levels per channel. 256 = colours untouched; 8 = a reduced palette;
 * 2-3 = hues snap to a handful of colours. */
static sh_range chroma_levels = {256, 256};
/* Strength: 1 = full posterization; 0.5 = bands blended halfway with the
 * original; 0 = untouched. */
static double mix = 1;
/* Probability a frame is posterized: below 1 it flickers between banded and
 * clean frames. */
static double prob = 1;

static sh_option options[] = {
	{.name = "levels", .short_name = 'n', .type = SH_OPT_RANGE, .dest = &levels, .min = 2, .max = 256,
	 .arg = "MIN..MAX", .help = "luma levels, drawn per frame; 256 = untouched"},
	{.name = "chroma-levels", .short_name = 'N', .type = SH_OPT_RANGE, .dest = &chroma_levels, .min = 2,
	 .max = 256, .arg = "MIN..MAX", .help = "chroma levels, drawn per frame; 256 = untouched"},
	{.name = "mix", .short_name = 'm', .type = SH_OPT_DOUBLE, .dest = &mix, .min = 0, .max = 1, .arg = "X",
	 .help = "blend with the original: 0 untouched, 1 full"},
	{.name = "prob", .short_name = 'p', .type = SH_OPT_DOUBLE, .dest = &prob, .min = 0, .max = 1, .arg = "P",
	 .help = "probability that a frame is posterized"},
	{0},
};
/* Levels evenly spaced from lo to hi; chroma (centred) keeps 128 as a level when
 * the count is odd. */
static void build_lut(uint8_t *lut, int n, int lo, int hi, double m)
{
	for (int v = 0; v < 256; v++) {
		double q;
		if (n >= 256) {
			q = v;
		} else {
			double x = v < lo ? lo : v > hi ? hi : v;
			double step = (double)(hi - lo) / (n - 1);
			q = lo + floor((x - lo) / step + 0.5) * step;
		}
		double out = v + (q - v) * m;
		long k = lround(out);
		lut[v] = (uint8_t)(k < 0 ? 0 : k > 255 ? 255 : k);
	}
}

static int draw_levels(sh_rng *r, sh_range range) { return (int)sh_rng_int_between(r, (long)range.lo, (long)range.hi); }

typedef struct {
	int clo, chi;           /* chroma code range */
	uint8_t lut[3][256];
	int last[2];            /* level counts the tables were built for */
	bool id[3];             /* tables that change nothing */
	const sh_vf *vf;
} state;

static int start(sh_vf *vf, sh_rng *rng, void *st)
{
	state *s = st;
	s->clo = vf->full_range ? 0 : 16;
	s->chi = vf->full_range ? 255 : 240;
	s->last[0] = s->last[1] = -1;
	s->id[0] = s->id[1] = s->id[2] = true;
	s->vf = vf;
	return 0;
}

static void posterize_rows(void *st, int y0, int y1)
{
	state *s = st;
	const sh_vf *vf = s->vf;
	for (int p = 0; p < vf->nplanes; p++) {
		if (s->id[p])
			continue;
		const uint8_t *t = s->lut[p ? 1 : 0];
		int w = vf->pw[p], a, b;
		sh_vf_plane_rows(vf, p, y0, y1, &a, &b);
		uint8_t *row = vf->plane[p] + (size_t)a * w;
		for (int y = a; y < b; y++, row += w)
			sh_lut_row(row, t, w);
	}
}

static int frame(sh_vf *vf, sh_rng *rng, void *st)
{
	state *s = st;
	bool on = sh_rng_chance(rng, prob);
	int ly = draw_levels(rng, levels), lc = draw_levels(rng, chroma_levels);
	if (on && ly != s->last[0]) {
		build_lut(s->lut[0], ly, vf->black, vf->white, mix);
		s->id[0] = sh_lut_is_identity(s->lut[0]);
		s->last[0] = ly;
	}
	if (on && lc != s->last[1]) {
		build_lut(s->lut[1], lc, s->clo, s->chi, mix);
		s->id[1] = s->id[2] = sh_lut_is_identity(s->lut[1]);
		s->last[1] = lc;
	}
	if (on)
		sh_vf_slices(vf, vf->ph[0], posterize_rows, s);
	return 0;
}

static const sh_vf_program posterize = {
	.usage = "posterize [options] [FILE]", .summary = "reduce a y4m stream to a few flat levels",
	.options = options, .state_size = sizeof(state), .start = start, .frame = frame,
};

int main(int argc, char **argv) { return sh_vf_main(&posterize, argc, argv); }
