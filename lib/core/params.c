/* params.c -- the parameter table: getopt, presets, --print-config, help; see params.h. */
#define _GNU_SOURCE
#include "params.h"
#include "jobs.h"
#include "rng.h"
#include "err.h"
#include "file.h"
#include "units.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void seed_of_run(uint64_t seed, bool picked, bool replayed); /* below, with the rest of the seed's keeping */

enum { OPT_HELP = 0x1000, OPT_VERSION, OPT_PRESET, OPT_PRINT_CONFIG, OPT_SEED, OPT_USER };

static const char *type_arg(const sh_option *o)
{
	if (o->arg)
		return o->arg;
	switch (o->type) {
	case SH_OPT_INT: return "N";
	case SH_OPT_CHANNEL: return "CH";
	case SH_OPT_DOUBLE: return "X";
	case SH_OPT_RANGE: return "MIN..MAX";
	case SH_OPT_DURATION: return "DUR";
	case SH_OPT_RATE: return "FPS";
	case SH_OPT_CHOICE: return o->choices;
	default: return "ARG";
	}
}

static void print_help(const sh_program *prog, const sh_option *opts)
{
	printf("usage: %s\n%s\n\noptions:\n", prog->usage, prog->summary);
	for (const sh_option *o = opts; o->name; o++) {
		char left[96];
		char sn[8] = "    ";
		if (o->short_name)
			snprintf(sn, sizeof sn, "-%c, ", o->short_name);
		if (o->type == SH_OPT_FLAG)
			snprintf(left, sizeof left, "  %s--%s", sn, o->name);
		else
			snprintf(left, sizeof left, "  %s--%s %s", sn, o->name, type_arg(o));
		char help[512];
		snprintf(help, sizeof help, "%s", o->help ? o->help : "");
		if (o->deftext && *o->deftext)
			snprintf(help + strlen(help), sizeof help - strlen(help), " (%s%s%s)", o->deftext,
			         o->unit ? " " : "", o->unit ? o->unit : "");
		if (strlen(left) > 26)
			printf("%s\n%28s%s\n", left, "", help);
		else
			printf("%-28s%s\n", left, help);
	}
	if (prog->has_seed)
		printf("%-28s%s\n", "      --seed N", "random seed (default: picked and reported)");
	if (prog->has_jobs)
		printf("%-28s%s (%d here)\n", "  -j, --jobs N", "threads; the output is the same for any N",
		       sh_jobs_default());
	printf("%-28s%s\n", "      --preset NAME", "load presets/<program>/NAME.json (flags override it)");
	printf("%-28s%s\n", "      --print-config", "print the merged settings as a preset and exit");
	printf("%-28s%s\n", "  -v, --verbose", "notes on stderr (seed, resampling, ...)");
	printf("%-28s%s\n", "  -h, --help", "this help");
	printf("%-28s%s\n", "      --version", "print the version");
	printf("\nSee %s(1).\n", sh_progname);
}

static int check_bounds(const sh_option *o, double v)
{
	if (v < o->min || v > o->max) {
		sh_set_error("%s is out of range %g..%g", o->text ? o->text : "value", o->min, o->max);
		return -1;
	}
	return 0;
}

/* Option texts live for the whole run (destinations point into them); a global
 * list keeps them reachable, so leak checkers stay quiet whatever the table's
 * storage. */
static char **option_texts;
static size_t noption_texts;

static int parse_into(sh_option *o, const char *text);
static int run_getopt(sh_program *prog, sh_option *opts, size_t n, struct option *lo, int argc, char **argv);

/* Parse TEXT into the option's destination; -1 with sh_error() on a bad value. */
static int set_option(sh_option *o, const char *text)
{
	char *old = o->text;
	o->text = sh_strdup(text ? text : "");
	option_texts = sh_realloc(option_texts, noption_texts + 1, sizeof *option_texts);
	option_texts[noption_texts++] = o->text;
	if (parse_into(o, text) != 0) {
		o->text = old; /* the new text stays listed, so it is freed with the rest */
		return -1;
	}
	o->given = true;
	return 0;
}

/* Parse TEXT into the destination; the destination is untouched on failure. */
static int parse_into(sh_option *o, const char *text)
{
	switch (o->type) {
	case SH_OPT_FLAG: {
		bool v;
		if (!text || !strcmp(text, "true") || !strcmp(text, "1") || !strcmp(text, "on"))
			v = true;
		else if (!strcmp(text, "false") || !strcmp(text, "0") || !strcmp(text, "off"))
			v = false;
		else {
			sh_set_error("'%s' is not true or false", text);
			return -1;
		}
		*(bool *)o->dest = v;
		break;
	}
	case SH_OPT_INT: {
		int64_t v;
		if (sh_parse_int64(text, &v) || check_bounds(o, (double)v))
			return -1;
		*(int64_t *)o->dest = v;
		break;
	}
	case SH_OPT_CHANNEL: {
		int64_t v;
		if (sh_parse_channel(text, &v))
			return -1;
		*(int64_t *)o->dest = v;
		break;
	}
	case SH_OPT_DOUBLE: {
		double v;
		if (sh_parse_double(text, &v) || check_bounds(o, v))
			return -1;
		*(double *)o->dest = v;
		break;
	}
	case SH_OPT_RANGE: {
		sh_range r;
		if (sh_parse_range(text, &r))
			return -1;
		if (r.lo < o->min || r.hi > o->max) {
			sh_set_error("%s is out of range %g..%g", text, o->min, o->max);
			return -1;
		}
		*(sh_range *)o->dest = r;
		break;
	}
	case SH_OPT_DURATION: {
		sh_duration d;
		if (sh_parse_duration(text, o->scale > 0 ? o->scale : 1, &d))
			return -1;
		*(sh_duration *)o->dest = d;
		break;
	}
	case SH_OPT_RATE: {
		sh_rational r;
		if (sh_parse_rate(text, &r))
			return -1;
		*(sh_rational *)o->dest = r;
		break;
	}
	case SH_OPT_CHOICE: {
		size_t n = strlen(text);
		const char *c = o->choices;
		bool ok = false;
		while (c && *c) {
			const char *bar = strchr(c, '|');
			size_t len = bar ? (size_t)(bar - c) : strlen(c);
			if (len == n && strncmp(c, text, n) == 0)
				ok = true;
			c = bar ? bar + 1 : NULL;
		}
		if (!ok) {
			sh_set_error("'%s' is not one of %s", text, o->choices);
			return -1;
		}
		*(const char **)o->dest = o->text;
		break;
	}
	case SH_OPT_STRING:
		*(const char **)o->dest = o->text;
		break;
	case SH_OPT_LIST: {
		static int given_order; /* every list value's place in the order given */
		sh_strlist *l = o->dest;
		l->v = sh_realloc(l->v, l->n + 1, sizeof *l->v);
		l->pos = sh_realloc(l->pos, l->n + 1, sizeof *l->pos);
		l->pos[l->n] = given_order++;
		l->v[l->n++] = o->text;
		break;
	}
	}
	return 0;
}

sh_option *sh_params_find(sh_option *opts, const char *name)
{
	for (sh_option *o = opts; o->name; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

static void unknown_param(const sh_option *opts, const char *name)
{
	char names[1024];
	size_t n = 0;
	names[0] = 0;
	for (const sh_option *o = opts; o->name && n + 1 < sizeof names; o++)
		if (!o->no_preset)
			n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", n ? ", " : "", o->name);
	sh_set_error("unknown parameter '%s' (valid: %s)", name, names);
}

int sh_params_set(sh_option *opts, const char *name, const char *text)
{
	sh_option *o = sh_params_find(opts, name);
	if (!o || o->no_preset) {
		unknown_param(opts, name);
		return -1;
	}
	if (set_option(o, text) != 0) {
		sh_set_error("%s: %s", name, sh_error());
		return -1;
	}
	return 0;
}

/* Set O from a JSON value; -1 with a message that does not name the knob. */
static int set_json(sh_option *o, const json_t *val)
{
	if (o->type == SH_OPT_LIST && json_is_array(val)) {
		/* the whole list: what it held before is replaced */
		((sh_strlist *)o->dest)->n = 0;
		size_t i;
		json_t *e;
		json_array_foreach(val, i, e) {
			if (!json_is_string(e)) {
				sh_set_error("expected an array of strings");
				return -1;
			}
			if (set_option(o, json_string_value(e)) != 0)
				return -1;
		}
		return 0;
	}
	char num[64];
	const char *text;
	if (o->type == SH_OPT_RANGE && json_is_array(val)) {
		/* the design's own form: [min, max], a window drawn from per run */
		if (json_array_size(val) != 2 || !json_is_number(json_array_get(val, 0)) ||
		    !json_is_number(json_array_get(val, 1))) {
			sh_set_error("expected [min, max] (two numbers)");
			return -1;
		}
		snprintf(num, sizeof num, "%.15g..%.15g", json_number_value(json_array_get(val, 0)),
		         json_number_value(json_array_get(val, 1)));
		return set_option(o, num);
	}
	if (json_is_string(val))
		text = json_string_value(val);
	else if (json_is_integer(val)) {
		snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(val));
		text = num;
	} else if (json_is_real(val)) {
		snprintf(num, sizeof num, "%.17g", json_real_value(val));
		text = num;
	} else if (json_is_boolean(val))
		text = json_is_true(val) ? "true" : "false";
	else {
		sh_set_error("expected a number, string or boolean");
		return -1;
	}
	if (o->type == SH_OPT_FLAG && !json_is_boolean(val)) {
		sh_set_error("expected true or false");
		return -1;
	}
	return set_option(o, text);
}

int sh_params_set_json(sh_option *opts, const char *name, const void *value, bool live_only)
{
	sh_option *o = sh_params_find(opts, name);
	if (!o || o->no_preset) {
		unknown_param(opts, name);
		return -1;
	}
	if (live_only && !o->live) {
		sh_set_error("%s cannot change while running", name);
		return -1;
	}
	if (set_json(o, value) != 0) {
		sh_set_error("%s: %s", name, sh_error());
		return -1;
	}
	return 0;
}

/* --preset NAME: a flat JSON object of long names -> values; "seed" pins the
 * seed of a program that draws (--seed still overrides it), and "name" is the
 * preset's own label, passed over, where the program has no --name setting. */
static int load_preset(const char *name, sh_option *opts, sh_program *prog)
{
	char *path = NULL;
	if (strchr(name, '/') || (strlen(name) > 5 && !strcmp(name + strlen(name) - 5, ".json"))) {
		path = sh_strdup(name);
	} else {
		char rel[512];
		snprintf(rel, sizeof rel, "presets/%s/%s.json", sh_progname, name);
		/* a project's own presets shadow every other: $SHARDS_PROJECT (the
		 * project folder; collide --project sets it for the programs it runs) */
		const char *project = getenv("SHARDS_PROJECT");
		if (project && *project) {
			size_t cap = strlen(project) + strlen(rel) + 2;
			char *p = sh_malloc(cap);
			snprintf(p, cap, "%s/%s", project, rel);
			struct stat st;
			if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
				path = p;
			else
				free(p);
		}
		if (!path)
			path = sh_find_data(rel, true);
		if (!path) {
			sh_set_error("preset '%s' not found (looked for %s in %s%s./, $XDG_CONFIG_HOME/shards/ "
			             "and the suite's share/shards/)", name, rel,
			             project && *project ? project : "", project && *project ? "/ ($SHARDS_PROJECT), " : "");
			return -1;
		}
	}
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr);
	int status = 0;
	if (!root) {
		sh_set_error("preset %s: line %d: %s", path, jerr.line, jerr.text);
		status = -1;
	} else if (!json_is_object(root)) {
		sh_set_error("preset %s: not a JSON object", path);
		status = -1;
	} else {
		const char *key;
		json_t *val;
		json_object_foreach(root, key, val) {
			if (json_is_null(val))
				continue;
			sh_option *o = sh_params_find(opts, key);
			if (!o || o->no_preset) {
				/* the two keys a preset may hold beside the table's */
				if (!strcmp(key, "name") && json_is_string(val))
					continue;
				if (!strcmp(key, "seed") && !prog->has_seed)
					sh_set_error("preset %s: key 'seed': %s draws nothing at random", path, sh_progname);
				else if (!strcmp(key, "seed") && (!json_is_integer(val) || json_integer_value(val) < 0))
					sh_set_error("preset %s: key 'seed': expected a non-negative integer", path);
				else if (!strcmp(key, "seed")) {
					prog->seed = (uint64_t)json_integer_value(val);
					prog->seed_given = true;
					continue;
				} else
					sh_set_error("preset %s: unknown key '%s'", path, key);
				status = -1;
				break;
			}
			if (set_json(o, val) != 0) {
				sh_set_error("preset %s: key '%s': %s", path, key, sh_error());
				status = -1;
				break;
			}
		}
	}
	json_decref(root);
	free(path);
	return status;
}

void *sh_param_json(const sh_option *o)
{
	switch (o->type) {
	case SH_OPT_FLAG: return json_boolean(*(bool *)o->dest);
	/* a value outside its range is an "unset" default: null keeps the preset valid */
	case SH_OPT_INT: {
		int64_t v = *(int64_t *)o->dest;
		return v < o->min || v > o->max ? json_null() : json_integer((json_int_t)v);
	}
	case SH_OPT_CHANNEL: return json_integer((json_int_t) * (int64_t *)o->dest);
	case SH_OPT_DOUBLE: {
		double v = *(double *)o->dest;
		return v < o->min || v > o->max ? json_null() : json_real(v);
	}
	case SH_OPT_RANGE: {
		sh_range r = *(sh_range *)o->dest;
		if (r.lo == r.hi)
			return json_real(r.lo);
		char buf[80];
		snprintf(buf, sizeof buf, "%.15g..%.15g", r.lo, r.hi);
		return json_string(buf);
	}
	case SH_OPT_DURATION: {
		if (o->text)
			return json_string(o->text);
		const sh_duration *d = o->dest;
		if (!(d->amount > 0))
			return json_null(); /* unset: null keeps the preset valid */
		static const char *suffix[] = {"s", "smp", "f", "b"};
		char buf[64];
		snprintf(buf, sizeof buf, "%.15g%s", d->amount, suffix[d->unit]);
		return json_string(buf);
	}
	case SH_OPT_RATE: {
		sh_rational r = *(sh_rational *)o->dest;
		if (!r.num)
			return json_null();
		char buf[64];
		if (r.den == 1)
			return json_integer(r.num);
		snprintf(buf, sizeof buf, "%d/%d", r.num, r.den);
		return json_string(buf);
	}
	case SH_OPT_STRING:
	case SH_OPT_CHOICE: {
		const char *s = *(const char **)o->dest;
		return s ? json_string(s) : json_null();
	}
	case SH_OPT_LIST: {
		const sh_strlist *l = o->dest;
		json_t *a = json_array();
		for (size_t i = 0; i < l->n; i++)
			json_array_append_new(a, json_string(l->v[i]));
		return a;
	}
	}
	return json_null();
}

void *sh_options_json(const sh_option *opts)
{
	json_t *root = json_object();
	for (const sh_option *o = opts; o->name; o++)
		if (!o->no_preset)
			json_object_set_new(root, o->name, sh_param_json(o));
	return root;
}

static void print_config(const sh_option *opts, const sh_program *prog)
{
	json_t *root = sh_options_json(opts);
	if (prog->has_seed && prog->seed_given) /* a seed given or pinned stays pinned in the preset */
		json_object_set_new(root, "seed", json_integer((json_int_t)prog->seed));
	char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	printf("%s\n", s);
	free(s);
	json_decref(root);
}

/* The names every program shares; a table may not take them for another idea. */
static const char *const reserved_long[] = {"help", "version", "preset", "print-config", "verbose", "seed", "jobs", NULL};

/* The suite's short letters, one idea each wherever they appear (the table in
 * shards(7)): a program that has no such idea leaves the letter unused. -j is
 * --jobs, which the driver adds to a threaded program. */
static const struct {
	char letter;
	const char *names[4]; /* the long names that idea goes by */
} suite_letters[] = {
	{'b', {"bpm"}},
	{'l', {"live"}},
	{'p', {"prob", "probability", "trigger-probability"}},
	{'r', {"rate", "fps", "hz"}}, /* so many per second: samples, frames, cycles */
	{'j', {NULL}},
};

static int check_suite_letter(const sh_option *o)
{
	for (size_t i = 0; i < sizeof suite_letters / sizeof *suite_letters; i++) {
		if (o->short_name != suite_letters[i].letter)
			continue;
		for (const char *const *n = suite_letters[i].names; *n; n++)
			if (strcmp(o->name, *n) == 0)
				return 0;
		sh_set_error("option table: -%c means the same in every program, not --%s", o->short_name, o->name);
		return -1;
	}
	return 0;
}

int sh_params_check(const sh_option *opts, bool has_seed)
{
	for (const sh_option *o = opts; o->name; o++) {
		for (const char *const *r = reserved_long; *r; r++)
			if (strcmp(o->name, *r) == 0) {
				sh_set_error("option table: --%s is reserved for every program", o->name);
				return -1;
			}
		if (o->short_name == 'h' || o->short_name == 'v' ||
		    (o->short_name == 'o' && strcmp(o->name, "output") != 0)) {
			sh_set_error("option table: -%c is reserved for every program (--%s)", o->short_name, o->name);
			return -1;
		}
		if (strcmp(o->name, "output") == 0 && o->short_name != 'o') {
			sh_set_error("option table: --output must be -o");
			return -1;
		}
		if (check_suite_letter(o) != 0)
			return -1;
		for (const sh_option *p = opts; p < o; p++) {
			if (strcmp(p->name, o->name) == 0) {
				sh_set_error("option table: --%s twice", o->name);
				return -1;
			}
			if (o->short_name && p->short_name == o->short_name) {
				sh_set_error("option table: -%c for both --%s and --%s", o->short_name, p->name, o->name);
				return -1;
			}
		}
	}
	(void)has_seed;
	return 0;
}

/* The built-in defaults as text for --help, before a preset or flag changes them. */
static void note_defaults(sh_option *opts)
{
	for (sh_option *o = opts; o->name; o++) {
		if (o->deftext || o->no_preset || !o->dest)
			continue;
		json_t *v = sh_param_json(o);
		char buf[128] = "";
		if (json_is_string(v))
			snprintf(buf, sizeof buf, "%s", json_string_value(v));
		else if (json_is_integer(v))
			snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		else if (json_is_real(v))
			sh_format_number(buf, sizeof buf, json_real_value(v));
		else if (json_is_array(v)) /* a list's defaults, blank-separated */
			for (size_t i = 0; i < json_array_size(v); i++)
				snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? " " : "",
				         json_string_value(json_array_get(v, i)));
		/* flags default to off, and an unset knob (null) has no default to print */
		json_decref(v);
		o->deftext = sh_strdup(buf);
		option_texts = sh_realloc(option_texts, noption_texts + 1, sizeof *option_texts);
		option_texts[noption_texts++] = o->deftext;
	}
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sh_warn("%s", msg);
	return -1;
}

int sh_parse_options(sh_program *prog, sh_option *opts, int argc, char **argv)
{
	sh_init(argc, argv);
	if (sh_params_check(opts, prog->has_seed) != 0)
		return usage_error("%s", sh_error());
	note_defaults(opts);
	size_t n = 0;
	while (opts[n].name)
		n++;
	struct option *lo = sh_calloc(n + 8, sizeof *lo);
	int status = run_getopt(prog, opts, n, lo, argc, argv);
	free(lo);
	return status;
}

/* O from a flag on the command line: a list's first flag replaces what a
 * preset gave it (*FLAGGED says one came already), the next ones add to it. */
static int set_flag(sh_option *o, bool *flagged, const char *arg)
{
	if (o->type == SH_OPT_LIST && !*flagged)
		((sh_strlist *)o->dest)->n = 0;
	*flagged = true;
	return set_option(o, o->type == SH_OPT_FLAG ? NULL : arg);
}

static int run_getopt(sh_program *prog, sh_option *opts, size_t n, struct option *lo, int argc, char **argv)
{
	char shortopts[256] = "hv";
	if (prog->has_jobs)
		strcat(shortopts, "j:");
	size_t sl = strlen(shortopts);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		lo[k].name = opts[i].name;
		lo[k].has_arg = opts[i].type == SH_OPT_FLAG ? no_argument : required_argument;
		lo[k].val = OPT_USER + (int)i;
		k++;
		if (opts[i].short_name && sl + 3 < sizeof shortopts) {
			shortopts[sl++] = (char)opts[i].short_name;
			if (opts[i].type != SH_OPT_FLAG)
				shortopts[sl++] = ':';
		}
	}
	shortopts[sl] = 0;
	lo[k++] = (struct option){"help", no_argument, NULL, OPT_HELP};
	lo[k++] = (struct option){"version", no_argument, NULL, OPT_VERSION};
	lo[k++] = (struct option){"preset", required_argument, NULL, OPT_PRESET};
	lo[k++] = (struct option){"print-config", no_argument, NULL, OPT_PRINT_CONFIG};
	lo[k++] = (struct option){"verbose", no_argument, NULL, 'v'};
	if (prog->has_seed)
		lo[k++] = (struct option){"seed", required_argument, NULL, OPT_SEED};
	if (prog->has_jobs)
		lo[k++] = (struct option){"jobs", required_argument, NULL, 'j'};

	/* Pass 1: help, version and the preset, before any flag is applied. */
	const char *preset = NULL;
	bool print = false;
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, shortopts, lo, NULL)) != -1) {
		if (c == 'h' || c == OPT_HELP) {
			print_help(prog, opts);
			return 0;
		} else if (c == OPT_VERSION) {
			printf("%s (shards) %s\n", sh_progname, SHARDS_VERSION);
			return 0;
		} else if (c == OPT_PRESET) {
			preset = optarg;
		} else if (c == OPT_PRINT_CONFIG) {
			print = true;
		} else if (c == '?' || c == ':') {
			if (optopt && optopt < OPT_HELP && optopt != '?')
				return usage_error("option -%c %s (try --help)", optopt,
				                   c == ':' ? "needs a value" : "is unknown");
			return usage_error("option '%s' is unknown or needs a value (try --help)", argv[optind - 1]);
		}
	}
	if (preset && load_preset(preset, opts, prog) != 0)
		return usage_error("%s", sh_error());

	/* Pass 2: flags override defaults and the preset. */
	bool flagged[n + 1]; /* set_flag: a flag for this option came already */
	memset(flagged, 0, sizeof flagged);
	optind = 0;
	while ((c = getopt_long(argc, argv, shortopts, lo, NULL)) != -1) {
		if (c == 'v') {
			sh_verbose++;
		} else if (c == OPT_SEED) {
			int64_t s;
			if (sh_parse_int64(optarg, &s) != 0 || s < 0)
				return usage_error("--seed: '%s' is not a non-negative integer", optarg);
			prog->seed = (uint64_t)s;
			prog->seed_given = true;
		} else if (c == 'j' && prog->has_jobs) {
			int64_t j;
			if (sh_parse_int64(optarg, &j) != 0 || j < 1 || j > 1024)
				return usage_error("--jobs: '%s' is not a thread count 1..1024", optarg);
			prog->jobs = (int)j;
		} else if (c >= OPT_USER) {
			sh_option *o = &opts[c - OPT_USER];
			if (set_flag(o, &flagged[c - OPT_USER], optarg) != 0)
				return usage_error("--%s: %s", o->name, sh_error());
		} else if (c == 0 || (c >= 'A' && c <= 'z' && c != 'h')) {
			for (size_t i = 0; i < n; i++)
				if (opts[i].short_name == c) {
					if (set_flag(&opts[i], &flagged[i], optarg) != 0)
						return usage_error("-%c: %s", c, sh_error());
				}
		}
	}
	if (prog->check && prog->check() != 0)
		return usage_error("%s", sh_error());
	if (print) {
		print_config(opts, prog);
		return 0;
	}
	if (prog->max_operands > 0 && argc - optind > prog->max_operands)
		return usage_error("too many operands (try --help)");
	if (prog->has_seed && !prog->seed_given) {
		prog->seed = sh_fresh_seed();
		seed_of_run(prog->seed, true, false);
	}
	if (prog->jobs < 1)
		prog->jobs = sh_jobs_default();
	return optind;
}

bool sh_option_given(const sh_option *opts, const char *name)
{
	for (const sh_option *o = opts; o->name; o++)
		if (strcmp(o->name, name) == 0)
			return o->given;
	return false;
}

static struct {
	bool picked, replayed, carried, reporting;
	uint64_t seed;
} run_seed;

/* at exit: a picked seed that mattered and that no output holds, unless the
 * run ended on an error or for a reader that went away, or -v noted it at the
 * start. A run that skipped a bad file (status 1) still made the rest. (on_exit,
 * not atexit: it is told the status) */
static void report_seed(int status, void *unused)
{
	(void)unused;
	/* stdout first: a reader that went away makes this run's end an early one */
	if (fflush(stdout) != 0)
		return;
	uint64_t seed;
	if (status != SH_EXIT_USAGE && !sh_ended_early && !run_seed.carried && !sh_verbose && sh_seed_to_carry(&seed))
		fprintf(stderr, "%s: seed %llu\n", sh_progname, (unsigned long long)seed);
}

static void seed_of_run(uint64_t seed, bool picked, bool replayed)
{
	if (!run_seed.reporting) {
		on_exit(report_seed, NULL);
		run_seed.reporting = true;
	}
	run_seed.picked = picked;
	run_seed.replayed = replayed;
	run_seed.carried = false;
	run_seed.seed = seed;
}

bool sh_seed_picked(uint64_t *seed)
{
	*seed = run_seed.seed;
	return run_seed.picked || run_seed.replayed;
}

bool sh_seed_to_carry(uint64_t *seed)
{
	*seed = run_seed.seed;
	return run_seed.replayed || (run_seed.picked && sh_rng_drawn());
}

void sh_seed_carried(uint64_t seed)
{
	uint64_t run;
	if (sh_seed_to_carry(&run) && seed == run)
		run_seed.carried = true;
}

void sh_seed_use(uint64_t seed, bool carry) { seed_of_run(seed, false, carry); }

uint64_t sh_fresh_seed(void)
{
	uint64_t s = 0;
	if (getrandom(&s, sizeof s, 0) != (ssize_t)sizeof s)
		s = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	/* keep seeds short enough to type and exact in JSON doubles */
	return s % 1000000000ULL;
}

