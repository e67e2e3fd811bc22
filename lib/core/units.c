/* units.c -- numbers, durations, ranges and frame rates as text; see units.h. */
#include "units.h"
#include "err.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- numbers, units */

int sh_parse_double(const char *text, double *out)
{
	if (!text || !*text) {
		sh_set_error("empty number");
		return -1;
	}
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	if (end == text || *end) {
		sh_set_error("'%s' is not a number", text);
		return -1;
	}
	if (!isfinite(v) || errno == ERANGE) {
		sh_set_error("'%s' is not a finite number", text);
		return -1;
	}
	*out = v;
	return 0;
}

/* printf's %.{prec}g of the value D[0].D[1]D[2]... x 10^x, where D holds prec
 * digits (D[0] not 0): style e when x < -4 or x >= prec, else style f; trailing
 * zeros and a bare point dropped. */
static void format_g(char *out, bool neg, const char *d, int prec, int x)
{
	int nd = prec;
	while (nd > 1 && d[nd - 1] == '0')
		nd--;
	char *o = out;
	if (neg)
		*o++ = '-';
	if (x < -4 || x >= prec) {
		*o++ = d[0];
		if (nd > 1) {
			*o++ = '.';
			memcpy(o, d + 1, (size_t)nd - 1);
			o += nd - 1;
		}
		sprintf(o, "e%c%02d", x < 0 ? '-' : '+', x < 0 ? -x : x);
		return;
	}
	if (x < 0) {
		*o++ = '0';
		*o++ = '.';
		for (int i = -1; i > x; i--)
			*o++ = '0';
		memcpy(o, d, (size_t)nd);
		o += nd;
	} else {
		for (int i = 0; i <= x; i++) /* x < prec: every integer digit is in D */
			*o++ = d[i];
		if (nd > x + 1) {
			*o++ = '.';
			memcpy(o, d + x + 1, (size_t)(nd - x - 1));
			o += nd - x - 1;
		}
	}
	*o = 0;
}

/* The shortest of 12..17 significant digits that reads back as v, printed as %g
 * prints it. One exact conversion to 17 digits; each shorter candidate is rounded
 * from those in decimal, which is exact unless the digits dropped are a bare 5
 * (then the 17 digits hide which side of the tie v is on, and printf decides). */
/* Digits of U, most significant first, ending at END (written backwards); the first. */
static char *digits_before(char *end, uint64_t u)
{
	do
		*--end = (char)('0' + u % 10);
	while (u /= 10);
	return end;
}

/* The event pipe writes numbers by the million, and most are whole or a whole
 * number of 1/256ths (beats on a grid, 0.25-beat gates): those are printed
 * exactly, by hand, which is what the search below would find, in a fraction of
 * its time (printf's exact conversions dominated the pipe's profile). */
static bool format_plain(char *buf, size_t n, double v)
{
	double a = fabs(v);
	char tmp[48], *end = tmp + sizeof tmp, *p = end;
	if (v == floor(v) && a < 1e15)
		p = digits_before(end, (uint64_t)a);
	else if (a < 1e5 && a * 256 == floor(a * 256)) {
		uint64_t whole = (uint64_t)a, frac = (uint64_t)((a - (double)whole) * 256) * 390625; /* 1/256 = 390625e-8 */
		int keep = 8;
		while (frac % 10 == 0) { /* frac > 0: a is not whole */
			frac /= 10;
			keep--;
		}
		p = digits_before(end, frac);
		while (end - p < keep)
			*--p = '0';
		*--p = '.';
		p = digits_before(p, whole);
	} else
		return false;
	if (v < 0)
		*--p = '-';
	snprintf(buf, n, "%.*s", (int)(end - p), p);
	return true;
}

void sh_format_number(char *buf, size_t n, double v)
{
	if (v == 0) {
		snprintf(buf, n, "0");
		return;
	}
	if (format_plain(buf, n, v))
		return;
	char out[48];
	if (!isfinite(v)) {
		snprintf(buf, n, "%.17g", v);
		return;
	}
	char e17[40];
	snprintf(e17, sizeof e17, "%.16e", v); /* [-]d.dddddddddddddddde[+-]xx */
	bool neg = e17[0] == '-';
	const char *q = e17 + neg;
	char d17[17];
	d17[0] = q[0];
	memcpy(d17 + 1, q + 2, 16);
	int x17 = atoi(q + 19);
	for (int prec = 12; prec < 17; prec++) {
		const char *tail = d17 + prec;
		bool tie = tail[0] == '5';
		for (int i = 1; tie && i < 17 - prec; i++)
			tie = tail[i] == '0';
		if (tie) {
			snprintf(out, sizeof out, "%.*g", prec, v);
		} else {
			char d[17];
			int x = x17;
			memcpy(d, d17, (size_t)prec);
			if (tail[0] >= '5') { /* round up, carrying */
				int i = prec - 1;
				while (i >= 0 && d[i] == '9')
					d[i--] = '0';
				if (i >= 0)
					d[i]++;
				else {
					d[0] = '1'; /* 99.9 -> 100: one more integer digit */
					x++;
				}
			}
			format_g(out, neg, d, prec, x);
		}
		if (strtod(out, NULL) == v) {
			snprintf(buf, n, "%s", out);
			return;
		}
	}
	format_g(out, neg, d17, 17, x17);
	snprintf(buf, n, "%s", out);
	/* JSON needs a digit before an exponent's sign; %g gives "1e-07" which is fine */
}

int sh_parse_channel(const char *text, int64_t *out)
{
	int64_t v;
	if (text && (text[0] == 'c' || text[0] == 'C') && (text[1] == 'h' || text[1] == 'H')) {
		if (sh_parse_int64(text + 2, &v) == 0 && v >= 1 && v <= 16) {
			*out = v - 1;
			return 0;
		}
	} else if (sh_parse_int64(text, &v) == 0 && v >= 0 && v <= 15) {
		*out = v;
		return 0;
	}
	sh_set_error("'%s' is not a MIDI channel: 0..15 counting as MIDI does, or ch1..ch16 as DAWs show them "
	             "(ch10 = 9, the drums)",
	             text ? text : "");
	return -1;
}

int sh_parse_int64(const char *text, int64_t *out)
{
	if (!text || !*text) {
		sh_set_error("empty number");
		return -1;
	}
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (end == text || *end) {
		/* accept integral floats such as 1e3 from JSON */
		double d;
		if (sh_parse_double(text, &d) == 0 && d == floor(d) && fabs(d) < 9e15) {
			*out = (int64_t)d;
			return 0;
		}
		sh_set_error("'%s' is not an integer", text);
		return -1;
	}
	if (errno == ERANGE) {
		sh_set_error("'%s' is out of range", text);
		return -1;
	}
	*out = v;
	return 0;
}

/* "A/B" or a plain number; used by durations and rates. */
static int parse_fraction(const char *text, size_t len, double *out)
{
	char buf[128];
	if (len == 0 || len >= sizeof buf)
		return -1;
	memcpy(buf, text, len);
	buf[len] = 0;
	char *slash = strchr(buf, '/');
	if (slash) {
		*slash = 0;
		double a, b;
		if (sh_parse_double(buf, &a) || sh_parse_double(slash + 1, &b) || b == 0)
			return -1;
		*out = a / b;
		return isfinite(*out) ? 0 : -1;
	}
	return sh_parse_double(buf, out);
}

/* A duration, or with ZERO_OK a point in time from 0 on. */
static int parse_duration(const char *text, double bare_unit_seconds, bool zero_ok, sh_duration *out)
{
	static const struct {
		const char *suffix;
		sh_dur_unit unit;
		double mult;
	} units[] = {
		{"ms", SH_DUR_SECONDS, 0.001}, {"sec", SH_DUR_SECONDS, 1}, {"s", SH_DUR_SECONDS, 1},
		{"min", SH_DUR_SECONDS, 60}, {"samples", SH_DUR_SAMPLES, 1}, {"smp", SH_DUR_SAMPLES, 1},
		{"frames", SH_DUR_FRAMES, 1}, {"frame", SH_DUR_FRAMES, 1}, {"f", SH_DUR_FRAMES, 1},
		{"beats", SH_DUR_BEATS, 1}, {"beat", SH_DUR_BEATS, 1}, {"b", SH_DUR_BEATS, 1},
	};
	if (!text || !*text) {
		sh_set_error("empty duration");
		return -1;
	}
	size_t len = strlen(text);
	size_t numlen = len;
	while (numlen > 0 && ((text[numlen - 1] >= 'a' && text[numlen - 1] <= 'z')))
		numlen--;
	const char *suffix = text + numlen;
	double v;
	if (parse_fraction(text, numlen, &v) != 0) {
		sh_set_error("'%s' is not a duration (try 40ms, 0.5s, 2f, 1/16, 0.25b)", text);
		return -1;
	}
	bool fraction = memchr(text, '/', numlen) != NULL;
	sh_duration d = {0, SH_DUR_SECONDS};
	if (!*suffix) {
		if (fraction) { /* a note value: 1/16 is a sixteenth note, a quarter of a beat */
			d.amount = v * 4;
			d.unit = SH_DUR_BEATS;
		} else {
			d.amount = v * bare_unit_seconds;
		}
	} else {
		size_t i;
		for (i = 0; i < sizeof units / sizeof *units; i++)
			if (strcmp(suffix, units[i].suffix) == 0)
				break;
		if (i == sizeof units / sizeof *units) {
			sh_set_error("'%s': unknown unit '%s' (ms, s, min, smp, f, b)", text, suffix);
			return -1;
		}
		d.amount = v * units[i].mult;
		d.unit = units[i].unit;
	}
	if (!(zero_ok ? d.amount >= 0 : d.amount > 0) || !isfinite(d.amount) || d.amount > 1e9) {
		if (zero_ok)
			sh_set_error("'%s' is not a time of 0 or more (2.5, 500ms, 1200smp)", text);
		else
			sh_set_error("'%s' must be a positive duration", text);
		return -1;
	}
	*out = d;
	return 0;
}

int sh_parse_duration(const char *text, double bare_unit_seconds, sh_duration *out)
{
	return parse_duration(text, bare_unit_seconds, false, out);
}

int sh_parse_time(const char *text, double bare_unit_seconds, sh_duration *out)
{
	return parse_duration(text, bare_unit_seconds, true, out);
}

int sh_duration_seconds(const sh_duration *d, double bpm, double fps, double rate, double *seconds)
{
	switch (d->unit) {
	case SH_DUR_SECONDS:
		*seconds = d->amount;
		return 0;
	case SH_DUR_SAMPLES:
		if (rate <= 0) {
			sh_set_error("a duration in samples needs a sample rate");
			return -1;
		}
		*seconds = d->amount / rate;
		return 0;
	case SH_DUR_FRAMES:
		if (fps <= 0) {
			sh_set_error("a duration in frames needs --fps");
			return -1;
		}
		*seconds = d->amount / fps;
		return 0;
	case SH_DUR_BEATS:
		if (bpm <= 0) {
			sh_set_error("a duration in beats or note values needs --bpm");
			return -1;
		}
		*seconds = d->amount * 60.0 / bpm;
		return 0;
	}
	return -1;
}

int sh_parse_range(const char *text, sh_range *out)
{
	const char *dots = text ? strstr(text, "..") : NULL;
	double lo, hi;
	if (!dots) {
		if (sh_parse_double(text, &lo) != 0) {
			sh_set_error("'%s' is not a number or a MIN..MAX range", text ? text : "");
			return -1;
		}
		out->lo = out->hi = lo;
		return 0;
	}
	char buf[128];
	size_t n = (size_t)(dots - text);
	if (n >= sizeof buf)
		n = sizeof buf - 1;
	memcpy(buf, text, n);
	buf[n] = 0;
	if (sh_parse_double(buf, &lo) != 0 || sh_parse_double(dots + 2, &hi) != 0) {
		sh_set_error("'%s' is not a MIN..MAX range", text);
		return -1;
	}
	if (lo > hi) {
		sh_set_error("'%s': MIN is greater than MAX", text);
		return -1;
	}
	out->lo = lo;
	out->hi = hi;
	return 0;
}

int sh_parse_rate(const char *text, sh_rational *out)
{
	static const struct {
		const char *name;
		int num, den;
	} named[] = {
		{"ntsc", 30000, 1001}, {"pal", 25, 1}, {"film", 24, 1}, {"23.976", 24000, 1001},
		{"23.98", 24000, 1001}, {"29.97", 30000, 1001}, {"47.952", 48000, 1001},
		{"59.94", 60000, 1001}, {"119.88", 120000, 1001},
	};
	for (size_t i = 0; i < sizeof named / sizeof *named; i++)
		if (text && strcmp(text, named[i].name) == 0) {
			out->num = named[i].num;
			out->den = named[i].den;
			return 0;
		}
	const char *slash = text ? strchr(text, '/') : NULL;
	int64_t num, den = 1;
	if (slash) {
		char buf[64];
		size_t n = (size_t)(slash - text);
		if (n >= sizeof buf)
			n = sizeof buf - 1;
		memcpy(buf, text, n);
		buf[n] = 0;
		if (sh_parse_int64(buf, &num) || sh_parse_int64(slash + 1, &den))
			goto bad;
	} else {
		double v;
		if (sh_parse_double(text, &v))
			goto bad;
		den = 1000;
		num = llround(v * 1000);
		if (fabs(v * 1000 - (double)num) > 1e-6)
			goto bad;
	}
	if (num <= 0 || den <= 0 || num > 1000000000 || den > 1000000000)
		goto bad;
	int64_t a = num, b = den;
	while (b) {
		int64_t t = a % b;
		a = b;
		b = t;
	}
	num /= a;
	den /= a;
	if ((double)num / den > 1000 || (double)num / den < 0.01)
		goto bad;
	out->num = (int)num;
	out->den = (int)den;
	return 0;
bad:
	sh_set_error("'%s' is not a frame rate (try 30, 25, 30000/1001, 29.97)", text ? text : "");
	return -1;
}


char *sh_format_fixed(char *buf, double v, int digits)
{
	if (!isfinite(v))
		v = 0;
	snprintf(buf, 32, "%.*f", digits, v);
	char *dot = strchr(buf, '.');
	if (dot) {
		char *e = buf + strlen(buf) - 1;
		while (e > dot && *e == '0')
			*e-- = 0;
		if (e == dot)
			*e = 0;
	}
	if (!strcmp(buf, "-0"))
		strcpy(buf, "0");
	return buf;
}
