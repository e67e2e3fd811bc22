/* analog -- make a y4m stream look shot on film or tape: grain, breathing
 * exposure, slow colour drift and a vignette.
 *
 *   analog [options] [FILE]   y4m on stdin or FILE, y4m on stdout or -o FILE
 *
 * All in YUV and integer arithmetic. The vignette 1 - v*(dx^2 + dy^2) is additively
 * separable, so each row needs only a per-row constant minus a per-column table,
 * folded with the frame's exposure into one multiplier per sample. Grain rows
 * are drawn first, in order, then rows are shared among the -j threads. */
#pragma GCC optimize("O3") /* let the row loops vectorise */
#include <math.h>
#include <stdlib.h>

#include "cli.h"
#include "rng.h"
#include "vfilter.h"

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
	{.name = "grain", .short_name = 'g', .type = SH_OPT_DOUBLE, .dest = &grain, .min = 0, .max = 50, .arg = "X",
	 .unit = "code values", .help = "grain deviation"},
	{.name = "breathe", .short_name = 'B', .type = SH_OPT_DOUBLE, .dest = &breathe, .min = 0, .max = 1,
	 .arg = "X", .help = "exposure breathing depth"},
	{.name = "rate", .short_name = 'r', .type = SH_OPT_DOUBLE, .dest = &rate, .min = 0.01, .max = 10,
	 .arg = "HZ", .unit = "Hz", .help = "speed of breathing and colour drift"},
	{.name = "drift", .short_name = 'd', .type = SH_OPT_DOUBLE, .dest = &drift, .min = 0, .max = 1, .arg = "X",
	 .help = "colour drift depth"},
	{.name = "vignette", .short_name = 'V', .type = SH_OPT_DOUBLE, .dest = &vignette, .min = 0, .max = 1,
	 .arg = "X", .help = "darkening at the corners"},
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

typedef struct {
	wander wb, wu, wv;      /* exposure, Cb and Cr drift */
	sh_noise_rows grain;    /* scaled once, to --grain */
	int gmul;
	/* vignette terms in Q15, per plane: colk[x] = v*dx^2, rowv[y] = 1 - v*dy^2, with
	 * dx, dy measured from the centre in units of the half-diagonal; colg is colk
	 * times the frame's exposure */
	int32_t *colk[3], *rowv[3], *colg[3];
	bool active;
	/* this frame: each luma row's grain (NULL: none), the exposure and drift */
	const int8_t **grain_row;
	int32_t gq;
	int du, dv;
	const sh_vf *vf;
} state;

static int start(sh_vf *vf, sh_rng *rng, void *st)
{
	state *s = st;
	wander_init(&s->wb, rng, rate);
	wander_init(&s->wu, rng, rate);
	wander_init(&s->wv, rng, rate);
	sh_vf_noise_rows(vf, &s->grain, true, rng);
	s->gmul = sh_noise_mul(grain);
	if (s->gmul)
		sh_noise_scale(&s->grain.table, s->gmul, s->grain.scaled);
	int W = vf->info.width, H = vf->info.height;

	double hd = sqrt((double)W * W + (double)H * H) / 2;
	for (int p = 0; p < vf->nplanes; p++) {
		int pw = vf->pw[p], ph = vf->ph[p];
		double sx = (double)W / pw, sy = (double)H / ph;
		s->colk[p] = sh_vf_alloc(vf, (size_t)pw, sizeof(int32_t));
		s->colg[p] = sh_vf_alloc(vf, (size_t)pw, sizeof(int32_t));
		s->rowv[p] = sh_vf_alloc(vf, (size_t)ph, sizeof(int32_t));
		for (int x = 0; x < pw; x++) {
			double dx = ((x + 0.5) * sx - W / 2.0) / hd;
			s->colk[p][x] = (int32_t)lround(vignette * dx * dx * 32768);
		}
		for (int y = 0; y < ph; y++) {
			double dy = ((y + 0.5) * sy - H / 2.0) / hd;
			s->rowv[p][y] = (int32_t)lround((1 - vignette * dy * dy) * 32768);
		}
	}
	s->active = grain > 0 || breathe > 0 || drift > 0 || vignette > 0;
	s->grain_row = sh_vf_alloc(vf, (size_t)H, sizeof *s->grain_row);
	s->vf = vf;
	return 0;
}

static void shade_rows(void *st, int y0, int y1)
{
	state *s = st;
	const sh_vf *vf = s->vf;
	for (int p = 0; p < vf->nplanes; p++) {
		int pw = vf->pw[p], a, b;
		sh_vf_plane_rows(vf, p, y0, y1, &a, &b);
		/* exposure applies to luma only; the vignette to all planes */
		int32_t g = p == 0 ? s->gq : 32768;
		int base = p == 0 ? vf->black : 128;
		int off = p == 1 ? s->du : p == 2 ? s->dv : 0;
		uint8_t *row = vf->plane[p] + (size_t)a * pw;
		for (int y = a; y < b; y++, row += pw) {
			int32_t rowk = (int32_t)(((int64_t)s->rowv[p][y] * g) >> 15);
			shade_row(row, pw, base, rowk, s->colg[p], p == 0 ? s->grain_row[y] : NULL, off);
		}
	}
}

static int frame(sh_vf *vf, sh_rng *rng, void *st)
{
	state *s = st;
	if (!s->active)
		return 0;
	double t = (double)vf->index / vf->fps;
	double gain = 1 + breathe * wander_at(&s->wb, t);
	double cscale = vf->full_range ? 1.0 : 224.0 / 255.0;
	int du = (int)lround(drift * 20 * cscale * wander_at(&s->wu, t));
	int dv = (int)lround(drift * 20 * cscale * wander_at(&s->wv, t));
	s->gq = (int32_t)lround(gain * 32768);
	s->du = du;
	s->dv = dv;
	for (int p = 0; p < vf->nplanes; p++) {
		int32_t g = p == 0 ? s->gq : 32768;
		for (int x = 0; x < vf->pw[p]; x++)
			s->colg[p][x] = (int32_t)(((int64_t)s->colk[p][x] * g) >> 15);
	}
	for (int y = 0; y < vf->ph[0]; y++)
		s->grain_row[y] = s->gmul ? sh_noise_row(&s->grain) : NULL;
	sh_vf_slices(vf, vf->ph[0], shade_rows, s);
	return 0;
}

static const sh_vf_program analog = {
	.usage = "analog [options] [FILE]", .summary = "film and tape look: grain, breathing, drift, vignette",
	.options = options, .state_size = sizeof(state), .start = start, .frame = frame,
};

int main(int argc, char **argv) { return sh_vf_main(&analog, argc, argv); }
