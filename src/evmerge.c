/* evmerge -- merge event streams by time: the join of a patch's branches. */
#define _GNU_SOURCE
#include "cli.h"
#include "evfilter.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	sh_evreader *r;
	sh_event ev;
	bool have, open;
	double arrived; /* wall time the pending event was read (live) */
} input;

/* Write an event, re-timed to `t` when live lateness forced it. */
static int put(sh_evwriter *w, const sh_event *ev, double t)
{
	if (t == ev->t)
		return sh_evwriter_pass(w, ev);
	json_t *o = json_deep_copy(sh_event_obj(ev));
	json_object_set_new(o, "t", json_real(t));
	int status = sh_evwriter_json(w, o);
	json_decref(o);
	return status;
}

/* The command line, at its defaults. */
static struct {
	char **inputs;
	int ninputs;
	bool live, skip_bad;
	sh_duration window; /* live: how long to wait for a slower input */
	const char *output;
} cmd = {.window = {0.020, SH_DUR_SECONDS}};

/* Fill cmd from argv: -1 to go on, else the exit status. */
static int parse_command_line(int argc, char **argv)
{
	static sh_option opts[] = {
		{.name = "live", .short_name = 'l', .type = SH_OPT_FLAG, .dest = &cmd.live,
		 .help = "inputs are paced by the wall clock: do not wait forever"},
		{.name = "window", .short_name = 'w', .type = SH_OPT_DURATION, .dest = &cmd.window, .scale = 0.001,
		 .help = "live: longest wait for a slower input (bare number: ms)"},
		SH_EV_SKIP_BAD_OPTION(cmd.skip_bad),
		SH_EV_OUTPUT_OPTION(cmd.output),
		{0},
	};
	sh_program prog = {.usage = "evmerge [options] FILE...",
	                   .summary = "merge event streams by time (stable: ties keep operand order)"};
	int first = sh_parse_options(&prog, opts, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	cmd.inputs = argv + first;
	cmd.ninputs = argc - first;
	int stdin_uses = 0;
	for (int i = 0; i < cmd.ninputs; i++)
		stdin_uses += strcmp(cmd.inputs[i], "-") == 0;
	if (cmd.ninputs < 1 || stdin_uses > 1) {
		sh_warn(cmd.ninputs < 1 ? "give at least one input (- for stdin)" : "stdin (-) can be merged only once");
		return SH_EXIT_USAGE;
	}
	return -1;
}

/* Take a pending event from every input that has a whole line ready (offline:
 * from every input, waiting as needed). True when some live input has none yet. */
static bool take_ready(input *in, int n, sh_evwriter *w)
{
	bool waiting = false;
	for (int i = 0; i < n; i++) {
		input *p = &in[i];
		if (p->have || !p->open)
			continue;
		if (cmd.live && !sh_evreader_buffered(p->r) && !sh_evreader_eof(p->r)) {
			waiting = true;
			continue;
		}
		if (!cmd.live)
			sh_evreader_flush_before_wait(p->r, w);
		int r = sh_evreader_next(p->r, &p->ev);
		if (r < 0)
			sh_die("%s", sh_error());
		p->have = r == 1;
		p->open = r == 1;
		p->arrived = sh_now();
	}
	return waiting;
}

/* Live, with the earliest event not yet due: wait for input until it is. */
static void wait_inputs(input *in, int n, struct pollfd *pfd, int best)
{
	int np = 0;
	for (int i = 0; i < n; i++)
		if (in[i].open && !in[i].have && !sh_evreader_buffered(in[i].r)) {
			pfd[np].fd = sh_evreader_fd(in[i].r);
			pfd[np].events = POLLIN;
			np++;
		}
	double now = sh_now();
	int timeout = best >= 0 ? (int)ceil((cmd.window.amount - (now - in[best].arrived)) * 1000) : -1;
	int r = poll(pfd, (nfds_t)np, timeout);
	if (r < 0 && errno != EINTR)
		sh_die("poll: %s", strerror(errno));
	for (int i = 0, j = 0; i < n && r > 0; i++)
		if (in[i].open && !in[i].have && !sh_evreader_buffered(in[i].r)) {
			if (pfd[j].revents && sh_evreader_fill(in[i].r) < 0)
				sh_die("%s", sh_error());
			j++;
		}
}

/* Write the earliest pending event, over and over: offline, or live with every
 * input heard from, at once; live with some input silent, once it has waited
 * the window. */
static void merge(input *in, int n, sh_evwriter *w)
{
	double last_t = 0;
	long retimed = 0;
	struct pollfd *pfd = sh_calloc((size_t)n, sizeof *pfd);
	for (;;) {
		bool waiting = take_ready(in, n, w);
		int best = -1;
		for (int i = 0; i < n; i++)
			if (in[i].have && (best < 0 || in[i].ev.t < in[best].ev.t))
				best = i; /* strict <: ties go to the earlier operand */
		if (best < 0 && !waiting)
			break;
		if (best >= 0 && (!waiting || sh_now() - in[best].arrived >= cmd.window.amount)) {
			double t = in[best].ev.t < last_t ? last_t : in[best].ev.t; /* only live can be late */
			if (t != in[best].ev.t && retimed++ == 0)
				sh_note("an event came later than --window; re-timed to keep the order");
			if (put(w, &in[best].ev, t) != 0)
				sh_die("%s", sh_error());
			last_t = t;
			in[best].have = false;
			continue;
		}
		if (sh_evwriter_flush(w) != 0)
			sh_die("%s", sh_error());
		wait_inputs(in, n, pfd, best);
	}
	if (retimed)
		sh_note("%ld late events re-timed", retimed);
	free(pfd);
}

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	int status = parse_command_line(argc, argv);
	if (status >= 0)
		return status;
	int n = cmd.ninputs;
	input *in = sh_calloc((size_t)n, sizeof *in);
	for (int i = 0; i < n; i++) {
		in[i].r = sh_evreader_open(cmd.inputs[i], cmd.skip_bad);
		if (!in[i].r)
			sh_die("%s", sh_error());
		in[i].open = true;
	}
	sh_evwriter *w = sh_evwriter_create(cmd.output, cmd.live);
	if (!w)
		sh_die("%s", sh_error());
	if (cmd.live)
		sh_try_realtime(SH_RT_FILTER); /* a live chain keeps up on a busy machine */
	merge(in, n, w);
	for (int i = 0; i < n; i++)
		sh_evreader_close(in[i].r);
	if (sh_evwriter_close(w) != 0)
		sh_die("%s", sh_error());
	free(in);
	return 0;
}
