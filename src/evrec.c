/* evrec -- the event recorder: a tee for a live event stream. Every line goes on
 * to stdout at once, and into the take file with the moment it arrived ("wall",
 * seconds since the first event), so a performance can be played back with its
 * human timing (evplay). */
#define _GNU_SOURCE
#include "cli.h"
#include "evfilter.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The knobs, at their defaults. */
static bool quiet = false;    /* record only: nothing goes on to stdout */
static bool skip_bad = false; /* a live take survives a malformed line */

static sh_option options[] = {
	{.name = "quiet", .short_name = 'q', .type = SH_OPT_FLAG, .dest = &quiet,
	 .help = "record only; write nothing to stdout"},
	SH_EV_SKIP_BAD_OPTION(skip_bad),
	{0},
};

/* A take ends with the end of input, Ctrl-C, kill or a closed terminal: in
 * each case the file is finished, never thrown away. */
static volatile sig_atomic_t stop_requested;
static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};

/* The stop signals are held back everywhere but in the wait for input
 * (ppoll), so one that comes between the check and the wait cannot be missed. */
static void hold_stop_signals(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++)
		sigaddset(&set, stop_signals[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

static void catch_stop(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop; /* no SA_RESTART: ppoll returns at once */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++)
		sigaction(stop_signals[i], &sa, NULL);
}

/* ---- stdout: written here, not through sh_evwriter, because a reader that
 * goes away must end the pass-through only, not the take ---- */
static struct {
	char *buf;
	size_t len, cap;
	bool closed;  /* EPIPE, or a write error already reported */
	bool failed;  /* a write error other than EPIPE: exit 1 at the end */
} out;

static void out_flush(void)
{
	size_t done = 0;
	while (!out.closed && done < out.len) {
		ssize_t n = write(1, out.buf + done, out.len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (errno != EPIPE) {
				sh_warn("stdout: write error: %s; recording only", strerror(errno));
				out.failed = true;
			}
			out.closed = true;
			break;
		}
		done += (size_t)n;
	}
	out.len = 0;
}

static void out_line(const char *line, size_t len)
{
	if (out.closed)
		return;
	if (out.len + len + 1 > out.cap) {
		out_flush();
		if (len + 1 > out.cap) {
			out.cap = len + 1;
			out.buf = sh_realloc(out.buf, out.cap, 1);
		}
	}
	memcpy(out.buf + out.len, line, len);
	out.buf[out.len + len] = '\n';
	out.len += len + 1;
}

/* Wait for input with the stop signals let through; false when one came. */
static bool wait_input(sh_evreader *in, const sigset_t *open_mask)
{
	struct pollfd pfd = {.fd = sh_evreader_fd(in), .events = POLLIN};
	int r = ppoll(&pfd, 1, NULL, open_mask);
	if (r < 0 && errno != EINTR)
		sh_die("poll: %s", strerror(errno));
	return !stop_requested;
}

/* Pass and record every event until the input ends or a stop signal comes.
 * An event's wall time is when the read that brought it returned. */
static void record(sh_evreader *in, sh_evwriter *take, const sigset_t *open_mask)
{
	double origin = 0, arrived = sh_now();
	bool started = false;
	sh_event ev;
	for (;;) {
		if (!sh_evreader_buffered(in) && !sh_evreader_eof(in)) {
			/* about to wait: what has come so far goes on, and to the disk */
			out_flush();
			if (sh_evwriter_flush(take) != 0)
				sh_die("%s", sh_error());
			if (stop_requested || !wait_input(in, open_mask))
				return;
			if (sh_evreader_fill(in) < 0)
				sh_die("%s", sh_error());
			arrived = sh_now();
			continue;
		}
		int r = sh_evreader_next(in, &ev);
		if (r < 0)
			sh_die("%s", sh_error());
		if (r == 0)
			return;
		if (!started) {
			origin = arrived;
			started = true;
		}
		if (!quiet)
			out_line(ev.line, ev.len);
		char wall[32];
		size_t len;
		/* "wall" last (or its own replaced), every other byte as it came, so evplay
		 * can give the line back unchanged */
		char *line = sh_event_set(&ev, "wall", sh_format_fixed(wall, arrived - origin, 6), &len);
		if (!line)
			sh_die("%s: line %ld: not an object", ev.src, ev.lineno);
		int rc = sh_evwriter_raw(take, line, len);
		free(line);
		if (rc != 0)
			sh_die("%s", sh_error());
	}
}

int main(int argc, char **argv)
{
	sigset_t open_mask;
	hold_stop_signals(&open_mask); /* first: a take stopped early is still kept */
	sh_program prog = {.usage = "evrec [options] TAKE",
	                   .summary = "pass an event stream through and record it, with arrival times, to TAKE",
	                   .max_operands = 1};
	int first = sh_parse_options(&prog, options, argc, argv);
	catch_stop(); /* after sh_init's handlers, which would throw the take away */
	if (first <= 0)
		return sh_parse_status(first);
	if (first == argc)
		sh_usage_error("no TAKE: name the file to record to");
	const char *path = argv[first];
	if (!strcmp(path, "-"))
		sh_usage_error("TAKE must be a file: the stream itself goes on on stdout");
	sh_evwriter *take = sh_evwriter_create(path, false);
	if (!take)
		sh_die("%s", sh_error());
	sh_evreader *in = sh_evreader_open(NULL, skip_bad);
	if (!in)
		sh_die("%s", sh_error());
	out.cap = 1 << 16;
	out.buf = sh_malloc(out.cap);
	record(in, take, &open_mask);
	out_flush();
	if (sh_evwriter_close(take) != 0)
		sh_die("%s", sh_error());
	sh_evreader_close(in);
	free(out.buf);
	return out.failed ? SH_EXIT_FAIL : SH_EXIT_OK;
}
