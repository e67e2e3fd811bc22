/* test_vfilter.c -- YUV <-> RGB conversion per chroma layout, noise tables, LUTs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rng.h"
#include "tap.h"
#include "vfilter.h"

/* A sh_vf with a layout but no streams, enough for the conversions. */
static void fake(sh_vf *vf, const char *chroma, int w, int h, bool full)
{
	char line[128];
	snprintf(line, sizeof line, "YUV4MPEG2 W%d H%d C%s%s", w, h, chroma, full ? " XCOLORRANGE=FULL" : "");
	memset(vf, 0, sizeof *vf);
	if (sh_y4m_parse_header(line, strlen(line), &vf->info) != 0)
		return;
	vf->nplanes = vf->info.chroma == SH_CHROMA_MONO ? 1 : 3;
	vf->pw[0] = w, vf->ph[0] = h;
	vf->pw[1] = vf->pw[2] = vf->info.cw;
	vf->ph[1] = vf->ph[2] = vf->info.ch;
	vf->full_range = sh_y4m_full_range(&vf->info);
	vf->black = vf->full_range ? 0 : 16;
	vf->white = vf->full_range ? 255 : 235;
}

static void unfake(sh_vf *vf)
{
	free(vf->scratch);
	sh_y4m_info_free(&vf->info);
}

/* each row counted once per slice that covers it; slices never overlap, so
 * the counters need no lock */
static void count_rows(void *ctx, int y0, int y1)
{
	int *hits = ctx;
	for (int y = y0; y < y1; y++)
		hits[y]++;
}

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	sh_vf vf;
	/* limited-range BT.601 red, 4:4:4: Y 81, Cb 90, Cr 240 */
	fake(&vf, "444", 4, 2, false);
	uint8_t frame[24], rgb[24];
	memset(frame, 81, 8), memset(frame + 8, 90, 8), memset(frame + 16, 240, 8);
	sh_vf_to_rgb(&vf, frame, rgb);
	CHECK(rgb[0] >= 253 && rgb[8] <= 2 && rgb[16] <= 2, "limited red -> RGB %d,%d,%d", rgb[0], rgb[8], rgb[16]);
	uint8_t back[24];
	sh_vf_from_rgb(&vf, rgb, back);
	CHECK(abs(back[0] - 81) <= 1 && abs(back[8] - 90) <= 1 && abs(back[16] - 240) <= 1, "red back: %d %d %d",
	      back[0], back[8], back[16]);
	unfake(&vf);
	fake(&vf, "444", 4, 2, true);
	CHECK(vf.full_range && vf.black == 0, "XCOLORRANGE=FULL selects full range");
	memset(frame, 76, 8), memset(frame + 8, 85, 8), memset(frame + 16, 255, 8);
	sh_vf_to_rgb(&vf, frame, rgb);
	CHECK(rgb[0] >= 253 && rgb[8] <= 2 && rgb[16] <= 2, "full-range red -> RGB %d,%d,%d", rgb[0], rgb[8], rgb[16]);
	unfake(&vf);

	/* round trips on smooth content stay close for every layout, odd sizes included */
	const char *chromas[] = {"420jpeg", "420mpeg2", "420paldv", "420", "422", "444", "mono"};
	for (int full = 0; full < 2; full++)
		for (size_t c = 0; c < sizeof chromas / sizeof *chromas; c++) {
			int w = 37, h = 23;
			fake(&vf, chromas[c], w, h, full);
			size_t fs = vf.info.frame_size, n = (size_t)w * h;
			uint8_t *f = malloc(fs), *g = malloc(fs), *r = malloc(3 * n);
			uint8_t *pl[3];
			sh_vf_planes(&vf, f, pl);
			for (int y = 0; y < h; y++)
				for (int x = 0; x < w; x++)
					pl[0][y * w + x] = (uint8_t)(60 + x * 2 + y);
			for (int p = 1; p < vf.nplanes; p++)
				for (int y = 0; y < vf.info.ch; y++)
					for (int x = 0; x < vf.info.cw; x++)
						pl[p][y * vf.info.cw + x] = (uint8_t)(128 + (p == 1 ? x : -y));
			sh_vf_to_rgb(&vf, f, r);
			sh_vf_from_rgb(&vf, r, g);
			int worst = 0;
			for (size_t i = 0; i < fs; i++)
				if (abs(f[i] - g[i]) > worst)
					worst = abs(f[i] - g[i]);
			CHECK(worst <= 2, "C%s %s range: YUV->RGB->YUV within 2 (worst %d)", chromas[c],
			      full ? "full" : "limited", worst);
			free(f), free(g), free(r);
			unfake(&vf);
		}

	/* noise tables: deviation SH_NOISE_UNIT, scaled to the asked deviation */
	sh_rng rng;
	sh_rng_seed(&rng, 1);
	sh_noise_table t;
	sh_noise_table_init(&t, 100000, true, &rng);
	int8_t *sc = malloc((size_t)t.n);
	sh_noise_scale(&t, sh_noise_mul(5), sc);
	double s2 = 0;
	for (int i = 0; i < t.n; i++)
		s2 += (double)sc[i] * sc[i];
	CHECK(s2 / t.n > 4.6 * 4.6 && s2 / t.n < 5.4 * 5.4, "scaled noise deviation near 5");
	uint8_t row[4] = {0, 10, 250, 128}, out[4];
	int8_t nz[4] = {-5, -20, 20, 3};
	sh_add_noise_row(out, row, nz, 4);
	CHECK(out[0] == 0 && out[1] == 0 && out[2] == 255 && out[3] == 131, "noise add saturates");
	free(sc);
	sh_noise_table_free(&t);

	/* the driver's noise rows: the same seed gives the same rows; memory the run
	 * owns goes with sh_vf_close */
	{
		sh_vf nv;
		fake(&nv, "420jpeg", 64, 48, false);
		sh_noise_rows a, b;
		sh_rng ra, rb;
		sh_rng_seed(&ra, 9);
		sh_rng_seed(&rb, 9);
		sh_vf_noise_rows(&nv, &a, true, &ra);
		sh_vf_noise_rows(&nv, &b, true, &rb);
		CHECK(a.span == 64 + 4096 && a.table.n == 64 + a.span, "noise rows: table of width + span");
		sh_noise_scale(&a.table, sh_noise_mul(8), a.scaled);
		sh_noise_scale(&b.table, sh_noise_mul(8), b.scaled);
		bool same = true;
		for (int y = 0; y < 48; y++)
			same &= memcmp(sh_noise_row(&a), sh_noise_row(&b), 64) == 0;
		CHECK(same, "noise rows: the same seed, the same rows");
		uint8_t *buf = sh_vf_alloc(&nv, 100, 4);
		bool zero = true;
		for (int i = 0; i < 400; i++)
			zero &= buf[i] == 0;
		CHECK(zero && nv.nowned == 5, "sh_vf_alloc: zeroed, owned by the run (%zu)", nv.nowned);
		CHECK(sh_vf_close(&nv, true) == 0 && nv.owned == NULL, "sh_vf_close frees what the run owned");
	}

	uint8_t lut[256];
	for (int i = 0; i < 256; i++)
		lut[i] = (uint8_t)i;
	CHECK(sh_lut_is_identity(lut), "identity table recognised");
	lut[7] = 8;
	CHECK(!sh_lut_is_identity(lut), "non-identity table recognised");

	/* straight-line tables: the vectorised multiply-add gives the table's bytes */
	{
		const double lines[][2] = {{1.3, -38.4}, {0.5, 64}, {2, -128}, {1.5, 0.25}, {4, -300}, {0, 77}, {0.2, 102.4}};
		bool all_same = true, found = true;
		for (size_t l = 0; l < sizeof lines / sizeof *lines; l++) {
			uint8_t t8[256], a[256], b[256];
			for (int v = 0; v < 256; v++) {
				long k = lround(lines[l][0] * v + lines[l][1]);
				t8[v] = (uint8_t)(k < 0 ? 0 : k > 255 ? 255 : k);
				a[v] = b[v] = (uint8_t)v;
			}
			int32_t mul, add;
			if (!sh_lut_affine(t8, lines[l][0], lines[l][1], &mul, &add)) {
				found = false;
				continue;
			}
			sh_lut_row(a, t8, 256);
			sh_affine_row(b, mul, add, 256);
			all_same &= memcmp(a, b, 256) == 0;
		}
		CHECK(found, "straight-line tables recognised as lines");
		CHECK(all_same, "sh_affine_row gives sh_lut_row's bytes");
		for (int v = 0; v < 256; v++)
			lut[v] = (uint8_t)(255 * pow(v / 255.0, 0.5) + 0.5);
		int32_t mul, add;
		CHECK(!sh_lut_affine(lut, 1, 0, &mul, &add), "a gamma curve is not taken for a line");
	}

	/* slices cover the rows once, whatever the threads */
	{
		sh_vf sv;
		fake(&sv, "420jpeg", 65, 49, false);
		for (int threads = 1; threads <= 5; threads++) {
			sv.pool = threads > 1 ? sh_pool_new(threads) : NULL;
			int hits[49] = {0};
			sh_vf_slices(&sv, 49, count_rows, hits);
			bool once = true;
			for (int y = 0; y < 49; y++)
				once &= hits[y] == 1;
			CHECK(once, "sh_vf_slices: every row once on %d threads", threads);
			int a, b, prev = 0;
			bool cover = true;
			for (int i = 0; i < 7; i++) {
				sh_vf_plane_rows(&sv, 1, 49 * i / 7, 49 * (i + 1) / 7, &a, &b);
				cover &= a == prev;
				prev = b;
			}
			CHECK(cover && prev == sv.info.ch, "sh_vf_plane_rows: luma slices cut chroma into slices");
			sh_pool_free(sv.pool);
			sv.pool = NULL;
		}
		unfake(&sv);
	}
	return tap_failed;
}
