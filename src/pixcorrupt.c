/* pixcorrupt -- block and byte corruption with datamosh-like smear on a y4m stream.
 *
 *   pixcorrupt [options] [FILE]   y4m on stdin or FILE, y4m on stdout or -o FILE
 *
 * A corrupted frame gets a number of blocks (aligned to 8 luma pixels, like
 * macroblocks), each with one action:
 *   smear     the block shows the previous output frame moved by a motion vector,
 *             the way a P-frame decoded against the wrong reference drags pixels;
 *             sticky blocks repeat on the next frames, leaving trails;
 *   displace  the block is copied from elsewhere in the same frame;
 *   flat      the block becomes its mean colour, a lost macroblock;
 *   bytes     a run of the raw frame (as long as the block's area) is overwritten
 *             by the bytes at another offset, XOR-ed with a random value: streaks
 *             that cross plane boundaries as a damaged stream would.
 * Blocks keep to each plane's own resolution, so every chroma layout works. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rng.h"
#include "vfilter.h"

static const char *output = NULL;
/* Probability that a frame is corrupted. 0.05 = rare hiccups; 0.5 = an
 * unreliable stream; 1 = constant damage. */
static double prob = 0.5;
/* Blocks per corrupted frame, drawn per frame. 1-3 = sparse; 40+ = a frame
 * falling apart. */
static sh_range blocks = {4, 12};
/* Block side in luma pixels, drawn per block (rounded to 8). 8-16 = fine
 * macroblock grit; 64-256 = big slabs. */
static sh_range size = {16, 96};
/* Largest motion vector of a smear, in pixels. 2 = a shiver; 30 = pixels
 * dragged across the frame. */
static double motion = 12;
/* Probability that a smeared block smears again on the next frame. 0 = one-off;
 * 0.8 = long trails, the classic datamosh bloom. */
static double sticky = 0.6;
/* Relative weights of the four actions. */
static double w_smear = 0.4, w_displace = 0.2, w_flat = 0.2, w_bytes = 0.2;

static sh_option options[] = {
	{"prob", 'p', SH_OPT_DOUBLE, &prob, 0, 1, NULL, 0, false, "P",
	 "probability that a frame is corrupted (0.5; 0..1)"},
	{"blocks", 'n', SH_OPT_RANGE, &blocks, 0, 4096, NULL, 0, false, "MIN..MAX",
	 "blocks per corrupted frame (4..12; 0..4096)"},
	{"size", 's', SH_OPT_RANGE, &size, 8, 4096, NULL, 0, false, "MIN..MAX",
	 "block side in luma pixels (16..96; 8..4096)"},
	{"motion", 'm', SH_OPT_DOUBLE, &motion, 0, 4096, NULL, 0, false, "PX",
	 "largest smear motion vector (12)"},
	{"sticky", 'k', SH_OPT_DOUBLE, &sticky, 0, 0.99, NULL, 0, false, "P",
	 "probability a smear repeats on the next frame (0.6; 0..0.99)"},
	{"smear", 0, SH_OPT_DOUBLE, &w_smear, 0, 1000, NULL, 0, false, "W",
	 "weight of smear blocks (0.4)"},
	{"displace", 0, SH_OPT_DOUBLE, &w_displace, 0, 1000, NULL, 0, false, "W",
	 "weight of displaced blocks (0.2)"},
	{"flat", 0, SH_OPT_DOUBLE, &w_flat, 0, 1000, NULL, 0, false, "W",
	 "weight of flat (lost) blocks (0.2)"},
	{"bytes", 0, SH_OPT_DOUBLE, &w_bytes, 0, 1000, NULL, 0, false, "W",
	 "weight of raw byte-run corruption (0.2)"},
	SH_VF_OUTPUT_OPTION(output),
	{0},
};

enum { SMEAR, DISPLACE, FLAT, BYTES };

typedef struct {
	int x, y, w, h;  /* luma rectangle */
	int dx, dy;      /* smear vector or displacement source offset */
	int kind;
} block;

#define MAX_STICKY 1024

/* The block's luma rectangle scaled to plane p: [x0, x1) x [y0, y1), clipped to it. */
static void plane_rect(const sh_vf *vf, int p, const block *b, int *x0, int *x1, int *y0, int *y1)
{
	int W = vf->info.width, H = vf->info.height, pw = vf->pw[p], ph = vf->ph[p];
	*x0 = (int)((long)b->x * pw / W);
	*x1 = (int)((long)(b->x + b->w) * pw / W);
	*y0 = (int)((long)b->y * ph / H);
	*y1 = (int)((long)(b->y + b->h) * ph / H);
	*x1 = *x1 > pw ? pw : *x1;
	*y1 = *y1 > ph ? ph : *y1;
}

/* Copy a rectangle of plane p from src (frame-sized) at (x+dx, y+dy) to dst at (x, y),
 * source coordinates clamped to the plane. */
static void move_rect(const sh_vf *vf, uint8_t *dst, const uint8_t *src, const block *b)
{
	int W = vf->info.width, H = vf->info.height;
	uint8_t *dp[3], *sp[3];
	sh_vf_planes(vf, dst, dp);
	sh_vf_planes(vf, (uint8_t *)src, sp);
	for (int p = 0; p < vf->nplanes; p++) {
		int pw = vf->pw[p], ph = vf->ph[p], x0, x1, y0, y1;
		plane_rect(vf, p, b, &x0, &x1, &y0, &y1);
		int dx = (int)lround((double)b->dx * pw / W), dy = (int)lround((double)b->dy * ph / H);
		for (int y = y0; y < y1; y++) {
			int sy = y + dy;
			sy = sy < 0 ? 0 : sy >= ph ? ph - 1 : sy;
			uint8_t *d = dp[p] + (size_t)y * pw;
			const uint8_t *s = sp[p] + (size_t)sy * pw;
			int sx0 = x0 + dx, sx1 = x1 + dx;
			if (sx0 >= 0 && sx1 <= pw) {
				memmove(d + x0, s + sx0, (size_t)(x1 - x0));
			} else {
				for (int x = x0; x < x1; x++) {
					int sx = x + dx;
					d[x] = s[sx < 0 ? 0 : sx >= pw ? pw - 1 : sx];
				}
			}
		}
	}
}

static void flat_rect(const sh_vf *vf, uint8_t *frame, const block *b)
{
	uint8_t *pl[3];
	sh_vf_planes(vf, frame, pl);
	for (int p = 0; p < vf->nplanes; p++) {
		int pw = vf->pw[p], x0, x1, y0, y1;
		plane_rect(vf, p, b, &x0, &x1, &y0, &y1);
		if (x1 <= x0 || y1 <= y0)
			continue;
		uint64_t sum = 0;
		for (int y = y0; y < y1; y++)
			for (int x = x0; x < x1; x++)
				sum += pl[p][(size_t)y * pw + x];
		uint64_t cnt = (uint64_t)(x1 - x0) * (uint64_t)(y1 - y0);
		uint8_t m = (uint8_t)((sum + cnt / 2) / cnt);
		for (int y = y0; y < y1; y++)
			memset(pl[p] + (size_t)y * pw + x0, m, (size_t)(x1 - x0));
	}
}

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	sh_program prog = {"pixcorrupt [options] [FILE]", "block and byte corruption with datamosh smear on y4m", true, 0,
	                   false};
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	const char *input = sh_vf_operand(argc, argv, first);
	double wsum = w_smear + w_displace + w_flat + w_bytes;
	if (wsum <= 0)
		sh_usage_error("the weights of --smear, --displace, --flat and --bytes are all 0");
	sh_note("seed %llu", (unsigned long long)prog.seed);

	sh_vf vf;
	sh_vf_open(&vf, input, output);
	sh_rng rng;
	sh_rng_seed(&rng, prog.seed);
	int W = vf.info.width, H = vf.info.height;
	size_t fs = vf.info.frame_size;
	uint8_t *prev = sh_malloc(fs), *src = sh_malloc(fs);
	bool have_prev = false;
	block *live = sh_calloc(MAX_STICKY, sizeof *live);
	int nlive = 0;

	while (sh_vf_read(&vf)) {
		/* sticky smears from earlier frames first, then fresh damage */
		int keep = 0;
		for (int i = 0; i < nlive; i++) {
			if (have_prev)
				move_rect(&vf, vf.frame, prev, &live[i]);
			if (sh_rng_chance(&rng, sticky))
				live[keep++] = live[i];
		}
		nlive = keep;
		bool on = sh_rng_chance(&rng, prob);
		int nb = (int)floor(sh_rng_between(&rng, blocks.lo, blocks.hi + 1));
		if (nb > (int)blocks.hi)
			nb = (int)blocks.hi;
		if (on && nb > 0)
			memcpy(src, vf.frame, fs); /* displacement reads the undamaged frame */
		for (int i = 0; on && i < nb; i++) {
			block b;
			int side = (int)lround(sh_rng_between(&rng, size.lo, size.hi) / 8) * 8;
			int bw = side < 8 ? 8 : side, bh = bw;
			bw = bw > W ? W : bw;
			bh = bh > H ? H : bh;
			b.w = bw, b.h = bh;
			b.x = (int)sh_rng_below(&rng, (uint64_t)(W - bw) / 8 + 1) * 8;
			b.y = (int)sh_rng_below(&rng, (uint64_t)(H - bh) / 8 + 1) * 8;
			double u = sh_rng_uniform(&rng) * wsum;
			b.kind = u < w_smear ? SMEAR : u < w_smear + w_displace ? DISPLACE
			         : u < w_smear + w_displace + w_flat ? FLAT : BYTES;
			double a = sh_rng_between(&rng, 0, 2 * M_PI), r = sh_rng_between(&rng, 0.3, 1);
			switch (b.kind) {
			case SMEAR:
				b.dx = (int)lround(cos(a) * r * motion);
				b.dy = (int)lround(sin(a) * r * motion);
				if (have_prev)
					move_rect(&vf, vf.frame, prev, &b);
				if (nlive < MAX_STICKY && sh_rng_chance(&rng, sticky))
					live[nlive++] = b;
				break;
			case DISPLACE:
				b.dx = (int)sh_rng_below(&rng, (uint64_t)W) - b.x;
				b.dy = (int)sh_rng_below(&rng, (uint64_t)H) - b.y;
				move_rect(&vf, vf.frame, src, &b);
				break;
			case FLAT:
				flat_rect(&vf, vf.frame, &b);
				break;
			case BYTES: {
				size_t len = (size_t)bw * (size_t)bh;
				len = len > fs / 2 ? fs / 2 : len;
				size_t at = (size_t)sh_rng_below(&rng, fs - len + 1);
				size_t from = (size_t)sh_rng_below(&rng, fs - len + 1);
				uint8_t x = (uint8_t)sh_rng_below(&rng, 256);
				for (size_t k = 0; k < len; k++)
					vf.frame[at + k] = src[from + k] ^ x;
				break;
			}
			}
		}
		sh_vf_write(&vf, NULL);
		memcpy(prev, vf.frame, fs);
		have_prev = true;
	}
	free(prev);
	free(src);
	free(live);
	sh_vf_close(&vf);
	return 0;
}
