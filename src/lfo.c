/* lfo -- continuous control as value events: sums of sine, triangle, saw, square
 * and smoothed noise, sampled at a fixed rate. */
#include "cli.h"
#include "events.h"
#include "rng.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] = "lfo [options] [EXPR]";

enum { W_CONST, W_SIN, W_TRI, W_SAW, W_SQUARE, W_NOISE };
typedef struct {
	int wave;
	double amp, hz, phase; /* phase in radians, as in sin(2 pi hz t + phase) */
	sh_rng rng;            /* noise: its own stream */
	int64_t k;             /* noise: index of point a */
	double a, b;           /* noise: the points around now */
} term;

#define MAX_TERMS 32

static const char *p; /* parser cursor */

static void skip(void)
{
	while (isspace((unsigned char)*p))
		p++;
}

static int number(double *out)
{
	skip();
	char *end;
	double v = strtod(p, &end);
	if (end == p || !isfinite(v))
		return -1;
	p = end;
	*out = v;
	return 0;
}

/* expr := ['-'] term (('+'|'-') term)* ;  term := [NUM '*'] WAVE '(' HZ [',' PHASE] ')' | NUM */
static int parse(const char *text, term *t, int *n, char *why, size_t whylen)
{
	static const char *names[] = {"sin", "tri", "saw", "square", "noise"};
	p = text;
	*n = 0;
	double sign = 1;
	skip();
	if (*p == '-') {
		sign = -1;
		p++;
	} else if (*p == '+')
		p++;
	for (;;) {
		if (*n == MAX_TERMS) {
			snprintf(why, whylen, "more than %d terms", MAX_TERMS);
			return -1;
		}
		term *tm = &t[(*n)++];
		memset(tm, 0, sizeof *tm);
		tm->amp = sign;
		skip();
		const char *save = p;
		double v;
		bool have_num = number(&v) == 0;
		skip();
		if (have_num && *p == '*') {
			tm->amp *= v;
			p++;
			skip();
		} else if (have_num) {
			tm->wave = W_CONST;
			tm->amp *= v;
			goto next;
		} else
			p = save;
		int w = -1;
		for (int i = 0; i < 5; i++) {
			size_t len = strlen(names[i]);
			if (!strncmp(p, names[i], len) && !isalpha((unsigned char)p[len])) {
				w = i;
				p += len;
				break;
			}
		}
		if (w < 0) {
			snprintf(why, whylen, "expected sin, tri, saw, square, noise or a number at '%s'", p);
			return -1;
		}
		tm->wave = W_SIN + w;
		skip();
		if (*p != '(' || (p++, number(&tm->hz)) != 0 || tm->hz < 0 || tm->hz > 1e5) {
			snprintf(why, whylen, "%s needs (HZ) or (HZ, PHASE) with HZ within 0..100000", names[w]);
			return -1;
		}
		skip();
		if (*p == ',') {
			p++;
			if (number(&tm->phase) != 0) {
				snprintf(why, whylen, "bad phase in %s(...)", names[w]);
				return -1;
			}
			skip();
		}
		if (*p != ')') {
			snprintf(why, whylen, "missing ')' after %s(...", names[w]);
			return -1;
		}
		p++;
	next:
		skip();
		if (!*p)
			return 0;
		if (*p != '+' && *p != '-') {
			snprintf(why, whylen, "expected + or - at '%s'", p);
			return -1;
		}
		sign = *p == '-' ? -1 : 1;
		p++;
	}
}

static double noise_point(term *tm) { return sh_rng_between(&tm->rng, -1, 1); }

static double eval(term *t, int n, double sec)
{
	double sum = 0;
	for (int i = 0; i < n; i++) {
		term *tm = &t[i];
		double cyc = tm->hz * sec + tm->phase / (2 * M_PI); /* cycles */
		double frac = cyc - floor(cyc), v = 0;
		switch (tm->wave) {
		case W_CONST: v = 1; break;
		case W_SIN: v = sin(2 * M_PI * cyc); break;
		case W_TRI: v = frac < 0.25 ? 4 * frac : frac < 0.75 ? 2 - 4 * frac : 4 * frac - 4; break; /* like sin */
		case W_SAW: v = 2 * frac - 1; break;
		case W_SQUARE: v = frac < 0.5 ? 1 : -1; break;
		case W_NOISE: {
			/* value noise: a random point per cycle, cosine-interpolated between */
			int64_t k = (int64_t)floor(cyc);
			while (tm->k < k) {
				tm->a = tm->b;
				tm->b = noise_point(tm);
				tm->k++;
			}
			double x = (1 - cos(M_PI * frac)) / 2;
			v = tm->a + (tm->b - tm->a) * x;
			break;
		}
		}
		sum += tm->amp * v;
	}
	return sum;
}

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	const char *expr = "sin(0.25)";  /* the shape: slow sines swell, noise wanders, square flips */
	double hz = 60;                  /* samples per second: 10 steppy, 60 smooth, 1000 audio-ish */
	double bpm = 120;                /* the patch's tempo, to place samples on the beat axis */
	const char *name = "lfo";        /* the value stream's name */
	int64_t bars = 0, bpb = 4;
	double beats = 0;
	sh_duration dur = {0, SH_DUR_SECONDS};
	bool live = false;
	const char *out = NULL;
	sh_option opts[] = {
		{"expr", 'e', SH_OPT_STRING, &expr, .arg = "EXPR", .help = "signal, e.g. 0.6*sin(0.43)+0.4*sin(0.78,1.1) (sin(0.25))"},
		{"hz", 'r', SH_OPT_DOUBLE, &hz, 0.01, 10000, .help = "value events per second (60; 0.01..10000)"},
		{"bpm", 'b', SH_OPT_DOUBLE, &bpm, 1, 999, .help = "tempo of the patch (120)"},
		{"name", 'n', SH_OPT_STRING, &name, .arg = "NAME", .help = "name of the value events (lfo)"},
		{"bars", 0, SH_OPT_INT, &bars, 0, 1e7, .help = "stop after N bars"},
		{"beats", 0, SH_OPT_DOUBLE, &beats, 0, 1e9, .help = "stop after N beats"},
		{"duration", 'd', SH_OPT_DURATION, &dur, .scale = 1, .arg = "DUR", .help = "stop after DUR (10s, 2min, 32b)"},
		{"beats-per-bar", 0, SH_OPT_INT, &bpb, 1, 64, .help = "beats in a bar, for --bars (4)"},
		{"live", 'l', SH_OPT_FLAG, &live, .help = "pace output by the wall clock"},
		SH_EV_OUTPUT_OPTION(out),
		{0},
	};
	sh_program prog = {.usage = usage, .summary = "emit a control signal as value events", .has_seed = true};
	int idx = sh_parse_options(&prog, opts, argc, argv);
	if (idx <= 0)
		return sh_parse_status(idx);
	if (argc - idx > 1)
		sh_usage_error("too many operands (quote the expression)");
	if (idx < argc)
		expr = argv[idx];
	term terms[MAX_TERMS];
	int nterms;
	char why[512];
	if (parse(expr, terms, &nterms, why, sizeof why) != 0)
		sh_usage_error("expression '%s': %s", expr, why);
	sh_rng rng;
	sh_rng_seed(&rng, prog.seed);
	sh_note("seed %llu", (unsigned long long)prog.seed);
	for (int i = 0; i < nterms; i++)
		if (terms[i].wave == W_NOISE) {
			terms[i].rng = sh_rng_fork(&rng);
			double c0 = terms[i].phase / (2 * M_PI);
			terms[i].k = (int64_t)floor(c0);
			terms[i].a = noise_point(&terms[i]);
			terms[i].b = noise_point(&terms[i]);
		}
	double length = sh_events_length(opts, bars, bpb, beats, &dur, bpm); /* beats */
	sh_evwriter *w = sh_evwriter_create(out, live);
	if (live)
		sh_try_realtime(SH_RT_GENERATOR);
	double start = sh_now();
	sh_evline l;
	for (int64_t k = 0;; k++) {
		double sec = (double)k / hz, t = sec * bpm / 60.0;
		if (!(t < length - 1e-9))
			break;
		double v = eval(terms, nterms, sec);
		v = round(v * 1e9) / 1e9; /* nine decimals are plenty for control and keep lines short */
		if (live)
			sh_sleep_until(start + sec);
		sh_evline_begin(&l, t, "value");
		sh_evline_str(&l, "name", name);
		sh_evline_num(&l, "value", v);
		sh_evline_end(&l);
		sh_evwriter_raw(w, l.buf, l.len);
	}
	sh_evwriter_close(w);
	return 0;
}
