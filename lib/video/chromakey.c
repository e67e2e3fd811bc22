/* keying.c -- colour, luma and motion keys and the keyed composite (keying.h).
 * The row kernels are plain loops over floats and bytes that the compiler
 * vectorises; every frame is processed one luma row (and its chroma row) at a
 * time, so the cost is a few passes over cache-resident rows. */
/* no-trapping-math lets the clamps before a float -> int conversion vectorise;
 * it only drops floating-point exception flags, never changes a value */
#pragma GCC optimize("O3", "no-math-errno", "no-trapping-math")
#include "chromakey.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "cli.h"

/* The row kernels are built twice, for AVX2 and for plain x86-64 (or once
 * elsewhere), and the loader picks one. AVX2 here means wider vectors only, no
 * fused multiply-add, so both give the same bytes. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define KERNEL __attribute__((target_clones("avx2", "default")))
#else
#define KERNEL
#endif

/* ---------------------------------------------------------------- colours */

int sh_parse_color(const char *text, uint32_t *rgb)
{
	static const struct {
		const char *name;
		uint32_t rgb;
	} names[] = {{"white", 0xFFFFFF}, {"black", 0x000000}, {"red", 0xFF0000},   {"green", 0x00FF00},
	             {"lime", 0x00FF00},  {"blue", 0x0000FF},  {"cyan", 0x00FFFF},  {"magenta", 0xFF00FF},
	             {"yellow", 0xFFFF00}, {"gray", 0x808080}, {"grey", 0x808080}};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (!strcasecmp(text, names[i].name)) {
			*rgb = names[i].rgb;
			return 0;
		}
	const char *p = text;
	if (p[0] == '#')
		p++;
	else if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	char *end;
	if (strlen(p) != 6 || !strchr("0123456789abcdefABCDEF", p[0])) {
		sh_set_error("'%s' is not a colour (0xRRGGBB, #RRGGBB or a name such as white, green)", text);
		return -1;
	}
	unsigned long v = strtoul(p, &end, 16);
	if (*end) {
		sh_set_error("'%s' is not a colour (0xRRGGBB, #RRGGBB or a name such as white, green)", text);
		return -1;
	}
	*rgb = (uint32_t)v;
	return 0;
}

int sh_parse_colors(const char *text, uint32_t *rgb, int *n)
{
	*n = 0;
	char *copy = sh_strdup(text);
	char *save = NULL;
	for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		if (*n == SH_KEY_MAX_COLORS) {
			sh_set_error("more than %d colours", SH_KEY_MAX_COLORS);
			free(copy);
			return -1;
		}
		if (sh_parse_color(tok, &rgb[*n]) != 0) {
			free(copy);
			return -1;
		}
		(*n)++;
	}
	free(copy);
	if (*n == 0) {
		sh_set_error("no colour given");
		return -1;
	}
	return 0;
}

/* BT.601 video range */
static void rgb_to_yuv(uint32_t rgb, float *y, float *u, float *v)
{
	float r = (float)((rgb >> 16) & 255), g = (float)((rgb >> 8) & 255), b = (float)(rgb & 255);
	*y = 16.0f + 0.256788f * r + 0.504129f * g + 0.097906f * b;
	*u = 128.0f - 0.148223f * r - 0.290993f * g + 0.439216f * b;
	*v = 128.0f + 0.439216f * r - 0.367788f * g - 0.071427f * b;
}

static inline uint8_t clip8(float x)
{
	return x <= 0 ? 0 : x >= 255 ? 255 : (uint8_t)(x + 0.5f);
}

/* ---------------------------------------------------------------- keyer */

/* a slice's row buffers */
typedef struct {
	uint8_t *ue, *ve;        /* chroma expanded to luma width */
	uint8_t *bu, *bv;        /* background chroma rows, expanded */
	float *d;                /* squared distances of a row */
	uint8_t *calpha;         /* alpha of a chroma row */
} key_rows;

struct sh_keyer {
	sh_y4m_info info;
	key_rows *rows;          /* one set per slice */
	int nrows;
	uint8_t *alpha;          /* alpha plane, luma resolution */
	uint8_t *grey;           /* 128s for mono */
	sh_pool *pool;
	/* the call being sliced */
	const sh_key *key;
	const uint8_t *top, *bg;
	uint8_t *dst;
	float kc[SH_KEY_MAX_COLORS][3];
	int nslices;
};

static void rows_alloc(key_rows *r, size_t w)
{
	r->ue = sh_malloc(w);
	r->ve = sh_malloc(w);
	r->bu = sh_malloc(w);
	r->bv = sh_malloc(w);
	r->d = sh_malloc(w * sizeof *r->d);
	r->calpha = sh_malloc(w);
}

static void rows_free(key_rows *r)
{
	free(r->ue);
	free(r->ve);
	free(r->bu);
	free(r->bv);
	free(r->d);
	free(r->calpha);
}

sh_keyer *sh_keyer_new(const sh_y4m_info *info)
{
	sh_keyer *k = sh_calloc(1, sizeof *k);
	k->info = *info;
	k->info.xtags = NULL;
	size_t w = (size_t)info->width;
	k->nrows = 1;
	k->rows = sh_calloc(1, sizeof *k->rows);
	rows_alloc(&k->rows[0], w);
	k->alpha = sh_malloc(info->plane_size[0]);
	k->grey = sh_malloc(w);
	memset(k->grey, 128, w);
	return k;
}

/* A few slices per thread, so a thread slowed by other work does not hold the
 * frame back. */
#define SLICES_PER_THREAD 3

void sh_keyer_threads(sh_keyer *k, sh_pool *pool)
{
	k->pool = pool;
	int n = sh_pool_threads(pool) * SLICES_PER_THREAD;
	if (n <= k->nrows)
		return;
	k->rows = sh_realloc(k->rows, (size_t)n, sizeof *k->rows);
	for (int i = k->nrows; i < n; i++)
		rows_alloc(&k->rows[i], (size_t)k->info.width);
	k->nrows = n;
}

void sh_keyer_free(sh_keyer *k)
{
	if (!k)
		return;
	for (int i = 0; i < k->nrows; i++)
		rows_free(&k->rows[i]);
	free(k->rows);
	free(k->alpha);
	free(k->grey);
	free(k);
}

const uint8_t *sh_keyer_alpha(const sh_keyer *kr) { return kr->alpha; }

/* chroma row -> luma width */
KERNEL static void expand(const uint8_t *src, int shift, int n, uint8_t *dst)
{
	if (!shift) {
		memcpy(dst, src, (size_t)n);
		return;
	}
	for (int x = 0; x < n; x++)
		dst[x] = src[x >> 1];
}

#define KY 1.164383f
#define KRV 1.596027f
#define KGU 0.391762f
#define KGV 0.812968f
#define KBU 2.017232f

/* squared RGB distance to a constant colour, min over calls */
KERNEL static void dist_const(const uint8_t *y, const uint8_t *u, const uint8_t *v, int n, float cy, float cu, float cv,
                       bool first, float *restrict d)
{
	for (int x = 0; x < n; x++) {
		float dy = KY * ((float)y[x] - cy), du = (float)u[x] - cu, dv = (float)v[x] - cv;
		float r = dy + KRV * dv, g = dy - KGU * du - KGV * dv, b = dy + KBU * du;
		float s = r * r + g * g + b * b;
		/* fminf is a library call here; the values are never NaN */
		d[x] = first ? s : s < d[x] ? s : d[x];
	}
}

KERNEL static void dist_rows(const uint8_t *y, const uint8_t *u, const uint8_t *v, const uint8_t *by, const uint8_t *bu,
                      const uint8_t *bv, int n, float *restrict d)
{
	for (int x = 0; x < n; x++) {
		float dy = KY * ((float)y[x] - (float)by[x]), du = (float)u[x] - (float)bu[x],
		      dv = (float)v[x] - (float)bv[x];
		float r = dy + KRV * dv, g = dy - KGU * du - KGV * dv, b = dy + KBU * du;
		d[x] = r * r + g * g + b * b;
	}
}

/* squared distances -> alpha */
KERNEL static void alpha_from_d2(const float *restrict d, int n, double sim, double blend, uint8_t *restrict a)
{
	const float norm = 1.0f / (255.0f * 1.7320508f);
	if (blend <= 1e-4) {
		/* d > sim  <=>  d2 > (sim / norm)^2 */
		float t = (float)(sim / norm);
		float t2 = t * t;
		for (int x = 0; x < n; x++)
			a[x] = d[x] > t2 ? 255 : 0;
		return;
	}
	float s = (float)sim, ib = (float)(255.0 / blend);
	int x = 0;
#ifdef __SSE2__
	/* sqrtf keeps this loop scalar (errno, which -fno-math-errno would lift but a
	 * pragma cannot); the same IEEE operations four at a time, the same bytes */
	const __m128 vn = _mm_set1_ps(norm), vs = _mm_set1_ps(s), vib = _mm_set1_ps(ib), zero = _mm_setzero_ps(),
	             top = _mm_set1_ps(255.0f), half = _mm_set1_ps(0.5f);
	for (; x + 16 <= n; x += 16) {
		__m128i q[4];
		for (int k = 0; k < 4; k++) {
			__m128 v = _mm_mul_ps(_mm_sub_ps(_mm_mul_ps(_mm_sqrt_ps(_mm_loadu_ps(d + x + 4 * k)), vn), vs), vib);
			v = _mm_min_ps(_mm_max_ps(v, zero), top);
			q[k] = _mm_cvttps_epi32(_mm_add_ps(v, half));
		}
		__m128i w = _mm_packs_epi32(q[0], q[1]), z = _mm_packs_epi32(q[2], q[3]);
		_mm_storeu_si128((__m128i *)(void *)(a + x), _mm_packus_epi16(w, z));
	}
#endif
	for (; x < n; x++) {
		float v = (sqrtf(d[x]) * norm - s) * ib;
		v = v < 0 ? 0 : v > 255 ? 255 : v;
		a[x] = (uint8_t)(v + 0.5f);
	}
}

KERNEL static void alpha_luma(const uint8_t *y, int n, bool dark, double sim, double blend, uint8_t *restrict a)
{
	float s = (float)sim;
	float ib = blend > 1e-4 ? (float)(255.0 / blend) : 0;
	for (int x = 0; x < n; x++) {
		float d = dark ? ((float)y[x] - 16.0f) * (1.0f / 219.0f) : (235.0f - (float)y[x]) * (1.0f / 219.0f);
		if (ib > 0) {
			float v = (d - s) * ib;
			v = v < 0 ? 0 : v > 255 ? 255 : v;
			a[x] = (uint8_t)(v + 0.5f);
		} else {
			a[x] = d > s ? 255 : 0;
		}
	}
}

KERNEL static void blend_row(const uint8_t *restrict top, const uint8_t *restrict a, int n, uint8_t *restrict dst)
{
	for (int x = 0; x < n; x++) {
		unsigned al = a[x];
		dst[x] = (uint8_t)((top[x] * al + dst[x] * (255u - al) + 127u) / 255u);
	}
}

/* The mean alpha of each 2x2 (or 2x1: a1 = a0) block; an odd width's last
 * sample covers its one column. */
KERNEL static void chroma_alpha(const uint8_t *restrict a0, const uint8_t *restrict a1, int W, int cw,
                                uint8_t *restrict ca)
{
	int pairs = W / 2;
	for (int x = 0; x < pairs; x++)
		ca[x] = (uint8_t)((a0[2 * x] + a0[2 * x + 1] + a1[2 * x] + a1[2 * x + 1] + 2) >> 2);
	for (int x = pairs; x < cw; x++)
		ca[x] = (uint8_t)((2 * a0[2 * x] + 2 * a1[2 * x] + 2) >> 2);
}

/* Slice i of a composite: its chroma rows (luma rows for mono) and the luma
 * rows they cover, with its own row buffers. */
static void key_slice(void *arg, int i)
{
	sh_keyer *kr = arg;
	const sh_key *key = kr->key;
	const uint8_t *top = kr->top, *bg = kr->bg;
	uint8_t *dst = kr->dst;
	key_rows *sc = &kr->rows[i];
	const sh_y4m_info *in = &kr->info;
	int W = in->width, H = in->height, cw = in->cw;
	bool mono = in->chroma == SH_CHROMA_MONO;
	int sx = in->chroma == SH_CHROMA_420 || in->chroma == SH_CHROMA_422;
	int sy = in->chroma == SH_CHROMA_420;
	size_t ys = in->plane_size[0], cs = in->plane_size[1];
	int crows = mono ? H : in->ch;
	int c0 = (int)((int64_t)crows * i / kr->nslices), c1 = (int)((int64_t)crows * (i + 1) / kr->nslices);
	int y0 = mono ? c0 : c0 << sy, y1 = mono ? c1 : c1 << sy;
	y1 = y1 < H ? y1 : H;

	/* chroma at luma width, for the keys that measure colour: expanded once per
	 * chroma row (4:2:0 luma rows share one) */
	bool chroma_key = !mono && (key->kind == SH_KEY_COLORS || key->kind == SH_KEY_BACKGROUND);
	const uint8_t *u = kr->grey, *v = kr->grey, *bu = kr->grey, *bv = kr->grey;
	int expanded = -1;
	for (int y = y0; y < y1; y++) {
		const uint8_t *ty = top + (size_t)y * W;
		uint8_t *a = kr->alpha + (size_t)y * W;
		if (chroma_key && y >> sy != expanded) {
			expanded = y >> sy;
			size_t crow = (size_t)expanded * cw;
			expand(top + ys + crow, sx, W, sc->ue);
			expand(top + ys + cs + crow, sx, W, sc->ve);
			u = sc->ue;
			v = sc->ve;
			if (key->kind == SH_KEY_BACKGROUND) {
				expand(bg + ys + crow, sx, W, sc->bu);
				expand(bg + ys + cs + crow, sx, W, sc->bv);
				bu = sc->bu;
				bv = sc->bv;
			}
		}
		switch (key->kind) {
		case SH_KEY_COLORS:
			for (int c = 0; c < key->ncolors; c++)
				dist_const(ty, u, v, W, kr->kc[c][0], kr->kc[c][1], kr->kc[c][2], c == 0, sc->d);
			alpha_from_d2(sc->d, W, key->similarity, key->blend, a);
			break;
		case SH_KEY_BACKGROUND:
			dist_rows(ty, u, v, bg + (size_t)y * W, bu, bv, W, sc->d);
			alpha_from_d2(sc->d, W, key->similarity, key->blend, a);
			break;
		case SH_KEY_DARK:
		case SH_KEY_BRIGHT:
			alpha_luma(ty, W, key->kind == SH_KEY_DARK, key->similarity, key->blend, a);
			break;
		}
		blend_row(ty, a, W, dst + (size_t)y * W);
	}
	if (mono)
		return;
	/* chroma: the mean alpha of the luma pixels each sample covers */
	for (int cy = c0; cy < c1; cy++) {
		const uint8_t *a0 = kr->alpha + (size_t)(cy << sy) * W;
		const uint8_t *a1 = sy && (cy << sy) + 1 < H ? a0 + W : a0;
		uint8_t *ca = sc->calpha;
		if (!sx) {
			for (int x = 0; x < cw; x++)
				ca[x] = (uint8_t)((a0[x] + a1[x] + 1) >> 1);
		} else {
			chroma_alpha(a0, a1, W, cw, ca);
		}
		size_t off = (size_t)cy * cw;
		blend_row(top + ys + off, ca, cw, dst + ys + off);
		blend_row(top + ys + cs + off, ca, cw, dst + ys + cs + off);
	}
}

void sh_key_over(sh_keyer *kr, const sh_key *key, const uint8_t *top, const uint8_t *bg, uint8_t *dst)
{
	for (int c = 0; c < key->ncolors; c++)
		rgb_to_yuv(key->rgb[c], &kr->kc[c][0], &kr->kc[c][1], &kr->kc[c][2]);
	kr->key = key;
	kr->top = top;
	kr->bg = bg;
	kr->dst = dst;
	int crows = kr->info.chroma == SH_CHROMA_MONO ? kr->info.height : kr->info.ch;
	int n = sh_pool_threads(kr->pool) > 1 ? kr->nrows : 1;
	kr->nslices = n < crows ? n : crows;
	sh_pool_run(kr->pool, kr->nslices, key_slice, kr);
}

/* ---------------------------------------------------------------- analysis */

double sh_frame_luma(const sh_y4m_info *info, const uint8_t *frame)
{
	uint64_t s = 0;
	for (size_t i = 0; i < info->plane_size[0]; i++)
		s += frame[i];
	double m = (double)s / (double)info->plane_size[0];
	if (info->chroma == SH_CHROMA_MONO)
		return m / 255.0;
	m = (m - 16.0) / 219.0;
	return m < 0 ? 0 : m > 1 ? 1 : m;
}

/* The RGB (0..255 each) of pixel (x, y) of FRAME: BT.601, video range unless mono. */
static void pixel_rgb(const sh_y4m_info *info, const uint8_t *frame, int x, int y, float out[3])
{
	bool mono = info->chroma == SH_CHROMA_MONO;
	int sx = info->chroma == SH_CHROMA_420 || info->chroma == SH_CHROMA_422;
	int sy = info->chroma == SH_CHROMA_420;
	size_t ys = info->plane_size[0], cs = info->plane_size[1];
	float Y = frame[(size_t)y * info->width + x], U = 128, V = 128;
	if (!mono) {
		size_t c = (size_t)(y >> sy) * info->cw + (size_t)(x >> sx);
		U = frame[ys + c];
		V = frame[ys + cs + c];
	}
	float yy = mono ? Y : KY * (Y - 16.0f);
	float r = yy + KRV * (V - 128), g = yy - KGU * (U - 128) - KGV * (V - 128), b = yy + KBU * (U - 128);
	out[0] = r < 0 ? 0 : r > 255 ? 255 : r;
	out[1] = g < 0 ? 0 : g > 255 ? 255 : g;
	out[2] = b < 0 ? 0 : b > 255 ? 255 : b;
}

void sh_frame_rgb(const sh_y4m_info *info, const uint8_t *frame, uint8_t *rgb)
{
	size_t n = (size_t)info->width * (size_t)info->height;
	for (int y = 0; y < info->height; y++)
		for (int x = 0; x < info->width; x++) {
			float c[3];
			pixel_rgb(info, frame, x, y, c);
			size_t o = (size_t)y * info->width + x;
			rgb[o] = (uint8_t)(c[0] + 0.5f);
			rgb[n + o] = (uint8_t)(c[1] + 0.5f);
			rgb[2 * n + o] = (uint8_t)(c[2] + 0.5f);
		}
}

int sh_kmeans_colors(const sh_y4m_info *info, const uint8_t *frame, int k, sh_rng *rng, uint32_t *rgb,
                     double *share)
{
	int W = info->width, H = info->height;
	size_t n = (size_t)((W + 3) / 4) * (size_t)((H + 3) / 4);
	float *p = sh_malloc(n * 3 * sizeof *p);
	size_t i = 0;
	for (int y = 0; y < H; y += 4)
		for (int x = 0; x < W; x += 4)
			pixel_rgb(info, frame, x, y, p + 3 * i++);
	n = i;
	if (k > (int)n)
		k = (int)n;
	double (*c)[3] = sh_calloc((size_t)k, sizeof *c);
	double *d2 = sh_malloc(n * sizeof *d2);
	int *lab = sh_calloc(n, sizeof *lab);
	/* k-means++ seeding */
	size_t first = (size_t)sh_rng_below(rng, n);
	for (int j = 0; j < 3; j++)
		c[0][j] = p[first * 3 + j];
	int have = 1;
	for (; have < k; have++) {
		double tot = 0;
		for (i = 0; i < n; i++) {
			double best = 1e300;
			for (int m = 0; m < have; m++) {
				double dr = p[i * 3] - c[m][0], dg = p[i * 3 + 1] - c[m][1], db = p[i * 3 + 2] - c[m][2];
				double dd = dr * dr + dg * dg + db * db;
				if (dd < best)
					best = dd;
			}
			d2[i] = best;
			tot += best;
		}
		if (tot <= 0)
			break; /* fewer distinct colours than k */
		double r = sh_rng_uniform(rng) * tot;
		for (i = 0; i < n - 1 && r >= d2[i]; i++)
			r -= d2[i];
		for (int j = 0; j < 3; j++)
			c[have][j] = p[i * 3 + j];
	}
	k = have;
	size_t *cnt = sh_calloc((size_t)k, sizeof *cnt);
	double (*sum)[3] = sh_calloc((size_t)k, sizeof *sum);
	for (int it = 0; it < 16; it++) {
		memset(cnt, 0, (size_t)k * sizeof *cnt);
		memset(sum, 0, (size_t)k * sizeof *sum);
		for (i = 0; i < n; i++) {
			int bm = 0;
			double best = 1e300;
			for (int m = 0; m < k; m++) {
				double dr = p[i * 3] - c[m][0], dg = p[i * 3 + 1] - c[m][1], db = p[i * 3 + 2] - c[m][2];
				double dd = dr * dr + dg * dg + db * db;
				if (dd < best) {
					best = dd;
					bm = m;
				}
			}
			lab[i] = bm;
			cnt[bm]++;
			for (int j = 0; j < 3; j++)
				sum[bm][j] += p[i * 3 + j];
		}
		for (int m = 0; m < k; m++)
			if (cnt[m])
				for (int j = 0; j < 3; j++)
					c[m][j] = sum[m][j] / (double)cnt[m];
	}
	/* largest cluster first (ties: lower index) */
	int *order = sh_malloc((size_t)k * sizeof *order);
	for (int m = 0; m < k; m++)
		order[m] = m;
	for (int a = 1; a < k; a++)
		for (int b = a; b > 0 && cnt[order[b]] > cnt[order[b - 1]]; b--) {
			int t = order[b];
			order[b] = order[b - 1];
			order[b - 1] = t;
		}
	int out = 0;
	for (int m = 0; m < k; m++) {
		int o = order[m];
		if (!cnt[o])
			continue;
		uint32_t r = (uint32_t)lround(c[o][0]), g = (uint32_t)lround(c[o][1]), b = (uint32_t)lround(c[o][2]);
		rgb[out] = (r << 16) | (g << 8) | b;
		share[out] = (double)cnt[o] / (double)n;
		out++;
	}
	free(order);
	free(cnt);
	free(sum);
	free(lab);
	free(d2);
	free(c);
	free(p);
	return out;
}

/* ---------------------------------------------------------------- median background */

struct sh_median_bg {
	sh_pool *pool;
	size_t size;
	int window, interval, filled, pos;
	int64_t frames;
	uint8_t **ring;
	uint8_t *bg;
};

sh_median_bg *sh_median_bg_new(const sh_y4m_info *info, int window, int interval)
{
	sh_median_bg *b = sh_calloc(1, sizeof *b);
	b->size = info->frame_size;
	b->window = window;
	b->interval = interval < 1 ? 1 : interval;
	b->ring = sh_calloc((size_t)window, sizeof *b->ring);
	for (int i = 0; i < window; i++)
		b->ring[i] = sh_malloc(b->size);
	b->bg = sh_malloc(b->size);
	return b;
}

/* The median of samples [i0, i0 + len), len <= 64: the ring's values sorted
 * by an odd-even transposition network (n rounds sort n values), a min and a
 * max per compare, across 64 samples at once. */
KERNEL static void median_block(uint8_t *const *r, int n, size_t i0, int len, uint8_t *restrict out)
{
	uint8_t v[16][64];
	for (int j = 0; j < n; j++)
		memcpy(v[j], r[j] + i0, (size_t)len);
	for (int round = 0; round < n; round++)
		for (int j = round & 1; j + 1 < n; j += 2)
			for (int x = 0; x < len; x++) {
				uint8_t a = v[j][x], b = v[j + 1][x];
				v[j][x] = a < b ? a : b;
				v[j + 1][x] = a < b ? b : a;
			}
	memcpy(out, v[(n - 1) / 2], (size_t)len);
}

/* The median of samples [i0, i1). */
static void median_range(sh_median_bg *b, size_t i0, size_t i1)
{
	for (size_t i = i0; i < i1; i += 64) {
		int len = i1 - i < 64 ? (int)(i1 - i) : 64;
		median_block(b->ring, b->filled, i, len, b->bg + i);
	}
}

#define MEDIAN_SLICES 16

static void median_slice(void *arg, int k)
{
	sh_median_bg *b = arg;
	int n = sh_pool_threads(b->pool) > 1 ? MEDIAN_SLICES : 1;
	median_range(b, b->size * (size_t)k / (size_t)n, b->size * (size_t)(k + 1) / (size_t)n);
}

static void median_update(sh_median_bg *b)
{
	if (b->filled == 1) {
		memcpy(b->bg, b->ring[0], b->size);
		return;
	}
	/* samples are independent: slices on the pool */
	sh_pool_run(b->pool, sh_pool_threads(b->pool) > 1 ? MEDIAN_SLICES : 1, median_slice, b);
}

void sh_median_bg_threads(sh_median_bg *b, sh_pool *pool) { b->pool = pool; }

const uint8_t *sh_median_bg_feed(sh_median_bg *b, const uint8_t *frame)
{
	if (b->frames % b->interval == 0) {
		memcpy(b->ring[b->pos], frame, b->size);
		b->pos = (b->pos + 1) % b->window;
		if (b->filled < b->window)
			b->filled++;
		median_update(b);
	}
	b->frames++;
	return b->bg;
}

void sh_median_bg_free(sh_median_bg *b)
{
	if (!b)
		return;
	for (int i = 0; i < b->window; i++)
		free(b->ring[i]);
	free(b->ring);
	free(b->bg);
	free(b);
}
