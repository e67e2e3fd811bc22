/* manifest.c -- fuzz the curation-manifest reader (lib/manifest.c): parse; what
 * it accepts must write back to text that parses to the same columns and rows,
 * and a put (replace, then append) must write text that parses back too. */
#include "fuzz.h"
#include "manifest.h"

static void same(const sh_manifest *a, const sh_manifest *b)
{
	if (a->ncols != b->ncols || a->nrows != b->nrows)
		abort();
	for (size_t i = 0; i < a->ncols; i++)
		if (strcmp(a->names[i], b->names[i]))
			abort();
	for (size_t r = 0; r < a->nrows; r++)
		for (size_t i = 0; i < a->ncols; i++)
			if (strcmp(a->rows[r].field[i], b->rows[r].field[i]))
				abort();
}

static void round_trip(const sh_manifest *m)
{
	size_t len;
	char *text = sh_manifest_format(m, &len);
	sh_manifest again;
	if (sh_manifest_parse(text, len, &again) != 0) {
		fprintf(stderr, "written manifest does not parse back: %s\n", sh_error());
		abort();
	}
	same(m, &again);
	sh_manifest_free(&again);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_init("fuzz_manifest");
	sh_manifest m;
	if (sh_manifest_parse((const char *)data, size, &m) != 0) {
		if (!strstr(sh_error(), "line "))
			abort(); /* every error names its line */
		return 0;
	}
	round_trip(&m);
	const char *v[SH_MANIFEST_COLUMNS] = {"new, \"odd\"\nname.wav", "s", "pad", "1.000", NULL, "", "x", "y",
	                                      NULL, "0", "mid", "A"};
	if (m.nrows > 0)
		v[SH_MF_FILENAME] = sh_manifest_value(&m, 0, SH_MF_FILENAME);
	char key[SH_MANIFEST_MAX_RECORD + 1];
	snprintf(key, sizeof key, "%s", v[SH_MF_FILENAME]);
	v[SH_MF_FILENAME] = key;
	if (sh_manifest_put(&m, v) == 0) {
		if (sh_manifest_find(&m, key) < 0)
			abort();
		round_trip(&m);
	}
	sh_manifest_free(&m);
	return 0;
}
