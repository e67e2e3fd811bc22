/* envelope.c -- one-shot envelopes with named shapes, peak normalisation; see
 * envelope.h. */
#include "envelope.h"

#include <math.h>
#include <string.h>

#include "cli.h"

static const char *const shape_names[] = {"linear", "exp", "log", "sine", "scurve"};

const char *sh_env_shape_name(sh_env_shape s)
{
	return (unsigned)s < sizeof shape_names / sizeof *shape_names ? shape_names[s] : "?";
}

int sh_env_shape_parse(const char *name, sh_env_shape *out)
{
	for (size_t i = 0; i < sizeof shape_names / sizeof *shape_names; i++)
		if (!strcmp(name, shape_names[i])) {
			*out = (sh_env_shape)i;
			return 0;
		}
	sh_set_error("unknown shape '%s' (there are: linear, exp, log, sine, scurve)", name);
	return -1;
}

int sh_env_shapes_parse(const char *text, sh_env_shape *rise, sh_env_shape *decay)
{
	const char *comma = strchr(text, ',');
	if (!comma)
		return sh_env_shape_parse(text, rise) != 0 ? -1 : (*decay = *rise, 0);
	char first[32];
	size_t n = (size_t)(comma - text);
	if (n >= sizeof first || strchr(comma + 1, ',')) {
		sh_set_error("'%s' is not SHAPE or RISE,DECAY", text);
		return -1;
	}
	memcpy(first, text, n);
	first[n] = 0;
	return sh_env_shape_parse(first, rise) != 0 || sh_env_shape_parse(comma + 1, decay) != 0 ? -1 : 0;
}

double sh_env_curve(sh_env_shape s, double u)
{
	if (u <= 0)
		return 0;
	if (u >= 1)
		return 1;
	switch (s) {
	case SH_ENV_EXP:
		return (pow(1000, u) - 1) / 999;
	case SH_ENV_LOG:
		return log10(1 + 999 * u) / 3;
	case SH_ENV_SINE:
		return sin(M_PI / 2 * u);
	case SH_ENV_SCURVE:
		return (1 - cos(M_PI * u)) / 2;
	case SH_ENV_LINEAR:
	default:
		return u;
	}
}

double sh_env_gain(const sh_env *e, int64_t n, int64_t i)
{
	double g = 1;
	if (i < e->rise)
		g = sh_env_curve(e->rise_shape, (double)i / (double)e->rise);
	int64_t from_end = n - 1 - i;
	if (from_end < e->decay) {
		double d = sh_env_curve(e->decay_shape, (double)from_end / (double)e->decay);
		if (d < g)
			g = d;
	}
	return g;
}

void sh_env_apply(const sh_env *e, float *x, int64_t n, int channels)
{
	for (int64_t i = 0; i < n; i++) {
		if (i >= e->rise && n - 1 - i >= e->decay) {
			i = n - 1 - e->decay; /* the whole level between rise and decay: nothing to do */
			continue;
		}
		float g = (float)sh_env_gain(e, n, i);
		for (int c = 0; c < channels; c++)
			x[i * channels + c] *= g;
	}
}

double sh_normalize_peak(float *x, size_t count, double peak_db)
{
	double peak = 0;
	for (size_t i = 0; i < count; i++) {
		double v = fabs(x[i]);
		if (v > peak)
			peak = v;
	}
	if (peak > 0) {
		double k = pow(10, peak_db / 20) / peak;
		for (size_t i = 0; i < count; i++)
			x[i] = (float)(x[i] * k);
	}
	return peak;
}
