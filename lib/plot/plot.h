/* plot.h -- pictures of audio and of what the suite makes of it, drawn with
 * cairo: a canvas with a time axis in seconds (and bars when a tempo is known),
 * a waveform, labelled spans, segments and markers, a legend, written as PNG.
 *
 * The picture is W x H pixels: a legend row along the top, a plot area, and the
 * time axis along the bottom. Positions across are seconds in the window
 * [t0, t1); positions up the plot area are fractions, 0 at its bottom and 1 at
 * its top. Text is drawn only where it fits, and omitted otherwise. Every
 * function that can fail returns -1 or NULL with sh_error(). */
#ifndef SHARDS_PLOT_H
#define SHARDS_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A colour as 0xRRGGBB. */
typedef uint32_t sh_rgb;

/* A waveform's outline in bounded memory: the min and max of a mono signal over
 * at most MAX_BINS equal bins. Fed as it streams; when the bins are full, pairs
 * of them merge and each bin covers twice the frames, so memory is fixed however
 * long the signal is and there are between MAX_BINS/2 and MAX_BINS of them. */
typedef struct sh_wave sh_wave;
sh_wave *sh_wave_new(int rate, size_t max_bins);
void sh_wave_feed(sh_wave *w, const float *mono, size_t n);
/* The seconds fed so far. */
double sh_wave_seconds(const sh_wave *w);
/* The min and max over [a, b) seconds (the bins it touches); false when that
 * holds nothing fed. */
bool sh_wave_range(const sh_wave *w, double a, double b, float *lo, float *hi);
void sh_wave_free(sh_wave *w);
/* Stream an audio file ("-" = stdin) through lib/io's reader into a new
 * outline (channels mixed down); NULL with sh_error() if it cannot be read. */
sh_wave *sh_wave_read(const char *path, size_t max_bins);

/* A spectrogram in bounded memory, made from the frames of an STFT the caller
 * already computes: each frame's power per FFT bin (re^2 + im^2, bins = fft/2+1)
 * is gathered into ROWS bands spaced evenly in log frequency from FMIN to half
 * the rate, and frames into at most MAX_COLS columns in time that merge in pairs
 * when full, as sh_wave's bins do. Frame m is centred at FIRST + m * HOP / RATE
 * seconds. Each channel is kept apart, so every channel may be fed from a
 * thread of its own (each channel's frames in order); reading sums the
 * channels' power. Memory: CHANNELS x ROWS x MAX_COLS floats, however long the
 * signal. */
typedef struct {
	int rate, fft, hop, channels;
	int rows;          /* bands; 0: 160 */
	size_t max_cols;   /* 0: 1024 */
	double first;      /* seconds at the centre of frame 0 */
	double fmin;       /* Hz at the bottom; 0: 30 */
} sh_spectrogram_opts;
typedef struct sh_spectrogram sh_spectrogram;
sh_spectrogram *sh_spectrogram_new(const sh_spectrogram_opts *o);
void sh_spectrogram_feed(sh_spectrogram *s, int channel, const float *power, int bins);
/* The mean power of each band (ROWS values into OUT, the lowest first) over the
 * frames centred in [a, b) seconds, or over the frame nearest the middle when
 * none is; false when nothing fed lies there. */
bool sh_spectrogram_column(const sh_spectrogram *s, double a, double b, float *out);
/* The largest band power of any column: the 0 dB of a picture. */
float sh_spectrogram_peak(const sh_spectrogram *s);
int sh_spectrogram_rows(const sh_spectrogram *s);
double sh_spectrogram_fmin(const sh_spectrogram *s);
double sh_spectrogram_fmax(const sh_spectrogram *s);
void sh_spectrogram_free(sh_spectrogram *s);

typedef struct sh_plot sh_plot;
/* A canvas of W x H pixels (16..16384 each) showing seconds [t0, t1). */
sh_plot *sh_plot_new(int w, int h, double t0, double t1);
void sh_plot_free(sh_plot *p);
/* The plot area in pixels, for a caller that wants to decide what fits. */
void sh_plot_area(const sh_plot *p, double *x0, double *y0, double *x1, double *y1);
double sh_plot_x(const sh_plot *p, double t);  /* seconds -> pixels across */
double sh_plot_y(const sh_plot *p, double v);  /* fraction up -> pixels down */

/* The time axis: a faint grid line and a label at each tick, at a readable
 * step (1, 2 or 5 times a power of ten, or minutes) for the window's length.
 * Given a tempo (BPM > 0), bar lines every BEATS_PER_BAR beats from OFFSET
 * seconds, numbered from 1 where the numbers fit (every 2nd, 4th... bar when
 * they crowd). */
void sh_plot_time_axis(sh_plot *p);
void sh_plot_bars(sh_plot *p, double bpm, double offset, int beats_per_bar);
/* The same axis for a canvas whose positions across are beats, not seconds:
 * ticks every 1/4, 1/2, 1, 2, 4... beats as they fit, each labelled with its
 * beat and, given a tempo (BPM > 0), its second in parentheses. Bar lines on
 * such a canvas: sh_plot_bars at 60 BPM (a beat is a unit across). */
void sh_plot_beat_axis(sh_plot *p, double bpm);

/* A waveform between fractions V0 and V1 of the plot area, one vertical line
 * per pixel column from the min to the max of the samples the column covers. */
void sh_plot_wave(sh_plot *p, const sh_wave *w, double v0, double v1, sh_rgb c);
/* The same through a function that gives, for a column covering seconds
 * [a, b), its min and max (false: nothing there) -- for a plot whose time is
 * not the audio's own (the output timeline of a cut list). */
typedef bool (*sh_plot_column_fn)(void *user, double a, double b, float *lo, float *hi);
void sh_plot_wave_fn(sh_plot *p, sh_plot_column_fn fn, void *user, double v0, double v1, sh_rgb c);

/* A spectrogram between fractions V0 and V1, frequency up a log scale, the
 * power in dB below REF (RANGE_DB of them, quietest dark) through a colour map,
 * a few frequencies labelled at the left and LABEL (may be NULL) at the top
 * right. */
void sh_plot_spectrogram(sh_plot *p, const sh_spectrogram *s, double v0, double v1, float ref,
                         double range_db, const char *label);
/* The colour of DB (-RANGE_DB..0) on that map, for a legend. */
sh_rgb sh_plot_db_colour(double db, double range_db);

/* A filled span over seconds [a, b) between fractions V0 and V1, with
 * ALPHA 0..1, and LABEL (may be NULL) centred in it when it fits. */
void sh_plot_span(sh_plot *p, double a, double b, double v0, double v1, sh_rgb c, double alpha, const char *label);
/* A line from (t0, v0) to (t1, v1), WIDTH pixels wide. */
void sh_plot_segment(sh_plot *p, double t0, double v0, double t1, double v1, sh_rgb c, double width);
/* A vertical marker at T over the plot area, LABEL (may be NULL) at its top
 * when there is room before the next label. */
void sh_plot_marker(sh_plot *p, double t, sh_rgb c, double width, const char *label);
/* TEXT centred at (t, v) if it fits in MAX_W pixels; returns whether drawn. */
bool sh_plot_label(sh_plot *p, double t, double v, const char *text, sh_rgb c, double max_w);
/* A picture in the box from (t0, v0) to (t1, v1): RGB as three planes R, G, B
 * of W x H bytes each, one after the other, scaled to fit with its aspect kept,
 * centred, with a thin frame. Over a checkerboard where CHECKER is set (what is
 * behind a picture that is partly transparent, its ALPHA plane: W x H bytes, 0
 * transparent .. 255 opaque; NULL: opaque). */
void sh_plot_image(sh_plot *p, double t0, double v0, double t1, double v1, const uint8_t *rgb,
                   const uint8_t *alpha, int w, int h);
/* An entry of the legend (drawn left to right along the top; one that does not
 * fit is left out). A title goes first when set. */
void sh_plot_legend(sh_plot *p, const char *text, sh_rgb c);
void sh_plot_title(sh_plot *p, const char *text);

/* Encode the picture as PNG and write it whole to PATH ("-" or NULL: standard
 * output) through lib/core's atomic writer. 0, or -1 with sh_error(). */
int sh_plot_write_png(sh_plot *p, const char *path);

/* 0 when PATH can take a picture (a file can be made beside it; it is removed
 * again), so a long run fails before it starts rather than at its end. "-" is
 * standard output: 0. -1 with sh_error() otherwise. */
int sh_plot_check_path(const char *path);

/* The picture of a spectral effect (specsmear --plot, specmangle --plot): the
 * spectrogram of its input above that of its output, each labelled, on one
 * time axis and one dB scale (0 dB the louder peak of the two), a title and a
 * key of the colours in the legend. The effect hands every frame of every
 * channel to sh_spectra_watch (the shape of lib/dsp's sh_spectral_watch_fn:
 * the power of each bin before and after, channels on threads of their own),
 * so no second transform runs; memory is two spectrograms' worth, however long
 * the input. */
typedef struct sh_spectra sh_spectra;
/* For a PNG in PATH (checked now: sh_plot_check_path), W x H pixels, an STFT
 * of FFT and HOP at RATE over CHANNELS whose frame m is centred at sample
 * m * HOP - FFT/2 + HOP. NULL with sh_error(). */
sh_spectra *sh_spectra_new(const char *path, int w, int h, int rate, int channels, int fft, int hop);
void sh_spectra_watch(void *spectra, int channel, const float *before, const float *after, int bins);
/* Draw SECONDS of it under TITLE and write the PNG. 0, or -1 with sh_error(). */
int sh_spectra_png(sh_spectra *s, const char *title, double seconds);
void sh_spectra_free(sh_spectra *s);

/* The picture the analysis programs draw (onsets --plot, bpm --plot): a
 * waveform over its whole length with sets of times marked, each set in its
 * colour with a legend entry (its count appended), bar lines at BPM from
 * OFFSET when BPM > 0, TITLE first in the legend. 0, or -1 with sh_error(). */
typedef struct {
	const double *t;
	size_t n;
	sh_rgb c;
	const char *legend;
	bool numbered; /* label the marks 1, 2, 3... where they fit */
} sh_plot_marks;
int sh_plot_audio_png(const char *path, int w, int h, const char *title, const sh_wave *wave,
                      const sh_plot_marks *marks, size_t nmarks, double bpm, double offset);

#endif
