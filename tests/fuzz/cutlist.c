/* cutlist.c -- fuzz the cut-list reader (lib/cutlist.c): parse; whatever it
 * accepts must dump to JSON that parses back to the same cuts, and compose with
 * itself (a second pass over its own output) without crashing; the composition
 * must dump and parse back too. The same bytes streamed in small pieces must
 * give the same cuts, or the same error at the same line and column. */
#include "fuzz.h"
#include "cutlist.h"

#include <sys/socket.h>
#include <unistd.h>

static void same_cuts(const sh_cutlist *a, const sh_cutlist *b)
{
	if (a->n != b->n)
		abort();
	for (size_t i = 0; i < a->n; i++) {
		if (a->cuts[i].silence != b->cuts[i].silence || a->cuts[i].reverse != b->cuts[i].reverse)
			abort();
		if (a->cuts[i].dur != b->cuts[i].dur)
			abort(); /* numbers are written to read back exactly */
	}
}

static sh_cutlist *round_trip(const sh_cutlist *cl)
{
	char *text = sh_cutlist_dump(cl);
	if (!text)
		abort();
	sh_cutlist *again = sh_cutlist_parse(text, strlen(text));
	if (!again) {
		fprintf(stderr, "dump does not parse back: %s\n%s\n", sh_error(), text);
		abort();
	}
	free(text);
	same_cuts(cl, again);
	return again;
}

/* The streamed reader agrees with the in-memory one, error text included. A
 * datagram socket hands the reader one piece per read, so the window moves as it
 * does on a slow pipe, without a writer thread. */
static void same_as_streamed(const uint8_t *data, size_t size, const sh_cutlist *cl)
{
	size_t pre = size < 3 ? size : 3;
	if (size - pre > 8192) /* some 60 pieces: well within a socket's buffer */
		return;
	int fds[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fds))
		abort();
	for (size_t at = pre, i = 0; at < size; i++) {
		size_t n = 1 + (i * 61) % 257;
		n = n > size - at ? size - at : n;
		if (send(fds[1], data + at, n, MSG_DONTWAIT) != (ssize_t)n) { /* a small buffer: not this input */
			close(fds[0]);
			close(fds[1]);
			return;
		}
		at += n;
	}
	shutdown(fds[1], SHUT_WR);
	char *why = cl ? NULL : strdup(sh_error());
	sh_cutlist *streamed = sh_cutlist_read(fds[0], (const char *)data, pre, (size_t)-1);
	close(fds[0]);
	close(fds[1]);
	if (!cl != !streamed || (!cl && strcmp(why, sh_error()))) {
		fprintf(stderr, "in memory: %s\nstreamed: %s\n", why ? why : "accepted", streamed ? "accepted" : sh_error());
		abort();
	}
	if (cl)
		same_cuts(cl, streamed);
	sh_cutlist_free(streamed);
	free(why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_init("fuzz_cutlist");
	sh_cutlist *cl = sh_cutlist_parse((const char *)data, size);
	same_as_streamed(data, size, cl);
	if (!cl)
		return 0;
	double d = sh_cutlist_duration(cl);
	(void)d;
	sh_cutlist *again = round_trip(cl);
	sh_cutlist_free(again);
	if (cl->n <= 2000) {
		sh_cutlist *c = sh_cutlist_compose(cl, cl);
		if (c) {
			if (c->n > 0) {
				sh_cutlist *c2 = round_trip(c);
				sh_cutlist_free(c2);
			}
			sh_cutlist_free(c);
		}
	}
	sh_cutlist_free(cl);
	return 0;
}
