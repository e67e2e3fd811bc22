/* cutlist.c -- fuzz the cut-list reader (lib/cutlist.c): parse; whatever it
 * accepts must dump to JSON that parses back to the same cuts, and compose with
 * itself (a second pass over its own output) without crashing; the composition
 * must dump and parse back too. */
#include "fuzz.h"
#include "cutlist.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_init("fuzz_cutlist");
	sh_cutlist *cl = sh_cutlist_parse((const char *)data, size);
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
