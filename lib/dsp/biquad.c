/* biquad.c -- the audio EQ cookbook's sections and a gliding chain of them; see
 * biquad.h. Written here because no library the suite links has a streaming
 * biquad with per-sample coefficient glides (FFmpeg's are whole filter graphs,
 * SoX's are not a library). */
#include "biquad.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void sh_bq_identity(sh_bq_coefs *c)
{
	*c = (sh_bq_coefs){.b0 = 1};
}

void sh_bq_design(sh_bq_coefs *c, sh_bq_type t, double freq, double q, double gain_db, double rate)
{
	if ((t == SH_BQ_LOWSHELF || t == SH_BQ_HIGHSHELF || t == SH_BQ_PEAK) && gain_db == 0) {
		sh_bq_identity(c);
		return;
	}
	const double w = 2 * M_PI * freq / rate;
	const double cw = cos(w), sw = sin(w), alpha = sw / (2 * q);
	/* 1 - cos w and 1 + cos w without the cancellation that low and high
	 * frequencies would suffer */
	const double omc = 2 * sin(w / 2) * sin(w / 2), opc = 2 * cos(w / 2) * cos(w / 2);
	const double A = pow(10, gain_db / 40), sa = 2 * sqrt(A) * alpha;
	double b0, b1, b2, a0, a1 = -2 * cw, a2;
	switch (t) {
	case SH_BQ_LOWPASS:
		b0 = b2 = omc / 2, b1 = omc;
		a0 = 1 + alpha, a2 = 1 - alpha;
		break;
	case SH_BQ_HIGHPASS:
		b0 = b2 = opc / 2, b1 = -opc;
		a0 = 1 + alpha, a2 = 1 - alpha;
		break;
	case SH_BQ_BANDPASS:
		b0 = alpha, b1 = 0, b2 = -alpha;
		a0 = 1 + alpha, a2 = 1 - alpha;
		break;
	case SH_BQ_NOTCH:
		b0 = 1, b1 = -2 * cw, b2 = 1;
		a0 = 1 + alpha, a2 = 1 - alpha;
		break;
	case SH_BQ_LOWSHELF:
		b0 = A * ((A + 1) - (A - 1) * cw + sa);
		b1 = 2 * A * ((A - 1) - (A + 1) * cw);
		b2 = A * ((A + 1) - (A - 1) * cw - sa);
		a0 = (A + 1) + (A - 1) * cw + sa;
		a1 = -2 * ((A - 1) + (A + 1) * cw);
		a2 = (A + 1) + (A - 1) * cw - sa;
		break;
	case SH_BQ_HIGHSHELF:
		b0 = A * ((A + 1) + (A - 1) * cw + sa);
		b1 = -2 * A * ((A - 1) + (A + 1) * cw);
		b2 = A * ((A + 1) + (A - 1) * cw - sa);
		a0 = (A + 1) - (A - 1) * cw + sa;
		a1 = 2 * ((A - 1) - (A + 1) * cw);
		a2 = (A + 1) - (A - 1) * cw - sa;
		break;
	case SH_BQ_PEAK:
	default:
		b0 = 1 + alpha * A, b1 = -2 * cw, b2 = 1 - alpha * A;
		a0 = 1 + alpha / A, a2 = 1 - alpha / A;
		break;
	}
	*c = (sh_bq_coefs){b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0};
}

void sh_bq_chain_init(sh_bq_chain *b, int sections, int channels, double rate)
{
	memset(b, 0, sizeof *b);
	b->sections = sections;
	b->channels = channels;
	b->rate = rate;
	b->step = 1 - exp(-1 / (0.010 * rate));
	for (int s = 0; s < SH_BQ_MAX; s++)
		sh_bq_identity(&b->k[s]);
	b->state = sh_calloc((size_t)channels * (size_t)sections * 2, sizeof(double));
}

void sh_bq_chain_free(sh_bq_chain *b)
{
	free(b->state);
	b->state = NULL;
}

static void design_target(sh_bq_chain *b, int s)
{
	const sh_bq_shape *t = &b->target[s];
	b->lf[s] = b->tlf[s], b->lq[s] = b->tlq[s], b->db[s] = t->gain_db;
	sh_bq_design(&b->k[s], t->type, t->freq, t->q, t->gain_db, b->rate);
}

static bool at_target(const sh_bq_chain *b, int s)
{
	return b->lf[s] == b->tlf[s] && b->lq[s] == b->tlq[s] && b->db[s] == b->target[s].gain_db;
}

void sh_bq_chain_set(sh_bq_chain *b, const sh_bq_shape *target, bool glide)
{
	memcpy(b->target, target, (size_t)b->sections * sizeof *target);
	b->gliding = false;
	for (int s = 0; s < b->sections; s++) {
		b->tlf[s] = log(target[s].freq), b->tlq[s] = log(target[s].q);
		if (!glide)
			design_target(b, s);
		else if (!at_target(b, s))
			b->gliding = true;
	}
}

/* One glide step of every section still moving. A section ends its glide
 * exactly on its target once within 1e-7 of it (in log frequency, log q and
 * dB: far below hearing), so the steady state is the exact design. */
static void glide(sh_bq_chain *b)
{
	bool moving = false;
	for (int s = 0; s < b->sections; s++) {
		const sh_bq_shape *t = &b->target[s];
		const double lf = b->tlf[s], lq = b->tlq[s];
		if (at_target(b, s))
			continue;
		b->lf[s] += b->step * (lf - b->lf[s]);
		b->lq[s] += b->step * (lq - b->lq[s]);
		b->db[s] += b->step * (t->gain_db - b->db[s]);
		if (fabs(lf - b->lf[s]) < 1e-7 && fabs(lq - b->lq[s]) < 1e-7 && fabs(t->gain_db - b->db[s]) < 1e-7) {
			design_target(b, s);
			continue;
		}
		sh_bq_design(&b->k[s], t->type, exp(b->lf[s]), exp(b->lq[s]), b->db[s], b->rate);
		moving = true;
	}
	b->gliding = moving;
}

/* The steady state: NS sections in series over channels C and C + 1 (PAIR) or
 * C alone, coefficients and state in registers, the two channels side by side
 * so their independent chains of arithmetic overlap. Inlined for each count of
 * sections so the loop over them unrolls. */
static inline __attribute__((always_inline)) void
steady(sh_bq_chain *b, const float *in, float *out, size_t frames, size_t c, bool pair, int ns)
{
	const size_t ch = (size_t)b->channels;
	double s[SH_BQ_MAX][4] = {{0}};
	double *st = b->state + c * (size_t)b->sections * 2;
	const size_t other = (size_t)b->sections * 2; /* channel C + 1's state */
	for (int j = 0; j < ns; j++) {
		s[j][0] = st[2 * j], s[j][1] = st[2 * j + 1];
		if (pair)
			s[j][2] = st[other + 2 * j], s[j][3] = st[other + 2 * j + 1];
	}
	in += c, out += c;
	for (size_t i = 0; i < frames; i++) {
		double x0 = in[i * ch], x1 = pair ? in[i * ch + 1] : 0;
		for (int j = 0; j < ns; j++) {
			const sh_bq_coefs *k = &b->k[j];
			const double y0 = k->b0 * x0 + s[j][0];
			s[j][0] = k->b1 * x0 - k->a1 * y0 + s[j][1];
			s[j][1] = k->b2 * x0 - k->a2 * y0;
			x0 = y0;
			if (pair) {
				const double y1 = k->b0 * x1 + s[j][2];
				s[j][2] = k->b1 * x1 - k->a1 * y1 + s[j][3];
				s[j][3] = k->b2 * x1 - k->a2 * y1;
				x1 = y1;
			}
		}
		out[i * ch] = (float)x0;
		if (pair)
			out[i * ch + 1] = (float)x1;
	}
	for (int j = 0; j < ns; j++) {
		st[2 * j] = s[j][0], st[2 * j + 1] = s[j][1];
		if (pair)
			st[other + 2 * j] = s[j][2], st[other + 2 * j + 1] = s[j][3];
	}
}

static void run_steady(sh_bq_chain *b, const float *in, float *out, size_t frames)
{
	const size_t ch = (size_t)b->channels;
	for (size_t c = 0; c < ch; c += 2) {
		const bool pair = c + 1 < ch;
		switch (b->sections * 2 + pair) {
		case 2: steady(b, in, out, frames, c, false, 1); break;
		case 3: steady(b, in, out, frames, c, true, 1); break;
		case 4: steady(b, in, out, frames, c, false, 2); break;
		case 5: steady(b, in, out, frames, c, true, 2); break;
		case 6: steady(b, in, out, frames, c, false, 3); break;
		case 7: steady(b, in, out, frames, c, true, 3); break;
		case 8: steady(b, in, out, frames, c, false, 4); break;
		default: steady(b, in, out, frames, c, true, 4); break;
		}
	}
}

void sh_bq_chain_run(sh_bq_chain *b, const float *in, float *out, size_t frames)
{
	const size_t ch = (size_t)b->channels;
	const int ns = b->sections;
	size_t i = 0;
	/* gliding: frame by frame, every channel with the same coefficients */
	for (; i < frames && b->gliding; i++) {
		glide(b);
		for (size_t c = 0; c < ch; c++) {
			double *st = b->state + c * (size_t)ns * 2;
			double x = in[i * ch + c];
			for (int s = 0; s < ns; s++) {
				const sh_bq_coefs *k = &b->k[s];
				const double y = k->b0 * x + st[2 * s];
				st[2 * s] = k->b1 * x - k->a1 * y + st[2 * s + 1];
				st[2 * s + 1] = k->b2 * x - k->a2 * y;
				x = y;
			}
			out[i * ch + c] = (float)x;
		}
	}
	if (i < frames)
		run_steady(b, in + i * ch, out + i * ch, frames - i);
}
