/* posterize -- reduce a y4m stream to a few flat levels of light and colour.
 *
 *   posterize [options] [FILE]   y4m on stdin or FILE, y4m on stdout or -o FILE
 *
 * Works in YUV through one 256-entry table per plane, rebuilt per frame. */
#include <math.h>

#include "cli.h"
#include "rng.h"
#include "vfilter.h"

static const char *output = NULL;
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
	{"levels", 'l', SH_OPT_RANGE, &levels, 2, 256, NULL, 0, false, "MIN..MAX",
	 "luma levels, drawn per frame (6; 2..256, 256 = untouched)"},
	{"chroma-levels", 'L', SH_OPT_RANGE, &chroma_levels, 2, 256, NULL, 0, false, "MIN..MAX",
	 "chroma levels, drawn per frame (256 = untouched; 2..256)"},
	{"mix", 'm', SH_OPT_DOUBLE, &mix, 0, 1, NULL, 0, false, "X",
	 "blend with the original: 0 untouched, 1 full (1)"},
	{"prob", 'p', SH_OPT_DOUBLE, &prob, 0, 1, NULL, 0, false, "P",
	 "probability that a frame is posterized (1; 0..1)"},
	SH_VF_OUTPUT_OPTION(output),
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

static int draw_levels(sh_rng *r, sh_range range)
{
	double x = sh_rng_between(r, range.lo, range.hi + 1);
	int n = (int)floor(x);
	return n > (int)range.hi ? (int)range.hi : n;
}

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	sh_program prog = {"posterize [options] [FILE]", "reduce a y4m stream to a few flat levels", true, 0, false};
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	const char *input = sh_vf_operand(argc, argv, first);
	sh_note("seed %llu", (unsigned long long)prog.seed);

	sh_vf vf;
	sh_vf_open(&vf, input, output);
	sh_rng rng;
	sh_rng_seed(&rng, prog.seed);
	int clo = vf.full_range ? 0 : 16, chi = vf.full_range ? 255 : 240;
	uint8_t lut[3][256];
	int last[2] = {-1, -1};
	bool id[3] = {true, true, true};

	while (sh_vf_read(&vf)) {
		bool on = sh_rng_chance(&rng, prob);
		int ly = draw_levels(&rng, levels), lc = draw_levels(&rng, chroma_levels);
		if (on && ly != last[0]) {
			build_lut(lut[0], ly, vf.black, vf.white, mix);
			id[0] = sh_lut_is_identity(lut[0]);
			last[0] = ly;
		}
		if (on && lc != last[1]) {
			build_lut(lut[1], lc, clo, chi, mix);
			id[1] = id[2] = sh_lut_is_identity(lut[1]);
			last[1] = lc;
		}
		for (int p = 0; on && p < vf.nplanes; p++) {
			if (id[p])
				continue;
			const uint8_t *t = lut[p ? 1 : 0];
			int w = vf.pw[p];
			uint8_t *row = vf.plane[p];
			for (int y = 0; y < vf.ph[p]; y++, row += w)
				sh_lut_row(row, t, w);
		}
		sh_vf_write(&vf, NULL);
	}
	sh_vf_close(&vf);
	return 0;
}
