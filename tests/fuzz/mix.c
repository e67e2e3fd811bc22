/* mix.c -- fuzz amix's operands, FILE[:GAIN[:PAN]][:KEY=VALUE]... (sh_mix_parse,
 * lib/dsp/mixer.c). Each input is parsed as it is (a path from the working
 * folder, mostly missing) and again after the name of a folder of this harness
 * holding files whose names have colons in them, so the file part is found by
 * the longest existing prefix. Checked: an error is one line that begins with
 * the operand; what parses has a file part that is a prefix of the operand
 * ending at a ':' or the end, values within their documented ranges, finite
 * durations in seconds or samples, and it writes back as an operand (every
 * field as KEY=VALUE) that parses to the same input. */
#include "fuzz.h"
#include "mixer.h"

#include <math.h>
#include <sys/stat.h>

static char dir[4096];
static const char *const names[] = {"a.wav", "a:b.wav", "x:1", "x:1:2", "-3dB", NULL};
static pid_t owner;

static void cleanup(void)
{
	if (getpid() != owner)
		return;
	char p[4200];
	for (int i = 0; names[i]; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
}

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/shards-fuzz-mix-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		abort();
	char p[4200];
	for (int i = 0; names[i]; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, names[i]);
		FILE *f = fopen(p, "w");
		if (!f)
			abort();
		fclose(f);
	}
	owner = getpid();
	atexit(cleanup);
}

static void dur(char *buf, size_t cap, size_t *len, const char *key, bool has, const sh_duration *d)
{
	if (has && d->amount == 0) /* a zero is "0": a duration in units is positive */
		*len += (size_t)snprintf(buf + *len, cap - *len, ":%s=0", key);
	else if (has)
		*len += (size_t)snprintf(buf + *len, cap - *len, ":%s=%.17g%s", key, d->amount,
		                         d->unit == SH_DUR_SAMPLES ? "smp" : "s");
}

static bool same_dur(bool ha, const sh_duration *a, bool hb, const sh_duration *b)
{
	return ha == hb && (!ha || (a->amount == b->amount && a->unit == b->unit));
}

static bool dur_ok(bool has, const sh_duration *d, bool zero_ok)
{
	return !has || (isfinite(d->amount) && (d->unit == SH_DUR_SECONDS || d->unit == SH_DUR_SAMPLES) &&
	                (zero_ok || d->amount != 0));
}

static void check(const char *op)
{
	sh_mix_input in;
	if (sh_mix_parse(op, &in) != 0) {
		const char *e = sh_error();
		size_t n = strlen(op);
		if (strchr(e, '\n') && !strchr(op, '\n'))
			abort();
		/* a message too long for the error buffer keeps its start and end,
		 * joined by " ... " (lib/core/err.c): then only the start is checked */
		bool shortened = strlen(e) >= 1000 && strstr(e, " ... ");
		size_t k = shortened ? (n < 500 ? n : 500) : n;
		if (*op && (strncmp(e, op, k) || (!shortened && strncmp(e + n, ": ", 2)))) {
			fprintf(stderr, "fuzz_mix: the error does not begin with the operand: %s\n", e);
			abort();
		}
		if (in.path)
			abort(); /* nothing kept on failure */
		return;
	}
	size_t pl = strlen(in.path);
	if (!pl || strncmp(in.path, op, pl) || (op[pl] && op[pl] != ':'))
		abort();
	if (!(in.gain_db >= SH_MIX_GAIN_MIN && in.gain_db <= SH_MIX_GAIN_MAX) || !(in.pan >= -1 && in.pan <= 1) ||
	    in.loops < 0 || in.loops > SH_MIX_LOOPS_MAX)
		abort();
	if (!dur_ok(in.has_start, &in.start, true) || !dur_ok(in.has_trim, &in.trim, true) ||
	    !dur_ok(in.has_len, &in.len, false) || !dur_ok(in.has_fade_in, &in.fade_in, true) ||
	    !dur_ok(in.has_fade_out, &in.fade_out, true)) {
		fprintf(stderr, "fuzz_mix: %s: a duration that is not one\n", op);
		abort();
	}
	/* written back, every field as KEY=VALUE */
	size_t cap = pl + 512, len = 0;
	char *text = malloc(cap);
	len += (size_t)snprintf(text, cap, "%s:gain=%.17g:pan=%.17g", in.path, in.gain_db, in.pan);
	if (in.loops != 1)
		len += (size_t)snprintf(text + len, cap - len, in.loops ? ":loop=%lld" : ":loop=inf",
		                        (long long)in.loops);
	dur(text, cap, &len, "start", in.has_start, &in.start);
	dur(text, cap, &len, "trim", in.has_trim, &in.trim);
	dur(text, cap, &len, "len", in.has_len, &in.len);
	dur(text, cap, &len, "fadein", in.has_fade_in, &in.fade_in);
	dur(text, cap, &len, "fadeout", in.has_fade_out, &in.fade_out);
	sh_mix_input b;
	if (sh_mix_parse(text, &b) != 0) {
		fprintf(stderr, "fuzz_mix: %s written as %s does not parse: %s\n", op, text, sh_error());
		abort();
	}
	if (strcmp(in.path, b.path) || in.gain_db != b.gain_db || in.pan != b.pan || in.loops != b.loops ||
	    !same_dur(in.has_start, &in.start, b.has_start, &b.start) ||
	    !same_dur(in.has_trim, &in.trim, b.has_trim, &b.trim) || !same_dur(in.has_len, &in.len, b.has_len, &b.len) ||
	    !same_dur(in.has_fade_in, &in.fade_in, b.has_fade_in, &b.fade_in) ||
	    !same_dur(in.has_fade_out, &in.fade_out, b.has_fade_out, &b.fade_out)) {
		fprintf(stderr, "fuzz_mix: %s written as %s parses differently\n", op, text);
		abort();
	}
	free(text);
	sh_mix_input_free(&b);
	sh_mix_input_free(&in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_init("fuzz_mix");
	if (!dir[0])
		setup();
	if (size > 4096 || memchr(data, 0, size))
		return 0; /* an operand is a C string */
	char *op = fz_strndup(data, size);
	check(op);
	size_t n = strlen(dir) + size + 2;
	char *inside = malloc(n);
	snprintf(inside, n, "%s/%s", dir, op);
	check(inside);
	free(inside);
	free(op);
	return 0;
}
