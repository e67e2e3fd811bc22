/* key.c -- key estimation: spectral peaks mapped to a fine pitch-class
 * histogram (tuning estimated from it), folded to chroma, correlated with key
 * profiles. */
#include "musickey.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "stft.h"

#define KEY_FMIN 60.0    /* just below C2 */
#define KEY_FMAX 2100.0  /* just above C7 */
#define FINE 36          /* histogram bins per semitone */
#define NFINE (12 * FINE)
#define KEY_MIN_TONALITY 0.12    /* share of the peak weight in salient peaks */
#define KEY_WEAK_TONALITY 0.2    /* below this, a flat chroma means no centre */
#define KEY_MAX_FLATNESS 0.92    /* chroma spectral flatness */
#define KEY_MIN_CORRELATION 0.2 /* best key profile correlation */
#define KEY_PC_SHARE 0.25        /* a pitch class counts when its salient weight is this share of the top one */
#define KEY_MIN_PCS 3            /* fewer such pitch classes: a tuned drum or a drone, no key */

/* Key profiles: major and minor, tonic first. Temperley's (Kostka-Payne corpus)
 * and Krumhansl-Kessler's probe-tone ratings; the two correlations are averaged. */
static const double temperley_major[12] = {0.748, 0.060, 0.488, 0.082, 0.670, 0.460,
                                           0.096, 0.715, 0.104, 0.366, 0.057, 0.400};
static const double temperley_minor[12] = {0.712, 0.084, 0.474, 0.618, 0.049, 0.460,
                                           0.105, 0.747, 0.404, 0.067, 0.133, 0.330};
static const double kk_major[12] = {6.35, 2.23, 3.48, 2.33, 4.38, 4.09,
                                    2.52, 5.19, 2.39, 3.66, 2.29, 2.88};
static const double kk_minor[12] = {6.33, 2.68, 3.52, 5.38, 2.60, 3.53,
                                    2.54, 4.75, 3.98, 2.69, 3.34, 3.17};

struct sh_key {
	int rate;
	size_t n, hop;
	float *fifo;
	size_t fill;
	sh_magspec *ms;
	double hist[NFINE];  /* weight per fine pitch-class bin, A440 reference */
	double dev_c, dev_s; /* circular sums of the deviation from the semitone grid */
	double salient;      /* weight of the peaks that stand clear of their neighbourhood */
	double spc[12];      /* that weight per nearest pitch class */
	size_t samples;
	bool done;
};

sh_key *sh_key_new(int rate)
{
	sh_key *k = sh_calloc(1, sizeof *k);
	k->rate = rate;
	size_t n = 256;
	while (n < rate * 0.186)
		n *= 2;
	k->n = n;
	k->hop = n / 2;
	k->fifo = sh_calloc(n, sizeof(float));
	k->fill = 0;
	if (!(k->ms = sh_magspec_new(n))) {
		free(k->fifo);
		free(k);
		return NULL;
	}
	return k;
}

static void key_frame(sh_key *k)
{
	size_t n = k->n, nb = n / 2 + 1;
	const float *mag = sh_magspec_run(k->ms, k->fifo);
	float peak = 0;
	size_t lo = (size_t)floor(KEY_FMIN * n / k->rate), hi = (size_t)ceil(KEY_FMAX * n / k->rate);
	if (lo < 1)
		lo = 1;
	if (hi > nb - 2)
		hi = nb - 2;
	for (size_t i = lo; i <= hi; i++)
		if (mag[i] > peak)
			peak = mag[i];
	/* Peaks within 40 dB of the frame's loudest, and above an absolute floor
	 * (about -100 dBFS for a sine). */
	float floor_ = fmaxf(peak * 0.01f, (float)(n * 1e-5 / 4));
	if (peak <= floor_)
		return;
	for (size_t i = lo; i <= hi; i++) {
		float m = mag[i];
		if (m < floor_ || m <= mag[i - 1] || m < mag[i + 1])
			continue;
		/* Parabolic interpolation on the log magnitude. */
		double a = log(mag[i - 1] + 1e-20), b = log(m + 1e-20), c = log(mag[i + 1] + 1e-20);
		double den = a - 2 * b + c, d = den < 0 ? 0.5 * (a - c) / den : 0;
		if (d > 0.5)
			d = 0.5;
		if (d < -0.5)
			d = -0.5;
		double f = (i + d) * k->rate / (double)n;
		if (f < KEY_FMIN || f > KEY_FMAX)
			continue;
		double semi = 12.0 * log2(f / 440.0) + 69.0; /* MIDI note number */
		double frac = semi - floor(semi + 0.5);      /* -0.5..0.5 */
		double w = m;
		/* A sinusoid's peak stands far above the bins a few bins away (a Hann
		 * window's side lobes are 31 dB down); a noise peak seldom does: the
		 * chance that a noise bin's power is 8 times its neighbourhood mean is
		 * about e^-8. */
		double nb_ = 0;
		int cnt = 0;
		for (long j = (long)i - 10; j <= (long)i + 10; j++) {
			if (j < 1 || j >= (long)nb || labs(j - (long)i) < 3)
				continue;
			nb_ += (double)mag[j] * mag[j];
			cnt++;
		}
		if (cnt && (double)m * m > 8.0 * nb_ / cnt) {
			k->salient += w;
			k->spc[(((int)floor(semi + 0.5)) % 12 + 12) % 12] += w;
		}
		k->dev_c += w * cos(2 * M_PI * frac);
		k->dev_s += w * sin(2 * M_PI * frac);
		double pos = fmod(semi, 12.0);
		if (pos < 0)
			pos += 12;
		int bin = (int)floor(pos * FINE + 0.5) % NFINE;
		k->hist[bin] += w;
	}
}

void sh_key_feed(sh_key *k, const float *mono, size_t n)
{
	if (k->done)
		return;
	k->samples += n;
	while (n > 0) {
		size_t room = k->n - k->fill, take = n < room ? n : room;
		memcpy(k->fifo + k->fill, mono, take * sizeof(float));
		k->fill += take;
		mono += take;
		n -= take;
		if (k->fill == k->n) {
			key_frame(k);
			memmove(k->fifo, k->fifo + k->hop, (k->n - k->hop) * sizeof(float));
			k->fill = k->n - k->hop;
		}
	}
}

static double correlate(const double *x, const double *p, int shift)
{
	double mx = 0, mp = 0;
	for (int i = 0; i < 12; i++) {
		mx += x[i];
		mp += p[i];
	}
	mx /= 12;
	mp /= 12;
	double sxy = 0, sxx = 0, syy = 0;
	for (int i = 0; i < 12; i++) {
		double a = x[(i + shift) % 12] - mx, b = p[i] - mp;
		sxy += a * b;
		sxx += a * a;
		syy += b * b;
	}
	return (sxx > 0 && syy > 0) ? sxy / sqrt(sxx * syy) : 0;
}

int sh_key_finish(sh_key *k, sh_key_result *res)
{
	memset(res, 0, sizeof *res);
	res->tonic = -1;
	res->alt_tonic = -1;
	if (!k->done) {
		/* The partial last window, zero-padded, if it holds new samples. */
		if (k->samples > 0 && (k->fill > k->n - k->hop || k->samples < k->n)) {
			memset(k->fifo + k->fill, 0, (k->n - k->fill) * sizeof(float));
			key_frame(k);
		}
		k->done = true;
	}
	double total = 0;
	for (int i = 0; i < NFINE; i++)
		total += k->hist[i];
	if (!(total > 0))
		return 0;
	res->tonality = k->salient / total;
	double smax = 0;
	for (int i = 0; i < 12; i++)
		smax = fmax(smax, k->spc[i]);
	for (int i = 0; i < 12; i++)
		res->pitch_classes += smax > 0 && k->spc[i] >= KEY_PC_SHARE * smax;
	double tune = atan2(k->dev_s, k->dev_c) / (2 * M_PI); /* semitones, -0.5..0.5 */
	res->tuning_cents = 100.0 * tune;
	/* Fold the fine histogram to 12 bins around the tuned semitone centres
	 * with a raised-cosine weight one semitone wide. */
	double chroma[12] = {0};
	for (int i = 0; i < NFINE; i++) {
		if (k->hist[i] == 0)
			continue;
		double pos = (double)i / FINE - tune;
		int pc = (int)floor(pos + 0.5);
		double d = pos - pc; /* -0.5..0.5 */
		double w = cos(M_PI * d);
		w *= w;
		chroma[((pc % 12) + 12) % 12] += k->hist[i] * w;
	}
	double mx = 0;
	for (int i = 0; i < 12; i++)
		if (chroma[i] > mx)
			mx = chroma[i];
	if (!(mx > 0))
		return 0;
	for (int i = 0; i < 12; i++)
		res->chroma[i] = chroma[i] / mx;
	int best = 0, second = -1;
	for (int key = 0; key < 24; key++) {
		int tonic = key % 12;
		bool minor = key >= 12;
		double s = 0.5 * correlate(res->chroma, minor ? temperley_minor : temperley_major, tonic) +
		           0.5 * correlate(res->chroma, minor ? kk_minor : kk_major, tonic);
		res->scores[key] = s;
	}
	for (int key = 1; key < 24; key++)
		if (res->scores[key] > res->scores[best])
			best = key;
	for (int key = 0; key < 24; key++)
		if (key != best && (second < 0 || res->scores[key] > res->scores[second]))
			second = key;
	double r1 = res->scores[best], r2 = res->scores[second];
	res->tonic = best % 12;
	res->minor = best >= 12;
	res->alt_tonic = second % 12;
	res->alt_minor = second >= 12;
	res->correlation = r1;
	double c = (r1 > 0 ? r1 : 0) * fmin(1.0, (r1 - r2) / 0.15);
	res->confidence = c < 0 ? 0 : c > 1 ? 1 : c;
	/* No tonal centre: too little of the spectrum in clear sinusoidal peaks
	 * (noise, cymbals, most drums), or a chroma so flat or so unlike every key
	 * profile that no key stands out. */
	double gm = 0, am = 0;
	for (int i = 0; i < 12; i++) {
		gm += log(res->chroma[i] + 1e-6);
		am += res->chroma[i];
	}
	res->flatness = exp(gm / 12) / (am / 12);
	if (res->tonality < KEY_MIN_TONALITY || r1 < KEY_MIN_CORRELATION || res->pitch_classes < KEY_MIN_PCS ||
	    (res->tonality < KEY_WEAK_TONALITY && res->flatness > KEY_MAX_FLATNESS)) {
		res->atonal = true;
		res->tonic = -1;
		res->confidence = 0;
	}
	return 0;
}

void sh_key_free(sh_key *k)
{
	if (!k)
		return;
	sh_magspec_free(k->ms);
	free(k->fifo);
	free(k);
}

int sh_key_estimate(const float *mono, size_t n, int rate, sh_key_result *res)
{
	if (rate < 1000 || rate > 768000) {
		memset(res, 0, sizeof *res);
		res->tonic = res->alt_tonic = -1;
		sh_set_error("sample rate %d Hz: must lie within 1000..768000", rate);
		return -1;
	}
	sh_key *k = sh_key_new(rate);
	if (!k) {
		memset(res, 0, sizeof *res);
		res->tonic = res->alt_tonic = -1;
		return -1;
	}
	sh_key_feed(k, mono, n);
	int r = sh_key_finish(k, res);
	sh_key_free(k);
	return r;
}

/* ---- names ---- */

static const char *const pc_names[12] = {"C", "C#", "D", "Eb", "E", "F",
                                         "F#", "G", "Ab", "A", "Bb", "B"};

const char *sh_pitch_class_name(int pc)
{
	if (pc < 0 || pc > 11)
		return "none";
	return pc_names[pc];
}

/* Tonic names as key signatures spell them: Db major but C# minor. */
static const char *const major_names[12] = {"C", "Db", "D", "Eb", "E", "F",
                                            "F#", "G", "Ab", "A", "Bb", "B"};
static const char *const minor_names[12] = {"C", "C#", "D", "Eb", "E", "F",
                                            "F#", "G", "G#", "A", "Bb", "B"};

const char *sh_key_tonic_name(int tonic, bool minor)
{
	if (tonic < 0 || tonic > 11)
		return "none";
	return minor ? minor_names[tonic] : major_names[tonic];
}

char *sh_key_name(int tonic, bool minor, char *buf, size_t len)
{
	if (tonic < 0 || tonic > 11)
		snprintf(buf, len, "none");
	else
		snprintf(buf, len, "%s %s", sh_key_tonic_name(tonic, minor), minor ? "minor" : "major");
	return buf;
}

int sh_key_parse(const char *text, int *tonic, bool *minor)
{
	static const int letter_pc[7] = {9, 11, 0, 2, 4, 5, 7}; /* a..g */
	const char *s = text;
	while (isspace((unsigned char)*s))
		s++;
	int c = tolower((unsigned char)*s);
	if (c < 'a' || c > 'g') {
		sh_set_error("key '%s': expected a note name A..G, then #/b, then major/minor/m", text);
		return -1;
	}
	int pc = letter_pc[c - 'a'];
	s++;
	for (; *s == '#' || *s == 'b'; s++)
		pc += *s == '#' ? 1 : -1;
	while (isspace((unsigned char)*s) || *s == '-' || *s == '_')
		s++;
	bool m = false;
	if (*s == 0 || !strcasecmp(s, "maj") || !strcasecmp(s, "major") || !strcmp(s, "M"))
		m = false;
	else if (!strcmp(s, "m") || !strcasecmp(s, "min") || !strcasecmp(s, "minor"))
		m = true;
	else {
		sh_set_error("key '%s': unknown mode '%s' (use major, minor, maj, min or m)", text, s);
		return -1;
	}
	*tonic = ((pc % 12) + 12) % 12;
	*minor = m;
	return 0;
}

int sh_key_shortest_shift(int from, int to)
{
	int d = ((to - from) % 12 + 12) % 12;
	return d > 6 ? d - 12 : d;
}
