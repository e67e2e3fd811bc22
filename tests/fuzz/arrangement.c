/* arrangement.c -- fuzz the arrangement reader (lib/dsp/arrangement.c): parse
 * JSON; every error names the input; what it accepts must write back
 * (sh_arrangement_json) to text that parses to the same plan, field for field.
 * A small plan is then rendered into mixer inputs with its sources replaced by
 * two stems of this harness (one shorter than any bar, one of several bars):
 * at most SH_ARR_PIECES_MAX pieces, each starting inside the arrangement, with
 * a part and loop count a mixer takes. */
#include "fuzz.h"
#include "arrangement.h"

#include <math.h>
#include <sys/stat.h>

static char dir[4096];
static char stem[2][4200];
static pid_t owner;

static void put16(FILE *f, unsigned v) { fputc((int)(v & 255), f), fputc((int)(v >> 8 & 255), f); }
static void put32(FILE *f, unsigned v) { put16(f, v & 0xffff), put16(f, v >> 16); }

/* A 16-bit PCM WAV of FRAMES frames of a quiet ramp. */
static void write_wav(const char *path, unsigned rate, unsigned channels, unsigned frames)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	unsigned data = frames * channels * 2;
	fputs("RIFF", f), put32(f, 36 + data), fputs("WAVEfmt ", f), put32(f, 16), put16(f, 1);
	put16(f, channels), put32(f, rate), put32(f, rate * channels * 2), put16(f, channels * 2), put16(f, 16);
	fputs("data", f), put32(f, data);
	for (unsigned i = 0; i < frames * channels; i++)
		put16(f, (i * 37) & 0x3ff);
	fclose(f);
}

static void cleanup(void)
{
	if (getpid() != owner)
		return;
	unlink(stem[0]);
	unlink(stem[1]);
	rmdir(dir);
}

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/shards-fuzz-arrangement-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		abort();
	snprintf(stem[0], sizeof stem[0], "%s/click.wav", dir);
	snprintf(stem[1], sizeof stem[1], "%s/loop.wav", dir);
	write_wav(stem[0], 8000, 1, 40);         /* 5 ms: shorter than any bar */
	write_wav(stem[1], 11025, 2, 11025 * 3); /* 3 s: whole bars at most tempi */
	owner = getpid();
	atexit(cleanup);
}

static void same(const sh_arrangement *a, const sh_arrangement *b)
{
	if (a->seed != b->seed || a->bpm != b->bpm || a->beats_per_bar != b->beats_per_bar ||
	    a->duration != b->duration || a->rate != b->rate || a->nsources != b->nsources ||
	    a->nregions != b->nregions)
		abort();
	for (int i = 0; i < a->nsources; i++)
		if (strcmp(a->sources[i].path, b->sources[i].path) || a->sources[i].gain_db != b->sources[i].gain_db)
			abort();
	for (size_t i = 0; i < a->nregions; i++) {
		const sh_arr_region *x = &a->regions[i], *y = &b->regions[i];
		if (x->source != y->source || x->start_bar != y->start_bar || x->bars != y->bars ||
		    x->from_bar != y->from_bar || x->gain_db != y->gain_db || x->fade != y->fade)
			abort();
	}
}

static void render(sh_arrangement *a)
{
	if (a->nsources > 4 || a->nregions > 16)
		return; /* each source is opened: keep a run short */
	for (int i = 0; i < a->nsources; i++) {
		free(a->sources[i].path);
		a->sources[i].path = sh_strdup(stem[i % 2]);
	}
	sh_mix_input *in;
	int n, channels;
	if (sh_arrangement_inputs(a, &in, &n, &channels) != 0) {
		if (!strstr(sh_error(), "more than"))
			abort(); /* the stems are there: only too many pieces may fail */
		return;
	}
	const int64_t end = llround(a->duration * a->rate);
	if (n > SH_ARR_PIECES_MAX || (n > 0 && (channels < 1 || channels > 2)))
		abort();
	for (int i = 0; i < n; i++) {
		const sh_mix_input *x = &in[i];
		if (!x->has_start || x->start.unit != SH_DUR_SAMPLES || x->start.amount < 0 || x->start.amount >= end)
			abort();
		if (!x->has_trim || x->trim.amount < 0 || (x->has_len && !(x->len.amount >= 1)) || x->loops < 1 ||
		    x->loops > SH_MIX_LOOPS_MAX)
			abort();
		if ((x->has_fade_in && !(x->fade_in.amount > 0)) || (x->has_fade_out && !(x->fade_out.amount > 0)))
			abort();
		sh_mix_input_free(&in[i]);
	}
	free(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_init("fuzz_arrangement");
	if (!dir[0])
		setup();
	sh_arrangement a;
	if (sh_arrangement_parse((const char *)data, size, "fz.json", &a) != 0) {
		if (strncmp(sh_error(), "fz.json: ", 9))
			abort(); /* every error names the input */
		if (a.sources || a.regions)
			abort(); /* nothing kept on failure */
		return 0;
	}
	char *text = sh_arrangement_json(&a);
	if (!text)
		abort();
	sh_arrangement b;
	if (sh_arrangement_parse(text, strlen(text), "again", &b) != 0) {
		fprintf(stderr, "fuzz_arrangement: written plan does not parse back: %s\n%s", sh_error(), text);
		abort();
	}
	same(&a, &b);
	free(text);
	sh_arrangement_free(&b);
	render(&a);
	sh_arrangement_free(&a);
	return 0;
}
