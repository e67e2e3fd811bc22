/* instr.h -- instrument files for the sample player (voices.h): a basic SFZ
 * reader and a Hydrogen drumkit.xml reader.
 *
 * SFZ: <control>, <global>, <group> and <region> headers; a region takes the
 * opcodes of the <global> and <group> above it and its own. Opcodes read:
 * sample, default_path (<control>), lokey, hikey, key (sets all three of
 * lokey, hikey, pitch_keycenter), pitch_keycenter, lovel, hivel, loop_mode
 * (no_loop, one_shot, loop_continuous; loop_sustain plays as loop_continuous),
 * loop_start, loop_end (loopstart, loopend too), volume (dB). Keys are MIDI
 * numbers or note names (c4 = 60, c#4, db4). Any other opcode or header is
 * warned about once, by name, and ignored. Sample paths are relative to the
 * SFZ file's folder (with default_path), backslashes read as slashes.
 *
 * Hydrogen: the <instrument> elements of <instrumentList>, each with its
 * <name> and the <filename> of its first <layer> (or, in old kits, of the
 * instrument itself); paths relative to the kit's folder. Written by hand
 * because the format needs four tags: a careful scanner that skips comments,
 * CDATA and processing instructions and decodes the five XML entities and
 * numeric character references. */
#ifndef SHARDS_INSTR_H
#define SHARDS_INSTR_H

#include "voices.h"

#include <stddef.h>

typedef struct {
	sh_region r;     /* r.sample unset: the program loads path */
	char *path;
} sh_sfz_region;

/* Read PATH: an array of *n regions (free with sh_sfz_free), or NULL with
 * sh_error() (an unreadable file, a bad value, a region without a sample). */
sh_sfz_region *sh_sfz_read(const char *path, size_t *n);
void sh_sfz_free(sh_sfz_region *r, size_t n);

typedef struct {
	char *name;      /* as the kit spells it */
	char *path;      /* the first layer's sample, with the kit's folder */
} sh_kit_instrument;

/* Read DIR/drumkit.xml: an array of *n instruments (free with sh_kit_free), or
 * NULL with sh_error(). */
sh_kit_instrument *sh_kit_read(const char *dir, size_t *n);
void sh_kit_free(sh_kit_instrument *k, size_t n);
/* The instrument whose name is NAME ignoring case, else the only one whose
 * name contains it ignoring case: its index, or -1 with sh_error() naming the
 * kit's instruments (none, or several, matched). */
int sh_kit_find(const sh_kit_instrument *k, size_t n, const char *name);

#endif
