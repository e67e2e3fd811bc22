/* evmerge -- merge event streams by time: the join of a patch's branches. */
#define _GNU_SOURCE
#include "cli.h"
#include "events.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] = "evmerge [options] FILE...";

typedef struct {
	sh_evreader *r;
	sh_event ev;
	bool have, open;
	double arrived; /* wall time the pending event was read (live) */
} input;

/* Write an event, re-timed to `t` when live lateness forced it. */
static void put(sh_evwriter *w, const sh_event *ev, double t)
{
	if (t == ev->t) {
		sh_evwriter_pass(w, ev);
		return;
	}
	json_t *o = json_deep_copy(ev->obj);
	json_object_set_new(o, "t", json_real(t));
	sh_evwriter_json(w, o);
	json_decref(o);
}

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	bool live = false, skip_bad = false;
	sh_duration window = {0.020, SH_DUR_SECONDS}; /* live: how long to wait for a slower input */
	const char *out = NULL;
	sh_option opts[] = {
		{"live", 'l', SH_OPT_FLAG, &live, .help = "inputs are paced by the wall clock: do not wait forever"},
		{"window", 'w', SH_OPT_DURATION, &window, .scale = 0.001, .help = "live: longest wait for a slower input (20ms)"},
		SH_EV_SKIP_BAD_OPTION(skip_bad),
		SH_EV_OUTPUT_OPTION(out),
		{0},
	};
	sh_program prog = {.usage = usage, .summary = "merge event streams by time (stable: ties keep operand order)"};
	int idx = sh_parse_options(&prog, opts, argc, argv);
	if (idx <= 0)
		return sh_parse_status(idx);
	int n = argc - idx;
	if (n < 1)
		sh_usage_error("give at least one input (- for stdin)");
	int stdin_uses = 0;
	for (int i = idx; i < argc; i++)
		stdin_uses += strcmp(argv[i], "-") == 0;
	if (stdin_uses > 1)
		sh_usage_error("stdin (-) can be merged only once");
	input *in = sh_calloc((size_t)n, sizeof *in);
	for (int i = 0; i < n; i++) {
		in[i].r = sh_evreader_open(argv[idx + i], skip_bad);
		in[i].open = true;
	}
	sh_evwriter *w = sh_evwriter_create(out, live);
	if (live)
		sh_try_realtime(SH_RT_FILTER); /* a live chain keeps up on a busy machine */
	double last_t = 0;
	long retimed = 0;
	struct pollfd *pfd = sh_calloc((size_t)n, sizeof *pfd);
	for (;;) {
		/* take pending events from inputs that have a whole line ready */
		bool waiting = false;
		for (int i = 0; i < n; i++) {
			input *p = &in[i];
			if (p->have || !p->open)
				continue;
			if (!live || sh_evreader_buffered(p->r) || sh_evreader_eof(p->r)) {
				if (!live)
					sh_evreader_flush_before_wait(p->r, w);
				if (sh_evreader_next(p->r, &p->ev) == 1) {
					p->have = true;
					p->arrived = sh_now();
				} else
					p->open = false;
			} else
				waiting = true;
		}
		int best = -1;
		for (int i = 0; i < n; i++)
			if (in[i].have && (best < 0 || in[i].ev.t < in[best].ev.t))
				best = i; /* strict <: ties go to the earlier operand */
		if (best < 0 && !waiting)
			break;
		/* offline, or live with every input heard from: the earliest goes; live, with
		 * some input silent: the earliest goes once it has waited long enough */
		double now = sh_now();
		if (best >= 0 && (!waiting || now - in[best].arrived >= window.amount)) {
			double t = in[best].ev.t < last_t ? last_t : in[best].ev.t; /* only live can be late */
			if (t != in[best].ev.t && retimed++ == 0)
				sh_note("an event came later than --window; re-timed to keep the order");
			put(w, &in[best].ev, t);
			last_t = t;
			in[best].have = false;
			continue;
		}
		sh_evwriter_flush(w);
		int np = 0;
		for (int i = 0; i < n; i++)
			if (in[i].open && !in[i].have && !sh_evreader_buffered(in[i].r)) {
				pfd[np].fd = sh_evreader_fd(in[i].r);
				pfd[np].events = POLLIN;
				np++;
			}
		int timeout = best >= 0 ? (int)ceil((window.amount - (now - in[best].arrived)) * 1000) : -1;
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
	if (retimed)
		sh_note("%ld late events re-timed", retimed);
	for (int i = 0; i < n; i++)
		sh_evreader_close(in[i].r);
	sh_evwriter_close(w);
	free(pfd);
	free(in);
	return 0;
}
