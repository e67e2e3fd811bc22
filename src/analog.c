/* analog -- make a y4m stream look shot on film or tape: grain, breathing
 * exposure, slow colour drift and a vignette.
 *
 *   analog [options] [FILE]   y4m on stdin or FILE, y4m on stdout or -o FILE
 *
 * All in YUV and integer arithmetic. The vignette 1 - v*(dx^2 + dy^2) is additively
 * separable, so each row needs only a per-row constant minus a per-column table,
 * folded with the frame's exposure into one multiplier per sample. */
#pragma GCC optimize("O3") /* let the row loops vectorise */
#include <math.h>
#include <stdlib.h>

#include "cli.h"
#include "rng.h"
#include "vfilter.h"

static const char *output = NULL;
/* Grain deviation in code values. 0 = clean digital; 3-5 = 16 mm film;
 * 10+ = pushed, high-speed stock. */
static double grain = 4;
/* Exposure breathing depth. 0 = steady; 0.05 = a faint pulse of the lamp;
 * 0.3 = a projector on failing power. */
static double breathe = 0.08;
/* Speed of breathing and drift in Hz. 0.05 = slow tides; 0.5 = restless;
 * 4 = flicker. */
static double rate = 0.3;
/* Colour drift depth. 0 = stable colour; 0.2 = a tape whose hue wanders;
 * 1 = colour sliding through casts. */
static double drift = 0.2;
/* Vignette depth at the corners. 0 = none; 0.3 = lens falloff; 0.8 = a
 * peephole. */
static double vignette = 0.35;

static sh_option options[] = {
	{"grain", 'g', SH_OPT_DOUBLE, &grain, 0, 50, NULL, 0, false, "X",
	 "grain deviation in code values (4; 0..50)"},
	{"breathe", 'b', SH_OPT_DOUBLE, &breathe, 0, 1, NULL, 0, false, "X",
	 "exposure breathing depth (0.08; 0..1)"},
	{"rate", 'r', SH_OPT_DOUBLE, &rate, 0.01, 10, NULL, 0, false, "HZ",
	 "speed of breathing and colour drift (0.3; 0.01..10)"},
	{"drift", 'd', SH_OPT_DOUBLE, &drift, 0, 1, NULL, 0, false, "X",
	 "colour drift depth (0.2; 0..1)"},
	{"vignette", 'V', SH_OPT_DOUBLE, &vignette, 0, 1, NULL, 0, false, "X",
	 "darkening at the corners (0.35; 0..1)"},
	SH_VF_OUTPUT_OPTION(output),
	{0},
};

/* A smooth wandering signal in -1..1: three sines at nearby random frequencies. */
typedef struct {
	double f[3], ph[3];
} wander;

static void wander_init(wander *w, sh_rng *r, double hz)
{
	for (int i = 0; i < 3; i++) {
		w->f[i] = hz * sh_rng_between(r, 0.5, 1.6);
		w->ph[i] = sh_rng_between(r, 0, 2 * M_PI);
	}
}

static double wander_at(const wander *w, double t)
{
	double s = 0;
	for (int i = 0; i < 3; i++)
		s += sin(2 * M_PI * w->f[i] * t + w->ph[i]);
	return s / 3;
}

/* One plane: out = base + ((in - base) * (rowk - colk[x]) >> 15) + noise + off. */
static void shade_row(uint8_t *restrict p, int n, int base, int32_t rowk, const int32_t *restrict colk,
                      const int8_t *restrict noise, int off)
{
	if (noise) {
		for (int i = 0; i < n; i++) {
			int32_t m = rowk - colk[i];
			m = m < 0 ? 0 : m;
			int32_t v = base + (((p[i] - base) * m) >> 15) + noise[i] + off;
			p[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
		}
	} else {
		for (int i = 0; i < n; i++) {
			int32_t m = rowk - colk[i];
			m = m < 0 ? 0 : m;
			int32_t v = base + (((p[i] - base) * m) >> 15) + off;
			p[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
		}
	}
}

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	sh_program prog = {"analog [options] [FILE]", "film and tape look: grain, breathing, drift, vignette", true, 0,
	                   false};
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	const char *input = sh_vf_operand(argc, argv, first);
	sh_note("seed %llu", (unsigned long long)prog.seed);

	sh_vf vf;
	sh_vf_open(&vf, input, output);
	sh_rng rng;
	sh_rng_seed(&rng, prog.seed);
	wander wb, wu, wv;
	wander_init(&wb, &rng, rate);
	wander_init(&wu, &rng, rate);
	wander_init(&wv, &rng, rate);
	sh_rng rows = sh_rng_fork(&rng), trng = sh_rng_fork(&rng);
	int W = vf.info.width, H = vf.info.height;
	sh_noise_table table;
	int span = W + 4096;
	sh_noise_table_init(&table, W + span, true, &trng);
	int8_t *scaled = sh_malloc((size_t)table.n);
	int gmul = sh_noise_mul(grain);
	if (gmul)
		sh_noise_scale(&table, gmul, scaled);

	/* vignette terms in Q15, per plane: colk[x] = v*dx^2, rowv[y] = 1 - v*dy^2, with
	 * dx, dy measured from the centre in units of the half-diagonal */
	int32_t *colk[3] = {0}, *rowv[3] = {0}, *colg[3] = {0};
	double hd = sqrt((double)W * W + (double)H * H) / 2;
	for (int p = 0; p < vf.nplanes; p++) {
		int pw = vf.pw[p], ph = vf.ph[p];
		double sx = (double)W / pw, sy = (double)H / ph;
		colk[p] = sh_calloc((size_t)pw, sizeof(int32_t));
		colg[p] = sh_calloc((size_t)pw, sizeof(int32_t));
		rowv[p] = sh_calloc((size_t)ph, sizeof(int32_t));
		for (int x = 0; x < pw; x++) {
			double dx = ((x + 0.5) * sx - W / 2.0) / hd;
			colk[p][x] = (int32_t)lround(vignette * dx * dx * 32768);
		}
		for (int y = 0; y < ph; y++) {
			double dy = ((y + 0.5) * sy - H / 2.0) / hd;
			rowv[p][y] = (int32_t)lround((1 - vignette * dy * dy) * 32768);
		}
	}
	bool active = grain > 0 || breathe > 0 || drift > 0 || vignette > 0;

	while (sh_vf_read(&vf)) {
		double t = (double)vf.index / vf.fps;
		double gain = 1 + breathe * wander_at(&wb, t);
		double cscale = vf.full_range ? 1.0 : 224.0 / 255.0;
		int du = (int)lround(drift * 20 * cscale * wander_at(&wu, t));
		int dv = (int)lround(drift * 20 * cscale * wander_at(&wv, t));
		if (!active) {
			sh_vf_write(&vf, NULL);
			continue;
		}
		int32_t gq = (int32_t)lround(gain * 32768);
		for (int p = 0; p < vf.nplanes; p++) {
			int pw = vf.pw[p];
			/* exposure applies to luma only; the vignette to all planes */
			int32_t g = p == 0 ? gq : 32768;
			for (int x = 0; x < pw; x++)
				colg[p][x] = (int32_t)(((int64_t)colk[p][x] * g) >> 15);
			int base = p == 0 ? vf.black : 128;
			int off = p == 1 ? du : p == 2 ? dv : 0;
			uint8_t *row = vf.plane[p];
			for (int y = 0; y < vf.ph[p]; y++, row += pw) {
				int32_t rowk = (int32_t)(((int64_t)rowv[p][y] * g) >> 15);
				const int8_t *nz = p == 0 && gmul ? scaled + sh_rng_below(&rows, (uint64_t)span) : NULL;
				shade_row(row, pw, base, rowk, colg[p], nz, off);
			}
		}
		sh_vf_write(&vf, NULL);
	}
	for (int p = 0; p < 3; p++) {
		free(colk[p]);
		free(colg[p]);
		free(rowv[p]);
	}
	free(scaled);
	sh_noise_table_free(&table);
	sh_vf_close(&vf);
	return 0;
}
