/* dsp -- a chain of audio processors in one process, sox-style:
 *     dsp lowpass freq=800 q=0.7 : echo time=0.3 fb=0.4 : gain db=-6
 *
 * Every node is a processor of the registry (C or Faust, lib/dsp/proc.h) or a
 * user's Faust file compiled when the program starts (lib/dsp/faust.h), with
 * a name. The chain runs from stdin or -i FILE to stdout or -o FILE; --capture
 * writes every node's output beside it; `param` events from --events FILE (or
 * a FIFO with --live) change knobs by node name at the sample their time maps to.
 *
 * Each node's output goes through this file's sink (not straight into the next
 * processor), which is where capture happens and where events cut the stream:
 * the frames before an event's sample go in, the knob changes, the rest follow. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio.h"
#include "cli.h"
#include "events.h"
#include "faust.h"
#include "proc.h"
#include "timing.h"

/* ---- options ---- */
static const char *input = NULL;
static const char *out_path = NULL;
static const char *bits = NULL;
static const char *capture_dir = NULL;
static const char *events_path = NULL;
static const char *live_path = NULL;
static double bpm = 120; /* beats to seconds for events, until a tempo event says otherwise */
static bool list = false, params = false, json = false;

static sh_option options[] = {
	{.name = "input", .short_name = 'i', .type = SH_OPT_STRING, .dest = &input, .arg = "FILE",
	 .no_preset = true, .help = "read audio from FILE (any format libsndfile or FFmpeg reads) instead of stdin"},
	SH_AUDIO_OUTPUT_OPTION(out_path),
	SH_AUDIO_BITS_OPTION(bits),
	{.name = "capture", .type = SH_OPT_STRING, .dest = &capture_dir, .arg = "DIR", .no_preset = true,
	 .help = "also write every node's output as DIR/NAME.wav (32-bit float), to hear each step"},
	{.name = "events", .short_name = 'e', .type = SH_OPT_STRING, .dest = &events_path, .arg = "FILE",
	 .no_preset = true, .help = "param events (JSON Lines) that move nodes' knobs at their times"},
	{.name = "live", .type = SH_OPT_STRING, .dest = &live_path, .arg = "FIFO", .no_preset = true,
	 .help = "param events arriving while the audio runs (a FIFO): applied as they come"},
	{.name = "bpm", .type = SH_OPT_DOUBLE, .dest = &bpm, .min = 1, .max = 999, .arg = "BPM",
	 .unit = "bpm", .help = "tempo for events' beats until a tempo event in them says otherwise"},
	{.name = "list", .type = SH_OPT_FLAG, .dest = &list, .no_preset = true,
	 .help = "list every processor, C or Faust, with what it does, and exit"},
	{.name = "params", .type = SH_OPT_FLAG, .dest = &params, .no_preset = true,
	 .help = "print the knobs of the processors named (their table) and exit"},
	{.name = "json", .type = SH_OPT_FLAG, .dest = &json, .no_preset = true,
	 .help = "--list and --params print JSON"},
	{0},
};

static sh_program program = {
	.usage = "dsp [-i FILE] [-o FILE] [--capture DIR] [-e EVENTS] [--live FIFO] [-j N]\n"
	         "           [LABEL=]PROCESSOR|FILE.dsp [--name NAME] [key=value ...] [ch=LIST]\n"
	         "           [: PROCESSOR ...]\n"
	         "       dsp --list [--json]\n"
	         "       dsp PROCESSOR --params [--json]",
	.summary = "run audio through a chain of processors (filters, echo, dynamics, reverb, "
	           "Faust files...)",
	.has_seed = true,
	.has_jobs = true,
};

/* ---- the chain ---- */

/* A knob change waiting for its sample. */
typedef struct {
	int64_t frame; /* at the node's input, in its rate */
	char *param;
	json_t *value;
	long lineno;
	const char *src;    /* the reader's name: readers stay open for the run */
} change;

typedef struct node {
	sh_proc *p;
	const sh_proc_class *cls;
	char *name;
	int index;
	int in_channels;    /* the stream's channels into this node */
	sh_audio_out *cap;  /* --capture */
	change *ch;         /* sorted by frame */
	size_t nch, capch, next_ch;
} node;

static node *nodes;
static int nnodes;
static sh_audio_out *out;
static bool any_seeded;

static bool faust_file(const char *w)
{
	size_t n = strlen(w);
	return n > 4 && !strcmp(w + n - 4, ".dsp");
}

/* The class a node's first word names: the registry's, or a Faust file's. */
static const sh_proc_class *class_of(const char *word, bool faust)
{
	if (faust || faust_file(word)) {
		const sh_proc_class *c = sh_faust_class_from_file(word);
		if (!c)
			sh_die("%s", sh_error()); /* Faust's message: a mistake in a file, not in usage */
		return c;
	}
	const sh_proc_class *c = sh_proc_find(word);
	if (!c)
		sh_usage_error("%s: %s", word, sh_error());
	return c;
}

static bool name_taken(const char *name, int upto)
{
	for (int i = 0; i < upto; i++)
		if (!strcmp(nodes[i].name, name))
			return true;
	return false;
}

/* The default name: the processor's, then NAME2, NAME3, ... */
static char *default_name(const char *base, int upto)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", base);
	for (int k = 2; name_taken(buf, upto); k++)
		snprintf(buf, sizeof buf, "%s%d", base, k);
	return sh_strdup(buf);
}

/* One node from WORDS[0..n-1]: [LABEL=]PROCESSOR key=value ... ; LABEL may
 * also come from --name (given). */
static void parse_node(char **w, int n, const char *given, bool faust)
{
	node *d = &nodes[nnodes];
	d->index = nnodes;
	char *label = NULL, *procword = w[0];
	char *eq = strchr(w[0], '=');
	if (eq && !faust) {
		label = sh_strdup(w[0]);
		label[eq - w[0]] = 0;
		procword = eq + 1;
	}
	d->cls = class_of(procword, faust);
	d->p = sh_proc_new(d->cls);
	any_seeded = any_seeded || d->cls->seeded;
	for (int i = 1; i < n; i++) {
		char *e = strchr(w[i], '=');
		if (!e)
			sh_usage_error("%s: '%s' is not key=value (nodes are separated by a lone ':')",
			               d->cls->name, w[i]);
		*e = 0;
		const char *key = w[i], *val = e + 1;
		if (!strcmp(key, "ch") || (!strcmp(key, "channels") && !sh_params_find(d->p->params, "channels"))) {
			if (sh_proc_pick(d->p, val) != 0)
				sh_usage_error("%s", sh_error());
		} else if (sh_proc_set(d->p, key, val) != 0) {
			sh_usage_error("%s: %s", d->cls->name, sh_error());
		}
		*e = '=';
	}
	if (given && label)
		sh_usage_error("%s: named twice (%s= and --name %s)", procword, label, given);
	const char *nm = given ? given : label;
	if (nm) {
		if (!*nm || strchr(nm, '/') || !strcmp(nm, ".") || !strcmp(nm, ".."))
			sh_usage_error("'%s' is not a node name (it names a capture file: no '/')", nm);
		if (name_taken(nm, nnodes))
			sh_usage_error("two nodes are named %s", nm);
		d->name = sh_strdup(nm);
	} else {
		/* a Faust file's class is named after the file: ./my.dsp is "my" */
		d->name = default_name(d->cls->name, nnodes);
	}
	free(label);
	if (sh_proc_check(d->p) != 0)
		sh_usage_error("%s", sh_error());
	nnodes++;
}

/* ---- argv: the program's options, and the chain's words ----
 * sh_parse_options takes the program's options wherever they stand and leaves
 * the chain's words after them, in order. Only a node's own --name N and
 * --faust FILE must not reach it: each becomes one word "name=N" or
 * "faust=FILE" first, known afterwards by its address (no word of the user's is
 * one of them). File-wide, so an early exit leaves nothing unreachable. */
static char **args, **own;
static int nown;

/* ARGV with every node's own option made one word, into ARGS (NARGS). */
static void hide_node_options(int argc, char **argv, int *nargs)
{
	args[(*nargs)++] = argv[0];
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *key = NULL;
		if (!strncmp(a, "--name", 6) && (!a[6] || a[6] == '='))
			key = "name";
		else if (!strncmp(a, "--faust", 7) && (!a[7] || a[7] == '='))
			key = "faust";
		if (!key) {
			args[(*nargs)++] = argv[i];
			continue;
		}
		const char *val = strchr(a, '=');
		if (val)
			val++;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			sh_usage_error("%s needs a value", a);
		size_t len = strlen(key) + strlen(val) + 2;
		char *w = sh_malloc(len);
		snprintf(w, len, "%s=%s", key, val);
		args[(*nargs)++] = own[nown++] = w;
	}
	args[*nargs] = NULL;
}

/* W's value when W is a node's --KEY made one word, else NULL. */
static const char *node_option(const char *w, const char *key)
{
	const size_t n = strlen(key);
	for (int i = 0; i < nown; i++)
		if (w == own[i])
			return !strncmp(w, key, n) && w[n] == '=' ? w + n + 1 : NULL;
	return NULL;
}

/* Nodes from the chain's words: separated by lone ':' words. */
static void parse_chain(char **w, int n)
{
	nodes = sh_calloc((size_t)n + 1, sizeof *nodes);
	int start = 0;
	for (int i = 0; i <= n; i++) {
		if (i < n && strcmp(w[i], ":"))
			continue;
		/* words start..i-1: one node, with --name and --faust pulled out */
		const char *given = NULL, *v;
		bool faust = false;
		char **nw = sh_calloc((size_t)(i - start) + 1, sizeof *nw);
		int k = 0;
		for (int j = start; j < i; j++) {
			if ((v = node_option(w[j], "name"))) {
				if (given)
					sh_usage_error("a node has two --name");
				given = v;
			} else if ((v = node_option(w[j], "faust"))) {
				if (faust || k > 0)
					sh_usage_error("--faust FILE begins a node (before its key=value words)");
				faust = true;
				nw[k++] = (char *)v;
			} else {
				nw[k++] = w[j];
			}
		}
		if (k == 0)
			sh_usage_error(n == 0 ? "no processor given (try dsp --list)"
			                      : "an empty node: a ':' with no processor on one side");
		parse_node(nw, k, given, faust);
		free(nw);
		start = i + 1;
	}
}

/* ---- --list and --params ---- */

static const char *kind_of(const sh_proc_class *c)
{
	return c->flow == sh_faust_flow ? "faust" : "c";
}

static void print_list(void)
{
	json_t *arr = json ? json_array() : NULL;
	for (size_t i = 0; sh_proc_class_at(i); i++) {
		const sh_proc_class *c = sh_proc_class_at(i);
		if (arr)
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "name", c->name, "kind",
			                                     kind_of(c), "purpose", c->purpose));
		else
			printf("%-10s %-5s %s\n", c->name, kind_of(c), c->purpose);
	}
	if (arr) {
		json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
		putchar('\n');
		json_decref(arr);
	}
}

static const char *type_name(const sh_option *o)
{
	switch (o->type) {
	case SH_OPT_FLAG: return "flag";
	case SH_OPT_INT: return "integer";
	case SH_OPT_DOUBLE: return "number";
	case SH_OPT_CHOICE: return "choice";
	default: return "string";
	}
}

static bool numeric(const sh_option *o) { return o->type == SH_OPT_INT || o->type == SH_OPT_DOUBLE; }

static void print_params(void)
{
	json_t *arr = json ? json_array() : NULL;
	for (int i = 0; i < nnodes; i++) {
		const node *d = &nodes[i];
		json_t *rows = json_array();
		if (!arr)
			printf("%s (%s): %s\n  %-10s %-6s %-9s %-9s %-9s %-4s %s\n", d->cls->name, kind_of(d->cls),
			       d->cls->purpose, "name", "unit", "min", "max", "default", "live", "description");
		for (const sh_option *o = d->p->params; o->name; o++) {
			json_t *v = sh_param_json(o);
			if (arr) {
				json_t *r = json_pack("{s:s, s:s, s:s, s:o, s:b, s:s}", "name", o->name, "type",
				                      type_name(o), "unit", o->unit ? o->unit : "", "default", v,
				                      "live", o->live, "description", o->help ? o->help : "");
				if (numeric(o)) {
					json_object_set_new(r, "min", json_real(o->min));
					json_object_set_new(r, "max", json_real(o->max));
				}
				if (o->type == SH_OPT_CHOICE)
					json_object_set_new(r, "choices", json_string(o->choices));
				json_array_append_new(rows, r);
				continue;
			}
			char lo[32] = "-", hi[32] = "-", def[64];
			if (numeric(o)) {
				sh_format_number(lo, sizeof lo, o->min);
				sh_format_number(hi, sizeof hi, o->max);
			}
			if (numeric(o)) {
				sh_format_number(def, sizeof def, json_number_value(v));
			} else {
				char *dt = json_dumps(v, JSON_ENCODE_ANY);
				snprintf(def, sizeof def, "%s", dt ? dt : "");
				free(dt);
			}
			json_decref(v);
			printf("  %-10s %-6s %-9s %-9s %-9s %-4s %s", o->name, o->unit && *o->unit ? o->unit : "-",
			       lo, hi, def, o->live ? "yes" : "no", o->help ? o->help : "");
			if (o->type == SH_OPT_CHOICE)
				printf(" (%s)", o->choices);
			putchar('\n');
		}
		if (arr)
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:i, s:o}", "name", d->cls->name,
			                                     "kind", kind_of(d->cls), "purpose", d->cls->purpose,
			                                     "ports", d->cls->ports, "params", rows));
		else
			json_decref(rows);
	}
	if (arr) {
		json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
		putchar('\n');
		json_decref(arr);
	}
}

/* ---- events ---- */

static node *node_named(const char *name)
{
	for (int i = 0; i < nnodes; i++)
		if (!strcmp(nodes[i].name, name))
			return &nodes[i];
	return NULL;
}

/* Keep a change for node D at FRAME, in order (a live one may come before
 * ones already waiting). */
static void add_change(node *d, int64_t frame, const char *param, json_t *value, const sh_event *ev)
{
	if (d->nch == d->capch) {
		d->capch = d->capch ? 2 * d->capch : 16;
		d->ch = sh_realloc(d->ch, d->capch, sizeof *d->ch);
	}
	size_t at = d->nch;
	while (at > d->next_ch && d->ch[at - 1].frame > frame)
		at--;
	memmove(d->ch + at + 1, d->ch + at, (d->nch - at) * sizeof *d->ch);
	d->ch[at] = (change){.frame = frame, .param = sh_strdup(param), .value = json_incref(value),
	                     .lineno = ev->lineno, .src = ev->src};
	d->nch++;
}

/* The event's moment in seconds: "s" when it has one, else its beat through
 * the tempo map. */
static double event_seconds(const sh_event *ev, const sh_tempomap *tm)
{
	double s;
	if (sh_ev_number(ev, "s", &s) == 0 && isfinite(s) && s >= 0)
		return s;
	return sh_tempomap_seconds(tm, ev->t);
}

/* A param event for one of the nodes: checked on a scratch instance (the name,
 * live, the range), so a bad one ends the run before any audio. Returns the
 * node, or NULL when the event is not for this chain. */
static node *param_target(sh_evreader *r, const sh_event *ev, const char **param, json_t **value)
{
	const char *target;
	if (!sh_ev_is(ev, "param") || sh_ev_string(ev, "target", &target) != 0)
		return NULL;
	node *d = node_named(target);
	if (!d || !sh_ev_param_for(ev, target, param, value))
		return NULL;
	const sh_option *row = sh_params_find(d->p->params, *param);
	if (row && !row->live) {
		sh_set_error("%s: %s cannot change while running", d->name, *param);
		sh_event_bad(r, ev, "%s", sh_error());
		return NULL;
	}
	sh_proc *scratch = sh_proc_new(d->cls);
	int ok = sh_proc_set_json(scratch, *param, *value);
	sh_proc_free(scratch);
	if (ok != 0) {
		sh_event_bad(r, ev, "%s", sh_error());
		return NULL;
	}
	return d;
}

static int64_t seconds_to_frame(double s, int rate)
{
	double f = floor(s * rate + 0.5);
	return f > (double)INT64_MAX / 2 ? INT64_MAX / 2 : (int64_t)f;
}

/* One event from R: a tempo goes into TM, a param event for a node becomes a
 * change at its sample (LIVE: at once when that has passed), anything else
 * passes by. */
static void take_event(sh_evreader *r, sh_event *ev, sh_tempomap *tm, bool live)
{
	double b;
	if (sh_ev_is(ev, "tempo")) {
		if (sh_ev_tempo(r, ev, &b))
			sh_tempomap_set(tm, ev->t, b);
		return;
	}
	const char *param;
	json_t *value;
	node *d = param_target(r, ev, &param, &value);
	if (!d)
		return;
	int64_t f = seconds_to_frame(event_seconds(ev, tm), d->p->rate);
	if (live && f < d->p->frames_in)
		f = d->p->frames_in;
	add_change(d, f, param, value, ev);
}

/* Every param event of FILE for these nodes, before the audio starts. The
 * reader stays open for the run: the changes' messages name it. */
static sh_evreader *loaded;

static void load_events(const char *path)
{
	if (!(loaded = sh_evreader_open(path, false)))
		sh_die("%s", sh_error());
	sh_tempomap tm;
	sh_tempomap_init(&tm, bpm);
	sh_event ev;
	int got;
	while ((got = sh_evreader_next(loaded, &ev)) > 0)
		take_event(loaded, &ev, &tm, false);
	if (got < 0)
		sh_die("%s", sh_error());
}

/* --live: the FIFO, read without waiting between blocks of audio. */
static sh_evreader *live;
static sh_tempomap live_tempo;

static void open_live(const char *path)
{
	/* read and write: a FIFO opened so never waits for a writer, never ends when
	 * one goes away (another may come), and non-blocking reads leave the audio be */
	int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		sh_die("%s: cannot open: %s", path, strerror(errno));
	live = sh_evreader_open_fd(fd, path, true);
	sh_tempomap_init(&live_tempo, bpm);
}

/* What the FIFO holds now: each change at its moment, or now if that has passed. */
static void poll_live(void)
{
	if (!live || sh_evreader_eof(live))
		return;
	if (sh_evreader_fill(live) < 0)
		sh_die("%s", sh_error());
	sh_event ev;
	while (sh_evreader_buffered(live) && sh_evreader_next(live, &ev) > 0)
		take_event(live, &ev, &live_tempo, true);
}

/* ---- running ---- */

static int node_out(void *user, const float *buf, size_t frames);

/* FRAMES frames into node D, cut at the samples where its knobs change. */
static int feed(node *d, const float *buf, size_t frames)
{
	const size_t ch = (size_t)d->in_channels;
	while (frames > 0 || (d->next_ch < d->nch && d->ch[d->next_ch].frame <= d->p->frames_in)) {
		while (d->next_ch < d->nch && d->ch[d->next_ch].frame <= d->p->frames_in) {
			change *c = &d->ch[d->next_ch++];
			if (sh_proc_set_json(d->p, c->param, c->value) != 0) {
				sh_set_error("%s: line %ld: %s", c->src, c->lineno, sh_error());
				return -1;
			}
		}
		if (frames == 0)
			break;
		size_t k = frames;
		if (d->next_ch < d->nch && d->ch[d->next_ch].frame - d->p->frames_in < (int64_t)k)
			k = (size_t)(d->ch[d->next_ch].frame - d->p->frames_in);
		if (sh_proc_push(d->p, buf, k) != 0)
			return -1;
		buf += k * ch;
		frames -= k;
	}
	return 0;
}

static int node_out(void *user, const float *buf, size_t frames)
{
	node *d = user;
	if (d->cap && sh_audio_write(d->cap, buf, frames) != 0)
		return -1;
	if (d->index + 1 < nnodes)
		return feed(&nodes[d->index + 1], buf, frames);
	return sh_audio_write(out, buf, frames);
}

/* The channels node D gives on: a pick's stream passes whole. */
static int channels_out(const node *d)
{
	return d->p->pick ? d->in_channels : d->p->channels_out;
}

/* Start every node at the rate and channels the one before gives; returns the
 * chain's output (rate, channels). */
static void start_chain(int rate, int channels, uint64_t seed, int jobs, int *orate, int *ochannels)
{
	for (int i = 0; i < nnodes; i++) {
		node *d = &nodes[i];
		d->p->jobs = jobs;
		d->in_channels = channels;
		if (sh_proc_start(d->p, rate, channels, seed) != 0)
			sh_die("%s: %s", d->name, sh_error());
		d->p->sink = node_out;
		d->p->sink_user = d;
		channels = channels_out(d);
		rate = d->p->rate_out;
		if (d->p->latency > 0)
			sh_note("%s: latency %d frames, compensated", d->name, d->p->latency);
	}
	*orate = rate;
	*ochannels = channels;
}

static void open_captures(void)
{
	if (mkdir(capture_dir, 0777) != 0 && errno != EEXIST)
		sh_die("%s: cannot create: %s", capture_dir, strerror(errno));
	for (int i = 0; i < nnodes; i++) {
		node *d = &nodes[i];
		char path[PATH_MAX];
		snprintf(path, sizeof path, "%s/%s.wav", capture_dir, d->name);
		sh_audio_out_opts oo = {.bits = 0, .dither_seed = 1};
		if (!(d->cap = sh_audio_create(path, d->p->rate_out, channels_out(d), &oo)))
			sh_die("%s", sh_error());
	}
}

/* The chain, its pending changes and argv's words. */
static void free_all(void)
{
	for (int i = 0; i < nnodes; i++) {
		for (size_t k = 0; k < nodes[i].nch; k++) {
			free(nodes[i].ch[k].param);
			json_decref(nodes[i].ch[k].value);
		}
		free(nodes[i].ch);
		const sh_proc_class *c = nodes[i].cls;
		sh_proc_free(nodes[i].p);
		if (sh_faust_class_is_dynamic(c))
			sh_faust_class_free(c);
		free(nodes[i].name);
	}
	free(nodes);
	for (int i = 0; i < nown; i++)
		free(own[i]);
	free(own);
	free(args);
}

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	args = sh_calloc((size_t)argc + 1, sizeof *args);
	own = sh_calloc((size_t)argc + 1, sizeof *own);
	int nargs = 0;
	hide_node_options(argc, argv, &nargs);
	int first = sh_parse_options(&program, options, nargs, args);
	if (first <= 0) {
		free_all();
		return sh_parse_status(first);
	}
	char **words = args + first;
	const int nwords = nargs - first;
	if (list) {
		if (nwords)
			sh_usage_error("--list takes no processor");
		print_list();
		free_all();
		return SH_EXIT_OK;
	}
	parse_chain(words, nwords);
	if (params) {
		print_params();
		free_all();
		return SH_EXIT_OK;
	}
	if (json)
		sh_usage_error("--json goes with --list or --params");

	if (events_path && !strcmp(events_path, "-") && (!input || !strcmp(input, "-")))
		sh_usage_error("-e -: the audio comes from stdin too; give one of them as a file");
	/* --bits fits the output's format, or it is the user's to change */
	int obits = sh_parse_bits(bits);
	if (sh_audio_check_output(out_path, obits, 0, 0) != 0)
		sh_usage_error("%s", sh_error());
	sh_audio_in *in = sh_audio_open(input ? input : "-");
	if (!in)
		sh_die("%s", sh_error());
	if (any_seeded)
		sh_note("seed %llu", (unsigned long long)program.seed);
	int rate, channels;
	start_chain(sh_audio_rate(in), sh_audio_channels(in), program.seed, program.jobs, &rate, &channels);
	if (events_path)
		load_events(events_path);
	if (live_path)
		open_live(live_path);
	if (sh_audio_check_output(out_path, obits, rate, channels) != 0)
		sh_usage_error("%s", sh_error());
	sh_audio_out_opts oo = {.bits = obits, .dither_seed = program.seed};
	if (!(out = sh_audio_create(out_path, rate, channels, &oo)))
		sh_die("%s", sh_error());
	if (capture_dir)
		open_captures();

	/* live: small blocks, so a change waits for little audio */
	const size_t block = live ? 1024 : 16384;
	float *buf = sh_malloc(block * (size_t)sh_audio_channels(in) * sizeof(float));
	ssize_t got;
	while ((got = sh_audio_read(in, buf, block)) > 0) {
		poll_live();
		if (feed(&nodes[0], buf, (size_t)got) != 0)
			sh_die("%s", sh_error());
	}
	if (got < 0)
		sh_die("%s", sh_error());
	for (int i = 0; i < nnodes; i++)
		if (sh_proc_finish(nodes[i].p) != 0)
			sh_die("%s", sh_error());
	for (int i = 0; i < nnodes; i++)
		if (nodes[i].cap && sh_audio_finish(nodes[i].cap) != 0)
			sh_die("%s", sh_error());
	if (sh_audio_finish(out) != 0)
		sh_die("%s", sh_error());
	sh_audio_close(in);
	sh_evreader_close(loaded);
	sh_evreader_close(live);
	free(buf);
	free_all();
	return SH_EXIT_OK;
}
