/* scales.c -- the scale registry; see scales.h. */
#define _GNU_SOURCE
#include "scales.h"
#include "cli.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const sh_scale core_scales[] = {{(char *)"major", 7, {0, 2, 4, 5, 7, 9, 11}}};
static const sh_scale core_chords[] = {
	{(char *)"maj", 3, {0, 4, 7}}, {(char *)"min", 3, {0, 3, 7}},
	{(char *)"dim", 3, {0, 3, 6}}, {(char *)"aug", 3, {0, 4, 8}},
};
const sh_set_kind sh_scale_kind = {"scale", "scales.json", 11, core_scales, 1};
const sh_set_kind sh_chord_kind = {"chord", "chords.json", 48, core_chords, 4};

static const sh_set_kind *kind_of(const sh_scales *reg) { return reg->kind ? reg->kind : &sh_scale_kind; }

int sh_scales_add(sh_scales *reg, const char *name, const int *steps, int n)
{
	const sh_set_kind *k = kind_of(reg);
	if (!name || !*name || strchr(name, ',')) {
		sh_set_error("%s '%s': a name is not empty and has no comma", k->what, name ? name : "");
		return -1;
	}
	if (n < 1 || n > SH_SCALE_MAX) {
		sh_set_error("%s '%s': needs 1 to %d offsets, has %d", k->what, name, SH_SCALE_MAX, n);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (steps[i] < 0 || steps[i] > k->max_offset) {
			sh_set_error("%s '%s': offset %d is outside 0..%d", k->what, name, steps[i], k->max_offset);
			return -1;
		}
		if (i && steps[i] <= steps[i - 1]) {
			sh_set_error("%s '%s': offsets must be strictly ascending (%d after %d)", k->what, name,
			             steps[i], steps[i - 1]);
			return -1;
		}
	}
	sh_scale *s = NULL;
	for (size_t i = 0; i < reg->n; i++)
		if (strcmp(reg->s[i].name, name) == 0)
			s = &reg->s[i];
	if (!s) {
		reg->s = sh_realloc(reg->s, reg->n + 1, sizeof *reg->s);
		s = &reg->s[reg->n++];
		s->name = sh_strdup(name);
	}
	s->n = n;
	memcpy(s->step, steps, (size_t)n * sizeof *steps);
	return 0;
}

int sh_scales_add_file(sh_scales *reg, const char *path)
{
	const sh_set_kind *k = kind_of(reg);
	json_error_t jerr;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		sh_set_error("%s: line %d: %s", path, jerr.line, jerr.text);
		return -1;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		sh_set_error("%s: must be a JSON object of %s name -> semitone offsets", path, k->what);
		return -1;
	}
	const char *key;
	json_t *val;
	json_object_foreach(root, key, val) {
		int steps[SH_SCALE_MAX + 1];
		int n = 0;
		if (!json_is_array(val) || json_array_size(val) < 1 || json_array_size(val) > SH_SCALE_MAX) {
			sh_set_error("%s: %s '%s': must be an array of 1 to %d offsets", path, k->what, key, SH_SCALE_MAX);
			json_decref(root);
			return -1;
		}
		size_t i;
		json_t *e;
		json_array_foreach(val, i, e) {
			if (!json_is_integer(e)) {
				char *text = json_dumps(e, JSON_ENCODE_ANY);
				sh_set_error("%s: %s '%s': offset %s is not a whole number of semitones", path, k->what, key,
				             text ? text : "?");
				free(text);
				json_decref(root);
				return -1;
			}
			json_int_t v = json_integer_value(e);
			steps[n++] = v < -1 ? -1 : v > 999 ? 999 : (int)v; /* either way out of range, named as such */
		}
		if (sh_scales_add(reg, key, steps, n) != 0) {
			sh_set_error("%s: %s", path, sh_error());
			json_decref(root);
			return -1;
		}
	}
	json_decref(root);
	return 0;
}

static bool file_exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int sh_sets_load(sh_scales *reg, const sh_set_kind *kind, const char *extra)
{
	reg->s = NULL;
	reg->n = 0;
	reg->kind = kind;
	char *sys = sh_find_data(kind->file, false);
	if (sys) {
		int status = sh_scales_add_file(reg, sys);
		free(sys);
		if (status != 0)
			return -1;
	} else { /* the registry still works without its data file */
		for (int i = 0; i < kind->ncore; i++)
			sh_scales_add(reg, kind->core[i].name, kind->core[i].step, kind->core[i].n);
	}
	char user[PATH_MAX];
	const char *env = getenv("XDG_CONFIG_HOME");
	user[0] = 0;
	if (env && *env)
		snprintf(user, sizeof user, "%s/shards/%s", env, kind->file);
	else if ((env = getenv("HOME")) && *env)
		snprintf(user, sizeof user, "%s/.config/shards/%s", env, kind->file);
	if (user[0] && file_exists(user) && sh_scales_add_file(reg, user) != 0)
		return -1;
	if (extra && sh_scales_add_file(reg, extra) != 0)
		return -1;
	return 0;
}

int sh_scales_load(sh_scales *reg, const char *extra) { return sh_sets_load(reg, &sh_scale_kind, extra); }

const sh_scale *sh_scales_find(const sh_scales *reg, const char *name)
{
	for (size_t i = 0; i < reg->n; i++)
		if (strcmp(reg->s[i].name, name) == 0)
			return &reg->s[i];
	return NULL;
}

const sh_scale *sh_scales_lookup(const sh_scales *reg, const char *name)
{
	const sh_scale *s = sh_scales_find(reg, name);
	if (!s) {
		char *names = sh_scales_names(reg);
		sh_set_error("unknown %s '%s' (known: %s)", kind_of(reg)->what, name, names);
		free(names);
	}
	return s;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *sh_scales_names(const sh_scales *reg)
{
	const char **names = sh_calloc(reg->n + 1, sizeof *names);
	size_t total = 1;
	for (size_t i = 0; i < reg->n; i++) {
		names[i] = reg->s[i].name;
		total += strlen(names[i]) + 2;
	}
	qsort(names, reg->n, sizeof *names, cmp_names);
	char *out = sh_malloc(total);
	out[0] = 0;
	for (size_t i = 0; i < reg->n; i++) {
		if (i)
			strcat(out, ", ");
		strcat(out, names[i]);
	}
	free(names);
	return out;
}

void sh_scales_free(sh_scales *reg)
{
	for (size_t i = 0; i < reg->n; i++)
		free(reg->s[i].name);
	free(reg->s);
	reg->s = NULL;
	reg->n = 0;
}

int sh_scale_pitch(const sh_scale *s, int root, int degree, int octave)
{
	int q = degree / s->n, r = degree % s->n;
	if (r < 0) {
		r += s->n;
		q--;
	}
	return root + 12 * (octave + q) + s->step[r];
}
