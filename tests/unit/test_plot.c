/* test_plot.c -- lib/plot: the waveform outline in bounded memory, the canvas's
 * errors, and a PNG written whole with the size asked for. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "plot.h"
#include "tap.h"

/* Width and height from a PNG's IHDR. */
static int png_size(const char *path, int *w, int *h)
{
	unsigned char b[24];
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	size_t n = fread(b, 1, sizeof b, f);
	fclose(f);
	if (n != sizeof b || memcmp(b, "\x89PNG", 4))
		return -1;
	*w = b[16] << 24 | b[17] << 16 | b[18] << 8 | b[19];
	*h = b[20] << 24 | b[21] << 16 | b[22] << 8 | b[23];
	return 0;
}

int main(void)
{
	/* 10 s at 1 kHz: a ramp up to 1 in the first half, silence after */
	sh_wave *w = sh_wave_new(1000, 64);
	float x[10000];
	for (int i = 0; i < 10000; i++)
		x[i] = i < 5000 ? i / 5000.0f : 0;
	for (int i = 0; i < 10000; i += 333)
		sh_wave_feed(w, x + i, (size_t)(i + 333 > 10000 ? 10000 - i : 333));
	float lo, hi;
	CHECK(fabs(sh_wave_seconds(w) - 10) < 1e-9, "wave: every frame counted");
	CHECK(sh_wave_range(w, 0, 10, &lo, &hi) && lo == 0 && hi > 0.99f, "wave: whole range 0..1");
	CHECK(sh_wave_range(w, 6, 9, &lo, &hi) && lo == 0 && hi == 0, "wave: silent second half");
	CHECK(sh_wave_range(w, 2, 2.5, &lo, &hi) && lo > 0.3f && hi < 0.6f, "wave: a window of the ramp");
	CHECK(!sh_wave_range(w, 11, 12, &lo, &hi), "wave: nothing past the end");
	sh_wave_free(w);
	CHECK(!sh_wave_new(0, 64), "wave: a rate of 0 refused");

	/* a spectrogram: 1 kHz, FFT 100, hop 25; 100 Hz (bin 10) loud in frames
	 * 0..49, silence after; 8 columns for 100 frames, two channels */
	sh_spectrogram_opts so = {.rate = 1000, .fft = 100, .hop = 25, .channels = 2, .rows = 20,
	                          .max_cols = 8, .first = 0, .fmin = 30};
	sh_spectrogram *sg = sh_spectrogram_new(&so);
	CHECK(sg != NULL, "spectrogram: made");
	float pw1[51], rows[20];
	for (int f = 0; f < 100; f++)
		for (int c = 0; c < 2; c++) {
			for (int k = 0; k < 51; k++)
				pw1[k] = f < 50 && k == 10 ? 1 : 0;
			sh_spectrogram_feed(sg, c, pw1, 51);
		}
	CHECK(sh_spectrogram_column(sg, 0, 1, rows), "spectrogram: a column in the loud part");
	int loud = 0;
	for (int r = 1; r < 20; r++)
		if (rows[r] > rows[loud])
			loud = r;
	double blo = 30 * pow(500.0 / 30, loud / 20.0), bhi = 30 * pow(500.0 / 30, (loud + 1) / 20.0);
	CHECK(blo <= 100 && bhi >= 100, "spectrogram: the loudest band holds 100 Hz (%g..%g Hz)", blo, bhi);
	CHECK(rows[loud] > 0.5f && rows[loud] < 2.5f, "spectrogram: channels summed, frames averaged (%g)", rows[loud]);
	CHECK(sh_spectrogram_column(sg, 2.0, 2.4, rows) && rows[loud] == 0, "spectrogram: silence after");
	CHECK(!sh_spectrogram_column(sg, 10, 11, rows), "spectrogram: nothing past the end");
	CHECK(sh_spectrogram_peak(sg) > 0.5f, "spectrogram: a peak");
	sh_plot *sp = sh_plot_new(200, 120, 0, 2.5);
	sh_plot_spectrogram(sp, sg, 0, 1, sh_spectrogram_peak(sg), 60, "input");
	CHECK(sh_plot_write_png(sp, "test_spec.png") == 0, "spectrogram: drawn and written");
	remove("test_spec.png");
	sh_plot_free(sp);
	sh_spectrogram_free(sg);
	so.fft = 99;
	CHECK(!sh_spectrogram_new(&so), "spectrogram: an odd FFT refused");
	CHECK(sh_plot_db_colour(0, 90) != sh_plot_db_colour(-90, 90), "spectrogram: the colour map has a range");

	CHECK(!sh_plot_new(8, 100, 0, 1) && strstr(sh_error(), "8x100"), "plot: too small refused");
	CHECK(!sh_plot_new(100, 100, 1, 1) && strstr(sh_error(), "empty"), "plot: empty window refused");
	sh_plot *p = sh_plot_new(320, 120, 0, 75);
	CHECK(p != NULL, "plot: a canvas");
	sh_plot_time_axis(p);
	sh_plot_bars(p, 120, 0, 4);
	sh_plot_span(p, 10, 20, 0.2, 0.8, 0x3080ff, 0.5, "cut 1");
	sh_plot_marker(p, 30, 0xff4040, 1, "hit");
	sh_plot_segment(p, 0, 0, 75, 1, 0x40ff40, 2);
	CHECK(!sh_plot_label(p, 40, 0.5, "a label far too long to fit in ten pixels", 0xffffff, 10),
	      "plot: text that does not fit is left out");
	sh_plot_title(p, "test");
	sh_plot_legend(p, "onset", 0xff4040);
	const char *path = "test_plot.png";
	CHECK(sh_plot_write_png(p, path) == 0, "plot: PNG written");
	int pw = 0, ph = 0;
	CHECK(png_size(path, &pw, &ph) == 0 && pw == 320 && ph == 120, "plot: PNG is 320x120 (%dx%d)", pw, ph);
	remove(path);
	CHECK(sh_plot_write_png(p, "/nonexistent-dir/x.png") == -1 && *sh_error(), "plot: unwritable path is an error");
	sh_plot_free(p);
	return tap_failed;
}
