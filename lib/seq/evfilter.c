/* evfilter.c -- the event-filter driver; see evfilter.h. */
#include "evfilter.h"
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The program's rows, then the shared ones (their destinations are in F). */
static sh_option *whole_table(const sh_evfilter_program *p, sh_evfilter *f)
{
	size_t n = 0;
	while (p->options[n].name)
		n++;
	sh_option *t = sh_calloc(n + 5, sizeof *t);
	memcpy(t, p->options, n * sizeof *t);
	if (p->target)
		t[n++] = (sh_option){.name = "name", .type = SH_OPT_STRING, .dest = &f->name, .arg = "NAME",
		                     .help = "the target that param events name to change knobs"};
	if (!p->generator)
		t[n++] = (sh_option)SH_EV_SKIP_BAD_OPTION(f->skip_bad);
	t[n++] = (sh_option){.name = "live", .short_name = 'l', .type = SH_OPT_FLAG, .dest = &f->live,
	                     .help = p->generator ? "pace output by the wall clock" : "flush after every line"};
	t[n++] = (sh_option)SH_EV_OUTPUT_OPTION(f->output);
	return t;
}

/* Room for any knob's value, to put it back when `changed` refuses the new one. */
typedef union {
	bool b;
	int64_t i;
	double d;
	sh_range r;
	sh_duration dur;
	sh_rational q;
	const char *s;
} knob_value;

static size_t value_size(sh_opt_type type)
{
	switch (type) {
	case SH_OPT_FLAG: return sizeof(bool);
	case SH_OPT_INT:
	case SH_OPT_CHANNEL: return sizeof(int64_t);
	case SH_OPT_DOUBLE: return sizeof(double);
	case SH_OPT_RANGE: return sizeof(sh_range);
	case SH_OPT_DURATION: return sizeof(sh_duration);
	case SH_OPT_RATE: return sizeof(sh_rational);
	default: return sizeof(const char *);
	}
}

/* A list value ([0,2,4]) as the text a flag would give ("0,2,4"); NULL if any
 * element is not a number or a string, or the text would be long. */
static char *list_text(json_t *list)
{
	char *text = sh_calloc(1, 4096);
	size_t n = 0, i;
	json_t *e;
	json_array_foreach(list, i, e) {
		char item[64];
		if (json_is_integer(e))
			snprintf(item, sizeof item, "%" JSON_INTEGER_FORMAT, json_integer_value(e));
		else if (json_is_real(e))
			snprintf(item, sizeof item, "%.17g", json_real_value(e));
		else if (json_is_string(e) && strlen(json_string_value(e)) < sizeof item && !strchr(json_string_value(e), ','))
			snprintf(item, sizeof item, "%s", json_string_value(e));
		else {
			free(text);
			return NULL;
		}
		n += (size_t)snprintf(text + n, 4096 - n, "%s%s", n ? "," : "", item);
		if (n >= 4000) {
			free(text);
			return NULL;
		}
	}
	return text;
}

/* A param event named no knob: say which ones may change. */
static void unknown_knob(const sh_option *opts)
{
	char names[1024];
	size_t n = 0;
	names[0] = 0;
	for (const sh_option *o = opts; o->name && n + 1 < sizeof names; o++)
		if (o->live)
			n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", n ? ", " : "", o->name);
	sh_set_error("no such knob (these change while running: %s)", n ? names : "none");
}

/* Set knob NAME to VALUE through the table, then let the program act on it;
 * on any refusal the knob keeps its old value. -1 with sh_error() naming the
 * knob's problem (not the knob: the caller names it). */
static int set_knob(const sh_evfilter_program *p, sh_evfilter *f, const char *name, json_t *value)
{
	for (const sh_evfilter_alias *a = p->aliases; a && a->from; a++)
		if (strcmp(name, a->from) == 0)
			name = a->to;
	sh_option *o = sh_params_find(f->opts, name);
	if (!o || o->no_preset) {
		unknown_knob(f->opts);
		return -1;
	}
	knob_value old;
	char *old_text = o->text;
	if (o->live)
		memcpy(&old, o->dest, value_size(o->type));
	int status;
	if (o->live && o->type == SH_OPT_STRING && json_is_array(value)) { /* a list knob given as a list */
		char *text = list_text(value);
		if (text)
			status = sh_params_set(f->opts, name, text);
		else {
			sh_set_error("a list of numbers such as [0,2,4]");
			status = -1;
		}
		free(text);
	} else
		status = sh_params_set_json(f->opts, name, value, true);
	if (status != 0) {
		/* the table's message names the knob first: the caller names it already */
		const char *why = sh_error();
		size_t n = strlen(name);
		if (strncmp(why, name, n) == 0 && why[n] == ':' && why[n + 1] == ' ') {
			char copy[1024];
			snprintf(copy, sizeof copy, "%s", why + n + 2);
			sh_set_error("%s", copy);
		}
		return -1;
	}
	if (p->changed && p->changed(f, o) != 0) {
		memcpy(o->dest, &old, value_size(o->type));
		o->text = old_text;
		return -1;
	}
	return 0;
}

/* Every event: param routing, pass-through, the program's callback. 0 at the end
 * of input, -1 with sh_error() on an error. */
static int run_events(const sh_evfilter_program *p, sh_evfilter *f)
{
	sh_event ev;
	const char *param;
	json_t *value;
	int r;
	while ((r = sh_evreader_next(f->in, &ev)) == 1) {
		if (f->name && sh_ev_param_for(&ev, f->name, &param, &value)) {
			if (set_knob(p, f, param, value) != 0)
				sh_event_bad(f->in, &ev, "param '%s': %s", param, sh_error());
			continue;
		}
		if (p->takes && !sh_ev_is(&ev, p->takes)) {
			if (sh_evwriter_pass(f->out, &ev) != 0)
				return -1;
			continue;
		}
		if (p->event(f, &ev) != 0)
			return -1;
		if (sh_evwriter_failed(f->out)) /* a write the callback did not check */
			return sh_evwriter_flush(f->out);
	}
	return r;
}

#define ONE_INPUT "too many operands (one input file at most)"

int sh_evfilter_parse(sh_program *prog, sh_option *opts, int argc, char **argv, const char **input)
{
	int first = sh_parse_options(prog, opts, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	if (argc - first > 1) {
		sh_warn(ONE_INPUT);
		return SH_EXIT_USAGE;
	}
	*input = first < argc ? argv[first] : NULL;
	return -1;
}

/* The operands, before anything is opened: -1 with sh_error() (a usage error). */
static int check_operands(const sh_evfilter_program *p, const sh_evfilter *f)
{
	if (!p->generator && f->nargs > 1) {
		sh_set_error(ONE_INPUT);
		return -1;
	}
	if (p->generator && !p->own_operands && f->nargs > 0) {
		sh_set_error("unexpected operand '%s' (try --help)", f->args[0]);
		return -1;
	}
	return 0;
}

/* Open the streams and run: 0, or -1 with sh_error(). */
static int run(const sh_evfilter_program *p, sh_evfilter *f)
{
	f->out = sh_evwriter_create(f->output, f->live);
	if (!f->out)
		return -1;
	if (f->live) /* a live chain keeps up on a busy machine */
		sh_try_realtime(p->generator ? SH_RT_GENERATOR : SH_RT_FILTER);
	if (f->generating) {
		f->start = sh_now();
		if (p->generate(f) != 0 || sh_evwriter_flush(f->out) != 0)
			return -1;
	} else {
		f->in = sh_evreader_open(f->nargs ? f->args[0] : NULL, f->skip_bad);
		if (!f->in)
			return -1;
		sh_evreader_flush_before_wait(f->in, f->out);
		if (run_events(p, f) != 0 || (p->finish && p->finish(f) != 0))
			return -1;
	}
	sh_evwriter *out = f->out;
	f->out = NULL;
	return sh_evwriter_close(out);
}

int sh_evfilter_main(const sh_evfilter_program *p, int argc, char **argv)
{
	sh_init(argc, argv);
	/* static: the parser's texts and the knobs' destinations live for the run */
	static sh_evfilter f;
	f = (sh_evfilter){.state = p->state, .name = p->target, .generating = p->generator};
	f.opts = whole_table(p, &f);
	sh_program prog = {.usage = p->usage, .summary = p->summary, .has_seed = p->has_seed};
	int first = sh_parse_options(&prog, f.opts, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	f.nargs = argc - first;
	f.args = argv + first;
	if (check_operands(p, &f) != 0) {
		sh_warn("%s", sh_error());
		return SH_EXIT_USAGE;
	}
	if (p->has_seed) {
		f.seed = prog.seed;
		sh_rng_seed(&f.rng, prog.seed);
		sh_note("seed %llu", (unsigned long long)prog.seed);
	}
	int status = p->setup ? p->setup(&f) : SH_EVF_GO;
	if (status == SH_EVF_GO && run(p, &f) != 0)
		status = SH_EVF_FAIL;
	if (status == SH_EVF_FAIL || status == SH_EVF_USAGE)
		sh_warn("%s", sh_error());
	sh_evwriter_abort(f.out); /* only after an error: run() closed it otherwise */
	sh_evreader_close(f.in);
	if (p->stop)
		p->stop(&f);
	return status == SH_EVF_FAIL ? SH_EXIT_FAIL : status == SH_EVF_USAGE ? SH_EXIT_USAGE : SH_EXIT_OK;
}

/* ---------------------------------------------------------------- held events */

struct sh_evheld {
	double t;
	char *line;
	size_t len;
};

void sh_evqueue_hold(sh_evqueue *q, double t, char *line, size_t len)
{
	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 64;
		q->ev = sh_realloc(q->ev, q->cap, sizeof *q->ev);
	}
	size_t i = q->n++;
	while (i > 0 && q->ev[i - 1].t > t) { /* equal times: after those already held */
		q->ev[i] = q->ev[i - 1];
		i--;
	}
	q->ev[i] = (struct sh_evheld){t, line, len};
}

int sh_evqueue_release(sh_evqueue *q, sh_evwriter *w, double until)
{
	size_t k = 0;
	int rc = 0;
	while (k < q->n && q->ev[k].t <= until) {
		if (rc == 0)
			rc = sh_evwriter_raw(w, q->ev[k].line, q->ev[k].len);
		q->last = q->ev[k].t;
		free(q->ev[k].line);
		k++;
	}
	if (k) {
		memmove(q->ev, q->ev + k, (q->n - k) * sizeof *q->ev);
		q->n -= k;
	}
	return rc;
}

void sh_evqueue_free(sh_evqueue *q)
{
	for (size_t i = 0; i < q->n; i++)
		free(q->ev[i].line);
	free(q->ev);
	*q = (sh_evqueue){.last = -INFINITY};
}

int sh_evtypes_parse(sh_evtypes *t, const char *list)
{
	char *copy = sh_strdup(list), *save = NULL;
	for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		t->name = sh_realloc(t->name, t->n + 1, sizeof *t->name);
		t->name[t->n++] = sh_strdup(name);
	}
	free(copy);
	if (!t->n) {
		sh_set_error("--types names no event type (e.g. note,trigger)");
		return -1;
	}
	return 0;
}

bool sh_evtypes_has(const sh_evtypes *t, const char *type)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(type, t->name[i]))
			return true;
	return false;
}

void sh_evtypes_free(sh_evtypes *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->name[i]);
	free(t->name);
	*t = (sh_evtypes){0};
}
