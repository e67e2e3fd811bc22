/* route -- probability consumption: each trigger is taken by one of several named
 * outputs (drawn by weight, or in turn), or by each output with its own chance.
 * The outputs are the same triggers renamed, on the same pipe, so the nodes
 * downstream each listen for their own name. */
#include "chooser.h"
#include "cli.h"
#include "evfilter.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_OUTPUTS 64

/* The knobs, at their defaults. */
static const char *to = NULL;        /* NAME[:WEIGHT],... (required) */
static const char *mode = "pick";    /* pick | cycle | each */
static const char *source = NULL;    /* route only triggers of this name; NULL: every trigger */
static bool keep = false;            /* also pass the trigger on under its own name */
static const char *random_policy = "uniform"; /* how pick draws */

static sh_option options[] = {
	{.name = "to", .short_name = 't', .type = SH_OPT_STRING, .dest = &to, .arg = "NAME[:W],...", .live = true,
	 .help = "the outputs and their weights (1 when left out), e.g. kick:3,snare,ghost:0.5"},
	{.name = "mode", .short_name = 'm', .type = SH_OPT_CHOICE, .dest = &mode, .choices = "pick|cycle|each",
	 .live = true,
	 .help = "pick: one output drawn by weight; cycle: one output in turn, as often as its weight says; "
	         "each: every output with its weight as its chance, 0..1"},
	{.name = "source", .short_name = 's', .type = SH_OPT_STRING, .dest = &source, .arg = "NAME",
	 .help = "route only triggers of this name; others pass (default: every trigger)"},
	{.name = "keep", .short_name = 'k', .type = SH_OPT_FLAG, .dest = &keep,
	 .help = "also pass each routed trigger on under its own name"},
	{.name = "random", .type = SH_OPT_STRING, .dest = &random_policy, .arg = "POLICY", .live = true,
	 .help = "how pick draws its outputs: " SH_CHOOSER_HELP " (shards(7))"},
	{0},
};

static struct {
	int n;
	char *quoted[MAX_OUTPUTS]; /* each output's name as JSON text */
	double weight[MAX_OUTPUTS], total;
	double credit[MAX_OUTPUTS]; /* cycle: smooth weighted round robin */
} out;

static sh_chooser *chooser;

static void clear_outputs(void)
{
	for (int i = 0; i < out.n; i++)
		free(out.quoted[i]);
	memset(&out, 0, sizeof out);
}

/* --to into `out`; -1 with sh_error() and `out` as it was. */
static int parse_outputs(const char *text, const char *how)
{
	if (!text || !*text) {
		sh_set_error("--to is required: the outputs, as NAME[:WEIGHT],... (e.g. kick:3,snare)");
		return -1;
	}
	char *copy = sh_strdup(text), *save = NULL;
	int n = 0;
	char *names[MAX_OUTPUTS], *quoted[MAX_OUTPUTS];
	double w[MAX_OUTPUTS], total = 0;
	const char *why = NULL;
	for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		if (n == MAX_OUTPUTS) {
			why = "more than 64 outputs";
			break;
		}
		char *colon = strrchr(item, ':');
		w[n] = 1;
		if (colon) {
			*colon = 0;
			if (sh_parse_double(colon + 1, &w[n]) != 0 || w[n] < 0) {
				sh_set_error("--to: '%s:%s': a weight is a number, 0 or more", item, colon + 1);
				goto fail;
			}
		}
		if (!*item) {
			why = "an output without a name";
			break;
		}
		for (int i = 0; i < n; i++)
			if (!strcmp(names[i], item)) {
				sh_set_error("--to: output '%s' is named twice", item);
				goto fail;
			}
		if (!strcmp(how, "each") && w[n] > 1) {
			sh_set_error("--to: '%s:%g': with --mode each a weight is the output's chance, 0..1", item, w[n]);
			goto fail;
		}
		json_t *s = json_string(item); /* NULL unless UTF-8: JSON carries nothing else */
		quoted[n] = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
		json_decref(s);
		if (!quoted[n]) {
			sh_set_error("--to: output '%s' is not UTF-8 text", item);
			goto fail;
		}
		names[n] = item;
		total += w[n++];
	}
	if (!why && n == 0)
		why = "no outputs";
	if (!why && !(total > 0))
		why = "the weights add up to 0: give at least one output a weight above 0";
	if (why) {
		sh_set_error("--to '%s': %s", text, why);
		goto fail;
	}
	clear_outputs();
	out.n = n;
	out.total = total;
	for (int i = 0; i < n; i++) {
		out.quoted[i] = quoted[i];
		out.weight[i] = w[i];
	}
	free(copy);
	return 0;
fail:
	for (int i = 0; i < n; i++)
		free(quoted[i]);
	free(copy);
	return -1;
}

static int setup(sh_evfilter *f)
{
	(void)f;
	return parse_outputs(to, mode) == 0 && sh_chooser_set(&chooser, random_policy) == 0 ? SH_EVF_GO : SH_EVF_USAGE;
}

static int changed(sh_evfilter *f, sh_option *o)
{
	(void)f;
	if (o->dest == &random_policy)
		return sh_chooser_set(&chooser, random_policy);
	return parse_outputs(to, mode);
}

/* cycle: every output earns its weight each turn and the richest one takes the
 * trigger and pays the total, so over any stretch the shares follow the weights
 * as closely as whole triggers allow, and spread evenly rather than in runs */
static int cycle(void)
{
	int best = 0;
	for (int i = 0; i < out.n; i++) {
		out.credit[i] += out.weight[i];
		if (out.credit[i] > out.credit[best])
			best = i;
	}
	out.credit[best] -= out.total;
	return best;
}

/* The trigger under output I's name, every other byte as it came. */
static int emit(sh_evfilter *f, const sh_event *ev, int i)
{
	size_t len;
	char *line = sh_event_with(ev, "name", out.quoted[i], &len);
	if (!line) {
		sh_set_error("%s:%ld: cannot rename the trigger", ev->src, ev->lineno);
		return -1;
	}
	int rc = sh_evwriter_raw(f->out, line, len);
	free(line);
	return rc;
}

static int trigger_event(sh_evfilter *f, const sh_event *ev)
{
	const char *name;
	if (sh_ev_string(ev, "name", &name) != 0) {
		sh_event_bad(f->in, ev, "trigger event needs a string \"name\"");
		return 0;
	}
	if (source && strcmp(name, source) != 0)
		return sh_evwriter_pass(f->out, ev);
	if (keep && sh_evwriter_pass(f->out, ev) != 0)
		return -1;
	if (!strcmp(mode, "each")) {
		for (int i = 0; i < out.n; i++)
			if (sh_rng_chance(&f->rng, out.weight[i]) && emit(f, ev, i) != 0)
				return -1;
		return 0;
	}
	return emit(f, ev, !strcmp(mode, "cycle") ? cycle() : sh_chooser_pick(chooser, &f->rng, out.weight, out.n));
}

static void stop(sh_evfilter *f)
{
	(void)f;
	clear_outputs();
	sh_chooser_free(chooser);
}

static const sh_evfilter_program program = {
	.usage = "route -t NAME[:W],... [options] [FILE]",
	.summary = "route triggers to named outputs: each taken by one output (by weight or in turn), or by each "
	           "with its own chance",
	.options = options, .has_seed = true, .target = "route", .takes = "trigger",
	.setup = setup, .event = trigger_event, .changed = changed, .stop = stop,
};

int main(int argc, char **argv) { return sh_evfilter_main(&program, argc, argv); }
