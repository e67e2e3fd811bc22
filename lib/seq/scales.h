/* scales.h -- the scale registry: named sets of semitone offsets within an octave.
 *
 * Loaded from share/shards/scales.json (installed or in the source tree), then the
 * user's $XDG_CONFIG_HOME/shards/scales.json (~/.config/shards/scales.json), then
 * an extra file given by the program; a later file adds scales and replaces those
 * of the same name. A file is one JSON object: name -> array of distinct integer
 * offsets in 0..11, strictly ascending. */
#ifndef SHARDS_SCALES_H
#define SHARDS_SCALES_H

#include <stddef.h>

#define SH_SCALE_MAX 12

typedef struct {
	char *name;
	int n;
	int step[SH_SCALE_MAX];
} sh_scale;

typedef struct {
	sh_scale *s;
	size_t n;
} sh_scales;

/* Loads the system and user files, then `extra` (NULL for none). -1 with sh_error()
 * naming file, scale and value on a malformed file (what was loaded stays in REG,
 * for sh_scales_free). */
int sh_scales_load(sh_scales *reg, const char *extra);
/* Adds the scales of one file; -1 with sh_error() on failure. */
int sh_scales_add_file(sh_scales *reg, const char *path);
/* Adds or replaces one scale from JSON text or an array; -1 with sh_error(). */
int sh_scales_add(sh_scales *reg, const char *name, const int *steps, int n);
const sh_scale *sh_scales_find(const sh_scales *reg, const char *name);
/* "dorian, lydian, ..." sorted, for error messages (caller frees). */
char *sh_scales_names(const sh_scales *reg);
void sh_scales_free(sh_scales *reg);

/* Pitch of scale degree `degree` (any integer; 7 in a 7-note scale is the octave)
 * above root, shifted by `octave` octaves. */
int sh_scale_pitch(const sh_scale *s, int root, int degree, int octave);

#endif
