/* lfo -- continuous control as value events: an expression over oscillators,
 * random walks and envelopes (expr.h), sampled at a fixed rate. */
#include "cli.h"
#include "evfilter.h"
#include "expr.h"

#include <math.h>
#include <stdlib.h>

/* The knobs, at their defaults. */
static const char *expr = "sin(0.25)"; /* the shape: slow sines swell, noise wanders, square flips */
static double hz = 60;                 /* samples per second: 10 steppy, 60 smooth, 1000 audio-ish */
static double bpm = 120;               /* the patch's tempo, to place samples on the beat axis */
static const char *name = "lfo";       /* the value stream's name */
static sh_evlength stop_after = SH_EVLENGTH_DEFAULTS; /* 64 bars; --live: until the reader goes away */

static sh_option options[] = {
	{.name = "expr", .short_name = 'e', .type = SH_OPT_STRING, .dest = &expr, .arg = "EXPR",
	 .help = "signal, e.g. 0.6*sin(0.43)+0.4*sin(0.78,1.1) or 0.5+0.5*sin(1/4b)*adsr(0.1,0.3,0.6,1,2)"},
	{.name = "hz", .short_name = 'r', .type = SH_OPT_DOUBLE, .dest = &hz, .min = 0.01, .max = 10000, .unit = "Hz",
	 .help = "value events per second"},
	{.name = "bpm", .short_name = 'b', .type = SH_OPT_DOUBLE, .dest = &bpm, .min = 1, .max = 999, .unit = "bpm",
	 .help = "tempo of the patch"},
	{.name = "name", .short_name = 'n', .type = SH_OPT_STRING, .dest = &name, .arg = "NAME",
	 .help = "name of the value events"},
	SH_EVLENGTH_OPTIONS(stop_after),
	{0},
};

static sh_expr *signal_expr;
static double length; /* beats */

static int setup(sh_evfilter *f)
{
	if (f->nargs > 1) {
		sh_set_error("too many operands (quote the expression)");
		return SH_EVF_USAGE;
	}
	if (f->nargs)
		expr = f->args[0];
	if (!(signal_expr = sh_expr_compile(expr, bpm, &f->rng))) {
		sh_set_error("expression '%s': %s", expr, sh_error());
		return SH_EVF_USAGE;
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
		double v = sh_expr_eval(signal_expr, sec);
		if (!isfinite(v)) {
			sh_set_error("expression '%s' is %g at %g s (a division by zero?)", expr, v, sec);
			return -1;
		}
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
