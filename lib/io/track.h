/* track.h -- the track manifest: a whole audiovisual track described as parts
 * in order, each a sample and a visual, as one JSON document ("shards-track",
 * version 1, documented in shards(7)). manifest(1) writes a template from a
 * folder, compose(1) reads one (or the folder) and writes a Makefile.
 *
 * The folder convention: TRACK/PART/sample.* (one sound) and, beside it,
 *   visual.<picture>   a still           kind "still"
 *   visual.<video>     a clip           kind "clip"
 *   pictures           any other pictures in the part's folder, or a sub-folder
 *                      holding them: they switch at the sound's transients,
 *                      kind "pictures" (the visual is that folder)
 * Parts are the sub-folders in byte order of their names (strcmp, as `LC_ALL=C
 * ls`: number them 01-intro, 02-break ... to order them); hidden ones and ones
 * without a sample are left out.
 *
 * Paths in a manifest are relative to the manifest's own folder (absolute ones
 * are kept). Reading validates everything a render needs before it starts:
 * unknown keys, the version, types and ranges, files that exist, and parts
 * no shorter than their slices; the first problem is one line naming the part
 * and the key. */
#ifndef SHARDS_TRACK_H
#define SHARDS_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SH_TRACK_FORMAT "shards-track"
#define SH_TRACK_VERSION 1
#define SH_TRACK_MAX_PARTS 1000

typedef enum { SH_VISUAL_STILL, SH_VISUAL_PICTURES, SH_VISUAL_CLIP } sh_visual_kind;

/* Micro-sampling settings. In a part each may be unset (JSON null): the
 * track's setting then holds. */
typedef struct {
	char *slice;             /* cutgen's --slice: "1/16", "40ms", "2f", "0.5s" */
	double shuffle, stutter, reverse, drop; /* 0..1 */
	int64_t max_repeats;     /* 2..64 */
	int64_t seed;            /* >= 0; -1: unset */
	bool has_slice, has_shuffle, has_stutter, has_reverse, has_drop, has_max_repeats, has_seed;
} sh_track_micro;

typedef struct {
	char *name;
	char *sample, *visual;   /* as in the manifest (relative to its folder) */
	sh_visual_kind kind;
	double duration;         /* seconds, as measured when the manifest was made */
	double bpm;              /* 0: no tempo found (the part is not stretched) */
	char *key;               /* "A minor"; NULL when no tonal centre */
	double start;            /* seconds on the track's timeline; -1 (null): where the part
	                            before ends */
	double gain_db;          /* -60..24 */
	sh_track_micro micro;
} sh_track_part;

typedef struct {
	char *base;              /* the folder paths are relative to (no trailing '/') */
	double bpm;              /* the target tempo; 0: the dominant one (null) */
	char *fps;               /* "30", "30000/1001" */
	char *size;              /* "WxH" */
	char *x264_preset;
	int64_t crf;
	double loudness;         /* LUFS target of the master */
	double true_peak;        /* dBTP ceiling */
	sh_track_micro micro;    /* every field set */
	sh_track_part *parts;
	int nparts;
} sh_track;

const char *sh_visual_kind_name(sh_visual_kind k);

/* The defaults of a new track (no parts): 30 fps, 640x360, the micro-sampling
 * defaults of cutgen with sixteenth-note slices, -14 LUFS, -1 dBTP. */
void sh_track_init(sh_track *t);
void sh_track_free(sh_track *t);

/* Scan DIR by the folder convention into T (defaults, parts with their files
 * and durations; bpm and key are left for the caller to detect). -1 +
 * sh_error() when DIR cannot be read or holds no part. */
int sh_track_scan(const char *dir, sh_track *t);

/* Read and validate the manifest at PATH ("-": standard input, paths then
 * relative to the working folder). -1 + sh_error(): *INVALID false when PATH is
 * no track manifest at all (unreadable, not JSON, another "format"), true when
 * it is one that fails the schema, in one line "part 'NAME': KEY: what is
 * wrong" (or "KEY: ..." for the track's settings). */
int sh_track_read(const char *path, sh_track *t, bool *invalid);
/* The same over TEXT (LEN bytes) already in memory, paths relative to BASE;
 * errors name NAME. */
int sh_track_parse(const char *text, size_t len, const char *name, const char *base, sh_track *t, bool *invalid);

/* Check a track (read or scanned, after the caller's changes): values in
 * range, files present, each part at least one slice long at TARGET_BPM (the
 * tempo the part is stretched to). -1 + sh_error() as above. */
int sh_track_check(const sh_track *t, double target_bpm);

/* A path of the track as the file system sees it: BASE/PATH, or PATH when
 * absolute. malloc'd. */
char *sh_track_path(const sh_track *t, const char *path);

/* The dominant tempo: the one (within 2%) that the most seconds of parts share;
 * 0 when no part has one. */
double sh_track_dominant_bpm(const sh_track *t);

/* The tempo a part at FROM bpm is stretched to: TARGET times the power of two
 * nearest FROM (a 70 BPM part joins a 140 BPM track at 70, not at double
 * speed). FROM 0: 0 (not stretched). */
double sh_track_part_target(double from, double target);

/* The manifest as JSON text (malloc'd, newline-terminated), paths relative
 * to T->base. NULL + sh_error(). */
char *sh_track_json(const sh_track *t);

#endif
