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

static const char *output = NULL;
/* Channel offsets in pixels, drawn per frame. 2-4 = lens fringe; 10-20 =
 * misregistered print; 60+ = three separate ghosts. Negative moves left/up. */
static sh_range off[6] = {{6, 6}, {0, 0}, {0, 0}, {0, 0}, {-6, -6}, {0, 0}};
/* Probability a frame is split: below 1 the fringe stutters in and out. */
static double prob = 1;

static sh_option options[] = {
	{"red-x", 'r', SH_OPT_RANGE, &off[0], -4096, 4096, NULL, 0, false, "MIN..MAX",
	 "red horizontal offset in pixels, per frame (6)"},
	{"red-y", 'R', SH_OPT_RANGE, &off[1], -4096, 4096, NULL, 0, false, "MIN..MAX",
	 "red vertical offset (0)"},
	{"green-x", 'g', SH_OPT_RANGE, &off[2], -4096, 4096, NULL, 0, false, "MIN..MAX",
	 "green horizontal offset (0)"},
	{"green-y", 'G', SH_OPT_RANGE, &off[3], -4096, 4096, NULL, 0, false, "MIN..MAX",
	 "green vertical offset (0)"},
	{"blue-x", 'b', SH_OPT_RANGE, &off[4], -4096, 4096, NULL, 0, false, "MIN..MAX",
	 "blue horizontal offset (-6)"},
	{"blue-y", 'B', SH_OPT_RANGE, &off[5], -4096, 4096, NULL, 0, false, "MIN..MAX",
	 "blue vertical offset (0)"},
	{"prob", 'p', SH_OPT_DOUBLE, &prob, 0, 1, NULL, 0, false, "P",
	 "probability that a frame is split (1; 0..1)"},
	SH_VF_OUTPUT_OPTION(output),
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

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	sh_program prog = {"rgbsplit [options] [FILE]", "shift the RGB channels of a y4m stream apart", true, 0, false};
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	const char *input = sh_vf_operand(argc, argv, first);
	sh_note("seed %llu", (unsigned long long)prog.seed);

	sh_vf vf;
	sh_vf_open(&vf, input, output);
	sh_rng rng;
	sh_rng_seed(&rng, prog.seed);
	int W = vf.info.width, H = vf.info.height;
	size_t n = (size_t)W * H;
	uint8_t *rgb = sh_malloc(3 * n), *tmp = sh_malloc(n);

	while (sh_vf_read(&vf)) {
		bool on = sh_rng_chance(&rng, prob);
		int d[6];
		bool any = false;
		for (int i = 0; i < 6; i++) {
			d[i] = (int)lround(sh_rng_between(&rng, off[i].lo, off[i].hi));
			any |= d[i] != 0;
		}
		if (on && any) {
			sh_vf_to_rgb(&vf, vf.frame, rgb);
			for (int c = 0; c < 3; c++) {
				if (!d[2 * c] && !d[2 * c + 1])
					continue;
				shift_plane(tmp, rgb + c * n, W, H, d[2 * c], d[2 * c + 1]);
				memcpy(rgb + c * n, tmp, n);
			}
			sh_vf_from_rgb(&vf, rgb, vf.frame);
		}
		sh_vf_write(&vf, NULL);
	}
	free(rgb);
	free(tmp);
	sh_vf_close(&vf);
	return 0;
}
