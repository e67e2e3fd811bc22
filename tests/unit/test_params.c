/* test_params.c -- the parameter table (lib/core/params.h): setting knobs by name
 * with one parse and range check, live-only changes, JSON values, reserved names
 * and duplicate short letters refused, defaults printed by --help. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "tap.h"

static double cutoff = 800;
static int64_t taps = 4;
static bool bypass;
static const char *shape = "sine";

static sh_option table[] = {
	{.name = "cutoff", .short_name = 'c', .type = SH_OPT_DOUBLE, .dest = &cutoff, .min = 20, .max = 20000,
	 .unit = "Hz", .live = true, .help = "where the filter closes"},
	{.name = "taps", .type = SH_OPT_INT, .dest = &taps, .min = 1, .max = 64, .help = "echo taps"},
	{.name = "bypass", .type = SH_OPT_FLAG, .dest = &bypass, .live = true, .help = "pass the sound through"},
	{.name = "shape", .type = SH_OPT_CHOICE, .dest = &shape, .choices = "sine|square", .live = true,
	 .help = "wave shape"},
	{0},
};

static bool error_has(const char *what) { return strstr(sh_error(), what) != NULL; }

/* Runs the parser on ARGS with stdout captured into OUT; returns its status. */
static int parse_captured(sh_option *opts, int argc, char **argv, char *out, size_t cap)
{
	fflush(stdout);
	int saved = dup(1);
	FILE *tmp = tmpfile();
	dup2(fileno(tmp), 1);
	sh_program prog = {.usage = "t [options]", .summary = "a test"};
	int r = sh_parse_options(&prog, opts, argc, argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	rewind(tmp);
	size_t n = fread(out, 1, cap - 1, tmp);
	out[n] = 0;
	fclose(tmp);
	return r;
}

int main(void)
{
	sh_progname = "test_params";
	/* --help prints each default once, from the table, with its unit */
	char out[8192];
	char *help_argv[] = {"t", "--help", NULL};
	CHECK(parse_captured(table, 2, help_argv, out, sizeof out) == 0, "--help ends the parse with success");
	CHECK(strstr(out, "where the filter closes (800 Hz)") != NULL, "--help prints the default and unit");
	CHECK(strstr(out, "echo taps (4)") != NULL, "--help prints an integer default");
	CHECK(strstr(out, "pass the sound through\n") != NULL, "a flag has no default printed");

	/* set by name: parse and range check once */
	CHECK(sh_params_set(table, "cutoff", "1200") == 0 && cutoff == 1200, "set a knob by name");
	CHECK(sh_params_set(table, "cutoff", "5") == -1 && cutoff == 1200 && error_has("cutoff") &&
	          error_has("20..20000"),
	      "out of range: refused, names knob and range, value kept (%s)", sh_error());
	CHECK(sh_params_set(table, "cutoff", "abc") == -1 && cutoff == 1200, "not a number: refused");
	CHECK(sh_params_set(table, "resonance", "1") == -1 && error_has("valid: cutoff, taps, bypass, shape"),
	      "unknown knob: the message lists the valid names (%s)", sh_error());
	CHECK(sh_params_set(table, "shape", "square") == 0 && strcmp(shape, "square") == 0, "set a choice");
	CHECK(sh_params_set(table, "shape", "saw") == -1 && strcmp(shape, "square") == 0, "bad choice: kept");

	/* JSON values, as param events and presets carry them; live-only */
	json_t *v = json_real(440);
	CHECK(sh_params_set_json(table, "cutoff", v, true) == 0 && cutoff == 440, "a live knob from JSON");
	json_decref(v);
	v = json_integer(8);
	CHECK(sh_params_set_json(table, "taps", v, true) == -1 && taps == 4 && error_has("while running"),
	      "a knob not marked live is refused live (%s)", sh_error());
	CHECK(sh_params_set_json(table, "taps", v, false) == 0 && taps == 8, "the same knob outside a run");
	json_decref(v);
	v = json_true();
	CHECK(sh_params_set_json(table, "bypass", v, true) == 0 && bypass, "a flag from JSON true");
	json_decref(v);
	v = json_real(1);
	CHECK(sh_params_set_json(table, "bypass", v, true) == -1, "a flag refuses a number");
	json_decref(v);
	json_t *j = sh_param_json(sh_params_find(table, "cutoff"));
	CHECK(json_is_real(j) && json_real_value(j) == 440, "get returns what set put");
	json_decref(j);

	/* reserved names and duplicate letters are refused when a program starts */
	double x = 0;
	sh_option seed[] = {{.name = "seed", .type = SH_OPT_DOUBLE, .dest = &x, .max = 1}, {0}};
	CHECK(sh_params_check(seed, false) == -1 && error_has("--seed is reserved"), "--seed is reserved");
	sh_option preset[] = {{.name = "preset", .type = SH_OPT_STRING, .dest = &shape}, {0}};
	CHECK(sh_params_check(preset, false) == -1, "--preset is reserved");
	sh_option vee[] = {{.name = "velocity", .short_name = 'v', .type = SH_OPT_DOUBLE, .dest = &x, .max = 1}, {0}};
	CHECK(sh_params_check(vee, false) == -1 && error_has("-v"), "-v is reserved");
	sh_option oh[] = {{.name = "offset", .short_name = 'o', .type = SH_OPT_DOUBLE, .dest = &x, .max = 1}, {0}};
	CHECK(sh_params_check(oh, false) == -1, "-o belongs to --output alone");
	sh_option rev[] = {{.name = "reverse", .short_name = 'r', .type = SH_OPT_DOUBLE, .dest = &x, .max = 1}, {0}};
	CHECK(sh_params_check(rev, false) == -1 && error_has("-r means the same in every program, not --reverse"),
	      "-r is a rate everywhere");
	sh_option fps[] = {{.name = "fps", .short_name = 'r', .type = SH_OPT_DOUBLE, .dest = &x, .max = 1}, {0}};
	CHECK(sh_params_check(fps, false) == 0, "-r for a frame rate passes");
	sh_option jay[] = {{.name = "json", .short_name = 'j', .type = SH_OPT_FLAG, .dest = &x}, {0}};
	CHECK(sh_params_check(jay, false) == -1, "-j is --jobs alone");
	sh_option twice[] = {{.name = "a", .short_name = 'a', .type = SH_OPT_DOUBLE, .dest = &x, .max = 1},
	                     {.name = "b", .short_name = 'a', .type = SH_OPT_DOUBLE, .dest = &x, .max = 1},
	                     {0}};
	CHECK(sh_params_check(twice, false) == -1 && error_has("-a for both --a and --b"), "one letter, two knobs");
	char *argv[] = {"t", "-a", "1", NULL};
	CHECK(parse_captured(twice, 3, argv, out, sizeof out) == -1, "such a table refuses to start");
	CHECK(sh_params_check(table, true) == 0, "a good table passes");

	/* a list: every occurrence in order; a preset's array, which flags replace */
	static sh_strlist maps;
	sh_option lists[] = {{.name = "map", .short_name = 'm', .type = SH_OPT_LIST, .dest = &maps,
	                      .help = "NAME=FILE, repeatable"},
	                     {0}};
	char *rep[] = {"t", "-m", "a=1", "--map", "b=2", "-m", "c=3", NULL};
	CHECK(parse_captured(lists, 7, rep, out, sizeof out) > 0 && maps.n == 3 && !strcmp(maps.v[0], "a=1") &&
	          !strcmp(maps.v[2], "c=3"),
	      "a list keeps every value, in order");
	char pre[] = "/tmp/test_params_XXXXXX";
	int fd = mkstemp(pre);
	const char *doc = "{\"map\": [\"x=1\", \"y=2\"]}\n";
	CHECK(fd >= 0 && write(fd, doc, strlen(doc)) == (ssize_t)strlen(doc), "a preset file");
	close(fd);
	char *only[] = {"t", "--preset", pre, NULL};
	maps.n = 0;
	CHECK(parse_captured(lists, 3, only, out, sizeof out) > 0 && maps.n == 2 && !strcmp(maps.v[1], "y=2"),
	      "a preset gives a list as an array");
	char *over[] = {"t", "--preset", pre, "-m", "z=9", NULL};
	maps.n = 0;
	CHECK(parse_captured(lists, 5, over, out, sizeof out) > 0 && maps.n == 1 && !strcmp(maps.v[0], "z=9"),
	      "flags replace the preset's list");
	char *conf[] = {"t", "--preset", pre, "--print-config", NULL};
	maps.n = 0;
	CHECK(parse_captured(lists, 4, conf, out, sizeof out) == 0 && strstr(out, "\"x=1\",") != NULL,
	      "--print-config prints the list as an array");
	unlink(pre);
	json_t *arr = json_pack("[s,s]", "p=1", "q=2");
	CHECK(sh_params_set_json(lists, "map", arr, false) == 0 && maps.n == 2 && !strcmp(maps.v[0], "p=1"),
	      "a JSON array sets the whole list");
	json_decref(arr);
	return tap_failed;
}
