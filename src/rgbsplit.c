/* rgbsplit -- shift the red, green and blue channels of a y4m stream apart:
 * chromatic aberration, misregistered print, the classic glitch fringe.
 *
 *   rgbsplit [options] [FILE]   y4m on stdin or FILE, y4m on stdout or -o FILE
 *
 * Frames whose offsets are all zero pass through untouched; others go to RGB
 * (BT.601, see vfilter.h), each channel is displaced with its edge repeated, and
 * the result comes back to the input's chroma layout. */
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "cli.h"
#include "rng.h"
#include "vfilter.h"

/* Channel offsets in pixels, drawn per frame. 2-4 = lens fringe; 10-20 =
 * misregistered print; 60+ = three separate ghosts. Negative moves left/up. */
static sh_range off[6] = {{6, 6}, {0, 0}, {0, 0}, {0, 0}, {-6, -6}, {0, 0}};
/* Probability a frame is split: below 1 the fringe stutters in and out. */
static double prob = 1;

static sh_option options[] = {
	{.name = "red-x", .short_name = 'r', .type = SH_OPT_RANGE, .dest = &off[0], .min = -4096, .max = 4096,
	 .arg = "MIN..MAX", .unit = "px", .help = "red horizontal offset, drawn per frame"},
	{.name = "red-y", .short_name = 'R', .type = SH_OPT_RANGE, .dest = &off[1], .min = -4096, .max = 4096,
	 .arg = "MIN..MAX", .unit = "px", .help = "red vertical offset"},
	{.name = "green-x", .short_name = 'g', .type = SH_OPT_RANGE, .dest = &off[2], .min = -4096, .max = 4096,
	 .arg = "MIN..MAX", .unit = "px", .help = "green horizontal offset"},
	{.name = "green-y", .short_name = 'G', .type = SH_OPT_RANGE, .dest = &off[3], .min = -4096, .max = 4096,
	 .arg = "MIN..MAX", .unit = "px", .help = "green vertical offset"},
	{.name = "blue-x", .short_name = 'b', .type = SH_OPT_RANGE, .dest = &off[4], .min = -4096, .max = 4096,
	 .arg = "MIN..MAX", .unit = "px", .help = "blue horizontal offset"},
	{.name = "blue-y", .short_name = 'B', .type = SH_OPT_RANGE, .dest = &off[5], .min = -4096, .max = 4096,
	 .arg = "MIN..MAX", .unit = "px", .help = "blue vertical offset"},
	{.name = "prob", .short_name = 'p', .type = SH_OPT_DOUBLE, .dest = &prob, .min = 0, .max = 1, .arg = "P",
	 .help = "probability that a frame is split"},
	{0},
};
/* dst = src displaced by (dx, dy), edges repeated. */
static void shift_plane(uint8_t *dst, const uint8_t *src, int w, int h, int dx, int dy)
{
	for (int y = 0; y < h; y++) {
		int sy = y - dy;
		sy = sy < 0 ? 0 : sy >= h ? h - 1 : sy;
		const uint8_t *s = src + (size_t)sy * w;
		uint8_t *d = dst + (size_t)y * w;
		if (dx >= w || dx <= -w) {
			memset(d, dx > 0 ? s[0] : s[w - 1], (size_t)w);
		} else if (dx >= 0) {
			memset(d, s[0], (size_t)dx);
			memcpy(d + dx, s, (size_t)(w - dx));
		} else {
			memcpy(d, s - dx, (size_t)(w + dx));
			memset(d + w + dx, s[w - 1], (size_t)-dx);
		}
	}
}

typedef struct {
	uint8_t *rgb, *tmp;     /* the frame in RGB; one displaced channel */
} state;

static int start(sh_vf *vf, sh_rng *rng, void *st)
{
	state *s = st;
	size_t n = (size_t)vf->info.width * vf->info.height;
	s->rgb = sh_vf_alloc(vf, 3, n);
	s->tmp = sh_vf_alloc(vf, 1, n);
	return 0;
}

static int frame(sh_vf *vf, sh_rng *rng, void *st)
{
	state *s = st;
	int W = vf->info.width, H = vf->info.height;
	size_t n = (size_t)W * H;
	bool on = sh_rng_chance(rng, prob);
	int d[6];
	bool any = false;
	for (int i = 0; i < 6; i++) {
		d[i] = (int)lround(sh_rng_between(rng, off[i].lo, off[i].hi));
		any |= d[i] != 0;
	}
	if (!on || !any)
		return 0;
	sh_vf_to_rgb(vf, vf->frame, s->rgb);
	for (int c = 0; c < 3; c++) {
		if (!d[2 * c] && !d[2 * c + 1])
			continue;
		shift_plane(s->tmp, s->rgb + c * n, W, H, d[2 * c], d[2 * c + 1]);
		memcpy(s->rgb + c * n, s->tmp, n);
	}
	sh_vf_from_rgb(vf, s->rgb, vf->frame);
	return 0;
}

static const sh_vf_program rgbsplit = {
	.usage = "rgbsplit [options] [FILE]", .summary = "shift the RGB channels of a y4m stream apart",
	.options = options, .state_size = sizeof(state), .start = start, .frame = frame,
};

int main(int argc, char **argv) { return sh_vf_main(&rgbsplit, argc, argv); }
