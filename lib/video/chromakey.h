/* keying.h -- colour keys over y4m frames: per-pixel transparency from the
 * distance to key colours, to a luma extreme, or to a background model, and the
 * "over" composite of a keyed layer onto the frame below.
 *
 * Distance is measured as ffmpeg's colorkey filter does, in RGB:
 * d = sqrt(dR^2 + dG^2 + dB^2) / (255 * sqrt 3), 0..1, where the RGB
 * differences come straight from the YUV differences (BT.601, video range; the
 * conversion is linear, so no per-pixel RGB conversion is needed). A pixel is
 * opaque (alpha 255) when d > similarity + blend, transparent (0) when
 * d <= similarity, and in between when blend > 0:
 * alpha = clamp((d - similarity) / blend, 0, 1). With several key colours the
 * nearest one decides. Chroma samples take the mean alpha of the luma pixels
 * they cover (2x2 for 4:2:0, 2x1 for 4:2:2).
 *
 * Luma keys use d = (Y - 16) / 219 (dark: black is keyed) or (235 - Y) / 219
 * (bright: white is keyed). Motion keys use the distance to a background frame,
 * the per-sample median of the last few sampled frames (sh_median_bg). */
#ifndef SHARDS_KEYING_H
#define SHARDS_KEYING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jobs.h"
#include "rng.h"
#include "y4m.h"

#define SH_KEY_MAX_COLORS 8

typedef enum { SH_KEY_COLORS, SH_KEY_DARK, SH_KEY_BRIGHT, SH_KEY_BACKGROUND } sh_key_kind;

typedef struct {
	sh_key_kind kind;
	int ncolors;
	uint32_t rgb[SH_KEY_MAX_COLORS];   /* 0xRRGGBB */
	double similarity;                 /* 0..1 */
	double blend;                      /* 0..1 */
} sh_key;

/* "0xRRGGBB", "#RRGGBB", "RRGGBB" or a name (white black red green lime blue
 * cyan magenta yellow gray); -1 + sh_error() else. */
int sh_parse_color(const char *text, uint32_t *rgb);
/* The option-table rows of the keying knobs (sh_option, params.h), for every
 * program that keys layers: the variables they set, in this order. */
#define SH_KEY_OPTIONS(mode, colors, similarity, blend, clusters, keys, luma) \
	{.name = "mode", .short_name = 'm', .type = SH_OPT_CHOICE, .dest = &(mode), \
	 .choices = "fixed|kmeans|luminance|motion", .arg = "MODE", \
	 .help = "what is keyed: given colours, each layer's own, its shadows or highlights, or what stands still"}, \
	{.name = "colors", .short_name = 'c', .type = SH_OPT_STRING, .dest = &(colors), .arg = "LIST", \
	 .help = "fixed: key colours, 0xRRGGBB or names, comma-separated"}, \
	{.name = "similarity", .short_name = 'S', .type = SH_OPT_RANGE, .dest = &(similarity), .min = 0, .max = 1, \
	 .help = "closeness that vanishes, 0..1, drawn per layer"}, \
	{.name = "blend", .short_name = 'B', .type = SH_OPT_RANGE, .dest = &(blend), .min = 0, .max = 1, \
	 .help = "edge softness, 0..1, drawn per layer"}, \
	{.name = "clusters", .short_name = 'k', .type = SH_OPT_INT, .dest = &(clusters), .min = 1, .max = 16, \
	 .help = "kmeans: colour groups, 1..16"}, \
	{.name = "keys", .type = SH_OPT_INT, .dest = &(keys), .min = 1, .max = SH_KEY_MAX_COLORS, \
	 .help = "kmeans: largest groups keyed, 1..8"}, \
	{.name = "luma", .type = SH_OPT_CHOICE, .dest = &(luma), .choices = "dark|bright|auto", \
	 .help = "luminance: key the dark or bright parts, or pick per layer"}

/* Comma-separated colours, at most SH_KEY_MAX_COLORS. */
int sh_parse_colors(const char *text, uint32_t *rgb, int *n);

/* Composite TOP over DST (both frames of geometry INFO) with key K; BG is the
 * background frame for SH_KEY_BACKGROUND (else NULL). Scratch is allocated
 * inside a context made once per geometry. */
typedef struct sh_keyer sh_keyer;
sh_keyer *sh_keyer_new(const sh_y4m_info *info);
/* Share each composite's rows among POOL's threads (NULL: one); the bytes are
 * the same for any number. */
void sh_keyer_threads(sh_keyer *k, sh_pool *pool);
void sh_keyer_free(sh_keyer *k);
void sh_key_over(sh_keyer *kr, const sh_key *key, const uint8_t *top, const uint8_t *bg, uint8_t *dst);
/* The alpha plane (luma resolution) of the last sh_key_over, for tests/masks. */
const uint8_t *sh_keyer_alpha(const sh_keyer *kr);

/* Dominant colours of a frame: k-means (k clusters, k-means++ seeding from RNG,
 * 16 Lloyd iterations) over every 4th pixel in each direction, in RGB.
 * Writes the centroids as 0xRRGGBB sorted by cluster share (largest first) and
 * the shares (0..1); returns the number of clusters found (<= k). */
int sh_kmeans_colors(const sh_y4m_info *info, const uint8_t *frame, int k, sh_rng *rng, uint32_t *rgb,
                     double *share);

/* Mean luma of a frame, 0 (black) .. 1 (white), video range. */
double sh_frame_luma(const sh_y4m_info *info, const uint8_t *frame);
/* FRAME as RGB for a picture of it: three planes R, G, B of width x height bytes
 * each, one after the other (BT.601, as the keys see colours). */
void sh_frame_rgb(const sh_y4m_info *info, const uint8_t *frame, uint8_t *rgb);

/* Temporal-median background: every INTERVAL frames the current frame enters a
 * ring of WINDOW (odd, 3..15) samples and the background becomes their
 * per-sample median. Until the ring fills, the median of what it holds. */
typedef struct sh_median_bg sh_median_bg;
sh_median_bg *sh_median_bg_new(const sh_y4m_info *info, int window, int interval);
/* Feed every frame in order; returns the background to key against. */
const uint8_t *sh_median_bg_feed(sh_median_bg *b, const uint8_t *frame);
/* Share the median's samples among POOL's threads (NULL: one). */
void sh_median_bg_threads(sh_median_bg *b, sh_pool *pool);
void sh_median_bg_free(sh_median_bg *b);

#endif
