/* Unit tests for lib/onsets, lib/tempo and lib/key. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audio.h"
#include "cli.h"
#include "musickey.h"
#include "onsets.h"
#include "tap.h"
#include "stretch.h"
#include "tempo.h"

static const char *write_tmp(const char *text)
{
	static char path[64];
	snprintf(path, sizeof path, "/tmp/shards-onsets-%d.json", (int)getpid());
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

/* Decaying noise bursts every `period` seconds. */
static float *pulses(int rate, double seconds, double period, size_t *n)
{
	*n = (size_t)(rate * seconds);
	float *x = calloc(*n, sizeof(float));
	uint32_t s = 12345;
	for (double t = 0; t < seconds; t += period) {
		size_t i0 = (size_t)(t * rate);
		for (size_t j = 0; j < (size_t)(0.05 * rate) && i0 + j < *n; j++) {
			s = s * 1664525u + 1013904223u;
			x[i0 + j] += (float)(((s >> 8) / 8388608.0 - 1.0) * exp(-(double)j / (0.01 * rate)));
		}
	}
	return x;
}

int main(void)
{
	double *t;
	size_t n;
	const char *p = write_tmp("{\"onsets\":[{\"t\":2.5,\"strength\":1},{\"t\":0.5},{\"t\":1},{\"t\":1}],\"count\":3}");
	CHECK(sh_onsets_load(p, &t, &n) == 0 && n == 3 && t[0] == 0.5 && t[1] == 1 && t[2] == 2.5,
	      "onsets file: sorted, duplicates removed");
	free(t);
	p = write_tmp("[3, 1.5, {\"t\":0}]");
	CHECK(sh_onsets_load(p, &t, &n) == 0 && n == 3 && t[0] == 0 && t[2] == 3, "onsets file: bare array");
	free(t);
	p = write_tmp("{\"onsets\":[]}");
	CHECK(sh_onsets_load(p, &t, &n) == 0 && n == 0 && t == NULL, "onsets file: empty list");
	p = write_tmp("{\"onsets\":[{\"t\":-1}]}");
	CHECK(sh_onsets_load(p, &t, &n) < 0 && strstr(sh_error(), "-1"), "onsets file: negative time refused (%s)", sh_error());
	p = write_tmp("{\"onsets\":[{\"x\":1}]}");
	CHECK(sh_onsets_load(p, &t, &n) < 0 && strstr(sh_error(), "onset 0"), "onsets file: missing time refused");
	p = write_tmp("{\"onsets\":");
	CHECK(sh_onsets_load(p, &t, &n) < 0 && strstr(sh_error(), "not JSON"), "onsets file: malformed JSON refused");
	p = write_tmp("{\"cuts\":[]}");
	CHECK(sh_onsets_load(p, &t, &n) < 0, "onsets file: wrong document refused");
	CHECK(sh_onsets_load("/nonexistent/x.json", &t, &n) < 0 && strstr(sh_error(), "/nonexistent/x.json"),
	      "onsets file: missing file names the path");
	unlink(p);

	int tonic;
	bool minor;
	CHECK(sh_key_parse("F#m", &tonic, &minor) == 0 && tonic == 6 && minor, "key parse F#m");
	CHECK(sh_key_parse("Bb major", &tonic, &minor) == 0 && tonic == 10 && !minor, "key parse Bb major");
	CHECK(sh_key_parse("c", &tonic, &minor) == 0 && tonic == 0 && !minor, "key parse c");
	CHECK(sh_key_parse("Cb minor", &tonic, &minor) == 0 && tonic == 11 && minor, "key parse Cb minor");
	CHECK(sh_key_parse("H", &tonic, &minor) < 0, "key parse refuses H");
	CHECK(sh_key_parse("A dorian", &tonic, &minor) < 0, "key parse refuses modes it does not know");
	CHECK(sh_key_shortest_shift(0, 7) == -5 && sh_key_shortest_shift(7, 0) == 5 &&
	      sh_key_shortest_shift(0, 6) == 6 && sh_key_shortest_shift(11, 1) == 2, "shortest shifts");

	/* Tempo: pulses at 0.5 s = 120 BPM; stream in odd blocks = whole buffer. */
	size_t len;
	float *x = pulses(22050, 20, 0.5, &len);
	sh_tempo_result a, b;
	CHECK(sh_tempo_estimate(x, len, 22050, NULL, &a) == 0 && fabs(a.bpm - 120) < 1.2, "tempo of 120 BPM pulses: %.2f", a.bpm);
	sh_tempo *st = sh_tempo_new(22050, NULL);
	for (size_t i = 0; i < len; i += 777)
		sh_tempo_feed(st, x + i, len - i < 777 ? len - i : 777);
	sh_tempo_finish(st, &b);
	sh_tempo_free(st);
	CHECK(a.bpm == b.bpm && a.nbeats == b.nbeats && a.confidence == b.confidence, "tempo: streaming equals whole buffer");
	CHECK(a.nbeats >= 38 && a.nbeats <= 41, "beats: %zu for 20 s at 120 BPM", a.nbeats);
	bool onbeat = true;
	for (size_t i = 0; i < a.nbeats; i++)
		if (fabs(fmod(a.beats[i] + 0.25, 0.5) - 0.25) > 0.03)
			onbeat = false;
	CHECK(onbeat, "beats fall on the pulses");
	sh_tempo_result_free(&a);
	sh_tempo_result_free(&b);
	memset(x, 0, len * sizeof(float));
	CHECK(sh_tempo_estimate(x, len, 22050, NULL, &a) == 0 && a.bpm == 0 && a.confidence == 0, "tempo of silence is 0");
	CHECK(sh_tempo_estimate(x, len, 10, NULL, &a) < 0, "tempo refuses a 10 Hz rate");
	sh_tempo_opts o;
	sh_tempo_opts_default(&o);
	o.min_bpm = 200;
	o.max_bpm = 100;
	CHECK(sh_tempo_estimate(x, len, 22050, &o, &a) < 0 && strstr(sh_error(), "200"), "tempo refuses min > max");
	free(x);

	/* Key: an A minor triad with its leading tone sounds A minor. */
	len = 22050 * 4;
	x = calloc(len, sizeof(float));
	double f[] = {220.0, 261.63, 329.63, 440.0, 207.65 * 2};
	for (size_t i = 0; i < len; i++)
		for (int k = 0; k < 5; k++)
			x[i] += (float)(0.15 * (k == 4 ? 0.3 : 1) * sin(2 * M_PI * f[k] * i / 22050));
	sh_key_result kr;
	CHECK(sh_key_estimate(x, len, 22050, &kr) == 0 && kr.tonic == 9 && kr.minor, "key of an A minor chord: %d %d", kr.tonic, kr.minor);
	CHECK(fabs(kr.tuning_cents) < 5, "tuning of A440 material: %.1f cents", kr.tuning_cents);
	memset(x, 0, len * sizeof(float));
	CHECK(sh_key_estimate(x, len, 22050, &kr) == 0 && kr.tonic == -1, "key of silence: none");
	free(x);
	char buf[16];
	CHECK(!strcmp(sh_key_name(3, true, buf, sizeof buf), "Eb minor"), "key name Eb minor");

	/* stretch(1) measures a source with the mix bpm(1) and keydetect(1) use: the
	 * same chroma and tempo to the last bit, three channels included (a mean of
	 * three is not a sum times 1/3 in float). */
	{
		const int rate = 22050, ch = 3;
		size_t fr;
		float *beat = pulses(rate, 6, 0.5, &fr);
		float *il = malloc(fr * ch * sizeof(float)), *mono = malloc(fr * sizeof(float));
		for (size_t i = 0; i < fr; i++)
			for (int c = 0; c < ch; c++)
				il[i * ch + c] = 0.3f * beat[i] + (float)(0.1 * sin(2 * M_PI * (220.0 + 110 * c) * i / rate + c));
		char path[64];
		snprintf(path, sizeof path, "/tmp/shards-detect-%d.au", (int)getpid());
		sh_audio_out *w = sh_audio_create(path, rate, ch, &(sh_audio_out_opts){0});
		if (!w || sh_audio_write(w, il, fr) != 0 || sh_audio_finish(w) != 0)
			sh_die("%s", sh_error());
		sh_audio_in *in = sh_audio_open(path);
		sh_audio_source *src = in ? sh_audio_source_open(in, 1 << 20) : NULL;
		if (!src)
			sh_die("%s", sh_error());
		double bpm = -1;
		sh_key_result sk, dk;
		if (sh_stretch_detect(src, rate, ch, &bpm, &sk) != 0)
			sh_die("%s", sh_error());
		sh_audio_source_close(src);
		sh_audio_close(in);
		unlink(path);
		sh_audio_downmix(il, fr, ch, mono);
		sh_tempo_result tr;
		sh_tempo_opts to;
		sh_tempo_opts_default(&to);
		to.beats = false;
		sh_tempo_estimate(mono, fr, rate, &to, &tr);
		sh_key_estimate(mono, fr, rate, &dk);
		CHECK(bpm > 0 && bpm == tr.bpm, "stretch's tempo detection matches bpm's: %.6f %.6f", bpm, tr.bpm);
		CHECK(sk.tonic == dk.tonic && !memcmp(sk.chroma, dk.chroma, sizeof sk.chroma),
		      "stretch's key detection matches keydetect's on 3 channels, chroma to the bit");
		sh_tempo_result_free(&tr);
		free(beat);
		free(il);
		free(mono);
	}
	return tap_failed;
}
