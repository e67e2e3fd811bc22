/* archive_state.c -- fuzz the export folder's state reader (lib/io/archive_state.c):
 * parse; every error names its line; what it accepts writes back to text that
 * parses to the same entries and writes the same bytes again. */
#include "fuzz.h"
#include "archive_state.h"

static const char FORMAT[] = "shards-padmine-state";

static int same_str(const char *a, const char *b) { return (!a && !b) || (a && b && !strcmp(a, b)); }

static void same(const sh_archive_state *a, const sh_archive_state *b)
{
	if (a->n != b->n)
		abort();
	for (size_t i = 0; i < a->n; i++) {
		const sh_state_entry *x = &a->e[i], *y = &b->e[i];
		if (strcmp(x->path, y->path) || x->stamp.size != y->stamp.size || x->stamp.mtime_ns != y->stamp.mtime_ns ||
		    x->stamp.ctime_ns != y->stamp.ctime_ns || !same_str(x->hash, y->hash) || x->outcome != y->outcome ||
		    !same_str(x->name, y->name) || !same_str(x->settings, y->settings) || !same_str(x->note, y->note) ||
		    x->nfiles != y->nfiles)
			abort();
		for (size_t k = 0; k < x->nfiles; k++)
			if (strcmp(x->files[k], y->files[k]))
				abort();
		if (i && strcmp(a->e[i - 1].path, x->path) >= 0)
			abort(); /* sorted, each path once */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_init("fuzz_archive_state");
	sh_archive_state s;
	if (sh_archive_state_parse(&s, (const char *)data, size, "state", FORMAT) != 0) {
		if (!strstr(sh_error(), "line ") || s.n)
			abort(); /* every error names its line, and leaves an empty state */
		sh_archive_state_free(&s);
		return 0;
	}
	size_t len, len2;
	char *text = sh_archive_state_format(&s, &len);
	sh_archive_state again;
	if (sh_archive_state_parse(&again, text, len, "written", FORMAT) != 0) {
		fprintf(stderr, "written state does not parse back: %s\n", sh_error());
		abort();
	}
	same(&s, &again);
	char *text2 = sh_archive_state_format(&again, &len2);
	if (len != len2 || memcmp(text, text2, len))
		abort();
	/* remove and put back the first entry: the same text */
	if (s.n) {
		const sh_state_entry *e = sh_archive_state_find(&again, s.e[0].path);
		if (!e)
			abort();
		sh_archive_state_put(&again, e); /* a copy of itself in its own place */
		free(text2);
		text2 = sh_archive_state_format(&again, &len2);
		if (len != len2 || memcmp(text, text2, len))
			abort();
	}
	free(text);
	free(text2);
	sh_archive_state_free(&again);
	sh_archive_state_free(&s);
	return 0;
}
