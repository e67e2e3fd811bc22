/* scanlines -- CRT scanlines, rolling bars and tracking tears on a y4m stream.
 *
 *   scanlines [options] [FILE]   y4m on stdin or FILE, y4m on stdout or -o FILE
 *
 * Dark rows are a per-frame table applied to whole rows (luma toward black, chroma
 * toward neutral in proportion to the dark luma rows it covers); tears rotate a
 * band of rows sideways in every plane. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rng.h"
#include "vfilter.h"

static const char *output = NULL;
/* Rows per cycle. 2 = fine interlace texture; 3-4 = a CRT up close;
 * 16+ = broad venetian-blind bars. */
static int64_t period = 3;
/* Dark rows per cycle (less than the period). */
static int64_t thickness = 1;
/* How dark the dark rows are, drawn per frame. 0 = none; 0.3 = subtle;
 * 0.6 = arcade monitor; 1 = black lines. A range makes them flicker. */
static sh_range darkness = {0.5, 0.5};
/* Rows the pattern moves per frame. 0 = still; 0.5 = a slow crawl;
 * 5 = a rolling hum bar. */
static double roll = 0;
/* Probability that a frame has a tracking tear. 0 = clean; 0.1 = an aging
 * VHS deck; 0.8 = a tape being chewed. */
static double tear = 0;
/* Largest sideways shift of a tear, in pixels. */
static int64_t tear_shift = 40;

static sh_option options[] = {
	{"period", 'P', SH_OPT_INT, &period, 2, 1024, NULL, 0, false, "N",
	 "rows per scanline cycle (3; 2..1024)"},
	{"thickness", 'T', SH_OPT_INT, &thickness, 1, 1023, NULL, 0, false, "N",
	 "dark rows per cycle, less than the period (1)"},
	{"darkness", 'd', SH_OPT_RANGE, &darkness, 0, 1, NULL, 0, false, "MIN..MAX",
	 "darkness of the dark rows, per frame (0.5; 0..1)"},
	{"roll", 'r', SH_OPT_DOUBLE, &roll, -1000, 1000, NULL, 0, false, "ROWS",
	 "rows the pattern moves per frame (0)"},
	{"tear", 't', SH_OPT_DOUBLE, &tear, 0, 1, NULL, 0, false, "P",
	 "probability of a tracking tear per frame (0; 0..1)"},
	{"tear-shift", 's', SH_OPT_INT, &tear_shift, 0, 16384, NULL, 0, false, "PX",
	 "largest sideways shift of a tear (40)"},
	SH_VF_OUTPUT_OPTION(output),
	{0},
};

/* Rotate a row right by k (0 <= k < n) through tmp. */
static void rotate_row(uint8_t *row, int n, int k, uint8_t *tmp)
{
	if (k <= 0 || n <= 1)
		return;
	memcpy(tmp, row + n - k, (size_t)k);
	memmove(row + k, row, (size_t)(n - k));
	memcpy(row, tmp, (size_t)k);
}

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	sh_program prog = {"scanlines [options] [FILE]", "CRT scanlines, rolling bars and tracking tears on y4m", true, 0,
	                   false};
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	const char *input = sh_vf_operand(argc, argv, first);
	if (thickness >= period)
		sh_usage_error("--thickness %lld must be less than --period %lld", (long long)thickness,
		               (long long)period);
	sh_note("seed %llu", (unsigned long long)prog.seed);

	sh_vf vf;
	sh_vf_open(&vf, input, output);
	sh_rng rng;
	sh_rng_seed(&rng, prog.seed);
	int H = vf.info.height, W = vf.info.width;
	bool *dark = sh_calloc((size_t)H, sizeof(bool));
	uint8_t *tmp = sh_malloc((size_t)W);
	uint8_t ylut[256], clut[3][256]; /* chroma: a quarter, half... of the effect */

	while (sh_vf_read(&vf)) {
		double d = sh_rng_between(&rng, darkness.lo, darkness.hi);
		bool torn = sh_rng_chance(&rng, tear);
		double u1 = sh_rng_uniform(&rng), u2 = sh_rng_uniform(&rng), u3 = sh_rng_uniform(&rng);
		if (d > 0) {
			long shift = (long)floor(roll * (double)vf.index);
			for (int y = 0; y < H; y++) {
				long k = ((long)y - shift) % period;
				if (k < 0)
					k += period;
				dark[y] = k < thickness;
			}
			for (int v = 0; v < 256; v++) {
				ylut[v] = (uint8_t)lround(v < vf.black ? v : vf.black + (v - vf.black) * (1 - d));
				for (int f = 1; f <= 2; f++) /* 1: half the covered rows dark; 2: all */
					clut[f][v] = (uint8_t)lround(128 + (v - 128) * (1 - d * f / 2));
			}
			uint8_t *row = vf.plane[0];
			for (int y = 0; y < H; y++, row += W)
				if (dark[y])
					sh_lut_row(row, ylut, W);
			for (int p = 1; p < vf.nplanes; p++) {
				int pw = vf.pw[p], ph = vf.ph[p], sy = H / ph > 1 ? 2 : 1;
				row = vf.plane[p];
				for (int cy = 0; cy < ph; cy++, row += pw) {
					int a = cy * sy, b = a + sy - 1 < H ? a + sy - 1 : a;
					int f = sy == 2 ? dark[a] + dark[b] : 2 * dark[a];
					if (f)
						sh_lut_row(row, clut[f], pw);
				}
			}
		}
		if (torn && tear_shift > 0) {
			/* a band of rows, from a sixteenth to a third of the height */
			int bh = (int)(H * (1.0 / 16 + u1 * (1.0 / 3 - 1.0 / 16))) + 1;
			int y0 = (int)(u2 * (H - bh + 1));
			int dx = 1 + (int)(u3 * (double)tear_shift);
			for (int p = 0; p < vf.nplanes; p++) {
				int pw = vf.pw[p], ph = vf.ph[p];
				int k = (int)(((long)dx * pw / W) % pw);
				int a = (int)((long)y0 * ph / H), b = (int)((long)(y0 + bh) * ph / H);
				for (int y = a; y < b && y < ph; y++)
					rotate_row(vf.plane[p] + (size_t)y * pw, pw, k, tmp);
			}
		}
		sh_vf_write(&vf, NULL);
	}
	free(dark);
	free(tmp);
	sh_vf_close(&vf);
	return 0;
}
