/* vfilter.c -- driver loop, noise tables, LUTs and YUV <-> RGB for y4m filters;
 * see vfilter.h. */
#include "vfilter.h"
/* The row kernels below are written for the vectoriser; -O2 alone only uses
 * its cheapest cost model, which leaves most of them scalar. */
#pragma GCC optimize("O3")

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* ---------------------------------------------------------------- driver */

bool sh_y4m_full_range(const sh_y4m_info *info)
{
	const char *x = info->xtags;
	while (x && *x) {
		const char *sp = strchr(x, ' ');
		size_t n = sp ? (size_t)(sp - x) : strlen(x);
		if (n == 16 && strncmp(x, "XCOLORRANGE=FULL", 16) == 0)
			return true;
		x = sp ? sp + 1 : NULL;
	}
	return false;
}

const char *sh_vf_operand(int argc, char **argv, int first)
{
	if (argc - first > 1)
		sh_usage_error("one input at most (got %d; try --help)", argc - first);
	return argc - first == 1 ? argv[first] : "-";
}

void sh_vf_planes(const sh_vf *vf, uint8_t *frame, uint8_t *plane[3])
{
	plane[0] = frame;
	if (vf->nplanes == 3) {
		plane[1] = frame + vf->info.plane_size[0];
		plane[2] = plane[1] + vf->info.plane_size[1];
	} else {
		plane[1] = plane[2] = NULL;
	}
}

void sh_vf_open(sh_vf *vf, const char *in_path, const char *out_path)
{
	memset(vf, 0, sizeof *vf);
	vf->in = sh_y4m_open(in_path);
	if (!vf->in)
		sh_die("%s", sh_error());
	sh_y4m_info_copy(&vf->info, sh_y4m_in_info(vf->in));
	const sh_y4m_info *i = &vf->info;
	vf->nplanes = i->chroma == SH_CHROMA_MONO ? 1 : 3;
	vf->pw[0] = i->width;
	vf->ph[0] = i->height;
	if (vf->nplanes == 3) {
		vf->pw[1] = vf->pw[2] = i->cw;
		vf->ph[1] = vf->ph[2] = i->ch;
	}
	vf->full_range = sh_y4m_full_range(i);
	vf->black = vf->full_range ? 0 : 16;
	vf->white = vf->full_range ? 255 : 235;
	vf->fps = i->fps_num > 0 && i->fps_den > 0 ? (double)i->fps_num / i->fps_den : 25.0;
	vf->frame = sh_malloc(i->frame_size);
	sh_vf_planes(vf, vf->frame, vf->plane);
	vf->index = -1;
	vf->out = sh_y4m_create(out_path, i);
}

bool sh_vf_read(sh_vf *vf)
{
	int r = sh_y4m_read_frame(vf->in, vf->frame);
	if (r < 0)
		sh_die("%s", sh_error());
	if (r == 0)
		return false;
	vf->index++;
	return true;
}

void sh_vf_write(sh_vf *vf, const uint8_t *frame) { sh_y4m_write_frame(vf->out, frame ? frame : vf->frame); }

void sh_vf_close(sh_vf *vf)
{
	sh_y4m_finish(vf->out);
	sh_y4m_close(vf->in);
	sh_y4m_info_free(&vf->info);
	free(vf->frame);
	free(vf->scratch);
	memset(vf, 0, sizeof *vf);
}

/* ---------------------------------------------------------------- noise, LUTs */

void sh_noise_table_init(sh_noise_table *t, int n, bool gauss, sh_rng *r)
{
	t->n = n;
	t->v = sh_malloc((size_t)n);
	for (int i = 0; i < n; i++) {
		/* the same deviation (SH_NOISE_UNIT) for both shapes */
		double x = gauss ? sh_rng_gauss(r) : (2 * sh_rng_uniform(r) - 1) * 1.7320508075688772;
		long k = lround(x * SH_NOISE_UNIT);
		t->v[i] = (int8_t)(k > 127 ? 127 : k < -127 ? -127 : k);
	}
}

void sh_noise_table_free(sh_noise_table *t)
{
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

void sh_noise_scale(const sh_noise_table *t, int mul, int8_t *out)
{
	for (int i = 0; i < t->n; i++) {
		int v = (t->v[i] * mul + 128) >> 8;
		out[i] = (int8_t)(v > 127 ? 127 : v < -127 ? -127 : v);
	}
}

void sh_add_noise_row(uint8_t *restrict dst, const uint8_t *restrict src, const int8_t *restrict noise, int n)
{
	for (int i = 0; i < n; i++) {
		int v = src[i] + noise[i];
		v = v < 0 ? 0 : v;
		v = v > 255 ? 255 : v;
		dst[i] = (uint8_t)v;
	}
}

int sh_noise_mul(double deviation)
{
	double m = deviation * 256.0 / SH_NOISE_UNIT;
	return (int)lround(m > 65535 ? 65535 : m);
}

void sh_lut_row(uint8_t *p, const uint8_t *lut, int n)
{
	int i = 0;
	for (; i + 4 <= n; i += 4) {
		uint8_t a = lut[p[i]], b = lut[p[i + 1]], c = lut[p[i + 2]], d = lut[p[i + 3]];
		p[i] = a, p[i + 1] = b, p[i + 2] = c, p[i + 3] = d;
	}
	for (; i < n; i++)
		p[i] = lut[p[i]];
}

bool sh_lut_is_identity(const uint8_t *lut)
{
	for (int i = 0; i < 256; i++)
		if (lut[i] != i)
			return false;
	return true;
}

/* ---------------------------------------------------------------- RGB */

/* BT.601 in 14-bit fixed point. */
#define FIX(x) ((int)lround((x) * 16384.0))

static inline uint8_t clamp8(int v) { return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v); }

/* Upsample one chroma plane (cw x ch) to width x height, centred siting, bilinear. */
static void upsample(const uint8_t *c, int cw, int ch, int sx, int sy, uint8_t *out, int w, int h,
                     int16_t *tmp)
{
	for (int y = 0; y < h; y++) {
		const uint8_t *r0, *r1;
		int wa, wb; /* vertical weights, out of 4 */
		if (sy == 2) {
			int cy = y >> 1;
			int ny = (y & 1) ? cy + 1 : cy - 1;
			if (ny < 0)
				ny = 0;
			if (ny >= ch)
				ny = ch - 1;
			r0 = c + (size_t)cy * cw;
			r1 = c + (size_t)ny * cw;
			wa = 3, wb = 1;
		} else {
			r0 = r1 = c + (size_t)y * cw;
			wa = 4, wb = 0;
		}
		for (int i = 0; i < cw; i++)
			tmp[i] = (int16_t)(wa * r0[i] + wb * r1[i]);
		uint8_t *o = out + (size_t)y * w;
		if (sx == 2) {
			for (int i = 0; i < cw; i++) {
				int left = tmp[i > 0 ? i - 1 : 0], right = tmp[i + 1 < cw ? i + 1 : cw - 1];
				int x = 2 * i;
				o[x] = (uint8_t)((3 * tmp[i] + left + 8) >> 4);
				if (x + 1 < w)
					o[x + 1] = (uint8_t)((3 * tmp[i] + right + 8) >> 4);
			}
		} else {
			for (int i = 0; i < w; i++)
				o[i] = (uint8_t)((tmp[i] + 2) >> 2);
		}
	}
}

/* Average full-size chroma down to cw x ch. */
static void downsample(const uint8_t *full, int w, int h, int sx, int sy, uint8_t *c, int cw, int ch)
{
	for (int cy = 0; cy < ch; cy++) {
		int y0 = cy * sy, y1 = y0 + sy - 1 < h ? y0 + sy - 1 : h - 1;
		const uint8_t *r0 = full + (size_t)y0 * w, *r1 = full + (size_t)y1 * w;
		uint8_t *o = c + (size_t)cy * cw;
		if (sx == 2) {
			for (int i = 0; i < cw; i++) {
				int x0 = 2 * i, x1 = x0 + 1 < w ? x0 + 1 : x0;
				o[i] = (uint8_t)((r0[x0] + r0[x1] + r1[x0] + r1[x1] + 2) >> 2);
			}
		} else {
			for (int i = 0; i < cw; i++)
				o[i] = (uint8_t)((r0[i] + r1[i] + 1) >> 1);
		}
	}
}

static void subsampling(const sh_vf *vf, int *sx, int *sy)
{
	*sx = vf->info.chroma == SH_CHROMA_444 ? 1 : 2;
	*sy = vf->info.chroma == SH_CHROMA_420 ? 2 : 1;
}

static uint8_t *scratch(const sh_vf *cvf)
{
	sh_vf *vf = (sh_vf *)cvf;
	if (!vf->scratch)
		vf->scratch = sh_malloc(vf->info.plane_size[0] * 2 + (size_t)vf->info.width * 2 + 64);
	return vf->scratch;
}

void sh_vf_to_rgb(const sh_vf *vf, const uint8_t *frame, uint8_t *rgb)
{
	int w = vf->info.width, h = vf->info.height;
	size_t n = (size_t)w * h;
	uint8_t *R = rgb, *G = rgb + n, *B = rgb + 2 * n;
	const int full = vf->full_range;
	const int yc = full ? FIX(1.0) : FIX(255.0 / 219.0);
	const int black = vf->black;
	if (vf->nplanes == 1) {
		for (size_t i = 0; i < n; i++) {
			uint8_t v = clamp8((yc * (frame[i] - black) + 8192) >> 14);
			R[i] = G[i] = B[i] = v;
		}
		return;
	}
	const double cs = full ? 1.0 : 255.0 / 224.0;
	const int rv = FIX(1.402 * cs), gu = FIX(0.344136 * cs), gv = FIX(0.714136 * cs), bu = FIX(1.772 * cs);
	int sx, sy;
	subsampling(vf, &sx, &sy);
	uint8_t *plane[3];
	sh_vf_planes(vf, (uint8_t *)frame, plane);
	const uint8_t *U = plane[1], *V = plane[2];
	if (sx != 1 || sy != 1) {
		uint8_t *s = scratch(vf);
		int16_t *tmp = (int16_t *)(void *)(s + 2 * n + ((uintptr_t)(s + 2 * n) & 1));
		upsample(plane[1], vf->info.cw, vf->info.ch, sx, sy, s, w, h, tmp);
		upsample(plane[2], vf->info.cw, vf->info.ch, sx, sy, s + n, w, h, tmp);
		U = s;
		V = s + n;
	}
	const uint8_t *Y = plane[0];
	for (size_t i = 0; i < n; i++) {
		int y = yc * (Y[i] - black) + 8192, u = U[i] - 128, v = V[i] - 128;
		R[i] = clamp8((y + rv * v) >> 14);
		G[i] = clamp8((y - gu * u - gv * v) >> 14);
		B[i] = clamp8((y + bu * u) >> 14);
	}
}

void sh_vf_from_rgb(const sh_vf *vf, const uint8_t *rgb, uint8_t *frame)
{
	int w = vf->info.width, h = vf->info.height;
	size_t n = (size_t)w * h;
	const uint8_t *R = rgb, *G = rgb + n, *B = rgb + 2 * n;
	const int full = vf->full_range;
	const double ys = full ? 1.0 : 219.0 / 255.0, cs = full ? 1.0 : 224.0 / 255.0;
	const int yr = FIX(0.299 * ys), yg = FIX(0.587 * ys), yb = FIX(0.114 * ys);
	const int yoff = (vf->black << 14) + 8192;
	uint8_t *plane[3];
	sh_vf_planes(vf, frame, plane);
	uint8_t *Y = plane[0];
	for (size_t i = 0; i < n; i++)
		Y[i] = clamp8((yr * R[i] + yg * G[i] + yb * B[i] + yoff) >> 14);
	if (vf->nplanes == 1)
		return;
	const int ur = FIX(0.168736 * cs), ug = FIX(0.331264 * cs), ub = FIX(0.5 * cs);
	const int vr = FIX(0.5 * cs), vg = FIX(0.418688 * cs), vb = FIX(0.081312 * cs);
	const int coff = (128 << 14) + 8192;
	int sx, sy;
	subsampling(vf, &sx, &sy);
	uint8_t *U = plane[1], *V = plane[2];
	if (sx != 1 || sy != 1) {
		uint8_t *s = scratch(vf);
		U = s;
		V = s + n;
	}
	for (size_t i = 0; i < n; i++) {
		U[i] = clamp8((-ur * R[i] - ug * G[i] + ub * B[i] + coff) >> 14);
		V[i] = clamp8((vr * R[i] - vg * G[i] - vb * B[i] + coff) >> 14);
	}
	if (sx != 1 || sy != 1) {
		downsample(U, w, h, sx, sy, plane[1], vf->info.cw, vf->info.ch);
		downsample(V, w, h, sx, sy, plane[2], vf->info.cw, vf->info.ch);
	}
}
