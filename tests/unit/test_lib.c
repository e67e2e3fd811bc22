/* Unit tests for libshards' core: units, ranges, rates, the PRNG, cut lists, and
 * audio files that report their errors instead of ending the run. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio.h"
#include "cli.h"
#include "cutlist.h"
#include "rng.h"
#include "slicer.h"
#include "tap.h"

static double dur(const char *t, double bpm, double fps)
{
	sh_duration d;
	double s;
	if (sh_parse_duration(t, 0.001, &d) || sh_duration_seconds(&d, bpm, fps, 48000, &s))
		return -1;
	return s;
}

static sh_cutlist *parse(const char *s) { return sh_cutlist_parse(s, strlen(s)); }

/* Files in DIR other than . and .. */
static int entries(const char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
	FILE *p = popen(cmd, "r");
	int n = -1;
	if (p && fscanf(p, "%d", &n) != 1)
		n = -1;
	if (p)
		pclose(p);
	return n;
}

/* lib/io/audio returns errors: the caller decides how a run ends. */
static void test_audio_errors(void)
{
	CHECK(sh_audio_check_output("x.xyz", 0, 0, 0) != 0 && strstr(sh_error(), "unknown output format"),
	      "audio: an unknown extension is the user's to change");
	CHECK(sh_audio_check_output("-", 16, 0, 0) != 0 && sh_audio_check_output("x.flac", 32, 0, 0) != 0 &&
	          sh_audio_check_output("x.ogg", 24, 0, 0) != 0,
	      "audio: --bits 16 on stdout, float FLAC, --bits on a lossy format refused");
	CHECK(sh_audio_check_output("x.wav", 16, 48000, 2) == 0 && sh_audio_check_output("x.flac", 0, 48000, 2) == 0 &&
	          sh_audio_check_output(NULL, 32, 0, 0) == 0,
	      "audio: 16-bit WAV, FLAC and float on stdout are fine");
	CHECK(!sh_audio_create("x.xyz", 48000, 2, NULL) && !sh_audio_create("x.wav", 48000, 0, NULL),
	      "audio: create returns NULL for an unknown extension and for no channels");
	CHECK(!sh_audio_create("/nonexistent-shards-dir/x.wav", 48000, 2, NULL) &&
	          strstr(sh_error(), "/nonexistent-shards-dir/x.wav"),
	      "audio: create returns NULL naming an unwritable path");

	char dir[] = "/tmp/shards-test-audio-XXXXXX";
	if (!mkdtemp(dir))
		return;
	char path[256];
	snprintf(path, sizeof path, "%s/a.wav", dir);
	float buf[2000];
	for (int i = 0; i < 2000; i++)
		buf[i] = (float)sin(i * 0.05) * 0.5f;
	sh_audio_out *o = sh_audio_create(path, 48000, 2, NULL);
	CHECK(o && sh_audio_write(o, buf, 1000) == 0, "audio: a WAV file is written");
	sh_audio_abort(o);
	CHECK(entries(dir) == 0, "audio: an aborted file leaves nothing behind");
	o = sh_audio_create(path, 48000, 2, NULL);
	CHECK(o && sh_audio_write(o, buf, 1000) == 0 && sh_audio_finish(o) == 0 && entries(dir) == 1,
	      "audio: a finished file is renamed into place");
	sh_audio_in *in = sh_audio_open(path);
	sh_audio_source *src = in ? sh_audio_source_open(in, 1 << 20) : NULL;
	float got[2000];
	CHECK(src && sh_audio_source_frames(src) == 1000 && sh_audio_source_get(src, 0, 1000, got) == 0 &&
	          !memcmp(got, buf, sizeof got),
	      "audio: read back through a source");
	if (src && truncate(path, 1000) == 0)
		CHECK(sh_audio_source_get(src, 0, 1000, got) != 0 && strstr(sh_error(), "truncated"),
		      "audio: a file cut short under a source is an error, not the end of the run");
	sh_audio_source_close(src);
	sh_audio_close(in);
	unlink(path);

	/* a callback cannot fail: the first error is kept and reported at the end */
	o = sh_audio_create("/dev/full", 48000, 2, NULL);
	for (int i = 0; o && i < 300; i++)
		sh_audio_emit(o, buf, 1000);
	CHECK(o && sh_audio_finish(o) != 0 && strstr(sh_error(), "No space"),
	      "audio: a failed emit is reported by finish (%s)", sh_error());
	CHECK(!sh_audio_open(dir) && strstr(sh_error(), "is a directory"), "audio: a folder is refused, by name");
	rmdir(dir);

	CHECK(!sh_cutlist_load("/nonexistent-shards-dir/x.json") && strstr(sh_error(), "/nonexistent-shards-dir/x.json"),
	      "cut list: a missing file is NULL, named");
}

/* A message longer than the error buffer keeps its start and its end. */
static void test_long_error(void)
{
	char op[3001];
	memset(op, 'x', sizeof op - 1);
	op[0] = 'A';
	op[1500] = '\xc3'; /* a two-byte character across the middle */
	op[1501] = '\xa9';
	op[sizeof op - 1] = 0;
	sh_set_error("%s: unknown key 'k'", op);
	const char *e = sh_error();
	size_t n = strlen(e);
	CHECK(n < 1024 && e[0] == 'A' && strstr(e, " ... ") &&
	          !strcmp(e + n - strlen("unknown key 'k'"), "unknown key 'k'"),
	      "a long message keeps its start and its reason (%zu bytes: %.20s...%s)", n, e,
	      n > 30 ? e + n - 30 : e);
}

int main(void)
{
	/* durations */
	CHECK(dur("40ms", 0, 0) == 0.04, "duration 40ms");
	CHECK(dur("40", 0, 0) == 0.04, "duration bare number is ms");
	CHECK(dur("0.5s", 0, 0) == 0.5, "duration 0.5s");
	CHECK(dur("2f", 0, 25) == 0.08, "duration 2f at 25 fps");
	CHECK(dur("1/16", 120, 0) == 0.125, "duration 1/16 note at 120 BPM");
	CHECK(dur("1/4b", 120, 0) == 0.125, "duration 1/4 beat at 120 BPM");
	CHECK(dur("480smp", 0, 0) == 0.01, "duration in samples");
	CHECK(dur("2f", 0, 0) < 0, "frames without fps fail");
	CHECK(dur("1/16", 0, 0) < 0, "note values without bpm fail");
	CHECK(dur("-3ms", 0, 0) < 0 && dur("0", 0, 0) < 0 && dur("1e308s", 0, 0) < 0, "non-positive and absurd durations fail");
	CHECK(dur("4 furlongs", 0, 0) < 0 && dur("", 0, 0) < 0, "junk durations fail");
	/* ranges and rates */
	sh_range r;
	CHECK(sh_parse_range("0.2..0.8", &r) == 0 && r.lo == 0.2 && r.hi == 0.8, "range MIN..MAX");
	CHECK(sh_parse_range("0.5", &r) == 0 && r.lo == 0.5 && r.hi == 0.5, "range single value");
	CHECK(sh_parse_range("0.8..0.2", &r) != 0, "range MIN > MAX fails");
	sh_rational q;
	CHECK(sh_parse_rate("30000/1001", &q) == 0 && q.num == 30000 && q.den == 1001, "rate 30000/1001");
	CHECK(sh_parse_rate("29.97", &q) == 0 && q.num == 30000 && q.den == 1001, "rate 29.97 is NTSC");
	CHECK(sh_parse_rate("25", &q) == 0 && q.num == 25 && q.den == 1, "rate 25");
	CHECK(sh_parse_rate("0", &q) != 0 && sh_parse_rate("1e9", &q) != 0, "absurd rates fail");

	/* the PRNG is pinned: these numbers must never change */
	sh_rng g;
	sh_rng_seed(&g, 42);
	uint64_t first = sh_rng_next(&g);
	sh_rng_seed(&g, 42);
	CHECK(sh_rng_next(&g) == first, "same seed, same numbers");
	sh_rng_seed(&g, 0);
	CHECK(sh_rng_next(&g) == 0x99ec5f36cb75f2b4ULL, "xoshiro256** from splitmix64(0): first output pinned");
	double sum = 0;
	int below[10] = {0};
	sh_rng_seed(&g, 7);
	for (int i = 0; i < 100000; i++) {
		double u = sh_rng_uniform(&g);
		sum += u;
		below[sh_rng_below(&g, 10)]++;
	}
	CHECK(fabs(sum / 100000 - 0.5) < 0.01, "uniform mean near 0.5");
	int ok = 1;
	for (int i = 0; i < 10; i++)
		ok &= below[i] > 9500 && below[i] < 10500;
	CHECK(ok, "below(10) is flat");

	/* which draws make the run's seed matter */
	sh_rng_restore_drawn(false);
	sh_rng_seed(&g, 5);
	sh_rng h = g;
	(void)sh_rng_between(&g, 3, 3);
	(void)sh_rng_chance(&g, 0);
	(void)sh_rng_chance(&g, 1);
	(void)sh_rng_below(&g, 1);
	(void)sh_rng_int_between(&g, 4, 4);
	(void)sh_rng_quiet_uniform(&g);
	sh_rng_skip(&g, 2);
	sh_rng child = sh_rng_fork(&g);
	(void)child;
	CHECK(!sh_rng_drawn(), "equal bounds, chances of 0 and 1, below(1), skips, quiet draws and forks do not count");
	sh_rng_skip(&h, 9);
	CHECK(sh_rng_next(&h) == sh_rng_next(&g), "...but each moves the generator one step, so streams stay aligned");
	CHECK(sh_rng_drawn(), "a plain draw counts");
	sh_rng_restore_drawn(false);
	(void)sh_rng_chance(&g, 0.5);
	CHECK(sh_rng_drawn(), "a chance between 0 and 1 counts");
	sh_rng_restore_drawn(false);
	(void)sh_rng_int_between(&g, 2, 3);
	CHECK(sh_rng_drawn(), "an integer range counts");
	sh_rng_seed(&g, 9);
	h = g;
	ok = 1;
	for (int i = 0; i < 1000; i++) {
		long n = sh_rng_int_between(&g, 2, 9), want = (long)floor(sh_rng_between(&h, 2, 10));
		ok &= n == (want > 9 ? 9 : want) && n >= 2 && n <= 9;
	}
	CHECK(ok, "int_between(lo, hi) is floor(between(lo, hi + 1)), both ends included");

	/* cut lists: parse, errors, round trip */
	sh_cutlist *a = parse("{\"format\":\"shards-cutlist\",\"version\":1,\"source\":{\"duration\":1,\"rate\":1000},"
	                      "\"cuts\":[{\"src\":0.5,\"dur\":0.25},{\"src\":0,\"dur\":0.25,\"reverse\":true},"
	                      "{\"silence\":true,\"dur\":0.1},{\"src\":0.2,\"dur\":0.3,\"gain\":0.5}]}");
	CHECK(a && a->n == 4 && a->cuts[1].reverse && a->cuts[2].silence && a->cuts[3].gain == 0.5, "parse a list");
	char *text = sh_cutlist_dump(a);
	sh_cutlist *a2 = parse(text);
	CHECK(a2 && a2->n == 4 && !memcmp(a2->cuts, a->cuts, 4 * sizeof *a->cuts), "dump then parse round-trips");
	free(text);
	CHECK(!parse("{\"format\":\"shards-cutlist\",\"version\":1,\"cuts\":[{\"src\":0}]}") &&
	          strstr(sh_error(), "cut 0: field 'dur'"), "missing dur named");
	CHECK(!parse("{\"format\":\"shards-cutlist\",\"version\":2,\"cuts\":[]}") && strstr(sh_error(), "version 2"),
	      "unknown version named");
	CHECK(!parse("{\"format\":\"other\",\"version\":1,\"cuts\":[]}"), "wrong format refused");
	CHECK(!parse("") && !parse("[1,2]") && !parse("{"), "empty, non-object and truncated JSON refused");

	/* compose: B over A's output, checked on the sample grid */
	sh_cutlist *b = parse("{\"format\":\"shards-cutlist\",\"version\":1,\"source\":{\"duration\":0.9,\"rate\":1000},"
	                      "\"cuts\":[{\"src\":0.2,\"dur\":0.1,\"reverse\":true},{\"src\":0.45,\"dur\":0.2}]}");
	sh_cutlist *ab = sh_cutlist_compose(a, b);
	/* B[0] = A's output 200..300, reversed: it spans A[0] (source 700..750 forward) and
	 * A[1] (source 200..250 backwards); reversing the whole flips order and direction.
	 * B[1] = A's output 450..650: A[1]'s tail (source 0..50 backwards), A's silence,
	 * then A[3]'s head with its gain. */
	CHECK(ab && ab->n == 5, "compose splits at A's boundaries (%zu pieces)", ab ? ab->n : 0);
	if (ab && ab->n == 5) {
		CHECK(fabs(ab->cuts[0].src - 0.2) < 1e-9 && !ab->cuts[0].reverse && fabs(ab->cuts[0].dur - 0.05) < 1e-9,
		      "compose: reversed over reversed plays forward");
		CHECK(fabs(ab->cuts[1].src - 0.7) < 1e-9 && ab->cuts[1].reverse, "compose: forward piece reversed");
		CHECK(fabs(ab->cuts[2].src) < 1e-9 && ab->cuts[2].reverse && ab->cuts[3].silence &&
		          fabs(ab->cuts[4].src - 0.2) < 1e-9 && ab->cuts[4].gain == 0.5,
		      "compose: tail, silence and gain in order");
	}
	sh_cutlist_free(ab);
	/* B reaching into A's silence and across a gain piece */
	sh_cutlist *c = parse("{\"format\":\"shards-cutlist\",\"version\":1,\"cuts\":[{\"src\":0.45,\"dur\":0.3}]}");
	sh_cutlist *ac = sh_cutlist_compose(a, c);
	CHECK(ac && ac->n == 3 && !ac->cuts[0].silence && ac->cuts[1].silence && ac->cuts[2].gain == 0.5,
	      "compose carries silence and gain");
	sh_cutlist_free(ac);
	sh_cutlist *d = parse("{\"format\":\"shards-cutlist\",\"version\":1,\"cuts\":[{\"src\":0.8,\"dur\":0.2}]}");
	CHECK(!sh_cutlist_compose(a, d), "compose refuses a cut past the first list's end");

	/* slicer: identity pass, frame snapping */
	sh_slicer_opts so = {.total = 48000, .rate = 48000, .slice = 0.1, .max_repeats = 4};
	sh_cutlist *s = sh_slice(&so, 1);
	double t = 0;
	int inplace = 1;
	for (size_t i = 0; s && i < s->n; i++) {
		inplace &= fabs(s->cuts[i].src - t) < 1e-12;
		t += s->cuts[i].dur;
	}
	CHECK(s && s->n == 10 && inplace, "slicer with no chance is the identity");
	sh_cutlist_free(s);
	so.fps = (sh_rational){30000, 1001};
	so.slice = 0.07;
	so.shuffle = 1;
	s = sh_slice(&so, 2);
	int ongrid = 1;
	for (size_t i = 0; s && i < s->n; i++) {
		double f = s->cuts[i].src * 30000 / 1001;
		ongrid &= fabs(f - round(f)) < 0.02; /* within a sample of a frame */
	}
	CHECK(s && ongrid, "slicer snaps to 30000/1001 frames");
	sh_cutlist_free(s);
	so.slice = 0.001;
	CHECK(!sh_slice(&so, 1), "slice shorter than a frame refused");

	test_audio_errors();
	test_long_error();

	sh_cutlist_free(a);
	sh_cutlist_free(a2);
	sh_cutlist_free(b);
	sh_cutlist_free(c);
	sh_cutlist_free(d);
	return tap_failed;
}
