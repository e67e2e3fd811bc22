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
	.max_operands = 1,
};

static struct {
	bool json;
	bool quiet;
} opt;

static sh_option options[] = {
	{.name = "json", .type = SH_OPT_FLAG, .dest = &opt.json, .help = "print the summary as JSON"},
	{.name = "quiet", .short_name = 'q', .type = SH_OPT_FLAG, .dest = &opt.quiet,
	 .help = "print nothing: the exit status says whether it is valid"},
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

/* What a cut list does, in numbers. */
typedef struct {
	double out;                      /* output seconds */
	double moved, reversed, dropped; /* output seconds played from elsewhere, backwards, as silence */
	double gmin, gmax;               /* gains of the sounding pieces */
	double coverage;                 /* share of the source heard */
	size_t nrev, nsil, nrep;         /* reversed, dropped, repeated pieces */
	size_t nsounding;
} summary;

/* Seconds of the source heard at least once: the union of the sounding spans. */
static double heard_seconds(span *spans, size_t n)
{
	qsort(spans, n, sizeof *spans, by_start);
	double heard = 0, end = -INFINITY;
	for (size_t i = 0; i < n; i++) {
		double a = spans[i].a > end ? spans[i].a : end;
		if (spans[i].b > a)
			heard += spans[i].b - a;
		if (spans[i].b > end)
			end = spans[i].b;
	}
	return heard;
}

static summary summarise(const sh_cutlist *cl)
{
	/* positions within half a sample (or a microsecond) count as "in place" */
	double tol = cl->src_rate > 0 ? 0.5 / cl->src_rate : 1e-6;
	summary s = {.gmin = INFINITY, .gmax = -INFINITY};
	span *spans = sh_malloc((cl->n ? cl->n : 1) * sizeof *spans);
	for (size_t i = 0; i < cl->n; i++) {
		const sh_cut *c = &cl->cuts[i];
		if (c->silence) {
			s.nsil++;
			s.dropped += c->dur;
		} else {
			if (c->reverse) {
				s.nrev++;
				s.reversed += c->dur;
			}
			if (fabs(c->src - s.out) > tol || c->reverse)
				s.moved += c->dur;
			spans[s.nsounding++] = (span){c->src, c->src + c->dur};
			if (c->gain < s.gmin)
				s.gmin = c->gain;
			if (c->gain > s.gmax)
				s.gmax = c->gain;
		}
		if (i > 0 && !memcmp(c, &cl->cuts[i - 1], sizeof *c))
			s.nrep++;
		s.out += c->dur;
	}
	double heard = heard_seconds(spans, s.nsounding);
	free(spans);
	s.coverage = cl->src_duration > 0 ? heard / cl->src_duration : 0;
	if (s.coverage > 1)
		s.coverage = 1; /* a list may reach past the duration it records, on --fit wrap sources */
	return s;
}

static char *report_json(const sh_cutlist *cl, const summary *s)
{
	double share = s->out > 0 ? 1 / s->out : 0;
	json_t *r = json_object();
	json_object_set_new(r, "valid", json_true());
	json_object_set_new(r, "version", json_integer(SH_CUTLIST_VERSION));
	json_object_set_new(r, "cuts", json_integer((json_int_t)cl->n));
	json_object_set_new(r, "output_duration", json_real(s->out));
	json_object_set_new(r, "source_duration", json_real(cl->src_duration));
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
	json_object_set_new(r, "reversed_cuts", json_integer((json_int_t)s->nrev));
	json_object_set_new(r, "dropped_cuts", json_integer((json_int_t)s->nsil));
	json_object_set_new(r, "repeated_cuts", json_integer((json_int_t)s->nrep));
	json_object_set_new(r, "moved_share", json_real(s->moved * share));
	json_object_set_new(r, "reversed_share", json_real(s->reversed * share));
	json_object_set_new(r, "dropped_share", json_real(s->dropped * share));
	json_object_set_new(r, "coverage", json_real(s->coverage));
	json_object_set_new(r, "gain_min", s->nsounding ? json_real(s->gmin) : json_null());
	json_object_set_new(r, "gain_max", s->nsounding ? json_real(s->gmax) : json_null());
	char *text = sh_json_text(r, 10, NULL);
	json_decref(r);
	if (!text)
		sh_die("%s", sh_error());
	return text;
}

static char *report_text(const sh_cutlist *cl, const summary *s)
{
	double share = s->out > 0 ? 1 / s->out : 0;
	size_t cap = 2048;
	char *text = sh_malloc(cap);
	snprintf(text, cap,
	         "valid: yes (cut list version %d)\n"
	         "cuts: %zu (%zu reversed, %zu dropped, %zu repeats of the one before)\n"
	         "output: %.6f s\n"
	         "source: %.6f s%s%.0f%s\n"
	         "moved: %.1f%% of output time plays from elsewhere or backwards\n"
	         "reversed: %.1f%% of output time\n"
	         "dropped: %.1f%% of output time is silence\n"
	         "coverage: %.1f%% of the source is heard\n",
	         SH_CUTLIST_VERSION, cl->n, s->nrev, s->nsil, s->nrep, s->out, cl->src_duration,
	         cl->src_rate > 0 ? " at " : "", cl->src_rate, cl->src_rate > 0 ? " Hz" : "",
	         100 * s->moved * share, 100 * s->reversed * share, 100 * s->dropped * share, 100 * s->coverage);
	return text;
}

int main(int argc, char **argv)
{
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	sh_cutlist *cl = sh_cutlist_load(first < argc ? argv[first] : "-");
	if (!cl)
		sh_die("%s", sh_error());
	if (!opt.quiet) {
		summary s = summarise(cl);
		char *text = opt.json ? report_json(cl, &s) : report_text(cl, &s);
		if (sh_write_all(1, text, strlen(text)) != 0)
			sh_die("%s", sh_error());
		free(text);
	}
	sh_cutlist_free(cl);
	return 0;
}
