/* test_events.c -- Euclidean table, number formatting, tempo map, scales, reader. */
#include "cli.h"
#include "euclid.h"
#include "events.h"
#include "rng.h"
#include "scales.h"
#include "timing.h"
#include "tap.h"

#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *pattern(int steps, int pulses, int rot)
{
	static char s[SH_EUCLID_MAX + 1];
	unsigned char p[SH_EUCLID_MAX];
	if (sh_euclid(steps, pulses, rot, p) != 0)
		return "error";
	for (int i = 0; i < steps; i++)
		s[i] = p[i] ? 'x' : '.';
	s[steps] = 0;
	return s;
}

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	/* Toussaint, "The Euclidean Algorithm Generates Traditional Musical Rhythms"
	 * (BRIDGES 2005), section 4, exactly as printed there. */
	static const struct {
		int k, n;
		const char *want;
	} table[] = {
		{1, 2, "x."}, {1, 3, "x.."}, {1, 4, "x..."}, {4, 12, "x..x..x..x.."},
		{2, 3, "x.x"}, {2, 5, "x.x.."}, {3, 4, "x.xx"}, {3, 5, "x.x.x"},
		{3, 7, "x.x.x.."}, {3, 8, "x..x..x."}, {4, 7, "x.x.x.x"}, {4, 9, "x.x.x.x.."},
		{4, 11, "x..x..x..x."}, {5, 6, "x.xxxx"}, {5, 7, "x.xx.xx"}, {5, 8, "x.xx.xx."},
		{5, 9, "x.x.x.x.x"}, {5, 11, "x.x.x.x.x.."}, {5, 12, "x..x.x..x.x."},
		{5, 13, "x..x.x..x.x.."}, {5, 16, "x..x..x..x..x..."}, {7, 8, "x.xxxxxx"},
		{7, 12, "x.xx.x.xx.x."}, {7, 16, "x..x.x.x..x.x.x."}, {9, 16, "x.xx.x.x.xx.x.x."},
		{11, 24, "x..x.x.x.x.x..x.x.x.x.x."}, {13, 24, "x.xx.x.x.x.x.xx.x.x.x.x."},
	};
	for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
		const char *got = pattern(table[i].n, table[i].k, 0);
		CHECK(strcmp(got, table[i].want) == 0, "E(%d,%d) = %s (got %s)", table[i].k, table[i].n,
		      table[i].want, got);
	}
	CHECK(strcmp(pattern(8, 3, 1), ".x..x..x") == 0, "rotation 1 delays every onset one step");
	CHECK(strcmp(pattern(8, 3, -1), "..x..x.x") == 0, "rotation -1 moves onsets earlier");
	CHECK(strcmp(pattern(8, 3, 9), ".x..x..x") == 0, "rotation wraps modulo steps");
	CHECK(strcmp(pattern(8, -3, 0), ".xx.xx.x") == 0, "negative pulses invert");
	CHECK(strcmp(pattern(4, 0, 0), "....") == 0, "0 pulses: silence");
	CHECK(strcmp(pattern(4, 4, 0), "xxxx") == 0, "all pulses");
	CHECK(strcmp(pattern(4, 5, 0), "error") == 0, "more pulses than steps is an error");
	/* every k,n up to 64: k onsets, maximally even (gaps differ by at most one) */
	int bad = 0;
	for (int n = 1; n <= 64; n++)
		for (int k = 1; k <= n; k++) {
			unsigned char p[SH_EUCLID_MAX];
			sh_euclid(n, k, 0, p);
			int count = 0, first = -1, last = -1, gmin = n, gmax = 0;
			for (int i = 0; i < n; i++)
				if (p[i]) {
					if (last >= 0) {
						int g = i - last;
						gmin = g < gmin ? g : gmin;
						gmax = g > gmax ? g : gmax;
					} else
						first = i;
					last = i;
					count++;
				}
			int wrap = first + n - last;
			gmin = wrap < gmin ? wrap : gmin;
			gmax = wrap > gmax ? wrap : gmax;
			if (count != k || first != 0 || gmax - gmin > 1)
				bad++;
		}
	CHECK(bad == 0, "E(k,n) for n <= 64: k onsets, onset on step 0, gaps differ by at most 1 (%d bad)", bad);

	char buf[64];
	sh_format_number(buf, sizeof buf, 2);
	CHECK(strcmp(buf, "2") == 0, "integers print without a point");
	sh_format_number(buf, sizeof buf, 0.1);
	CHECK(strcmp(buf, "0.1") == 0, "0.1 prints short");
	sh_format_number(buf, sizeof buf, 1.0 / 3);
	CHECK(strtod(buf, NULL) == 1.0 / 3, "1/3 round-trips (%s)", buf);
	{ /* the definition: the shortest %.{12..17}g that reads back, printed by printf */
		sh_rng r;
		sh_rng_seed(&r, 7);
		long differ = 0, n = 0;
		char want[64], got[64], dec[48];
		for (long i = 0; i < 240000; i++) {
			double v;
			switch (i % 6) {
			case 0: { /* any bit pattern */
				uint64_t bits = sh_rng_next(&r);
				memcpy(&v, &bits, sizeof v);
				break;
			}
			case 1: v = (double)sh_rng_below(&r, 100000) / (double)(1 + sh_rng_below(&r, 1000)); break;
			case 2: v = round(sh_rng_between(&r, -3, 3) * 1e9) / 1e9; break;   /* lfo values */
			case 3: v = (double)i / 60.0 * 124 / 60.0; break;                     /* lfo times */
			case 4: /* decimal ties: 12..16 digits then a 5 */
				snprintf(dec, sizeof dec, "%.*e5", (int)(10 + sh_rng_below(&r, 6)), sh_rng_between(&r, 1, 10));
				v = strtod(dec, NULL) * (sh_rng_below(&r, 2) ? 1 : -1) * pow(10, (double)sh_rng_below(&r, 40) - 20);
				break;
			default: v = nextafter(0.1 * (double)sh_rng_below(&r, 100000), sh_rng_below(&r, 2) ? 1 : -1); break;
			}
			if (v == 0 || !isfinite(v) || (v == floor(v) && fabs(v) < 1e15))
				continue;
			for (int prec = 12; prec <= 17; prec++) {
				snprintf(want, sizeof want, "%.*g", prec, v);
				if (strtod(want, NULL) == v)
					break;
			}
			sh_format_number(got, sizeof got, v);
			n++;
			if (strcmp(want, got) != 0 && differ++ < 5)
				printf("# %.17g: printf %s, sh_format_number %s\n", v, want, got);
		}
		CHECK(differ == 0, "sh_format_number matches the shortest round-tripping %%g on %ld numbers (%ld differ)", n,
		      differ);
	}

	{ /* string fields: plain names are copied, everything else is JSON-escaped */
		static const struct {
			const char *in, *want;
		} sv[] = {
			{"rhythm_hit", "{\"t\":0,\"type\":\"x\",\"name\":\"rhythm_hit\"}"},
			{"a/b c~", "{\"t\":0,\"type\":\"x\",\"name\":\"a/b c~\"}"},
			{"q\"b\\", "{\"t\":0,\"type\":\"x\",\"name\":\"q\\\"b\\\\\"}"},
			{"tab\there\n", "{\"t\":0,\"type\":\"x\",\"name\":\"tab\\there\\n\"}"},
			{"\x7f\x01", "{\"t\":0,\"type\":\"x\",\"name\":\"\x7f\\u0001\"}"},
			{"caf\xc3\xa9", "{\"t\":0,\"type\":\"x\",\"name\":\"caf\xc3\xa9\"}"},
			{"bad\xff", "{\"t\":0,\"type\":\"x\",\"name\":\"\"}"}, /* not UTF-8 */
			{"", "{\"t\":0,\"type\":\"x\",\"name\":\"\"}"},
		};
		for (size_t i = 0; i < sizeof sv / sizeof sv[0]; i++) {
			sh_evline l;
			sh_evline_begin(&l, 0, "x");
			sh_evline_str(&l, "name", sv[i].in);
			sh_evline_end(&l);
			CHECK(l.len == strlen(sv[i].want) && strcmp(l.buf, sv[i].want) == 0, "string field %zu encodes as %s (%s)",
			      i, sv[i].want, l.buf);
		}
	}

	/* one member's value replaced, every other byte as it was */
	{
		const char *line = "{\"t\":0.1, \"type\":\"trigger\",\"o\":{\"name\":\"in\"},\"s\":\"a\\\"name\\\":\",\"name\":\"x\",\"v\":0.12345678901234568}";
		sh_event ev = {.line = line, .len = strlen(line)};
		size_t len;
		char *got = sh_event_with(&ev, "name", "\"kick\"", &len);
		const char *want = "{\"t\":0.1, \"type\":\"trigger\",\"o\":{\"name\":\"in\"},\"s\":\"a\\\"name\\\":\",\"name\":\"kick\",\"v\":0.12345678901234568}";
		CHECK(got && len == strlen(want) && !strcmp(got, want), "sh_event_with renames the top-level member only (%s)", got ? got : "NULL");
		free(got);
		got = sh_event_with(&ev, "t", "0.25", &len);
		CHECK(got && !strncmp(got, "{\"t\":0.25, \"type\"", 17), "sh_event_with sets the first member (%s)", got ? got : "NULL");
		free(got);
		CHECK(!sh_event_with(&ev, "missing", "1", &len), "sh_event_with: no such member gives NULL");
		const char *esc = "{\"\\u0074\":2,\"type\":\"x\"}";
		sh_event ev2 = {.line = esc, .len = strlen(esc)};
		got = sh_event_with(&ev2, "t", "3", &len);
		CHECK(got && !strcmp(got, "{\"\\u0074\":3,\"type\":\"x\"}"), "sh_event_with finds a key spelt with escapes (%s)", got ? got : "NULL");
		free(got);
		got = sh_event_set(&ev2, "type", "\"y\"", &len);
		CHECK(got && !strcmp(got, "{\"\\u0074\":2,\"type\":\"y\"}"), "sh_event_set replaces a member it has (%s)", got ? got : "NULL");
		free(got);
		got = sh_event_set(&ev2, "gate", "0.5", &len);
		CHECK(got && len == strlen(got) && !strcmp(got, "{\"\\u0074\":2,\"type\":\"x\",\"gate\":0.5}"), "sh_event_set adds a member at the end (%s)", got ? got : "NULL");
		free(got);
		const char *bare[][2] = {{"{}", "{\"a\":1}"}, {" { } ", " { \"a\":1} "}, {"{\"b\":2 }", "{\"b\":2 ,\"a\":1}"}};
		for (int i = 0; i < 3; i++) {
			sh_event e3 = {.line = bare[i][0], .len = strlen(bare[i][0])};
			got = sh_event_set(&e3, "a", "1", &len);
			CHECK(got && !strcmp(got, bare[i][1]), "sh_event_set on '%s' gives '%s' (%s)", bare[i][0], bare[i][1], got ? got : "NULL");
			free(got);
		}
		const char *drop[][3] = {{"{\"t\":1,\"wall\":0.5}", "wall", "{\"t\":1}"},
		                         {"{\"wall\":0.5, \"t\":1}", "wall", "{ \"t\":1}"},
		                         {"{\"t\":1 , \"w\\u0061ll\":\"a,}\", \"x\":[1,{\"wall\":2}]}", "wall", "{\"t\":1 , \"x\":[1,{\"wall\":2}]}"},
		                         {"{\"wall\":0.5}", "wall", "{}"}};
		for (int i = 0; i < 4; i++) {
			sh_event e5 = {.line = drop[i][0], .len = strlen(drop[i][0])};
			got = sh_event_without(&e5, drop[i][1], &len);
			CHECK(got && len == strlen(got) && !strcmp(got, drop[i][2]), "sh_event_without on '%s' gives '%s' (%s)", drop[i][0], drop[i][2], got ? got : "NULL");
			free(got);
		}
		sh_event e6 = {.line = drop[0][2], .len = strlen(drop[0][2])};
		CHECK(!sh_event_without(&e6, "wall", &len), "sh_event_without: no such member gives NULL");
		sh_event e4 = {.line = "[1]", .len = 3};
		CHECK(!sh_event_set(&e4, "a", "1", &len), "sh_event_set: not an object gives NULL");
	}

	sh_tempomap tm;
	sh_tempomap_init(&tm, 120);
	CHECK(fabs(sh_tempomap_seconds(&tm, 4) - 2) < 1e-12, "4 beats at 120 bpm = 2 s");
	sh_tempomap_set(&tm, 4, 60);
	CHECK(fabs(sh_tempomap_seconds(&tm, 6) - 4) < 1e-12, "tempo change takes effect at its beat");

	sh_scales reg = {0};
	int maj[] = {0, 2, 4, 5, 7, 9, 11};
	CHECK(sh_scales_add(&reg, "major", maj, 7) == 0, "add a scale");
	int badsteps[] = {0, 4, 2};
	CHECK(sh_scales_add(&reg, "bad", badsteps, 3) != 0, "unsorted offsets are refused");
	const sh_scale *s = sh_scales_find(&reg, "major");
	CHECK(s && sh_scale_pitch(s, 60, 7, 0) == 72, "degree 7 of major is the octave");
	CHECK(s && sh_scale_pitch(s, 60, -1, 0) == 59, "degree -1 of major is the leading tone below");
	CHECK(s && sh_scale_pitch(s, 60, 2, 1) == 76, "degree 2, one octave up");
	sh_scales_free(&reg);

	/* reader: pass-through text, order check, skip-bad */
	char path[] = "/tmp/test_events_XXXXXX";
	int fd = mkstemp(path);
	const char *text = "{\"t\":0,\"type\":\"a\",\"x\":1.50}\n\n{\"t\":1, \"type\":\"b\"}\r\nnot json\n"
	                   "{\"t\":0.5,\"type\":\"c\"}\n{\"t\":2,\"type\":\"d\"}";
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text), "write fixture");
	close(fd);
	sh_evreader *r = sh_evreader_open(path, true);
	sh_event ev;
	int n = 0;
	char types[16] = "";
	while (sh_evreader_next(r, &ev) == 1) {
		if (n == 0)
			CHECK(strcmp(ev.line, "{\"t\":0,\"type\":\"a\",\"x\":1.50}") == 0, "line text kept byte for byte");
		if (n == 1)
			CHECK(ev.lineno == 3 && strcmp(ev.line, "{\"t\":1, \"type\":\"b\"}") == 0,
			      "blank line counted, CR dropped");
		strcat(types, ev.type);
		n++;
	}
	CHECK(strcmp(types, "abd") == 0, "skip-bad drops the malformed and out-of-order lines (%s)", types);
	CHECK(sh_evreader_skipped(r) == 2, "two lines skipped");
	sh_evreader_close(r);

	/* errors come back to the caller, naming input and line */
	r = sh_evreader_open(path, false);
	int st;
	while ((st = sh_evreader_next(r, &ev)) == 1)
		;
	CHECK(st == -1 && strstr(sh_error(), ": line 4: malformed JSON"), "without skip_bad: -1 at line 4 (%s)",
	      sh_error());
	CHECK(sh_evreader_next(r, &ev) == -1, "and again on the next call");
	sh_evreader_close(r);
	r = sh_evreader_open(path, false);
	CHECK(sh_evreader_next(r, &ev) == 1 && sh_event_bad(r, &ev, "not for me") == -1, "sh_event_bad refuses");
	CHECK(sh_evreader_next(r, &ev) == -1 && strstr(sh_error(), ": line 1: not for me"),
	      "the reader stops at the refused event (%s)", sh_error());
	sh_evreader_close(r);
	unlink(path);
	CHECK(sh_evreader_open("/nonexistent/x.ev", false) == NULL && strstr(sh_error(), "cannot open"),
	      "a missing file: NULL (%s)", sh_error());

	/* plain lines (the reader's own scan) and the rest (jansson) read the same */
	static const struct {
		const char *line, *key, *want; /* want: the number's text for strtod, or "=STRING", or NULL: an error */
	} fields[] = {
		{"{\"t\":0,\"type\":\"a\",\"x\":0.1}", "x", "0.1"},
		{"{\"t\":0,\"type\":\"a\",\"x\":0.30000000000000004}", "x", "0.30000000000000004"},
		{"{\"t\":0,\"type\":\"a\",\"x\":1.7976931348623157e308}", "x", "1.7976931348623157e308"},
		{"{\"t\":0,\"type\":\"a\",\"x\":5e-324}", "x", "5e-324"},
		{"{\"t\":0,\"type\":\"a\",\"x\":1e-400}", "x", "0"},
		{"{\"t\":0,\"type\":\"a\",\"x\":123456789012345678}", "x", "123456789012345678"},
		{"{\"t\":0,\"type\":\"a\",\"x\":-0}", "x", "0"},
		{"{\"t\":0,\"type\":\"a\",\"x\":-0.0}", "x", "-0.0"},
		{"{\"t\":0,\"type\":\"a\",\"x\":12345.678901234567}", "x", "12345.678901234567"},
		{"{\"t\":0,\"type\":\"a\",\"x\":0.80000000000000000055752}", "x", "0.80000000000000000055752"},
		{"{\"t\":0,\"type\":\"a\",\"x\":0.8000000000000055752}", "x", "0.8000000000000055752"},
		{"{\"t\":0,\"type\":\"a\",\"x\":0.000000000000000000001}", "x", "1e-21"},
		{"{\"t\":0,\"type\":\"a\",\"x\":123456789012345.6}", "x", "123456789012345.6"},
		{"{\"t\":0,\"type\":\"a\",\"x\":99999999999999999999.5}", "x", "99999999999999999999.5"},
		{"{\"t\":0,\"type\":\"a\",\"x\":2E+3}", "x", "2000"},
		{" { \"t\" : 1.5 , \"type\" : \"a\" , \"x\" : \"hi there\" } ", "x", "=hi there"},
		{"{\"t\":0,\"type\":\"a\",\"x\":\"tab\\there\"}", "x", "=tab\there"},
		{"{\"t\":0,\"type\":\"a\",\"x\":\"caf\u00e9\"}", "x", "=caf\u00e9"},
		{"{\"t\":0,\"type\":\"a\",\"x\":{\"y\":1},\"z\":2}", "z", "2"},
		{"{\"t\":0,\"type\":\"a\",\"x\":true,\"z\":null}", "x", "=(not a number or string)"},
		{"{\"t\":1e400,\"type\":\"a\"}", "t", NULL},
		{"{\"t\":0,\"type\":\"a\",\"x\":123456789012345678901}", "x", NULL},
		{"{\"t\":0,\"type\":\"a\",\"t\":1}", "t", NULL},
		{"{\"t\":0,\"type\":\"a\",\"x\":01}", "x", NULL},
		{"{\"t\":0,\"type\":\"a\",\"x\":1.}", "x", NULL},
		{"{\"t\":0,\"type\":\"a\",\"x\":.5}", "x", NULL},
		{"{\"t\":0,\"type\":\"a\",\"x\":+1}", "x", NULL},
		{"{\"t\":0,\"type\":\"a\",\"x\":1}x", "x", NULL},
		{"{\"t\":0,\"type\":\"a\",}", "x", NULL},
		{"{\"t\":0,\"type\":\"a\",\"x\":\"\x01\"}", "x", NULL},
		{"{\"t\":0,\"type\":\"a\",\"x\":\"\xff\"}", "x", NULL},
		{"{\"t\":0,\"type\":\"a\",\"x\":tru}", "x", NULL},
	};
	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
		char fpath[] = "/tmp/test_events_XXXXXX";
		int ffd = mkstemp(fpath);
		CHECK(write(ffd, fields[i].line, strlen(fields[i].line)) == (ssize_t)strlen(fields[i].line), "write");
		close(ffd);
		r = sh_evreader_open(fpath, false);
		st = sh_evreader_next(r, &ev);
		if (!fields[i].want)
			CHECK(st == -1, "%s: refused (%s)", fields[i].line, st == -1 ? sh_error() : "read");
		else if (fields[i].want[0] == '=') {
			const char *sv = NULL;
			double x;
			bool is_str = st == 1 && sh_ev_string(&ev, fields[i].key, &sv) == 0;
			if (fields[i].want[1] == '(')
				CHECK(st == 1 && !is_str && sh_ev_number(&ev, fields[i].key, &x) != 0, "%s: neither", fields[i].line);
			else
				CHECK(is_str && !strcmp(sv, fields[i].want + 1), "%s: \"%s\"", fields[i].line, sv ? sv : "?");
		} else {
			double x = NAN, want = strtod(fields[i].want, NULL);
			CHECK(st == 1 && sh_ev_number(&ev, fields[i].key, &x) == 0 && x == want && !signbit(x) == !signbit(want),
			      "%s: %.17g", fields[i].line, x);
		}
		sh_evreader_close(r);
		unlink(fpath);
	}

	/* a writer that fails stays failed; an overlong line is refused */
	int full = open("/dev/full", O_WRONLY);
	sh_evwriter *w = sh_evwriter_open(full, true);
	CHECK(sh_evwriter_raw(w, "{}", 2) == -1 && sh_evwriter_failed(w), "a write to /dev/full fails");
	CHECK(sh_evwriter_raw(w, "{}", 2) == -1 && strstr(sh_error(), "No space"), "and stays failed (%s)", sh_error());
	CHECK(sh_evwriter_close(w) == -1, "close reports it");
	close(full);
	sh_evline l;
	char name[2000];
	memset(name, 'a', sizeof name - 1);
	name[sizeof name - 1] = 0;
	sh_evline_begin(&l, 0, "x");
	sh_evline_str(&l, "name", name);
	CHECK(sh_evline_end(&l) == -1, "a 2000-byte name does not fit a line (%s)", sh_error());
	double beats;
	sh_evlength len = SH_EVLENGTH_DEFAULTS;
	sh_option opts[] = {SH_EVLENGTH_OPTIONS(len), {0}};
	CHECK(sh_events_length(opts, &len, 120, true, &beats) == 0 && isinf(beats), "no length, live: endless");
	CHECK(sh_events_length(opts, &len, 120, false, &beats) == 0 && beats == 256, "no length, off-line: 64 bars of 4");
	opts[0].given = opts[1].given = true; /* as a preset from --print-config gives them */
	CHECK(sh_events_length(opts, &len, 120, true, &beats) == 0 && isinf(beats), "0 bars and 0 beats, live: endless");
	len.bars = 2;
	CHECK(sh_events_length(opts, &len, 120, false, &beats) == 0 && beats == 8, "2 bars of 4: 8 beats");
	len.beats = 3;
	CHECK(sh_events_length(opts, &len, 120, false, &beats) == -1, "two lengths: refused (%s)", sh_error());
	return tap_failed;
}
