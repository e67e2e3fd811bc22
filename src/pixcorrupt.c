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
	{.name = "prob", .short_name = 'p', .type = SH_OPT_DOUBLE, .dest = &prob, .min = 0, .max = 1, .arg = "P",
	 .help = "probability that a frame is corrupted"},
	{.name = "blocks", .short_name = 'n', .type = SH_OPT_RANGE, .dest = &blocks, .min = 0, .max = 4096,
	 .arg = "MIN..MAX", .help = "blocks per corrupted frame, drawn per frame"},
	{.name = "size", .short_name = 's', .type = SH_OPT_RANGE, .dest = &size, .min = 8, .max = 4096,
	 .arg = "MIN..MAX", .unit = "px", .help = "block side in luma pixels, drawn per block"},
	{.name = "motion", .short_name = 'm', .type = SH_OPT_DOUBLE, .dest = &motion, .min = 0, .max = 4096,
	 .arg = "PX", .unit = "px", .help = "largest smear motion vector"},
	{.name = "sticky", .short_name = 'k', .type = SH_OPT_DOUBLE, .dest = &sticky, .min = 0, .max = 0.99,
	 .arg = "P", .help = "probability a smear repeats on the next frame"},
	{.name = "smear", .type = SH_OPT_DOUBLE, .dest = &w_smear, .min = 0, .max = 1000, .arg = "W",
	 .help = "weight of smear blocks"},
	{.name = "displace", .type = SH_OPT_DOUBLE, .dest = &w_displace, .min = 0, .max = 1000, .arg = "W",
	 .help = "weight of displaced blocks"},
	{.name = "flat", .type = SH_OPT_DOUBLE, .dest = &w_flat, .min = 0, .max = 1000, .arg = "W",
	 .help = "weight of flat (lost) blocks"},
	{.name = "bytes", .type = SH_OPT_DOUBLE, .dest = &w_bytes, .min = 0, .max = 1000, .arg = "W",
	 .help = "weight of raw byte-run corruption"},
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

typedef struct {
	double wsum;            /* the four weights together */
	uint8_t *prev, *src;    /* the last output frame; this frame undamaged */
	bool have_prev;
	block *live;            /* sticky smears still repeating */
	int nlive;
} state;

static int check(void *st)
{
	state *s = st;
	s->wsum = w_smear + w_displace + w_flat + w_bytes;
	if (s->wsum > 0)
		return 0;
	sh_set_error("the weights of --smear, --displace, --flat and --bytes are all 0");
	return -1;
}

static int start(sh_vf *vf, sh_rng *rng, void *st)
{
	state *s = st;
	s->prev = sh_vf_alloc(vf, 1, vf->info.frame_size);
	s->src = sh_vf_alloc(vf, 1, vf->info.frame_size);
	s->live = sh_vf_alloc(vf, MAX_STICKY, sizeof *s->live);
	return 0;
}

/* One fresh block of damage, its place, size and action drawn from RNG. */
static void damage(sh_vf *vf, sh_rng *rng, state *s)
{
	int W = vf->info.width, H = vf->info.height;
	size_t fs = vf->info.frame_size;
	block b;
	int side = (int)lround(sh_rng_between(rng, size.lo, size.hi) / 8) * 8;
	int bw = side < 8 ? 8 : side, bh = bw;
	bw = bw > W ? W : bw;
	bh = bh > H ? H : bh;
	b.w = bw, b.h = bh;
	b.x = (int)sh_rng_below(rng, (uint64_t)(W - bw) / 8 + 1) * 8;
	b.y = (int)sh_rng_below(rng, (uint64_t)(H - bh) / 8 + 1) * 8;
	double u = sh_rng_uniform(rng) * s->wsum;
	b.kind = u < w_smear ? SMEAR : u < w_smear + w_displace ? DISPLACE
	         : u < w_smear + w_displace + w_flat ? FLAT : BYTES;
	double a = sh_rng_between(rng, 0, 2 * M_PI), r = sh_rng_between(rng, 0.3, 1);
	switch (b.kind) {
	case SMEAR:
		b.dx = (int)lround(cos(a) * r * motion);
		b.dy = (int)lround(sin(a) * r * motion);
		if (s->have_prev)
			move_rect(vf, vf->frame, s->prev, &b);
		if (s->nlive < MAX_STICKY && sh_rng_chance(rng, sticky))
			s->live[s->nlive++] = b;
		break;
	case DISPLACE:
		b.dx = (int)sh_rng_below(rng, (uint64_t)W) - b.x;
		b.dy = (int)sh_rng_below(rng, (uint64_t)H) - b.y;
		move_rect(vf, vf->frame, s->src, &b);
		break;
	case FLAT:
		flat_rect(vf, vf->frame, &b);
		break;
	case BYTES: {
		size_t len = (size_t)bw * (size_t)bh;
		len = len > fs / 2 ? fs / 2 : len;
		size_t at = (size_t)sh_rng_below(rng, fs - len + 1);
		size_t from = (size_t)sh_rng_below(rng, fs - len + 1);
		uint8_t x = (uint8_t)sh_rng_below(rng, 256);
		for (size_t k = 0; k < len; k++)
			vf->frame[at + k] = s->src[from + k] ^ x;
		break;
	}
	}
}

static int frame(sh_vf *vf, sh_rng *rng, void *st)
{
	state *s = st;
	size_t fs = vf->info.frame_size;
	/* sticky smears from earlier frames first, then fresh damage */
	int keep = 0;
	for (int i = 0; i < s->nlive; i++) {
		if (s->have_prev)
			move_rect(vf, vf->frame, s->prev, &s->live[i]);
		if (sh_rng_chance(rng, sticky))
			s->live[keep++] = s->live[i];
	}
	s->nlive = keep;
	bool on = sh_rng_chance(rng, prob);
	int nb = (int)sh_rng_int_between(rng, (long)blocks.lo, (long)blocks.hi);
	if (on && nb > 0)
		memcpy(s->src, vf->frame, fs); /* displacement reads the undamaged frame */
	for (int i = 0; on && i < nb; i++)
		damage(vf, rng, s);
	/* the output frame: what the next frame's smears drag from */
	memcpy(s->prev, vf->frame, fs);
	s->have_prev = true;
	return 0;
}

static const sh_vf_program pixcorrupt = {
	.usage = "pixcorrupt [options] [FILE]", .summary = "block and byte corruption with datamosh smear on y4m",
	.options = options, .state_size = sizeof(state), .check = check, .start = start, .frame = frame,
};

int main(int argc, char **argv) { return sh_vf_main(&pixcorrupt, argc, argv); }
