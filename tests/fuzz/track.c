/* track.c -- fuzz the track manifest reader (lib/io/track.c): parse; whatever
 * it accepts must write back to JSON that parses to the same parts and
 * settings, and give a dominant tempo without trouble. The checks that open
 * files (sh_track_check) are left to the pipeline tests. */
#include "fuzz.h"
#include "track.h"

static void same(const sh_track *a, const sh_track *b)
{
	if (a->nparts != b->nparts || strcmp(a->fps, b->fps) || strcmp(a->size, b->size) ||
	    strcmp(a->x264_preset, b->x264_preset) || a->crf != b->crf || strcmp(a->micro.slice, b->micro.slice))
		abort();
	for (int i = 0; i < a->nparts; i++) {
		const sh_track_part *p = &a->parts[i], *q = &b->parts[i];
		if (strcmp(p->name, q->name) || strcmp(p->sample, q->sample) || strcmp(p->visual, q->visual) ||
		    p->kind != q->kind || p->micro.has_slice != q->micro.has_slice ||
		    p->micro.has_seed != q->micro.has_seed || (p->micro.has_seed && p->micro.seed != q->micro.seed) ||
		    p->micro.max_repeats != q->micro.max_repeats)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_init("fuzz_track");
	sh_track t;
	bool invalid;
	if (sh_track_parse((const char *)data, size, "fuzz", ".", &t, &invalid) != 0) {
		if (!*sh_error())
			abort(); /* a refusal always says why */
		sh_track_free(&t);
		return 0;
	}
	double bpm = sh_track_dominant_bpm(&t);
	for (int i = 0; i < t.nparts; i++)
		(void)sh_track_part_target(t.parts[i].bpm, bpm);
	char *text = sh_track_json(&t);
	if (!text)
		abort();
	sh_track again;
	if (sh_track_parse(text, strlen(text), "again", ".", &again, &invalid) != 0) {
		fprintf(stderr, "written manifest does not parse back: %s\n%s\n", sh_error(), text);
		abort();
	}
	same(&t, &again);
	free(text);
	sh_track_free(&again);
	sh_track_free(&t);
	return 0;
}
