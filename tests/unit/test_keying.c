/* test_keying.c -- colour keys, the keyed composite, k-means colours, the
 * median background, colour/size/chroma parsing and frame layout. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "chromakey.h"
#include "media.h"
#include "rng.h"
#include "tap.h"

static sh_y4m_info geometry(int w, int h, sh_chroma c)
{
	sh_y4m_info info;
	memset(&info, 0, sizeof info);
	info.width = w;
	info.height = h;
	info.chroma = c;
	sh_media_layout(&info);
	return info;
}

/* a frame filled with one YUV colour */
static void fill(const sh_y4m_info *in, uint8_t *f, int y, int u, int v)
{
	memset(f, y, in->plane_size[0]);
	if (in->plane_size[1]) {
		memset(f + in->plane_size[0], u, in->plane_size[1]);
		memset(f + in->plane_size[0] + in->plane_size[1], v, in->plane_size[1]);
	}
}

int main(void)
{
	/* parsing */
	uint32_t rgb[SH_KEY_MAX_COLORS];
	int n;
	CHECK(sh_parse_color("0x00FF00", rgb) == 0 && rgb[0] == 0x00FF00, "0xRRGGBB");
	CHECK(sh_parse_color("#a3b2c1", rgb) == 0 && rgb[0] == 0xA3B2C1, "#rrggbb");
	CHECK(sh_parse_color("white", rgb) == 0 && rgb[0] == 0xFFFFFF, "colour name");
	CHECK(sh_parse_color("0x12345", rgb) != 0, "five hex digits refused");
	CHECK(sh_parse_color("chartreuse-ish", rgb) != 0, "unknown name refused");
	CHECK(sh_parse_colors("white,#000000, lime", rgb, &n) == 0 && n == 3 && rgb[2] == 0x00FF00, "colour list");
	CHECK(sh_parse_colors("", rgb, &n) != 0, "empty list refused");
	int w, h;
	CHECK(sh_parse_size("1280x720", &w, &h) == 0 && w == 1280 && h == 720, "size");
	CHECK(sh_parse_size("1x720", &w, &h) != 0 && sh_parse_size("20000x10", &w, &h) != 0, "sizes out of range refused");
	CHECK(sh_parse_size("1280x", &w, &h) != 0 && sh_parse_size("x720", &w, &h) != 0, "half sizes refused");
	sh_chroma c;
	char tag[16];
	CHECK(sh_parse_chroma("420paldv", &c, tag) == 0 && c == SH_CHROMA_420 && !strcmp(tag, "420paldv"), "chroma tag kept");
	CHECK(sh_parse_chroma("411", &c, tag) != 0, "411 refused");
	CHECK(sh_parse_frame_fit("pad") == SH_FRAME_FIT_PAD && sh_parse_frame_fit("zoom") < 0, "fit names");
	sh_y4m_info odd = geometry(5, 3, SH_CHROMA_420);
	CHECK(odd.cw == 3 && odd.ch == 2 && odd.frame_size == 15 + 12, "odd 4:2:0 layout rounds chroma up");
	sh_y4m_info big = {.width = 16385, .height = 8, .chroma = SH_CHROMA_444};
	CHECK(sh_media_layout(&big) != 0, "a width over 16384 refused");
	sh_y4m_info most = {.width = 16384, .height = 16384, .chroma = SH_CHROMA_444};
	CHECK(sh_media_layout(&most) == 0 && most.frame_size == 3u * 16384 * 16384, "the largest frame's size");

	/* keyed composite: green top over blue bottom, green keyed */
	const sh_y4m_info in = geometry(8, 4, SH_CHROMA_420);
	uint8_t *top = malloc(in.frame_size), *dst = malloc(in.frame_size), *blue = malloc(in.frame_size);
	fill(&in, blue, 41, 240, 110);
	fill(&in, top, 145, 54, 34); /* 0x00FF00 in BT.601 video range */
	sh_keyer *kr = sh_keyer_new(&in);
	sh_key key = {.kind = SH_KEY_COLORS, .ncolors = 1, .rgb = {0x00FF00}, .similarity = 0.1, .blend = 0};
	memcpy(dst, blue, in.frame_size);
	sh_key_over(kr, &key, top, NULL, dst);
	CHECK(memcmp(dst, blue, in.frame_size) == 0, "the key colour vanishes entirely");
	key.rgb[0] = 0xFF0000;
	memcpy(dst, blue, in.frame_size);
	sh_key_over(kr, &key, top, NULL, dst);
	CHECK(memcmp(dst, top, in.frame_size) == 0, "a far colour stays opaque");
	/* blend: halfway between similarity and similarity + blend gives half */
	key.rgb[0] = 0x00FF00;
	key.similarity = 0;
	key.blend = 1;
	memcpy(dst, blue, in.frame_size);
	sh_key_over(kr, &key, top, NULL, dst);
	const uint8_t *a = sh_keyer_alpha(kr);
	CHECK(a[0] < 10, "blend: near the key nearly transparent (alpha %d)", a[0]);
	/* two colours: the nearer decides */
	sh_key two = {.kind = SH_KEY_COLORS, .ncolors = 2, .rgb = {0xFF0000, 0x00FF00}, .similarity = 0.1, .blend = 0};
	memcpy(dst, blue, in.frame_size);
	sh_key_over(kr, &two, top, NULL, dst);
	CHECK(memcmp(dst, blue, in.frame_size) == 0, "second key colour keys too");

	/* a half-green, half-red top: chroma follows the luma alpha */
	for (int y = 0; y < 4; y++)
		for (int x = 4; x < 8; x++)
			top[y * 8 + x] = 81;
	for (int y = 0; y < 2; y++)
		for (int x = 2; x < 4; x++) {
			top[32 + y * 4 + x] = 90;
			top[40 + y * 4 + x] = 240;
		}
	memcpy(dst, blue, in.frame_size);
	sh_key_over(kr, &key, top, NULL, dst);
	key.similarity = 0.2;
	key.blend = 0;
	memcpy(dst, blue, in.frame_size);
	sh_key_over(kr, &key, top, NULL, dst);
	CHECK(dst[0] == 41 && dst[7] == 81 && dst[32] == 240 && dst[32 + 3] == 90, "left keyed, right kept, chroma too");

	/* luma keys */
	sh_key dark = {.kind = SH_KEY_DARK, .similarity = 0.1, .blend = 0};
	fill(&in, top, 16, 128, 128);
	memcpy(dst, blue, in.frame_size);
	sh_key_over(kr, &dark, top, NULL, dst);
	CHECK(memcmp(dst, blue, in.frame_size) == 0, "dark key: black vanishes");
	fill(&in, top, 235, 128, 128);
	memcpy(dst, blue, in.frame_size);
	sh_key_over(kr, &dark, top, NULL, dst);
	CHECK(memcmp(dst, top, in.frame_size) == 0, "dark key: white stays");

	/* background key */
	uint8_t *bg = malloc(in.frame_size);
	fill(&in, bg, 235, 128, 128);
	sh_key still = {.kind = SH_KEY_BACKGROUND, .similarity = 0.05, .blend = 0};
	memcpy(dst, blue, in.frame_size);
	sh_key_over(kr, &still, top, bg, dst);
	CHECK(memcmp(dst, blue, in.frame_size) == 0, "background key: what matches the background vanishes");

	/* k-means: two colours, 3/4 and 1/4 of the frame */
	const sh_y4m_info km = geometry(64, 64, SH_CHROMA_444);
	uint8_t *f = malloc(km.frame_size);
	fill(&km, f, 145, 54, 34);
	for (int y = 0; y < 64; y++)
		for (int x = 0; x < 16; x++) {
			f[y * 64 + x] = 41;
			f[4096 + y * 64 + x] = 240;
			f[8192 + y * 64 + x] = 110;
		}
	sh_rng rng;
	sh_rng_seed(&rng, 1);
	uint32_t cols[8];
	double share[8];
	int got = sh_kmeans_colors(&km, f, 3, &rng, cols, share);
	int g = (cols[0] >> 8) & 255, r = cols[0] >> 16, b2 = cols[1] & 255;
	CHECK(got == 2, "two distinct colours make two clusters (%d)", got);
	CHECK(g > 250 && r < 4 && b2 > 250, "dominant green first, then blue (0x%06X 0x%06X)", cols[0], cols[1]);
	CHECK(share[0] > 0.74 && share[0] < 0.76, "green's share 3/4 (%.3f)", share[0]);
	sh_rng_seed(&rng, 1);
	uint32_t again[8];
	sh_kmeans_colors(&km, f, 3, &rng, again, share);
	CHECK(again[0] == cols[0] && again[1] == cols[1], "k-means is deterministic by seed");
	CHECK(sh_frame_luma(&km, f) > 0.4 && sh_frame_luma(&km, f) < 0.5, "mean luma");

	/* median background: a value seen once in five samples does not stay */
	const sh_y4m_info mb = geometry(4, 2, SH_CHROMA_MONO);
	sh_median_bg *m = sh_median_bg_new(&mb, 5, 1);
	uint8_t frame[8];
	const uint8_t *bgp = NULL;
	for (int i = 0; i < 5; i++) {
		memset(frame, i == 2 ? 200 : 50 + i, sizeof frame);
		bgp = sh_median_bg_feed(m, frame);
	}
	CHECK(bgp[0] == 52 || bgp[0] == 53, "median ignores the outlier (%d)", bgp[0]);
	sh_median_bg_free(m);
	m = sh_median_bg_new(&mb, 3, 4);
	memset(frame, 10, sizeof frame);
	sh_median_bg_feed(m, frame);
	memset(frame, 99, sizeof frame);
	bgp = sh_median_bg_feed(m, frame);
	CHECK(bgp[0] == 10, "between samples the background holds");
	sh_median_bg_free(m);

	sh_keyer_free(kr);
	free(top);
	free(dst);
	free(blue);
	free(bg);
	free(f);
	return tap_failed;
}
