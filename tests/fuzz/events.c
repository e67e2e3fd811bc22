/* events.c -- fuzz the event reader (lib/events.h) in skip_bad mode, the mode in
 * which a malformed line is warned about and skipped instead of ending the
 * program: every event handed out must keep the stream's promises (finite,
 * non-negative, non-decreasing t; a type; its line text verbatim), and the field
 * helpers and param addressing must not crash on whatever the object holds. Every
 * field the helpers read (from the reader's own scan of plain lines, or from
 * jansson) must equal jansson's reading of the line. The events accepted are
 * written back and must read again to the same count. */
#include "fuzz.h"
#include "events.h"

#include <math.h>

/* The helpers' view of every member equals jansson's parse of the line. */
static void agrees_with_jansson(const sh_event *ev)
{
	json_t *o = json_loadb(ev->line, ev->len, JSON_REJECT_DUPLICATES, NULL);
	if (!o || !json_is_object(o) || json_number_value(json_object_get(o, "t")) != ev->t ||
	    strcmp(json_string_value(json_object_get(o, "type")), ev->type) != 0)
		abort();
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v) {
		double x;
		const char *s;
		int num = sh_ev_number(ev, key, &x), str = sh_ev_string(ev, key, &s);
		if (json_is_number(v) ? num != 0 || x != json_number_value(v) || signbit(x) != signbit(json_number_value(v))
		                      : num == 0)
			abort();
		if (json_is_string(v) ? str != 0 || strcmp(s, json_string_value(v)) != 0 : str == 0)
			abort();
	}
	json_decref(o);
}

static long read_all(const char *path, int out_fd)
{
	sh_evreader *r = sh_evreader_open(path, true);
	sh_evwriter *w = out_fd >= 0 ? sh_evwriter_open(out_fd, false) : NULL;
	sh_event ev;
	long n = 0;
	double last = 0;
	while (sh_evreader_next(r, &ev) == 1) {
		if (!isfinite(ev.t) || ev.t < 0 || ev.t < last || !ev.type || !ev.line)
			abort();
		agrees_with_jansson(&ev);
		last = ev.t;
		double x;
		const char *s, *param;
		json_t *value;
		sh_ev_number(&ev, "value", &x);
		sh_ev_number(&ev, "pitch", &x);
		sh_ev_string(&ev, "name", &s);
		if (sh_ev_param_for(&ev, "arp", &param, &value))
			sh_json_to_double(value, &x);
		(void)sh_ev_is(&ev, "note");
		/* every event has a "t": replacing it must give valid JSON with the same keys */
		size_t len;
		char *moved = sh_event_with(&ev, "t", "1.5", &len);
		json_t *back = moved ? json_loadb(moved, len, 0, NULL) : NULL;
		if (!back || json_object_size(back) > json_object_size(sh_event_obj(&ev)) ||
		    json_number_value(json_object_get(back, "t")) != 1.5)
			abort();
		json_decref(back);
		free(moved);
		if (w)
			sh_evwriter_pass(w, &ev);
		n++;
	}
	if (w)
		sh_evwriter_close(w);
	sh_evreader_close(r);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_init("fuzz_events");
	if (size > (512u << 10))
		return 0; /* longer lines are a documented error that ends the program */
	int fd = fz_memfd(data, size);
	if (fd < 0)
		return 0;
	int out = memfd_create("fuzz-out", MFD_CLOEXEC);
	char path[64], path2[64];
	long n = read_all(fz_fdpath(fd, path, sizeof path), out);
	if (out >= 0) {
		lseek(out, 0, SEEK_SET);
		long again = read_all(fz_fdpath(out, path2, sizeof path2), -1);
		if (again != n)
			abort(); /* what was accepted once is accepted again */
		close(out);
	}
	close(fd);
	return 0;
}
