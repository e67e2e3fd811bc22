/* instr.c -- fuzz the instrument readers of sampler (lib/dsp/instr.c): each
 * input is read as an SFZ file and as a Hydrogen drumkit.xml (both read from a
 * path, so the input is written to a folder of this harness first).
 * SFZ: an error names the file, and a mistake in the text its line, one that
 * the input has; the regions read have keys, velocities and a key centre in
 * 0..127 with lo <= hi, a loop that loops forwards, a positive finite gain and
 * a sample path in the file's folder (or absolute); written back as SFZ (one
 * <region> a line, every opcode given) they read back the same, wherever the
 * sample path can be written as a value at all.
 * Kit: an error names drumkit.xml; every instrument has a name and a path in
 * the kit's folder (or absolute), and sh_kit_find finds each by its name. */
#include "fuzz.h"
#include "instr.h"

#include <ctype.h>
#include <math.h>
#include <sys/stat.h>

static char dir[4096], sfz[4200], kitdir[4200], kit[4300], again[4200];
static pid_t owner;

static void cleanup(void)
{
	if (getpid() != owner)
		return;
	unlink(sfz);
	unlink(again);
	unlink(kit);
	rmdir(kitdir);
	rmdir(dir);
}

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/shards-fuzz-instr-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		abort();
	snprintf(sfz, sizeof sfz, "%s/in.sfz", dir);
	snprintf(again, sizeof again, "%s/again.sfz", dir);
	snprintf(kitdir, sizeof kitdir, "%s/kit", dir);
	snprintf(kit, sizeof kit, "%s/drumkit.xml", kitdir);
	if (mkdir(kitdir, 0700) != 0)
		abort();
	owner = getpid();
	atexit(cleanup);
}

static void put(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
}

/* Can PATH be written as sample=PATH and read back as it is? */
static bool writable(const char *p)
{
	if (!*p || strstr(p, "//") || strpbrk(p, "<\r\n\\") || isspace((unsigned char)p[0]) ||
	    isspace((unsigned char)p[strlen(p) - 1]))
		return false;
	for (const char *s = p; *s; s++) {
		if (!isspace((unsigned char)*s))
			continue;
		const char *q = s;
		while (*q == ' ' || *q == '\t')
			q++;
		const char *r = q;
		while (*r && (isalnum((unsigned char)*r) || *r == '_'))
			r++;
		if (r > q && *r == '=')
			return false; /* reads as the next opcode */
	}
	return true;
}

static void check_regions(const sh_sfz_region *r, size_t n)
{
	size_t dl = strlen(dir);
	for (size_t i = 0; i < n; i++) {
		const sh_region *x = &r[i].r;
		if (x->lokey < 0 || x->lokey > x->hikey || x->hikey > 127 || x->lovel < 0 || x->lovel > x->hivel ||
		    x->hivel > 127 || !(x->keycenter >= 0 && x->keycenter <= 127))
			abort();
		if (x->loop_mode != SH_LOOP_NONE && x->loop_mode != SH_LOOP_ONESHOT && x->loop_mode != SH_LOOP_CONTINUOUS)
			abort();
		if (x->loop_mode == SH_LOOP_CONTINUOUS && x->loop_end < x->loop_start)
			abort();
		if (!(x->gain > 0) || !isfinite(x->gain))
			abort();
		const char *p = r[i].path;
		if (p[0] != '/' && (strncmp(p, dir, dl) || p[dl] != '/'))
			abort();
	}
}

static void round_trip(const sh_sfz_region *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!writable(r[i].path))
			return;
	FILE *f = fopen(again, "w");
	if (!f)
		abort();
	static const char *const modes[] = {[SH_LOOP_NONE] = "no_loop", [SH_LOOP_ONESHOT] = "one_shot",
	                                    [SH_LOOP_CONTINUOUS] = "loop_continuous"};
	for (size_t i = 0; i < n; i++) {
		const sh_region *x = &r[i].r;
		fprintf(f, "<region> sample=%s\n lokey=%d hikey=%d lovel=%d hivel=%d pitch_keycenter=%g loop_mode=%s "
		           "loop_start=%lld volume=%.17g",
		        r[i].path, x->lokey, x->hikey, x->lovel, x->hivel, x->keycenter, modes[x->loop_mode],
		        (long long)x->loop_start, 20 * log10(x->gain));
		if (x->loop_end >= 0)
			fprintf(f, " loop_end=%lld", (long long)x->loop_end);
		fputc('\n', f);
	}
	fclose(f);
	size_t m;
	sh_sfz_region *b = sh_sfz_read(again, &m);
	if (!b) {
		fprintf(stderr, "fuzz_instr: regions written back do not read: %s\n", sh_error());
		abort();
	}
	if (m != n)
		abort();
	for (size_t i = 0; i < n; i++) {
		const sh_region *x = &r[i].r, *y = &b[i].r;
		if (strcmp(r[i].path, b[i].path) || x->lokey != y->lokey || x->hikey != y->hikey ||
		    x->lovel != y->lovel || x->hivel != y->hivel || x->keycenter != y->keycenter ||
		    x->loop_mode != y->loop_mode || x->loop_start != y->loop_start || x->loop_end != y->loop_end ||
		    fabs(x->gain - y->gain) > 1e-9 * x->gain) {
			fprintf(stderr, "fuzz_instr: region %zu (%s) reads back differently\n", i, r[i].path);
			abort();
		}
	}
	sh_sfz_free(b, m);
}

static void sfz_case(const uint8_t *data, size_t size)
{
	put(sfz, data, size);
	size_t n;
	sh_sfz_region *r = sh_sfz_read(sfz, &n);
	if (!r) {
		const char *e = sh_error();
		size_t pl = strlen(sfz);
		if (strncmp(e, sfz, pl) || strncmp(e + pl, ": ", 2))
			abort(); /* names the file */
		const char *l = strncmp(e + pl, ": line ", 7) ? NULL : e + pl;
		if (l) {
			long line = strtol(l + 7, NULL, 10), lines = 1;
			for (size_t i = 0; i < size; i++)
				lines += data[i] == '\n';
			if (line < 1 || line > lines) {
				fprintf(stderr, "fuzz_instr: line %ld of %ld: %s\n", line, lines, e);
				abort();
			}
		} else if (!strstr(e, "region") && !strstr(e, "not a text file")) {
			fprintf(stderr, "fuzz_instr: an error in the text that names no line: %s\n", e);
			abort();
		}
		return;
	}
	if (n == 0)
		abort();
	check_regions(r, n);
	round_trip(r, n);
	sh_sfz_free(r, n);
}

static void kit_case(const uint8_t *data, size_t size)
{
	put(kit, data, size);
	size_t n;
	sh_kit_instrument *k = sh_kit_read(kitdir, &n);
	if (!k) {
		size_t pl = strlen(kit);
		if (strncmp(sh_error(), kit, pl) || strncmp(sh_error() + pl, ": ", 2))
			abort();
		return;
	}
	if (n == 0)
		abort();
	size_t dl = strlen(kitdir);
	for (size_t i = 0; i < n; i++) {
		const char *p = k[i].path;
		if (!k[i].name || !p || (p[0] != '/' && (strncmp(p, kitdir, dl) || p[dl] != '/')))
			abort();
		int j = sh_kit_find(k, n, k[i].name);
		if (j < 0 && *k[i].name) {
			fprintf(stderr, "fuzz_instr: instrument '%s' is not found by its name: %s\n", k[i].name,
			        sh_error());
			abort();
		}
		if (j >= 0 && (j > (int)i || strcasecmp(k[j].name, k[i].name)))
			abort(); /* the first of that name */
	}
	sh_kit_free(k, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_init("fuzz_instr");
	if (!dir[0])
		setup();
	if (size > 65536)
		return 0;
	sfz_case(data, size);
	kit_case(data, size);
	return 0;
}
