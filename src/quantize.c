/* quantize -- snap event times to a grid, all the way or part of it, within a
 * window; or the times of an onsets JSON document at a tempo. */
#include "cli.h"
#include "evfilter.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The knobs, at their defaults. */
static double grid = 0.25;       /* beats between grid lines: 0.25 = sixteenths */
static double strength = 1;      /* how far toward its grid line an event moves: 1 onto it */
static double window = 0;        /* only events this close to a line move; 0: every event */
static double offset = 0;        /* grid lines at OFFSET + k * GRID */
static const char *types = "note,trigger"; /* the event types that move */
static bool onsets_in = false;   /* the input is onsets JSON (times in seconds) */
static double bpm = 0;           /* its tempo */

static sh_option options[] = {
	{.name = "grid", .short_name = 'g', .type = SH_OPT_DOUBLE, .dest = &grid, .min = 1e-6, .max = 1e6,
	 .unit = "beats", .live = true, .help = "distance between grid lines: 1 quarters, 0.5 eighths, 0.25 sixteenths"},
	{.name = "strength", .short_name = 'S', .type = SH_OPT_DOUBLE, .dest = &strength, .min = 0, .max = 1,
	 .live = true, .help = "how far toward its grid line an event moves: 1 onto it, 0.5 half way"},
	{.name = "window", .short_name = 'w', .type = SH_OPT_DOUBLE, .dest = &window, .min = 0, .max = 1e6,
	 .unit = "beats", .live = true, .help = "move only events this close to a grid line; 0: every event"},
	{.name = "offset", .type = SH_OPT_DOUBLE, .dest = &offset, .min = -1e6, .max = 1e6, .unit = "beats",
	 .live = true, .help = "shift the grid lines later by this much"},
	{.name = "types", .short_name = 'T', .type = SH_OPT_STRING, .dest = &types, .arg = "TYPE,...",
	 .help = "event types that move; the rest keep their times"},
	{.name = "onsets", .type = SH_OPT_FLAG, .dest = &onsets_in,
	 .help = "the input is onsets JSON (times in seconds); needs --bpm"},
	{.name = "bpm", .short_name = 'b', .type = SH_OPT_DOUBLE, .dest = &bpm, .min = 0, .max = 1000, .unit = "BPM",
	 .help = "tempo of --onsets input (the beat the grid counts in)"},
	{0},
};

/* Where time T goes. BEAT is the length of one beat in T's unit. */
static double snap(double t, double beat)
{
	double g = grid * beat, o = offset * beat;
	double line = o + round((t - o) / g) * g, d = line - t;
	if (window > 0 && fabs(d) > window * beat + 1e-12)
		return t;
	double q = t + strength * d;
	return q < 0 ? 0 : q;
}

/* ---------------------------------------------------------------- onsets JSON */

static int quantize_onsets(sh_evfilter *f)
{
	if (!(bpm > 0)) {
		sh_set_error("--onsets needs --bpm: the tempo the grid counts beats in");
		return SH_EVF_USAGE;
	}
	const char *path = f->nargs ? f->args[0] : "-";
	size_t len;
	char *text = sh_read_json_object(path, (size_t)256 << 20, &len);
	if (!text)
		return SH_EVF_FAIL;
	const char *name = strcmp(path, "-") ? path : "stdin";
	if (len == 0) {
		free(text);
		sh_set_error("%s: empty input (onsets JSON expected)", name);
		return SH_EVF_FAIL;
	}
	json_error_t e;
	json_t *root = json_loadb(text, len, 0, &e), *list = json_object_get(root, "onsets");
	free(text);
	if (!json_is_array(list)) {
		sh_set_error("%s: %s", name, root ? "not onsets JSON (no \"onsets\" list)" : e.text);
		json_decref(root);
		return SH_EVF_FAIL;
	}
	size_t n = json_array_size(list);
	for (size_t i = 0; i < n; i++) {
		json_t *on = json_array_get(list, i);
		double t;
		if (sh_json_to_double(json_object_get(on, "t"), &t) != 0 || !isfinite(t) || t < 0) {
			sh_set_error("%s: onset %zu has no time \"t\" of 0 seconds or more", name, i + 1);
			json_decref(root);
			return SH_EVF_FAIL;
		}
		json_object_set_new(on, "t", json_real(round(snap(t, 60 / bpm) * 1e6) / 1e6));
	}
	/* a window or a partial strength can move one onset past the next: the list
	 * stays in time order (insertion sort: nearly sorted, and stable) */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0; j--) {
			json_t *a = json_array_get(list, j - 1), *b = json_array_get(list, j);
			if (json_real_value(json_object_get(a, "t")) <= json_real_value(json_object_get(b, "t")))
				break;
			json_incref(a);
			json_array_set(list, j - 1, b);
			json_array_set_new(list, j, a);
		}
	char *s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	json_decref(root);
	size_t sl = strlen(s);
	s = sh_realloc(s, sl + 2, 1);
	s[sl++] = '\n';
	int rc = sh_write_file_atomic(f->output, s, sl);
	free(s);
	return rc == 0 ? SH_EVF_DONE : SH_EVF_FAIL;
}

/* ---------------------------------------------------------------- events */

/* Moved events can overtake each other, so they wait here in time order until
 * no later input can come before them: an event moves at most half a grid
 * (the largest grid seen, as --grid may change). */
static struct {
	sh_evqueue held;
	double reach; /* the farthest an event may move */
	sh_evtypes types;
} q = {.held.last = -INFINITY};

static int event(sh_evfilter *f, const sh_event *ev)
{
	if (grid / 2 > q.reach)
		q.reach = grid / 2;
	if (sh_evqueue_release(&q.held, f->out, ev->t - q.reach) != 0)
		return -1;
	double t = sh_evtypes_has(&q.types, ev->type) ? round(snap(ev->t, 1) * 1e9) / 1e9 : ev->t; /* no 0.30000000000000004 */
	if (t == ev->t) {
		char *line = sh_malloc(ev->len + 1);
		memcpy(line, ev->line, ev->len);
		sh_evqueue_hold(&q.held, t, line, ev->len);
		return 0;
	}
	char num[48];
	sh_format_number(num, sizeof num, t);
	size_t len;
	char *line = sh_event_with(ev, "t", num, &len);
	if (!line) {
		sh_set_error("%s:%ld: an event without \"t\"", ev->src, ev->lineno);
		return -1;
	}
	sh_evqueue_hold(&q.held, t, line, len);
	return 0;
}

static int finish(sh_evfilter *f) { return sh_evqueue_release(&q.held, f->out, INFINITY); }

static int setup(sh_evfilter *f)
{
	if (onsets_in)
		return quantize_onsets(f);
	if (bpm > 0) {
		sh_set_error("--bpm is for --onsets input: events count in beats already");
		return SH_EVF_USAGE;
	}
	return sh_evtypes_parse(&q.types, types) == 0 ? SH_EVF_GO : SH_EVF_USAGE;
}

static void stop(sh_evfilter *f)
{
	(void)f;
	sh_evqueue_free(&q.held);
	sh_evtypes_free(&q.types);
}

static const sh_evfilter_program program = {
	.usage = "quantize [options] [FILE]",
	.summary = "snap event times (or an onsets JSON document's) to a grid, with a strength and a window",
	.options = options, .target = "quantize",
	.setup = setup, .event = event, .finish = finish, .stop = stop,
};

int main(int argc, char **argv) { return sh_evfilter_main(&program, argc, argv); }
