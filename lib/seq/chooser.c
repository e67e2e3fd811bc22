/* chooser.c -- randomness policies (chooser.h). */
#include "chooser.h"

#include "err.h"
#include "units.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef enum { UNIFORM, WEIGHTED, WALK, MARKOV } policy_kind;

struct sh_chooser {
	policy_kind kind;
	double *w;    /* weighted: the list; markov: n*n, row-major */
	int n;        /* weights in the list; markov: rows (= columns) */
	double step;  /* walk */
	double u;     /* walk: where the point is; -1 before the first draw */
	int last;     /* markov: the previous choice; -1 before the first draw */
};

static sh_chooser *fresh(policy_kind kind)
{
	sh_chooser *c = sh_calloc(1, sizeof *c);
	c->kind = kind;
	c->u = -1;
	c->last = -1;
	return c;
}

static int parse_weights(sh_chooser *c, const char *list)
{
	char *copy = sh_strdup(list), *save = NULL;
	c->w = sh_calloc(SH_CHOOSER_MAX, sizeof *c->w);
	double total = 0;
	for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		if (c->n == SH_CHOOSER_MAX) {
			sh_set_error("--random weighted: more than %d weights", SH_CHOOSER_MAX);
			goto fail;
		}
		double v;
		if (sh_parse_double(item, &v) != 0 || !(v >= 0) || !isfinite(v)) {
			sh_set_error("--random weighted: '%s' is not a weight (a number, 0 or more)", item);
			goto fail;
		}
		c->w[c->n++] = v;
		total += v;
	}
	free(copy);
	if (c->n == 0 || !(total > 0)) {
		sh_set_error("--random weighted:%s: the weights must add up to more than 0", list);
		return -1;
	}
	return 0;
fail:
	free(copy);
	return -1;
}

static int load_matrix(sh_chooser *c, const char *path)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		sh_set_error("--random markov: %s: line %d: %s", path, jerr.line, jerr.text);
		return -1;
	}
	size_t n = json_is_array(root) ? json_array_size(root) : 0;
	if (n == 0 || n > SH_CHOOSER_MAX) {
		sh_set_error("--random markov: %s: must be a JSON array of 1 to %d rows, each an array of as many "
		             "weights",
		             path, SH_CHOOSER_MAX);
		json_decref(root);
		return -1;
	}
	c->n = (int)n;
	c->w = sh_calloc(n * n, sizeof *c->w);
	for (size_t i = 0; i < n; i++) {
		json_t *row = json_array_get(root, i);
		if (!json_is_array(row) || json_array_size(row) != n) {
			sh_set_error("--random markov: %s: row %zu must be an array of %zu weights (the matrix is "
			             "%zu by %zu)",
			             path, i + 1, n, n, n);
			goto fail;
		}
		double total = 0;
		for (size_t j = 0; j < n; j++) {
			json_t *e = json_array_get(row, j);
			double v = json_is_number(e) ? json_number_value(e) : -1;
			if (!(v >= 0) || !isfinite(v)) {
				sh_set_error("--random markov: %s: row %zu, entry %zu: a weight is a number, 0 or more", path,
				             i + 1, j + 1);
				goto fail;
			}
			c->w[i * n + j] = v;
			total += v;
		}
		if (!(total > 0)) {
			sh_set_error("--random markov: %s: row %zu: the weights must add up to more than 0", path, i + 1);
			goto fail;
		}
	}
	json_decref(root);
	return 0;
fail:
	json_decref(root);
	return -1;
}

sh_chooser *sh_chooser_new(const char *spec)
{
	if (!spec || !*spec || !strcmp(spec, "uniform"))
		return fresh(UNIFORM);
	const char *colon = strchr(spec, ':');
	size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
	const char *arg = colon ? colon + 1 : "";
	sh_chooser *c = NULL;
	if (len == 8 && !strncmp(spec, "weighted", len)) {
		c = fresh(WEIGHTED);
		if (parse_weights(c, arg) != 0)
			goto fail;
	} else if (len == 4 && !strncmp(spec, "walk", len)) {
		c = fresh(WALK);
		if (sh_parse_double(arg, &c->step) != 0 || !(c->step > 0 && c->step <= 1)) {
			sh_set_error("--random walk:%s: the step is a share of the range, more than 0 and at most 1", arg);
			goto fail;
		}
	} else if (len == 6 && !strncmp(spec, "markov", len)) {
		c = fresh(MARKOV);
		if (!*arg) {
			sh_set_error("--random markov: needs a file, as markov:FILE");
			goto fail;
		}
		if (load_matrix(c, arg) != 0)
			goto fail;
	} else {
		sh_set_error("--random: unknown policy '%.*s' (known: " SH_CHOOSER_HELP ")", (int)len, spec);
		return NULL;
	}
	return c;
fail:
	sh_chooser_free(c);
	return NULL;
}

void sh_chooser_free(sh_chooser *c)
{
	if (!c)
		return;
	free(c->w);
	free(c);
}

int sh_chooser_set(sh_chooser **c, const char *policy)
{
	sh_chooser *n = sh_chooser_new(policy);
	if (!n)
		return -1;
	sh_chooser_free(*c);
	*c = n;
	return 0;
}

/* The choice at point U (0..1) of the cumulative weights E (total > 0). */
static int at(const double *e, int n, double total, double u)
{
	double r = u * total;
	for (int i = 0; i < n; i++) {
		if (r < e[i])
			return i;
		r -= e[i];
	}
	for (int i = n - 1; i >= 0; i--) /* rounding at the very top */
		if (e[i] > 0)
			return i;
	return 0;
}

/* The policy's weight for choice I. */
static double factor(const sh_chooser *c, int i)
{
	switch (c->kind) {
	case WEIGHTED:
		return i < c->n ? c->w[i] : 0;
	case MARKOV:
		if (c->last < 0)
			return 1;
		return c->last < c->n && i < c->n ? c->w[c->last * c->n + i] : 0;
	default:
		return 1;
	}
}

static double walk_step(sh_chooser *c, sh_rng *rng)
{
	if (c->u < 0)
		return c->u = sh_rng_uniform(rng);
	double u = c->u + sh_rng_between(rng, -c->step, c->step);
	u = u < 0 ? -u : u >= 1 ? 2 - u : u; /* reflected at the ends */
	if (u >= 1)                          /* 2 - 1 exactly */
		u = nextafter(1, 0);
	return c->u = u;
}

int sh_chooser_pick(sh_chooser *c, sh_rng *rng, const double *w, int n)
{
	/* uniform draws exactly as the programs did before there were policies */
	if (c->kind == UNIFORM && !w)
		return (int)sh_rng_below(rng, (uint64_t)(n > 0 ? n : 1));
	if (n < 1)
		return 0;
	double stack[64], *e = n <= 64 ? stack : sh_malloc((size_t)n * sizeof *e);
	double total = 0, own = 0;
	for (int i = 0; i < n; i++) {
		double base = w ? w[i] : 1;
		own += base;
		e[i] = base * factor(c, i);
		total += e[i];
	}
	if (!(total > 0)) { /* the policy leaves nothing: the program's own weights */
		for (int i = 0; i < n; i++)
			e[i] = w ? w[i] : 1;
		total = own;
	}
	double u = c->kind == WALK ? walk_step(c, rng) : sh_rng_uniform(rng);
	int k = total > 0 ? at(e, n, total, u) : 0;
	if (e != stack)
		free(e);
	c->last = k;
	return k;
}

bool sh_chooser_chance(sh_chooser *c, sh_rng *rng, double p)
{
	if (c->kind == UNIFORM)
		return sh_rng_chance(rng, p);
	double w[2] = {p, 1 - p};
	return sh_chooser_pick(c, rng, w, 2) == 0;
}
