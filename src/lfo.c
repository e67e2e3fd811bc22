/* lfo -- continuous control as value events: sums of sine, triangle, saw, square
 * and smoothed noise, sampled at a fixed rate. */
#include "cli.h"
#include "evfilter.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

/* The knobs, at their defaults. */
static const char *expr = "sin(0.25)"; /* the shape: slow sines swell, noise wanders, square flips */
static double hz = 60;                 /* samples per second: 10 steppy, 60 smooth, 1000 audio-ish */
static double bpm = 120;               /* the patch's tempo, to place samples on the beat axis */
static const char *name = "lfo";       /* the value stream's name */
static sh_evlength stop_after = SH_EVLENGTH_DEFAULTS; /* 64 bars; --live: until the reader goes away */

static sh_option options[] = {
	{.name = "expr", .short_name = 'e', .type = SH_OPT_STRING, .dest = &expr, .arg = "EXPR",
	 .help = "signal, e.g. 0.6*sin(0.43)+0.4*sin(0.78,1.1)"},
	{.name = "hz", .short_name = 'r', .type = SH_OPT_DOUBLE, .dest = &hz, .min = 0.01, .max = 10000, .unit = "Hz",
	 .help = "value events per second"},
	{.name = "bpm", .short_name = 'b', .type = SH_OPT_DOUBLE, .dest = &bpm, .min = 1, .max = 999, .unit = "bpm",
	 .help = "tempo of the patch"},
	{.name = "name", .short_name = 'n', .type = SH_OPT_STRING, .dest = &name, .arg = "NAME",
	 .help = "name of the value events"},
	SH_EVLENGTH_OPTIONS(stop_after),
	{0},
};

static term terms[MAX_TERMS];
static int nterms;
static double length; /* beats */

static int setup(sh_evfilter *f)
{
	if (f->nargs > 1) {
		sh_set_error("too many operands (quote the expression)");
		return SH_EVF_USAGE;
	}
	if (f->nargs)
		expr = f->args[0];
	char why[512];
	if (parse(expr, terms, &nterms, why, sizeof why) != 0) {
		sh_set_error("expression '%s': %s", expr, why);
		return SH_EVF_USAGE;
	}
	for (int i = 0; i < nterms; i++)
		if (terms[i].wave == W_NOISE) {
			terms[i].rng = sh_rng_fork(&f->rng);
			double c0 = terms[i].phase / (2 * M_PI);
			terms[i].k = (int64_t)floor(c0);
			terms[i].a = noise_point(&terms[i]);
			terms[i].b = noise_point(&terms[i]);
		}
	if (sh_events_length(f->opts, &stop_after, bpm, f->live, &length) != 0)
		return SH_EVF_USAGE;
	return SH_EVF_GO;
}

static int generate(sh_evfilter *f)
{
	sh_evline l;
	for (int64_t k = 0;; k++) {
		double sec = (double)k / hz, t = sec * bpm / 60.0;
		if (!(t < length - 1e-9))
			return 0;
		double v = eval(terms, nterms, sec);
		v = round(v * 1e9) / 1e9; /* nine decimals are plenty for control and keep lines short */
		sh_evfilter_pace(f, sec);
		sh_evline_begin(&l, t, "value");
		sh_evline_str(&l, "name", name);
		sh_evline_num(&l, "value", v);
		if (sh_evwriter_line(f->out, &l) != 0)
			return -1;
	}
}

static const sh_evfilter_program program = {
	.usage = "lfo [options] [EXPR]", .summary = "emit a control signal as value events",
	.options = options, .has_seed = true, .generator = true, .own_operands = true,
	.setup = setup, .generate = generate,
};

int main(int argc, char **argv) { return sh_evfilter_main(&program, argc, argv); }
