/* colorgrade -- temperature, tint, contrast, brightness, gamma, saturation, a
 * hue shift and a luma curve on a y4m stream.
 *
 *   colorgrade [options] [FILE]   y4m on stdin or FILE, y4m on stdout or -o FILE
 *
 * Every control but the hue shift is separable per plane in YUV, so the grade is
 * three 256-entry tables, built once per run, looked up 64 bytes at a time where the
 * processor can (AVX-512 VBMI); elsewhere a table that is a straight line (no
 * gamma, no curve) runs as a vectorised multiply-add that gives its bytes. A hue
 * shift turns each chroma pair (Cb, Cr) around grey after the tables.
 * Rows are shared among the -j threads. Knobs given as MIN..MAX are drawn once
 * per run from the seed: a different grade each time, replayable by --seed. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rng.h"
#include "vfilter.h"

/* -1 = cold blue night; -0.3 = cool daylight; 0 = neutral; 0.3 = golden hour;
 * 1 = sodium-lamp orange. */
static sh_range temperature = {0, 0};
/* -1 = sickly green fluorescent; 0 = neutral; 1 = magenta haze. */
static sh_range tint = {0, 0};
/* 0.5 = flat, washed-out log look; 1 = unchanged; 1.5 = punchy; 3 = crushed. */
static sh_range contrast = {1, 1};
/* -0.3 = underexposed and murky; 0 = unchanged; 0.3 = lifted, airy. */
static sh_range brightness = {0, 0};
/* Below 1 darkens the mid-tones (moody); above 1 opens them up (hazy). */
static sh_range gamma_ = {1, 1};
/* 0 = black and white; 0.5 = faded print; 1 = unchanged; 2 = candy. */
static sh_range saturation = {1, 1};
/* Degrees around the colour wheel: 0 = unchanged; 30 = reds go orange, blues go
 * violet; 180 = complementary colours (skies turn orange). */
static sh_range hue_shift = {0, 0};
/* Luma curve as x/y points in 0..1, e.g. "0/0.06,0.5/0.45,1/0.94" for a faded
 * matte film look, or "0/0,0.25/0.18,0.75/0.84,1/1" for an S-curve. */
static const char *curve = NULL;

static sh_option options[] = {
	{.name = "temperature", .short_name = 't', .type = SH_OPT_RANGE, .dest = &temperature, .min = -1, .max = 1,
	 .arg = "MIN..MAX", .help = "cool (-1) to warm (1), drawn per run"},
	{.name = "tint", .type = SH_OPT_RANGE, .dest = &tint, .min = -1, .max = 1, .arg = "MIN..MAX",
	 .help = "green (-1) to magenta (1), drawn per run"},
	{.name = "contrast", .short_name = 'c', .type = SH_OPT_RANGE, .dest = &contrast, .min = 0, .max = 4,
	 .arg = "MIN..MAX", .help = "contrast around mid-grey, drawn per run"},
	{.name = "brightness", .short_name = 'B', .type = SH_OPT_RANGE, .dest = &brightness, .min = -1, .max = 1,
	 .arg = "MIN..MAX", .help = "added light as a fraction of the range, drawn per run"},
	{.name = "gamma", .short_name = 'g', .type = SH_OPT_RANGE, .dest = &gamma_, .min = 0.1, .max = 10,
	 .arg = "MIN..MAX", .help = "mid-tone gamma, drawn per run"},
	{.name = "saturation", .short_name = 's', .type = SH_OPT_RANGE, .dest = &saturation, .min = 0, .max = 4,
	 .arg = "MIN..MAX", .help = "colour saturation, drawn per run"},
	{.name = "hue-shift", .type = SH_OPT_RANGE, .dest = &hue_shift, .min = -180, .max = 180,
	 .unit = "degrees", .arg = "MIN..MAX", .help = "turn every colour around the colour wheel, drawn per run"},
	{.name = "curve", .short_name = 'C', .type = SH_OPT_STRING, .dest = &curve, .arg = "X/Y,...",
	 .help = "luma curve through these points in 0..1"},
	{0},
};
#define MAXPTS 32

typedef struct {
	int n;
	double x[MAXPTS], y[MAXPTS], m[MAXPTS];
} spline;

/* Monotone cubic (Fritsch-Carlson): no overshoot between points. -1 + sh_error()
 * on a malformed list. */
static int parse_curve(const char *text, spline *s)
{
	s->n = 0;
	const char *p = text;
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		if (!*p)
			break;
		char *xend, *yend = NULL;
		double x = strtod(p, &xend), y = 0;
		if (xend != p && *xend == '/')
			y = strtod(xend + 1, &yend);
		if (!yend || yend == xend + 1) {
			sh_set_error("--curve: '%s': expected points X/Y separated by commas", text);
			return -1;
		}
		p = yend;
		if (!(x >= 0 && x <= 1 && y >= 0 && y <= 1)) {
			sh_set_error("--curve: point %g/%g is outside 0..1", x, y);
			return -1;
		}
		if (s->n == MAXPTS) {
			sh_set_error("--curve: more than %d points", MAXPTS);
			return -1;
		}
		if (s->n && x <= s->x[s->n - 1]) {
			sh_set_error("--curve: x values must increase (%g after %g)", x, s->x[s->n - 1]);
			return -1;
		}
		s->x[s->n] = x;
		s->y[s->n] = y;
		s->n++;
	}
	if (s->n < 2) {
		sh_set_error("--curve: '%s': needs at least two points", text);
		return -1;
	}
	double d[MAXPTS];
	for (int i = 0; i + 1 < s->n; i++)
		d[i] = (s->y[i + 1] - s->y[i]) / (s->x[i + 1] - s->x[i]);
	s->m[0] = d[0];
	s->m[s->n - 1] = d[s->n - 2];
	for (int i = 1; i + 1 < s->n; i++)
		s->m[i] = d[i - 1] * d[i] <= 0 ? 0 : (d[i - 1] + d[i]) / 2;
	for (int i = 0; i + 1 < s->n; i++) {
		if (d[i] == 0) {
			s->m[i] = s->m[i + 1] = 0;
			continue;
		}
		double a = s->m[i] / d[i], b = s->m[i + 1] / d[i], h = a * a + b * b;
		if (h > 9) {
			double t = 3 / sqrt(h);
			s->m[i] = t * a * d[i];
			s->m[i + 1] = t * b * d[i];
		}
	}
	return 0;
}

static double eval_curve(const spline *s, double x)
{
	if (x <= s->x[0])
		return s->y[0] + (x - s->x[0]) * s->m[0];
	if (x >= s->x[s->n - 1])
		return s->y[s->n - 1] + (x - s->x[s->n - 1]) * s->m[s->n - 1];
	int i = 0;
	while (x > s->x[i + 1])
		i++;
	double h = s->x[i + 1] - s->x[i], t = (x - s->x[i]) / h, t2 = t * t, t3 = t2 * t;
	return (2 * t3 - 3 * t2 + 1) * s->y[i] + (t3 - 2 * t2 + t) * h * s->m[i] + (-2 * t3 + 3 * t2) * s->y[i + 1] +
	       (t3 - t2) * h * s->m[i + 1];
}

static uint8_t clamp_round(double v)
{
	long k = lround(v);
	return (uint8_t)(k < 0 ? 0 : k > 255 ? 255 : k);
}

typedef struct {
	spline curve;
	uint8_t lut[3][256];
	bool id[3];             /* tables that change nothing */
	bool affine[3];         /* tables that are a line: mul, add (vfilter.h) */
	int32_t mul[3], add[3];
	bool hue;               /* a hue shift: the chroma pair turns by hcos, hsin (16.16) */
	int32_t hcos, hsin;
	sh_vf *vf;
} state;

static int check(void *st)
{
	state *s = st;
	return curve ? parse_curve(curve, &s->curve) : 0;
}

/* The whole grade as three tables, from one draw per knob in a fixed order. */
static int start(sh_vf *vf, sh_rng *rng, void *st)
{
	state *s = st;
	double temp = sh_rng_between(rng, temperature.lo, temperature.hi);
	double tnt = sh_rng_between(rng, tint.lo, tint.hi);
	double con = sh_rng_between(rng, contrast.lo, contrast.hi);
	double bri = sh_rng_between(rng, brightness.lo, brightness.hi);
	double gam = sh_rng_between(rng, gamma_.lo, gamma_.hi);
	double sat = sh_rng_between(rng, saturation.lo, saturation.hi);
	/* drawn last, so a grade without it draws what it always drew */
	double hue = sh_rng_between(rng, hue_shift.lo, hue_shift.hi);
	sh_note("temperature %.3f tint %.3f contrast %.3f brightness %.3f gamma %.3f saturation %.3f hue shift %.3f",
	        temp, tnt, con, bri, gam, sat, hue);
	s->hue = hue != 0 && vf->nplanes == 3;
	s->hcos = (int32_t)lround(cos(hue * M_PI / 180) * 65536);
	s->hsin = (int32_t)lround(sin(hue * M_PI / 180) * 65536);
	double range = vf->white - vf->black;
	for (int v = 0; v < 256; v++) {
		double x = (v - vf->black) / range;
		x = (x - 0.5) * con + 0.5 + bri;
		if (gam != 1 && x > 0)
			x = pow(x, 1 / gam);
		if (curve)
			x = eval_curve(&s->curve, x);
		s->lut[0][v] = clamp_round(vf->black + x * range);
		/* warm: more red (Cr up), less blue (Cb down); magenta: both up */
		double cscale = vf->full_range ? 1.0 : 224.0 / 255.0;
		double du = (-temp * 24 + tnt * 16) * cscale, dv = (temp * 24 + tnt * 16) * cscale;
		s->lut[1][v] = clamp_round(128 + (v - 128) * sat + du);
		s->lut[2][v] = clamp_round(128 + (v - 128) * sat + dv);
	}
	/* the lines the tables were built from, when nothing bends them */
	double cscale = vf->full_range ? 1.0 : 224.0 / 255.0;
	double line[3][2] = {{con, vf->black * (1 - con) + (0.5 - 0.5 * con + bri) * range},
	                     {sat, 128 * (1 - sat) + (-temp * 24 + tnt * 16) * cscale},
	                     {sat, 128 * (1 - sat) + (temp * 24 + tnt * 16) * cscale}};
	for (int p = 0; p < 3; p++) {
		s->id[p] = sh_lut_is_identity(s->lut[p]);
		bool straight = p > 0 || (gam == 1 && !curve);
		/* a processor that looks tables up 64 at a time does better with them */
		s->affine[p] = straight && !sh_lut_vectorised() &&
		               sh_lut_affine(s->lut[p], line[p][0], line[p][1], &s->mul[p], &s->add[p]);
	}
	sh_note("tables: %s; as lines: Y %s, Cb %s, Cr %s", sh_lut_vectorised() ? "vectorised" : "scalar",
	        s->affine[0] ? "yes" : "no", s->affine[1] ? "yes" : "no", s->affine[2] ? "yes" : "no");
	s->vf = vf;
	return 0;
}

static void grade_rows(void *st, int y0, int y1)
{
	state *s = st;
	const sh_vf *vf = s->vf;
	for (int p = 0; p < vf->nplanes; p++) {
		if (s->id[p])
			continue;
		int w = vf->pw[p], a, b;
		sh_vf_plane_rows(vf, p, y0, y1, &a, &b);
		/* a plane's rows are back to back: the slice is one run of bytes */
		uint8_t *run = vf->plane[p] + (size_t)a * w;
		size_t n = (size_t)(b - a) * w;
		for (size_t at = 0; at < n; at += 1 << 30) { /* the kernels count in int */
			int k = n - at < (size_t)1 << 30 ? (int)(n - at) : 1 << 30;
			if (s->affine[p])
				sh_affine_row(run + at, s->mul[p], s->add[p], k);
			else
				sh_lut_row(run + at, s->lut[p], k);
		}
	}
	if (!s->hue)
		return;
	/* Cb and Cr planes have the same shape: turn each pair around grey */
	int w = vf->pw[1], a, b;
	sh_vf_plane_rows(vf, 1, y0, y1, &a, &b);
	uint8_t *cb = vf->plane[1] + (size_t)a * w, *cr = vf->plane[2] + (size_t)a * w;
	size_t n = (size_t)(b - a) * w;
	for (size_t i = 0; i < n; i++) {
		int32_t u = cb[i] - 128, v = cr[i] - 128;
		int32_t nu = 128 + ((u * s->hcos - v * s->hsin + 32768) >> 16);
		int32_t nv = 128 + ((u * s->hsin + v * s->hcos + 32768) >> 16);
		cb[i] = (uint8_t)(nu < 0 ? 0 : nu > 255 ? 255 : nu);
		cr[i] = (uint8_t)(nv < 0 ? 0 : nv > 255 ? 255 : nv);
	}
}

static int frame(sh_vf *vf, sh_rng *rng, void *st)
{
	sh_vf_slices(vf, vf->ph[0], grade_rows, st);
	return 0;
}

static const sh_vf_program colorgrade = {
	.usage = "colorgrade [options] [FILE]", .summary = "colour-grade a y4m stream",
	.options = options, .state_size = sizeof(state), .check = check, .start = start, .frame = frame,
};

int main(int argc, char **argv) { return sh_vf_main(&colorgrade, argc, argv); }
