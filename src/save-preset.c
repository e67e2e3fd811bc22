/* save-preset -- promote the settings a run recorded (a colorkey session, a cut
 * list, a padmine, grainify or loopify report) to a preset of the program that
 * made it, where --preset NAME finds it. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define MAX_RECORD ((size_t)64 << 20) /* a record is settings and cuts: far below this */

static const char *output = NULL; /* -o: this file instead of DIR/presets/PROGRAM/NAME.json */
static const char *dir = ".";     /* where presets/ is: ./ is the first place --preset looks */
static bool with_seed = false;    /* pin the record's seed too: every run then draws the same */
static bool force = false;        /* replace a preset of that name */

static sh_option options[] = {
	{.name = "output", .short_name = 'o', .type = SH_OPT_STRING, .dest = &output, .arg = "FILE", .no_preset = true,
	 .help = "write the preset to FILE (- for stdout) instead of DIR/presets/PROGRAM/NAME.json"},
	{.name = "dir", .short_name = 'd', .type = SH_OPT_STRING, .dest = &dir, .arg = "DIR", .no_preset = true,
	 .help = "the folder whose presets/ gets the preset: . (where --preset looks first), or a project's"},
	{.name = "with-seed", .type = SH_OPT_FLAG, .dest = &with_seed, .no_preset = true,
	 .help = "pin the recorded seed as well, so the preset replays the run's draws"},
	{.name = "force", .short_name = 'f', .type = SH_OPT_FLAG, .dest = &force, .no_preset = true,
	 .help = "replace a preset that has that name already"},
	{0},
};

static sh_program prog = {
	.usage = "save-preset [-o FILE | -d DIR] [--with-seed] [-f] RECORD NAME",
	.summary = "turn the settings a run recorded (session, cut list, report) into a preset of its program",
	.max_operands = 2,
};

/* The program that wrote RECORD: made_by.program, else the word after
 * "shards-" in its format ("shards-padmine", "shards-colorkey-session"). */
static char *program_of(json_t *rec)
{
	json_t *p = json_object_get(json_object_get(rec, "made_by"), "program");
	if (json_is_string(p))
		return sh_strdup(json_string_value(p));
	json_t *f = json_object_get(rec, "format");
	if (!json_is_string(f) || strncmp(json_string_value(f), "shards-", 7) != 0)
		return NULL;
	const char *name = json_string_value(f) + 7;
	size_t n = strcspn(name, "-");
	if (n == 0)
		return NULL;
	char *s = sh_malloc(n + 1);
	memcpy(s, name, n);
	s[n] = 0;
	return s;
}

/* A program or preset name becomes a path component: letters, digits, '-',
 * '_' and '.', not leading. */
static bool plain_name(const char *s)
{
	if (!*s || *s == '.' || strlen(s) > 200)
		return false;
	return s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")] == 0;
}

int main(int argc, char **argv)
{
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	if (argc - first != 2)
		sh_usage_error("give a RECORD and a NAME (try --help)");
	const char *record = argv[first], *name = argv[first + 1];
	if (!plain_name(name))
		sh_usage_error("preset name '%s': use letters, digits, '-', '_' and '.', not first", name);

	size_t len;
	char *text = sh_read_json_object(record, MAX_RECORD, &len);
	if (!text)
		sh_die("%s", sh_error());
	json_error_t jerr;
	json_t *rec = json_loadb(text, len, 0, &jerr);
	free(text);
	if (!rec)
		sh_die("%s: line %d: %s", record, jerr.line, jerr.text);
	char *program = program_of(rec);
	/* a cut list keeps its maker's settings beside the maker's name */
	json_t *opts = json_object_get(json_object_get(rec, "made_by"), "options");
	if (!json_is_object(opts))
		opts = json_object_get(rec, "options");
	if (!program || !json_is_object(opts))
		sh_die("%s: not the record of a shards run (no program and options in it)", record);
	if (!plain_name(program))
		sh_die("%s: program name '%s' is not a plain name", record, program);

	/* the preset: its label, every setting the run had (null ones left to the
	 * defaults), and the seed when asked */
	json_t *preset = json_object();
	json_object_set_new(preset, "name", json_string(name));
	const char *key;
	json_t *val;
	json_object_foreach(opts, key, val) {
		if (!strcmp(key, "name") || !strcmp(key, "seed"))
			continue;
		if (!json_is_null(val))
			json_object_set(preset, key, val);
	}
	if (with_seed) {
		json_t *seed = json_object_get(rec, "seed");
		if (!json_is_integer(seed) || json_integer_value(seed) < 0)
			sh_die("%s: --with-seed: the record holds no seed", record);
		json_object_set(preset, "seed", seed);
	}
	size_t n;
	char *out = sh_json_text(preset, 15, &n);
	if (!out)
		sh_die("%s", sh_error());

	char *path;
	if (output) {
		path = sh_strdup(output);
	} else {
		size_t cap = strlen(dir) + strlen(program) + strlen(name) + 32;
		path = sh_malloc(cap);
		snprintf(path, cap, "%s/presets/%s", dir, program);
		if (sh_mkdirs(path, NULL) != 0)
			sh_die("%s", sh_error());
		snprintf(path, cap, "%s/presets/%s/%s.json", dir, program, name);
	}
	if (strcmp(path, "-") == 0 || force) {
		if (sh_write_file_atomic(path, out, n) != 0)
			sh_die("%s", sh_error());
	} else { /* never replace a preset someone saved meanwhile */
		sh_atomic *a = sh_write_file_held(path, out, n);
		if (!a || sh_atomic_commit_new(a) != 0)
			sh_die("%s%s", sh_error(), errno == EEXIST ? ": give -f to replace it" : "");
	}
	if (strcmp(path, "-") != 0)
		sh_note("%s: %s --preset %s", path, program, output ? path : name);
	free(out);
	free(path);
	free(program);
	json_decref(preset);
	json_decref(rec);
	return 0;
}
