/* expr.h -- control-signal expressions: arithmetic over oscillators, random
 * walks, envelopes and time, compiled once and evaluated per sample.
 *
 *   expr := sum;  sum := prod (('+'|'-') prod)*;  prod := unary (('*'|'/') unary)*
 *   unary := ('-'|'+') unary | atom;  atom := NUMBER[b|s|ms] | NAME | NAME(args) | (expr)
 *
 * Times are seconds; a number with the suffix b is beats (at the tempo given to
 * compile), so 1/4b is once every four beats. Names: t (seconds since the start),
 * beat (beats since the start), pi. Functions: sin, tri, saw, square, noise
 * (HZ[, PHASE]); smooth(HZ); ramp(FROM, TO, DUR[, PERIOD]);
 * adsr(A, D, S, R, GATE[, PERIOD]); clamp(X, LO, HI); map(X, A, B, C, D);
 * min, max, pow (2 arguments); abs, floor (1). Evaluate at times that never go
 * back: oscillators with a changing frequency and the random ones keep state. */
#ifndef SHARDS_EXPR_H
#define SHARDS_EXPR_H

#include "rng.h"

#define SH_EXPR_MAX_NODES 1024
#define SH_EXPR_MAX_DEPTH 64
#define SH_EXPR_MAX_HZ 1e5

typedef struct sh_expr sh_expr;

/* Compile TEXT at BPM; random functions fork their own streams from RNG, left
 * to right. NULL with sh_error() "column N: what is wrong". */
sh_expr *sh_expr_compile(const char *text, double bpm, sh_rng *rng);
/* The value SEC seconds after the start. */
double sh_expr_eval(sh_expr *e, double sec);
void sh_expr_free(sh_expr *e);

#endif
