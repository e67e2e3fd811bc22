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
	{.name = "period", .short_name = 'P', .type = SH_OPT_INT, .dest = &period, .min = 2, .max = 1024, .arg = "N",
	 .unit = "rows", .help = "rows per scanline cycle"},
	{.name = "thickness", .short_name = 'T', .type = SH_OPT_INT, .dest = &thickness, .min = 1, .max = 1023,
	 .arg = "N", .unit = "rows", .help = "dark rows per cycle, less than the period"},
	{.name = "darkness", .short_name = 'd', .type = SH_OPT_RANGE, .dest = &darkness, .min = 0, .max = 1,
	 .arg = "MIN..MAX", .help = "darkness of the dark rows, drawn per frame"},
	{.name = "roll", .short_name = 'R', .type = SH_OPT_DOUBLE, .dest = &roll, .min = -1000, .max = 1000,
	 .arg = "ROWS", .unit = "rows", .help = "rows the pattern moves per frame"},
	{.name = "tear", .short_name = 't', .type = SH_OPT_DOUBLE, .dest = &tear, .min = 0, .max = 1, .arg = "P",
	 .help = "probability of a tracking tear per frame"},
	{.name = "tear-shift", .short_name = 's', .type = SH_OPT_INT, .dest = &tear_shift, .min = 0, .max = 16384,
	 .arg = "PX", .unit = "px", .help = "largest sideways shift of a tear"},
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

typedef struct {
	bool *dark;             /* per luma row, this frame */
	uint8_t *tmp;           /* a row being rotated */
	uint8_t ylut[256], clut[3][256]; /* chroma: a quarter, half... of the effect */
} state;

static int check(void *st)
{
	if (thickness < period)
		return 0;
	sh_set_error("--thickness %lld must be less than --period %lld", (long long)thickness, (long long)period);
	return -1;
}

static int start(sh_vf *vf, sh_rng *rng, void *st)
{
	state *s = st;
	s->dark = sh_vf_alloc(vf, (size_t)vf->info.height, sizeof(bool));
	s->tmp = sh_vf_alloc(vf, (size_t)vf->info.width, 1);
	return 0;
}

/* Luma toward black on the dark rows, chroma toward neutral by how many of the
 * luma rows it covers are dark. */
static void darken(sh_vf *vf, state *s, double d)
{
	int H = vf->info.height, W = vf->info.width;
	long shift = (long)floor(roll * (double)vf->index);
	for (int y = 0; y < H; y++) {
		long k = ((long)y - shift) % period;
		if (k < 0)
			k += period;
		s->dark[y] = k < thickness;
	}
	for (int v = 0; v < 256; v++) {
		s->ylut[v] = (uint8_t)lround(v < vf->black ? v : vf->black + (v - vf->black) * (1 - d));
		for (int f = 1; f <= 2; f++) /* 1: half the covered rows dark; 2: all */
			s->clut[f][v] = (uint8_t)lround(128 + (v - 128) * (1 - d * f / 2));
	}
	uint8_t *row = vf->plane[0];
	for (int y = 0; y < H; y++, row += W)
		if (s->dark[y])
			sh_lut_row(row, s->ylut, W);
	for (int p = 1; p < vf->nplanes; p++) {
		int pw = vf->pw[p], ph = vf->ph[p], sy = H / ph > 1 ? 2 : 1;
		row = vf->plane[p];
		for (int cy = 0; cy < ph; cy++, row += pw) {
			int a = cy * sy, b = a + sy - 1 < H ? a + sy - 1 : a;
			int f = sy == 2 ? s->dark[a] + s->dark[b] : 2 * s->dark[a];
			if (f)
				sh_lut_row(row, s->clut[f], pw);
		}
	}
}

/* A band of rows, from a sixteenth to a third of the height, rotated sideways. */
static void tear_band(sh_vf *vf, state *s, double u1, double u2, double u3)
{
	int H = vf->info.height, W = vf->info.width;
	int bh = (int)(H * (1.0 / 16 + u1 * (1.0 / 3 - 1.0 / 16))) + 1;
	int y0 = (int)(u2 * (H - bh + 1));
	int dx = 1 + (int)(u3 * (double)tear_shift);
	for (int p = 0; p < vf->nplanes; p++) {
		int pw = vf->pw[p], ph = vf->ph[p];
		int k = (int)(((long)dx * pw / W) % pw);
		int a = (int)((long)y0 * ph / H), b = (int)((long)(y0 + bh) * ph / H);
		for (int y = a; y < b && y < ph; y++)
			rotate_row(vf->plane[p] + (size_t)y * pw, pw, k, s->tmp);
	}
}

static int frame(sh_vf *vf, sh_rng *rng, void *st)
{
	state *s = st;
	double d = sh_rng_between(rng, darkness.lo, darkness.hi);
	bool torn = sh_rng_chance(rng, tear);
	if (d > 0)
		darken(vf, s, d);
	if (torn && tear_shift > 0) {
		double u1 = sh_rng_uniform(rng), u2 = sh_rng_uniform(rng), u3 = sh_rng_uniform(rng);
		tear_band(vf, s, u1, u2, u3);
	} else {
		sh_rng_skip(rng, 3); /* the tear's place, drawn whether torn or not */
	}
	return 0;
}

static const sh_vf_program scanlines = {
	.usage = "scanlines [options] [FILE]", .summary = "CRT scanlines, rolling bars and tracking tears on y4m",
	.options = options, .state_size = sizeof(state), .check = check, .start = start, .frame = frame,
};

int main(int argc, char **argv) { return sh_vf_main(&scanlines, argc, argv); }
