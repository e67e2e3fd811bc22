/* expr.c -- control-signal expressions; see expr.h.
 *
 * Written here rather than taken from a library: the language is a dozen
 * functions whose meaning is ours (oscillators that keep phase when their
 * frequency moves, seeded random walks, envelopes on the patch's beat), and a
 * recursive-descent parser of it is smaller than the glue to a general one. */
#include "expr.h"

#include "err.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { N_NUM, N_T, N_BEAT, N_NEG, N_ADD, N_SUB, N_MUL, N_DIV, N_CALL } kind;

typedef enum {
	F_SIN, F_TRI, F_SAW, F_SQUARE, F_NOISE, F_SMOOTH, F_RAMP, F_ADSR,
	F_CLAMP, F_MAP, F_MIN, F_MAX, F_POW, F_ABS, F_FLOOR,
} fn;

static const struct {
	const char *name, *args;
	int min, max;
	bool pure; /* its value depends on its arguments only */
} fns[] = {
	[F_SIN] = {"sin", "HZ[, PHASE]", 1, 2, false},
	[F_TRI] = {"tri", "HZ[, PHASE]", 1, 2, false},
	[F_SAW] = {"saw", "HZ[, PHASE]", 1, 2, false},
	[F_SQUARE] = {"square", "HZ[, PHASE]", 1, 2, false},
	[F_NOISE] = {"noise", "HZ[, PHASE]", 1, 2, false},
	[F_SMOOTH] = {"smooth", "HZ", 1, 1, false},
	[F_RAMP] = {"ramp", "FROM, TO, DUR[, PERIOD]", 3, 4, false},
	[F_ADSR] = {"adsr", "A, D, S, R, GATE[, PERIOD]", 5, 6, false},
	[F_CLAMP] = {"clamp", "X, LO, HI", 3, 3, true},
	[F_MAP] = {"map", "X, A, B, C, D", 5, 5, true},
	[F_MIN] = {"min", "A, B", 2, 2, true},
	[F_MAX] = {"max", "A, B", 2, 2, true},
	[F_POW] = {"pow", "X, Y", 2, 2, true},
	[F_ABS] = {"abs", "X", 1, 1, true},
	[F_FLOOR] = {"floor", "X", 1, 1, true},
};
#define NFNS ((int)(sizeof fns / sizeof fns[0]))
#define MAX_ARGS 6

typedef struct {
	kind k;
	fn f;
	int nargs, arg[MAX_ARGS]; /* children, as indices */
	double v;                 /* N_NUM */
	bool konst;               /* the same value at every time */
	/* oscillators and random functions */
	bool started, primed;
	double cyc, last; /* cycles so far, and when, for a frequency that moves */
	sh_rng rng;
	int64_t idx;      /* the cycle whose end point is b */
	double a, b;      /* the random points around now */
} node;

struct sh_expr {
	node *n;
	int count;
	int root;
	double bpm;
};

typedef struct {
	const char *text, *p;
	sh_expr *e;
	int depth;
	bool failed;
} parser;

static int fail(parser *ps, const char *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(parser *ps, const char *at, const char *fmt, ...)
{
	if (ps->failed)
		return -1;
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sh_set_error("column %d: %s", (int)(at - ps->text) + 1, msg);
	ps->failed = true;
	return -1;
}

static void blank(parser *ps)
{
	while (isspace((unsigned char)*ps->p))
		ps->p++;
}

static int add(parser *ps, kind k, const char *at)
{
	if (ps->e->count == SH_EXPR_MAX_NODES)
		return fail(ps, at, "longer than %d terms", SH_EXPR_MAX_NODES);
	node *n = &ps->e->n[ps->e->count];
	memset(n, 0, sizeof *n);
	n->k = k;
	return ps->e->count++;
}

static int sum(parser *ps);
static double ev(sh_expr *e, int i, double sec);

static int binary(parser *ps, kind k, int a, int b, const char *at)
{
	if (a < 0 || b < 0)
		return -1;
	int i = add(ps, k, at);
	if (i < 0)
		return -1;
	node *n = &ps->e->n[i];
	n->nargs = 2;
	n->arg[0] = a;
	n->arg[1] = b;
	n->konst = ps->e->n[a].konst && ps->e->n[b].konst;
	return i;
}

static int call(parser *ps, const char *name, size_t len, const char *at)
{
	int f = -1;
	for (int i = 0; i < NFNS; i++)
		if (strlen(fns[i].name) == len && !strncmp(fns[i].name, name, len))
			f = i;
	if (f < 0)
		return fail(ps, at, "unknown function '%.*s' (sin, tri, saw, square, noise, smooth, ramp, adsr, clamp, "
		                    "map, min, max, pow, abs, floor)", (int)len, name);
	int i = add(ps, N_CALL, at); /* made before its arguments: random streams fork left to right */
	if (i < 0)
		return -1;
	ps->p++; /* '(' */
	int args[MAX_ARGS], n = 0;
	bool konst = fns[f].pure;
	blank(ps);
	if (*ps->p != ')') {
		for (;;) {
			if (n == MAX_ARGS)
				return fail(ps, ps->p, "%s takes %s", fns[f].name, fns[f].args);
			if ((args[n] = sum(ps)) < 0)
				return -1;
			konst = konst && ps->e->n[args[n]].konst;
			n++;
			blank(ps);
			if (*ps->p != ',')
				break;
			ps->p++;
		}
	}
	if (*ps->p != ')')
		return fail(ps, ps->p, "')' expected to close %s(", fns[f].name);
	if (n < fns[f].min || n > fns[f].max)
		return fail(ps, at, "%s takes %s, not %d argument%s", fns[f].name, fns[f].args, n, n == 1 ? "" : "s");
	ps->p++;
	node *c = &ps->e->n[i];
	c->f = (fn)f;
	c->nargs = n;
	memcpy(c->arg, args, sizeof args);
	c->konst = konst;
	if (f <= F_SMOOTH && ps->e->n[args[0]].konst) {
		double hz = ev(ps->e, args[0], 0);
		if (!(hz >= 0 && hz <= SH_EXPR_MAX_HZ))
			return fail(ps, at, "%s: HZ is %g, outside 0..%g", fns[f].name, hz, SH_EXPR_MAX_HZ);
	}
	return i;
}

static int atom(parser *ps)
{
	blank(ps);
	const char *at = ps->p;
	if (++ps->depth > SH_EXPR_MAX_DEPTH)
		return fail(ps, at, "nested deeper than %d", SH_EXPR_MAX_DEPTH);
	int r;
	if (*at == '-' || *at == '+') {
		ps->p++;
		int a = atom(ps);
		if (a < 0 || *at == '+') {
			r = a;
		} else if ((r = add(ps, N_NEG, at)) >= 0) {
			ps->e->n[r].nargs = 1;
			ps->e->n[r].arg[0] = a;
			ps->e->n[r].konst = ps->e->n[a].konst;
		}
	} else if (*at == '(') {
		ps->p++;
		r = sum(ps);
		blank(ps);
		if (r >= 0 && *ps->p != ')')
			r = fail(ps, ps->p, "')' expected to close the '(' at column %d", (int)(at - ps->text) + 1);
		else if (r >= 0)
			ps->p++;
	} else if (isdigit((unsigned char)*at) || *at == '.') {
		char *end;
		double v = strtod(at, &end);
		if (end == at || !isfinite(v))
			return fail(ps, at, "a number expected");
		ps->p = end;
		if (*ps->p == 'b' && !isalnum((unsigned char)ps->p[1])) { /* beats */
			v *= 60.0 / ps->e->bpm;
			ps->p++;
		} else if (*ps->p == 's' && !isalnum((unsigned char)ps->p[1])) {
			ps->p++;
		} else if (!strncmp(ps->p, "ms", 2) && !isalnum((unsigned char)ps->p[2])) {
			v /= 1000;
			ps->p += 2;
		} else if (isalpha((unsigned char)*ps->p)) {
			return fail(ps, ps->p, "unknown unit after a number (b for beats, s or ms)");
		}
		if ((r = add(ps, N_NUM, at)) >= 0) {
			ps->e->n[r].v = v;
			ps->e->n[r].konst = true;
		}
	} else if (isalpha((unsigned char)*at) || *at == '_') {
		const char *q = at;
		while (isalnum((unsigned char)*q) || *q == '_')
			q++;
		size_t len = (size_t)(q - at);
		ps->p = q;
		blank(ps);
		if (*ps->p == '(') {
			r = call(ps, at, len, at);
		} else if (len == 1 && *at == 't') {
			r = add(ps, N_T, at);
		} else if (len == 4 && !strncmp(at, "beat", 4)) {
			r = add(ps, N_BEAT, at);
		} else if (len == 2 && !strncmp(at, "pi", 2)) {
			if ((r = add(ps, N_NUM, at)) >= 0) {
				ps->e->n[r].v = M_PI;
				ps->e->n[r].konst = true;
			}
		} else {
			r = fail(ps, at, "unknown name '%.*s' (t, beat, pi, or a function: sin(...), noise(...), ...)",
			         (int)len, at);
		}
	} else {
		r = fail(ps, at, *at ? "a number, a name or '(' expected at '%.1s'" : "a number, a name or '(' expected%s",
		         *at ? at : " at the end");
	}
	ps->depth--;
	return r;
}

static int prod(parser *ps)
{
	int a = atom(ps);
	for (;;) {
		blank(ps);
		const char *at = ps->p;
		if (a < 0 || (*at != '*' && *at != '/'))
			return a;
		ps->p++;
		a = binary(ps, *at == '*' ? N_MUL : N_DIV, a, atom(ps), at);
	}
}

static int sum(parser *ps)
{
	int a = prod(ps);
	for (;;) {
		blank(ps);
		const char *at = ps->p;
		if (a < 0 || (*at != '+' && *at != '-'))
			break;
		ps->p++;
		a = binary(ps, *at == '+' ? N_ADD : N_SUB, a, prod(ps), at);
	}
	return a;
}

/* A random point: noise draws anew every cycle, smooth walks from the last. */
static double draw(node *n, double from)
{
	if (n->f == F_NOISE)
		return sh_rng_between(&n->rng, -1, 1);
	double v = from + sh_rng_between(&n->rng, -0.25, 0.25);
	return v > 1 ? 2 - v : v < -1 ? -2 - v : v; /* reflected at the bounds */
}

sh_expr *sh_expr_compile(const char *text, double bpm, sh_rng *rng)
{
	sh_expr *e = sh_calloc(1, sizeof *e);
	e->n = sh_calloc(SH_EXPR_MAX_NODES, sizeof *e->n);
	e->bpm = bpm > 0 ? bpm : 120;
	parser ps = {.text = text, .p = text, .e = e};
	e->root = sum(&ps);
	blank(&ps);
	if (e->root >= 0 && *ps.p)
		e->root = fail(&ps, ps.p, *ps.p == ')' ? "')' without its '('" : "an operator expected at '%.1s'", ps.p);
	if (e->root < 0) {
		sh_expr_free(e);
		return NULL;
	}
	for (int i = 0; i < e->count; i++) {
		node *n = &e->n[i];
		if (n->k == N_CALL && (n->f == F_NOISE || n->f == F_SMOOTH)) {
			n->rng = sh_rng_fork(rng);
			n->a = n->f == F_NOISE ? draw(n, 0) : 0; /* a walk starts at 0 */
			n->b = draw(n, n->a);
		}
	}
	return e;
}

void sh_expr_free(sh_expr *e)
{
	if (!e)
		return;
	free(e->n);
	free(e);
}

/* Cycles of an oscillator at sec: closed form for a fixed frequency, integrated
 * for one that moves (so a sweep does not jump in phase). */
static double cycles(sh_expr *e, node *n, double sec)
{
	double hz = ev(e, n->arg[0], sec), ph = n->nargs > 1 ? ev(e, n->arg[1], sec) / (2 * M_PI) : 0;
	if (e->n[n->arg[0]].konst)
		return hz * sec + ph;
	hz = isfinite(hz) ? fmin(fmax(hz, 0), SH_EXPR_MAX_HZ) : 0;
	n->cyc = n->started ? n->cyc + hz * (sec - n->last) : hz * sec;
	n->started = true;
	n->last = sec;
	return n->cyc + ph;
}

/* Time within the period when there is one (> 0). */
static double local_time(double sec, double period) { return period > 0 ? fmod(sec, period) : sec; }

static double adsr(double tau, double a, double d, double s, double r, double gate)
{
	double g = fmin(tau, gate), level;
	if (g < a)
		level = g / a;
	else if (g < a + d)
		level = 1 - (1 - s) * (g - a) / d;
	else
		level = s;
	if (tau < gate)
		return level;
	return tau - gate < r ? level * (1 - (tau - gate) / r) : 0;
}

static double call_value(sh_expr *e, node *n, double sec)
{
	double x[MAX_ARGS];
	if (n->f > F_SMOOTH)
		for (int j = 0; j < n->nargs; j++)
			x[j] = ev(e, n->arg[j], sec);
	switch (n->f) {
	case F_SIN: case F_TRI: case F_SAW: case F_SQUARE: {
		double cyc = cycles(e, n, sec), frac = cyc - floor(cyc);
		switch (n->f) {
		case F_SIN: return sin(2 * M_PI * cyc);
		case F_TRI: return frac < 0.25 ? 4 * frac : frac < 0.75 ? 2 - 4 * frac : 4 * frac - 4; /* starts like sin */
		case F_SAW: return 2 * frac - 1;
		default: return frac < 0.5 ? 1 : -1;
		}
	}
	case F_NOISE: case F_SMOOTH: {
		/* a random point per cycle, joined by cosine interpolation */
		double cyc = cycles(e, n, sec);
		int64_t k = isfinite(cyc) ? (int64_t)floor(fmax(fmin(cyc, 9e15), -9e15)) : 0;
		if (!n->primed) /* the first point pair spans the first cycle */
			n->idx = k;
		n->primed = true;
		if (k - n->idx > 1 << 16) /* far ahead: the points between are lost anyway */
			n->idx = k - 1;
		while (n->idx < k) {
			n->a = n->b;
			n->b = draw(n, n->a);
			n->idx++;
		}
		double frac = cyc - floor(cyc), w = (1 - cos(M_PI * frac)) / 2;
		return n->a + (n->b - n->a) * w;
	}
	case F_RAMP: {
		double tau = local_time(sec, n->nargs > 3 ? x[3] : 0);
		return !(x[2] > 0) || tau >= x[2] ? x[1] : x[0] + (x[1] - x[0]) * tau / x[2];
	}
	case F_ADSR:
		return adsr(local_time(sec, n->nargs > 5 ? x[5] : 0), x[0], x[1], x[2], x[3], x[4]);
	case F_CLAMP: return fmin(fmax(x[0], x[1]), x[2]);
	case F_MAP: return x[1] == x[2] ? x[3] : x[3] + (x[0] - x[1]) * (x[4] - x[3]) / (x[2] - x[1]);
	case F_MIN: return fmin(x[0], x[1]);
	case F_MAX: return fmax(x[0], x[1]);
	case F_POW: return pow(x[0], x[1]);
	case F_ABS: return fabs(x[0]);
	case F_FLOOR: return floor(x[0]);
	}
	return 0;
}

static double ev(sh_expr *e, int i, double sec)
{
	node *n = &e->n[i];
	switch (n->k) {
	case N_NUM: return n->v;
	case N_T: return sec;
	case N_BEAT: return sec * e->bpm / 60;
	case N_NEG: return -ev(e, n->arg[0], sec);
	case N_ADD: return ev(e, n->arg[0], sec) + ev(e, n->arg[1], sec);
	case N_SUB: return ev(e, n->arg[0], sec) - ev(e, n->arg[1], sec);
	case N_MUL: return ev(e, n->arg[0], sec) * ev(e, n->arg[1], sec);
	case N_DIV: return ev(e, n->arg[0], sec) / ev(e, n->arg[1], sec);
	case N_CALL: return call_value(e, n, sec);
	}
	return 0;
}

double sh_expr_eval(sh_expr *e, double sec) { return ev(e, e->root, sec); }
