/* cutinfo -- validate a cut list and summarise it: pieces, output length, how
 * much was moved, reversed and dropped, and how much of the source is heard. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cutlist.h"

static sh_program prog = {
	.usage = "cutinfo [options] [CUTS]",
	.summary = "Validate a cut list (file or stdin) and summarise it; --json for a report jq can read.",
};

static struct {
	bool json;
	bool quiet;
} opt;

static sh_option options[] = {
	{"json", 'j', SH_OPT_FLAG, &opt.json, .help = "print the summary as JSON"},
	{"quiet", 'q', SH_OPT_FLAG, &opt.quiet, .help = "print nothing: the exit status says whether it is valid"},
	{0},
};

typedef struct {
	double a, b;
} span;

static int by_start(const void *x, const void *y)
{
	const span *p = x, *q = y;
	return (p->a > q->a) - (p->a < q->a);
}

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	if (argc - first > 1)
		sh_usage_error("too many operands (try --help)");
	const char *path = first < argc ? argv[first] : "-";
	sh_cutlist *cl = sh_cutlist_load_or_die(path);
	if (opt.quiet)
		return 0;

	/* positions within half a sample (or a microsecond) count as "in place" */
	double tol = cl->src_rate > 0 ? 0.5 / cl->src_rate : 1e-6;
	double out = 0, moved = 0, reversed = 0, dropped = 0, gmin = INFINITY, gmax = -INFINITY;
	size_t nrev = 0, nsil = 0, nrep = 0;
	span *spans = sh_malloc((cl->n ? cl->n : 1) * sizeof *spans);
	size_t nspans = 0;
	for (size_t i = 0; i < cl->n; i++) {
		const sh_cut *c = &cl->cuts[i];
		if (c->silence) {
			nsil++;
			dropped += c->dur;
		} else {
			if (c->reverse) {
				nrev++;
				reversed += c->dur;
			}
			if (fabs(c->src - out) > tol || c->reverse)
				moved += c->dur;
			spans[nspans++] = (span){c->src, c->src + c->dur};
			if (c->gain < gmin)
				gmin = c->gain;
			if (c->gain > gmax)
				gmax = c->gain;
		}
		if (i > 0 && !memcmp(c, &cl->cuts[i - 1], sizeof *c))
			nrep++;
		out += c->dur;
	}
	qsort(spans, nspans, sizeof *spans, by_start);
	double heard = 0, end = -INFINITY;
	for (size_t i = 0; i < nspans; i++) {
		double a = spans[i].a > end ? spans[i].a : end;
		if (spans[i].b > a)
			heard += spans[i].b - a;
		if (spans[i].b > end)
			end = spans[i].b;
	}
	free(spans);
	double srcdur = cl->src_duration;
	double coverage = srcdur > 0 ? heard / srcdur : 0;
	if (coverage > 1)
		coverage = 1; /* a list may reach past the duration it records, on --fit wrap sources */
	double share = out > 0 ? 1 / out : 0;

	json_t *r = json_object();
	json_object_set_new(r, "valid", json_true());
	json_object_set_new(r, "version", json_integer(SH_CUTLIST_VERSION));
	json_object_set_new(r, "cuts", json_integer((json_int_t)cl->n));
	json_object_set_new(r, "output_duration", json_real(out));
	json_object_set_new(r, "source_duration", json_real(srcdur));
	json_object_set_new(r, "source_rate", cl->src_rate > 0 ? json_real(cl->src_rate) : json_null());
	if (cl->fps.num) {
		char buf[32];
		snprintf(buf, sizeof buf, "%d/%d", cl->fps.num, cl->fps.den);
		json_object_set_new(r, "fps", json_string(buf));
	} else {
		json_object_set_new(r, "fps", json_null());
	}
	json_object_set_new(r, "seed", cl->has_seed ? json_integer((json_int_t)cl->seed) : json_null());
	json_t *progname = cl->made_by ? json_object_get(cl->made_by, "program") : NULL;
	json_object_set_new(r, "made_by", progname ? json_incref(progname) : json_null());
	json_object_set_new(r, "reversed_cuts", json_integer((json_int_t)nrev));
	json_object_set_new(r, "dropped_cuts", json_integer((json_int_t)nsil));
	json_object_set_new(r, "repeated_cuts", json_integer((json_int_t)nrep));
	json_object_set_new(r, "moved_share", json_real(moved * share));
	json_object_set_new(r, "reversed_share", json_real(reversed * share));
	json_object_set_new(r, "dropped_share", json_real(dropped * share));
	json_object_set_new(r, "coverage", json_real(coverage));
	json_object_set_new(r, "gain_min", nspans ? json_real(gmin) : json_null());
	json_object_set_new(r, "gain_max", nspans ? json_real(gmax) : json_null());

	char *text;
	if (opt.json) {
		text = json_dumps(r, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	} else {
		size_t cap = 2048;
		text = sh_malloc(cap);
		snprintf(text, cap,
		         "valid: yes (cut list version %d)\n"
		         "cuts: %zu (%zu reversed, %zu dropped, %zu repeats of the one before)\n"
		         "output: %.6f s\n"
		         "source: %.6f s%s%.0f%s\n"
		         "moved: %.1f%% of output time plays from elsewhere or backwards\n"
		         "reversed: %.1f%% of output time\n"
		         "dropped: %.1f%% of output time is silence\n"
		         "coverage: %.1f%% of the source is heard\n",
		         SH_CUTLIST_VERSION, cl->n, nrev, nsil, nrep, out, srcdur,
		         cl->src_rate > 0 ? " at " : "", cl->src_rate, cl->src_rate > 0 ? " Hz" : "",
		         100 * moved * share, 100 * reversed * share, 100 * dropped * share, 100 * coverage);
	}
	size_t len = strlen(text);
	if (sh_write_all(1, text, len) != 0)
		sh_die("%s", sh_error());
	if (opt.json)
		if (sh_write_all(1, "\n", 1) != 0)
			sh_die("%s", sh_error());
	free(text);
	json_decref(r);
	sh_cutlist_free(cl);
	return 0;
}
