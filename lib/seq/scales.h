/* scales.h -- registries of named pitch sets: the scales (semitone offsets
 * within an octave) and the chord vocabulary (offsets above a root).
 *
 * A registry is loaded from its file in share/shards (installed or in the source
 * tree: scales.json, chords.json), then the user's $XDG_CONFIG_HOME/shards/ file
 * of the same name (~/.config/shards/...), then an extra file given by the
 * program; a later file adds sets and replaces those of the same name. A file is
 * one JSON object: name -> array of distinct integer offsets, strictly ascending
 * (0..11 for a scale, 0..48 for a chord); a name is not empty and has no comma,
 * so names can be listed. */
#ifndef SHARDS_SCALES_H
#define SHARDS_SCALES_H

#include <stddef.h>

#define SH_SCALE_MAX 12 /* offsets in a set */

typedef struct {
	char *name;
	int n;
	int step[SH_SCALE_MAX];
} sh_scale;

/* What a registry holds. */
typedef struct {
	const char *what;     /* "scale": for messages */
	const char *file;     /* "scales.json" */
	int max_offset;       /* 11 */
	const sh_scale *core; /* what it holds when its data file is missing */
	int ncore;
} sh_set_kind;

extern const sh_set_kind sh_scale_kind, sh_chord_kind;

typedef struct {
	sh_scale *s;
	size_t n;
	const sh_set_kind *kind; /* NULL: scales */
} sh_scales;

/* Loads the system and user files, then `extra` (NULL for none). -1 with sh_error()
 * naming file, set and value on a malformed file (what was loaded stays in REG,
 * for sh_scales_free). sh_scales_load loads the scales. */
int sh_sets_load(sh_scales *reg, const sh_set_kind *kind, const char *extra);
int sh_scales_load(sh_scales *reg, const char *extra);
/* Adds the sets of one file; -1 with sh_error() on failure. */
int sh_scales_add_file(sh_scales *reg, const char *path);
/* Adds or replaces one set; -1 with sh_error(). */
int sh_scales_add(sh_scales *reg, const char *name, const int *steps, int n);
const sh_scale *sh_scales_find(const sh_scales *reg, const char *name);
/* The same, or NULL with sh_error() "unknown scale 'x' (known: ...)". */
const sh_scale *sh_scales_lookup(const sh_scales *reg, const char *name);
/* "dorian, lydian, ..." sorted, for error messages (caller frees). */
char *sh_scales_names(const sh_scales *reg);
void sh_scales_free(sh_scales *reg);

/* Pitch of scale degree `degree` (any integer; 7 in a 7-note scale is the octave)
 * above root, shifted by `octave` octaves. */
int sh_scale_pitch(const sh_scale *s, int root, int degree, int octave);

#endif
