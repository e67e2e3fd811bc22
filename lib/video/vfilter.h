/* vfilter.h -- what the y4m filter programs share: the driver (parse the options,
 * open the input, validate its header, write the same header out, read, process,
 * write each frame), plane pointers, noise tables, and YUV <-> RGB conversion for the
 * filters that need RGB.
 *
 * Colour: BT.601 matrix. The range is full (0..255) when the stream header carries
 * XCOLORRANGE=FULL, else limited ("TV" range: luma 16..235, chroma 16..240), which
 * is what ffmpeg and most encoders write. Chroma siting is taken as centred
 * between luma samples (JPEG/MPEG-1 style) for every 4:2:0 and 4:2:2 layout:
 * RGB conversion upsamples chroma bilinearly and downsamples by averaging the
 * 2x2 (4:2:0) or 2x1 (4:2:2) luma-sized block. Mono frames convert to grey RGB and
 * back through the luma formula. */
#ifndef SHARDS_VFILTER_H
#define SHARDS_VFILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "jobs.h"
#include "media.h"
#include "params.h"
#include "rng.h"
#include "y4m.h"

typedef struct {
	sh_video_in *in;      /* y4m, or a media file's decoded video (io/media.h) */
	sh_y4m_out *out;
	sh_y4m_info info;     /* the input's header; the output's is the same */
	uint8_t *frame;       /* the current frame (info.frame_size bytes) */
	uint8_t *plane[3];    /* Y, Cb, Cr inside frame (Cb, Cr NULL for mono) */
	int pw[3], ph[3];     /* plane widths and heights (0 for absent planes) */
	int nplanes;          /* 1 for mono, else 3 */
	int64_t index;        /* 0-based number of the current frame */
	bool full_range;
	int black, white;     /* luma black and white code values (16/235 or 0/255) */
	double fps;           /* frames per second (25 when the header has none) */
	uint8_t *scratch;     /* private: row buffers for RGB conversion */
	void **owned;         /* private: what sh_vf_alloc gave out */
	size_t nowned;
	sh_pool *pool;        /* the frame work's threads (NULL: one), for sh_vf_slices */
} sh_vf;

/* Run fn(ctx, y0, y1) over rows [0, rows) cut into slices [y0, y1) on the run's
 * threads (a plain call for one thread), returning when all are done. Slices
 * must not depend on each other (random numbers are drawn before, in order), so
 * the bytes are the same for any -j. Not reentrant: one call at a time. */
typedef void (*sh_vf_slice_fn)(void *ctx, int y0, int y1);
void sh_vf_slices(const sh_vf *vf, int rows, sh_vf_slice_fn fn, void *ctx);
/* The rows [*a, *b) of plane p under luma rows [y0, y1): slices of the luma
 * rows cut every plane into slices that cover it once. */
static inline void sh_vf_plane_rows(const sh_vf *vf, int p, int y0, int y1, int *a, int *b)
{
	*a = (int)((int64_t)y0 * vf->ph[p] / vf->ph[0]);
	*b = (int)((int64_t)y1 * vf->ph[p] / vf->ph[0]);
}

/* Zeroed memory that lives until the run ends: a filter's tables and buffers,
 * freed by the driver (sh_vf_close), so most filters need no stop. */
void *sh_vf_alloc(sh_vf *vf, size_t count, size_t size);

/* ---- the driver: what every y4m filter program does around its frames ----
 * A filter program is its option table, its per-frame work and this record;
 * main is `return sh_vf_main(&program, argc, argv);`. The driver parses the
 * table (adding -o/--output and --seed), takes one input operand, checks the
 * knobs, notes the seed, opens and validates the input (y4m, or a media file
 * decoded through FFmpeg: sh_video_in_open), creates the output with
 * the same header, runs `frame` on every frame and writes it, and finishes the
 * output. Any error is one line on stderr and an exit status: 2 for a usage
 * error, 1 for everything else (a half-written -o file is removed).
 *
 * Every program on the driver takes -j N. With N > 1, reading, the frame work
 * and writing are a pipeline: a reader thread and a writer thread, a few frame
 * buffers in flight between them, and `frame` called on one thread, in frame
 * order, so random numbers are drawn in the same order as with -j 1; inside a
 * frame, sh_vf_slices shares rows among N threads. vf->frame and vf->plane
 * point at a different buffer from frame to frame: a filter keeps no pointer
 * to them. -j 1 is the plain single-threaded loop. */
typedef struct {
	const char *usage;     /* "analog [options] [FILE]" */
	const char *summary;   /* one line for --help */
	sh_option *options;    /* the knobs, ending with a zeroed row; the driver parses
	                          a copy with -o added, so `given` stays unset here */
	size_t state_size;     /* bytes of private state, zeroed, given to every callback */
	/* Knobs that only make sense together, before any input is read:
	 * -1 + sh_error() is a usage error. May be NULL. */
	int (*check)(void *state);
	/* The input's header is known and RNG is seeded from --seed: build tables
	 * and buffers. -1 + sh_error() ends the run. May be NULL. */
	int (*start)(sh_vf *vf, sh_rng *rng, void *state);
	/* Work on vf->frame (number vf->index) in place; the driver writes it after.
	 * -1 + sh_error() ends the run. */
	int (*frame)(sh_vf *vf, sh_rng *rng, void *state);
	/* Free what start made (also after an error). May be NULL. */
	void (*stop)(void *state);
} sh_vf_program;

/* Run the program; returns the exit status. */
int sh_vf_main(const sh_vf_program *p, int argc, char **argv);

/* The pieces the driver is made of, for a program whose frames do not fit its loop.
 * Open IN ("-" or NULL: stdin; a named file may be any media file, see
 * sh_video_in_open) and validate its header, then create OUT ("-" or NULL:
 * stdout, which must not be a terminal). -1 + sh_error() on any problem, before
 * anything is written. sh_vf_open decodes a media file on the default threads,
 * sh_vf_open_threads on THREADS (a program's -j). */
int sh_vf_open(sh_vf *vf, const char *in_path, const char *out_path);
int sh_vf_open_threads(sh_vf *vf, const char *in_path, const char *out_path, int threads);
/* Read the next frame into vf->frame: 1, 0 at a clean end, -1 + sh_error() on a
 * truncated frame or a bad frame header. */
int sh_vf_read(sh_vf *vf);
/* Write vf->frame (or another frame-sized buffer) as the next output frame:
 * 0, or -1 + sh_error(). */
int sh_vf_write(sh_vf *vf, const uint8_t *frame);
/* Finish the output (rename the -o file into place; with ok false, remove it
 * instead) and free everything. -1 + sh_error() when finishing fails. */
int sh_vf_close(sh_vf *vf, bool ok);

/* The -o row of a y4m program's option table (a const char *). */
#define SH_VF_OUTPUT_OPTION(var)                                                         \
	{.name = "output", .short_name = 'o', .type = SH_OPT_STRING, .dest = &(var),       \
	 .no_preset = true, .arg = "FILE", .help = "write y4m to FILE (default: stdout)"}

/* The input operand: none or "-" is stdin; more than one: NULL + sh_error(). */
const char *sh_vf_operand(int argc, char **argv, int first);

/* Plane pointers inside any frame-sized buffer with this layout. */
void sh_vf_planes(const sh_vf *vf, uint8_t *frame, uint8_t *plane[3]);


/* ---- noise: a table of N signed values, drawn once from a seed ----
 * Values have deviation SH_NOISE_UNIT (clamped to -127..127, about 4 deviations).
 * Rows of noise are read from random offsets in the table, so a frame costs one
 * random number per row, and adding noise is a plain vectorisable loop. */
#define SH_NOISE_UNIT 32
typedef struct {
	int8_t *v;
	int n;         /* table length */
} sh_noise_table;
/* Gaussian (gauss true) or uniform values; n must exceed the longest row. */
void sh_noise_table_init(sh_noise_table *t, int n, bool gauss, sh_rng *r);
void sh_noise_table_free(sh_noise_table *t);
/* The multiplier that gives noise of this deviation in code values. */
int sh_noise_mul(double deviation);
/* out[i] = table[i] * mul / 256, clamped to -127..127, for the whole table: a
 * table scaled once per frame, so rows are a plain saturating add. */
void sh_noise_scale(const sh_noise_table *t, int mul, int8_t *out);
/* dst[i] = clamp(src[i] + noise[i], 0, 255) for n bytes (dst may be src). */
void sh_add_noise_row(uint8_t *dst, const uint8_t *src, const int8_t *noise, int n);

/* Rows of noise for a frame: a table drawn once, scaled to the deviation of the
 * moment with sh_noise_scale(&rows.table, mul, rows.scaled), and read at a random
 * offset per row. */
typedef struct {
	sh_noise_table table;  /* frame width + span values */
	int8_t *scaled;        /* the table at the current deviation */
	int span;              /* row offsets are below this */
	sh_rng rows;           /* draws the row offsets */
} sh_noise_rows;
/* Fork the row stream, then the table's, from RNG; the memory is the run's. */
void sh_vf_noise_rows(sh_vf *vf, sh_noise_rows *nr, bool gauss, sh_rng *rng);
/* The next row's noise: at least the frame's width of values. */
static inline const int8_t *sh_noise_row(sh_noise_rows *nr)
{
	return nr->scaled + sh_rng_below(&nr->rows, (uint64_t)nr->span);
}

/* Apply a 256-entry table to n bytes in place: 64 bytes at a time with two
 * byte permutes where the processor has AVX-512 VBMI, else one at a time. */
void sh_lut_row(uint8_t *p, const uint8_t *lut, int n);
/* Does sh_lut_row run vectorised here? */
bool sh_lut_vectorised(void);
/* A table that is a clamped straight line, as fixed point: lut[v] ==
 * clamp((v * mul + add) >> 16, 0, 255) for every v. sh_lut_affine finds mul and
 * add from the line's slope and offset (lut[v] ~ slope * v + offset) and checks
 * all 256 entries: false when the table is not that line. sh_affine_row is the
 * vectorised equivalent of sh_lut_row for such a table (faster than a scalar
 * sh_lut_row, slower than a vectorised one). */
bool sh_lut_affine(const uint8_t *lut, double slope, double offset, int32_t *mul, int32_t *add);
void sh_affine_row(uint8_t *p, int32_t mul, int32_t add, int n);
/* Is this table the identity? */
bool sh_lut_is_identity(const uint8_t *lut);

/* ---- RGB for the filters that need it: three full-size planes R, G, B of
 * width x height bytes each, one after the other (3 * width * height bytes). ---- */
void sh_vf_to_rgb(const sh_vf *vf, const uint8_t *frame, uint8_t *rgb);
void sh_vf_from_rgb(const sh_vf *vf, const uint8_t *rgb, uint8_t *frame);

#endif
