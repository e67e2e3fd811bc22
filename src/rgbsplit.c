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
	{.name = "red-x", .type = SH_OPT_RANGE, .dest = &off[0], .min = -4096, .max = 4096,
	 .arg = "MIN..MAX", .unit = "px", .help = "red horizontal offset, drawn per frame"},
	{.name = "red-y", .type = SH_OPT_RANGE, .dest = &off[1], .min = -4096, .max = 4096,
	 .arg = "MIN..MAX", .unit = "px", .help = "red vertical offset"},
	{.name = "green-x", .type = SH_OPT_RANGE, .dest = &off[2], .min = -4096, .max = 4096,
	 .arg = "MIN..MAX", .unit = "px", .help = "green horizontal offset"},
	{.name = "green-y", .type = SH_OPT_RANGE, .dest = &off[3], .min = -4096, .max = 4096,
	 .arg = "MIN..MAX", .unit = "px", .help = "green vertical offset"},
	{.name = "blue-x", .type = SH_OPT_RANGE, .dest = &off[4], .min = -4096, .max = 4096,
	 .arg = "MIN..MAX", .unit = "px", .help = "blue horizontal offset"},
	{.name = "blue-y", .type = SH_OPT_RANGE, .dest = &off[5], .min = -4096, .max = 4096,
	 .arg = "MIN..MAX", .unit = "px", .help = "blue vertical offset"},
	{.name = "prob", .short_name = 'p', .type = SH_OPT_DOUBLE, .dest = &prob, .min = 0, .max = 1, .arg = "P",
	 .help = "probability that a frame is split"},
	{0},
};
/* Rows [y0, y1) of dst = src displaced by (dx, dy), edges repeated. */
static void shift_rows(uint8_t *dst, const uint8_t *src, int w, int h, int dx, int dy, int y0, int y1)
{
	for (int y = y0; y < y1; y++) {
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
	uint8_t *rgb, *moved;   /* the frame in RGB; its channels displaced */
	int d[6];               /* this frame's offsets */
	const sh_vf *vf;
} state;

static void move_rows(void *st, int y0, int y1)
{
	state *s = st;
	int W = s->vf->info.width, H = s->vf->info.height;
	size_t n = (size_t)W * H;
	for (int c = 0; c < 3; c++) {
		if (s->d[2 * c] || s->d[2 * c + 1])
			shift_rows(s->moved + c * n, s->rgb + c * n, W, H, s->d[2 * c], s->d[2 * c + 1], y0, y1);
		else
			memcpy(s->moved + c * n + (size_t)y0 * W, s->rgb + c * n + (size_t)y0 * W, (size_t)(y1 - y0) * W);
	}
}

static int start(sh_vf *vf, sh_rng *rng, void *st)
{
	state *s = st;
	size_t n = (size_t)vf->info.width * vf->info.height;
	s->rgb = sh_vf_alloc(vf, 3, n);
	s->moved = sh_vf_alloc(vf, 3, n);
	s->vf = vf;
	return 0;
}

static int frame(sh_vf *vf, sh_rng *rng, void *st)
{
	state *s = st;
	bool on = sh_rng_chance(rng, prob);
	bool any = false;
	for (int i = 0; i < 6; i++) {
		s->d[i] = (int)lround(sh_rng_between(rng, off[i].lo, off[i].hi));
		any |= s->d[i] != 0;
	}
	if (!on || !any)
		return 0;
	/* each step shares its rows among the -j threads */
	sh_vf_to_rgb(vf, vf->frame, s->rgb);
	sh_vf_slices(vf, vf->info.height, move_rows, s);
	sh_vf_from_rgb(vf, s->moved, vf->frame);
	return 0;
}

static const sh_vf_program rgbsplit = {
	.usage = "rgbsplit [options] [FILE]", .summary = "shift the RGB channels of a y4m stream apart",
	.options = options, .state_size = sizeof(state), .start = start, .frame = frame,
};

int main(int argc, char **argv) { return sh_vf_main(&rgbsplit, argc, argv); }
