/* vfilter.c -- driver loop, noise tables, LUTs and YUV <-> RGB for y4m filters;
 * see vfilter.h. */
#include "vfilter.h"
/* The row kernels below are written for the vectoriser; -O2 alone only uses
 * its cheapest cost model, which leaves most of them scalar. */
#pragma GCC optimize("O3")

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* ---------------------------------------------------------------- driver */

const char *sh_vf_operand(int argc, char **argv, int first)
{
	if (argc - first > 1) {
		sh_set_error("one input at most (got %d; try --help)", argc - first);
		return NULL;
	}
	return argc - first == 1 ? argv[first] : "-";
}

void sh_vf_planes(const sh_vf *vf, uint8_t *frame, uint8_t *plane[3])
{
	plane[0] = frame;
	if (vf->nplanes == 3) {
		plane[1] = frame + vf->info.plane_size[0];
		plane[2] = plane[1] + vf->info.plane_size[1];
	} else {
		plane[1] = plane[2] = NULL;
	}
}

int sh_vf_open(sh_vf *vf, const char *in_path, const char *out_path)
{
	return sh_vf_open_threads(vf, in_path, out_path, 0);
}

int sh_vf_open_threads(sh_vf *vf, const char *in_path, const char *out_path, int threads)
{
	memset(vf, 0, sizeof *vf);
	vf->in = sh_video_in_open(in_path, threads);
	if (!vf->in)
		return -1;
	sh_y4m_info_copy(&vf->info, sh_video_in_info(vf->in));
	const sh_y4m_info *i = &vf->info;
	vf->nplanes = i->chroma == SH_CHROMA_MONO ? 1 : 3;
	vf->pw[0] = i->width;
	vf->ph[0] = i->height;
	if (vf->nplanes == 3) {
		vf->pw[1] = vf->pw[2] = i->cw;
		vf->ph[1] = vf->ph[2] = i->ch;
	}
	vf->full_range = sh_y4m_full_range(i);
	vf->black = vf->full_range ? 0 : 16;
	vf->white = vf->full_range ? 255 : 235;
	vf->fps = i->fps_num > 0 && i->fps_den > 0 ? (double)i->fps_num / i->fps_den : 25.0;
	vf->frame = sh_malloc(i->frame_size);
	sh_vf_planes(vf, vf->frame, vf->plane);
	vf->index = -1;
	vf->out = sh_y4m_create(out_path, i);
	return vf->out ? 0 : -1;
}

int sh_vf_read(sh_vf *vf)
{
	int r = sh_video_in_read(vf->in, vf->frame);
	if (r == 1)
		vf->index++;
	return r;
}

int sh_vf_write(sh_vf *vf, const uint8_t *frame) { return sh_y4m_write_frame(vf->out, frame ? frame : vf->frame); }

void *sh_vf_alloc(sh_vf *vf, size_t count, size_t size)
{
	void *p = sh_calloc(count ? count : 1, size ? size : 1);
	vf->owned = sh_realloc(vf->owned, vf->nowned + 1, sizeof *vf->owned);
	vf->owned[vf->nowned++] = p;
	return p;
}

int sh_vf_close(sh_vf *vf, bool ok)
{
	int r = 0;
	if (ok)
		r = sh_y4m_finish(vf->out);
	else
		sh_y4m_abort(vf->out);
	sh_video_in_close(vf->in);
	sh_y4m_info_free(&vf->info);
	free(vf->frame);
	free(vf->scratch);
	for (size_t i = 0; i < vf->nowned; i++)
		free(vf->owned[i]);
	free(vf->owned);
	memset(vf, 0, sizeof *vf);
	return r;
}

/* The program's rows, then -o, then the zeroed end. */
static sh_option *with_output(const sh_option *opts, const char **output)
{
	size_t n = 0;
	while (opts[n].name)
		n++;
	sh_option *all = sh_calloc(n + 2, sizeof *all);
	memcpy(all, opts, n * sizeof *all);
	all[n] = (sh_option)SH_VF_OUTPUT_OPTION(*output);
	return all;
}

/* The frames: read, work, write, until the end or an error (-1). */
static int run_frames(const sh_vf_program *p, sh_vf *vf, sh_rng *rng, void *state)
{
	int r;
	while ((r = sh_vf_read(vf)) == 1)
		if (p->frame(vf, rng, state) != 0 || sh_vf_write(vf, NULL) != 0)
			return -1;
	return r;
}

/* ---- the pipeline: reader -> frame work (this thread) -> writer ----
 * Buffers circulate: free -> read -> work -> write -> free. A stage that fails
 * keeps its message (errors are per thread) and closes every queue, so the
 * others stop at their next push or pop. */
#define PIPE_BUFFERS 4

typedef struct {
	sh_vf *vf;
	sh_video_in *in;        /* the reader's own, so it never looks into vf */
	sh_queue *free_q, *read_q, *write_q;
	uint8_t *bufs[PIPE_BUFFERS]; /* every frame buffer, wherever it is */
	char read_err[1024], write_err[1024];
	bool read_failed, write_failed;
	bool reader_done;       /* atomic: the reader has returned */
} pipeline;

/* A run that fails while the reader waits on a pipe that never ends leaves the
 * reader there (the program ends with its error at once) with everything it may
 * touch: its pipeline, the frame buffers and the input stay allocated and
 * reachable from here. Cancelling a thread inside read() is not safe. */
static pipeline *volatile abandoned; /* volatile: a store nothing reads is kept */

static void pipe_abort(pipeline *pl)
{
	sh_queue_close(pl->free_q);
	sh_queue_close(pl->read_q);
	sh_queue_close(pl->write_q);
}

static void *reader(void *arg)
{
	pipeline *pl = arg;
	uint8_t *buf;
	while ((buf = sh_queue_pop(pl->free_q))) {
		int r = sh_video_in_read(pl->in, buf);
		if (r < 0) {
			snprintf(pl->read_err, sizeof pl->read_err, "%s", sh_error());
			pl->read_failed = true;
		}
		if (r != 1 || !sh_queue_push(pl->read_q, buf))
			break;
	}
	/* the end of the stream: the work drains what was read */
	sh_queue_close(pl->read_q);
	__atomic_store_n(&pl->reader_done, true, __ATOMIC_RELEASE);
	return NULL;
}

static void *writer(void *arg)
{
	pipeline *pl = arg;
	uint8_t *buf;
	while ((buf = sh_queue_pop(pl->write_q))) {
		if (sh_y4m_write_frame(pl->vf->out, buf) != 0) {
			snprintf(pl->write_err, sizeof pl->write_err, "%s", sh_error());
			pl->write_failed = true;
			pipe_abort(pl);
			break;
		}
		sh_queue_push(pl->free_q, buf);
	}
	return NULL;
}

static int run_pipeline(const sh_vf_program *p, sh_vf *vf, sh_rng *rng, void *state)
{
	pipeline *pl = sh_calloc(1, sizeof *pl);
	pl->vf = vf;
	pl->in = vf->in;
	pl->free_q = sh_queue_new(PIPE_BUFFERS);
	pl->read_q = sh_queue_new(PIPE_BUFFERS);
	pl->write_q = sh_queue_new(PIPE_BUFFERS);
	uint8_t *first = vf->frame, **bufs = pl->bufs;
	bufs[0] = first;
	for (int i = 1; i < PIPE_BUFFERS; i++)
		bufs[i] = sh_malloc(vf->info.frame_size);
	for (int i = 0; i < PIPE_BUFFERS; i++)
		sh_queue_push(pl->free_q, bufs[i]);
	pthread_t rt, wt;
	bool have_r = pthread_create(&rt, NULL, reader, pl) == 0;
	bool have_w = have_r && pthread_create(&wt, NULL, writer, pl) == 0;
	int status = 0;
	if (!have_w) {
		sh_set_error("cannot start a thread");
		pipe_abort(pl);
		status = -1;
	}
	uint8_t *buf;
	while (status == 0 && (buf = sh_queue_pop(pl->read_q))) {
		vf->frame = buf;
		sh_vf_planes(vf, buf, vf->plane);
		vf->index++;
		if (p->frame(vf, rng, state) != 0) {
			status = -1;
			pipe_abort(pl);
		} else if (!sh_queue_push(pl->write_q, buf)) {
			break; /* the writer gave up */
		}
	}
	/* no more frames: the writer finishes what it has */
	sh_queue_close(pl->write_q);
	if (have_w)
		pthread_join(wt, NULL);
	pipe_abort(pl);
	if (status == 0 && pl->write_failed) {
		sh_set_error("%s", pl->write_err);
		status = -1;
	} else if (status == 0 && pl->read_failed) {
		sh_set_error("%s", pl->read_err);
		status = -1;
	}
	if (have_r && status != 0 && !__atomic_load_n(&pl->reader_done, __ATOMIC_ACQUIRE)) {
		/* after a failure the reader may wait for input that never comes */
		pthread_detach(rt);
		abandoned = pl;
		vf->in = NULL;
		vf->frame = NULL;
		return status;
	}
	if (have_r)
		pthread_join(rt, NULL);
	for (int i = 1; i < PIPE_BUFFERS; i++)
		free(bufs[i]);
	vf->frame = first;
	sh_vf_planes(vf, first, vf->plane);
	sh_queue_free(pl->free_q);
	sh_queue_free(pl->read_q);
	sh_queue_free(pl->write_q);
	free(pl);
	return status;
}

typedef struct {
	sh_vf_slice_fn fn;
	void *ctx;
	int rows, n;
} slicing;

static void one_slice(void *arg, int i)
{
	const slicing *s = arg;
	int y0 = (int)((int64_t)s->rows * i / s->n), y1 = (int)((int64_t)s->rows * (i + 1) / s->n);
	if (y1 > y0)
		s->fn(s->ctx, y0, y1);
}

void sh_vf_slices(const sh_vf *vf, int rows, sh_vf_slice_fn fn, void *ctx)
{
	int t = sh_pool_threads(vf->pool);
	if (t <= 1 || rows < 2) {
		if (rows > 0)
			fn(ctx, 0, rows);
		return;
	}
	/* a few slices per thread, so a thread slowed by the others' work (the
	 * reader, the writer, other programs) does not hold the frame back */
	slicing s = {fn, ctx, rows, 3 * t};
	if (s.n > rows)
		s.n = rows;
	sh_pool_run(vf->pool, s.n, one_slice, &s);
}

int sh_vf_main(const sh_vf_program *p, int argc, char **argv)
{
	sh_init(argc, argv);
	const char *output = NULL;
	sh_option *opts = with_output(p->options, &output);
	sh_program prog = {.usage = p->usage, .summary = p->summary, .has_seed = true, .has_jobs = true};
	void *state = sh_calloc(1, p->state_size ? p->state_size : 1);
	int status = SH_EXIT_OK;
	int first = sh_parse_options(&prog, opts, argc, argv);
	if (first <= 0) {
		status = sh_parse_status(first);
		goto out;
	}
	const char *input = sh_vf_operand(argc, argv, first);
	if (!input || (p->check && p->check(state) != 0)) {
		sh_warn("%s", sh_error());
		status = SH_EXIT_USAGE;
		goto out;
	}
	sh_note("seed %llu", (unsigned long long)prog.seed);

	sh_vf vf;
	sh_rng rng;
	sh_rng_seed(&rng, prog.seed);
	bool ok = sh_vf_open_threads(&vf, input, output, prog.jobs) == 0;
	if (ok && prog.jobs > 1 && !(vf.pool = sh_pool_new(prog.jobs)))
		ok = false;
	ok = ok && (!p->start || p->start(&vf, &rng, state) == 0) &&
	     (prog.jobs > 1 ? run_pipeline(p, &vf, &rng, state) : run_frames(p, &vf, &rng, state)) == 0;
	if (!ok)
		sh_warn("%s", sh_error());
	if (p->stop)
		p->stop(state);
	sh_pool_free(vf.pool);
	vf.pool = NULL;
	if (sh_vf_close(&vf, ok) != 0 && ok) {
		sh_warn("%s", sh_error());
		ok = false;
	}
	status = ok ? SH_EXIT_OK : SH_EXIT_FAIL;
out:
	free(state);
	free(opts);
	return status;
}

/* ---------------------------------------------------------------- noise, LUTs */

/* Hot row kernels get an AVX2 clone picked at load time (32-bit multiplies
 * are eight to a vector there, and emulated on baseline SSE2). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define SH_HOT __attribute__((target_clones("avx2", "default")))
#else
#define SH_HOT
#endif


void sh_noise_table_init(sh_noise_table *t, int n, bool gauss, sh_rng *r)
{
	t->n = n;
	t->v = sh_malloc((size_t)n);
	bool was = sh_rng_drawn(); /* the table matters only through the rows that pick from it */
	for (int i = 0; i < n; i++) {
		/* the same deviation (SH_NOISE_UNIT) for both shapes */
		double x = gauss ? sh_rng_gauss(r) : (2 * sh_rng_uniform(r) - 1) * 1.7320508075688772;
		long k = lround(x * SH_NOISE_UNIT);
		t->v[i] = (int8_t)(k > 127 ? 127 : k < -127 ? -127 : k);
	}
	sh_rng_restore_drawn(was);
}

void sh_noise_table_free(sh_noise_table *t)
{
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

void sh_noise_scale(const sh_noise_table *t, int mul, int8_t *out)
{
	for (int i = 0; i < t->n; i++) {
		int v = (t->v[i] * mul + 128) >> 8;
		out[i] = (int8_t)(v > 127 ? 127 : v < -127 ? -127 : v);
	}
}

void sh_add_noise_row(uint8_t *restrict dst, const uint8_t *restrict src, const int8_t *restrict noise, int n)
{
	for (int i = 0; i < n; i++) {
		int v = src[i] + noise[i];
		v = v < 0 ? 0 : v;
		v = v > 255 ? 255 : v;
		dst[i] = (uint8_t)v;
	}
}

void sh_vf_noise_rows(sh_vf *vf, sh_noise_rows *nr, bool gauss, sh_rng *rng)
{
	nr->rows = sh_rng_fork(rng);
	sh_rng table_rng = sh_rng_fork(rng);
	nr->span = vf->info.width + 4096;
	sh_noise_table_init(&nr->table, vf->info.width + nr->span, gauss, &table_rng);
	/* the run owns the table's values */
	vf->owned = sh_realloc(vf->owned, vf->nowned + 1, sizeof *vf->owned);
	vf->owned[vf->nowned++] = nr->table.v;
	nr->scaled = sh_vf_alloc(vf, (size_t)nr->table.n, 1);
}

int sh_noise_mul(double deviation)
{
	double m = deviation * 256.0 / SH_NOISE_UNIT;
	return (int)lround(m > 65535 ? 65535 : m);
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define SH_VBMI 1
#include <immintrin.h>
/* 64 lookups at a time: two 128-entry byte permutes, picked by the top bit.
 * A lookup is a lookup: the same bytes as the plain loop. */
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) static int lut_row_vbmi(uint8_t *p, const uint8_t *lut, int n)
{
	const __m512i t0 = _mm512_loadu_si512(lut), t1 = _mm512_loadu_si512(lut + 64),
	              t2 = _mm512_loadu_si512(lut + 128), t3 = _mm512_loadu_si512(lut + 192);
	int i = 0;
	for (; i + 64 <= n; i += 64) {
		__m512i v = _mm512_loadu_si512(p + i);
		__m512i lo = _mm512_permutex2var_epi8(t0, v, t1), hi = _mm512_permutex2var_epi8(t2, v, t3);
		_mm512_storeu_si512(p + i, _mm512_mask_blend_epi8(_mm512_movepi8_mask(v), lo, hi));
	}
	return i;
}
#endif

bool sh_lut_vectorised(void)
{
#ifdef SH_VBMI
	static int has_vbmi = -1; /* threads that ask at once find the same answer */
	int vbmi = __atomic_load_n(&has_vbmi, __ATOMIC_RELAXED);
	if (vbmi < 0) {
		vbmi = __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("avx512bw");
		__atomic_store_n(&has_vbmi, vbmi, __ATOMIC_RELAXED);
	}
	return vbmi;
#else
	return false;
#endif
}

void sh_lut_row(uint8_t *p, const uint8_t *lut, int n)
{
	int i = 0;
#ifdef SH_VBMI
	if (sh_lut_vectorised())
		i = lut_row_vbmi(p, lut, n);
#endif
	for (; i + 4 <= n; i += 4) {
		uint8_t a = lut[p[i]], b = lut[p[i + 1]], c = lut[p[i + 2]], d = lut[p[i + 3]];
		p[i] = a, p[i + 1] = b, p[i + 2] = c, p[i + 3] = d;
	}
	for (; i < n; i++)
		p[i] = lut[p[i]];
}

static bool affine_matches(const uint8_t *lut, int32_t mul, int32_t add)
{
	for (int v = 0; v < 256; v++) {
		int32_t k = (v * mul + add) >> 16;
		if (lut[v] != (k < 0 ? 0 : k > 255 ? 255 : k))
			return false;
	}
	return true;
}

bool sh_lut_affine(const uint8_t *lut, double slope, double offset, int32_t *mul, int32_t *add)
{
	/* keep v * mul + add inside 32 bits */
	if (!(fabs(slope) <= 16 && fabs(offset) <= 4096))
		return false;
	int32_t m = (int32_t)lround(slope * 65536), a = (int32_t)lround((offset + 0.5) * 65536);
	/* the rounding of the table's doubles may fall either side of the
	 * fixed-point line's: nudge the offset a little each way */
	for (int d = 0; d <= 64; d++)
		for (int sgn = -1; sgn <= 1; sgn += 2) {
			int32_t t = a + sgn * d;
			if (affine_matches(lut, m, t)) {
				*mul = m;
				*add = t;
				return true;
			}
			if (!d)
				break;
		}
	return false;
}

SH_HOT void sh_affine_row(uint8_t *restrict p, int32_t mul, int32_t add, int n)
{
	for (int i = 0; i < n; i++) {
		int32_t k = (p[i] * mul + add) >> 16;
		p[i] = (uint8_t)(k < 0 ? 0 : k > 255 ? 255 : k);
	}
}

bool sh_lut_is_identity(const uint8_t *lut)
{
	for (int i = 0; i < 256; i++)
		if (lut[i] != i)
			return false;
	return true;
}

/* ---------------------------------------------------------------- RGB */


/* BT.601 in 14-bit fixed point. */
#define FIX(x) ((int)lround((x) * 16384.0))

typedef struct {
	int yc, rv, gu, gv, bu, black;           /* YUV -> RGB */
	int yr, yg, yb, yoff;                    /* RGB -> Y */
	int ur, ug, ub, vr, vg, vb;              /* RGB -> Cb, Cr */
} coefs;

static void get_coefs(const sh_vf *vf, coefs *k)
{
	const int full = vf->full_range;
	const double ys = full ? 1.0 : 219.0 / 255.0, cs = full ? 1.0 : 224.0 / 255.0;
	k->black = vf->black;
	k->yc = FIX(1.0 / ys);
	k->rv = FIX(1.402 / cs);
	k->gu = FIX(0.344136 / cs);
	k->gv = FIX(0.714136 / cs);
	k->bu = FIX(1.772 / cs);
	k->yr = FIX(0.299 * ys);
	k->yg = FIX(0.587 * ys);
	k->yb = FIX(0.114 * ys);
	k->yoff = (vf->black << 14) + 8192;
	k->ur = FIX(0.168736 * cs);
	k->ug = FIX(0.331264 * cs);
	k->ub = FIX(0.5 * cs);
	k->vr = FIX(0.5 * cs);
	k->vg = FIX(0.418688 * cs);
	k->vb = FIX(0.081312 * cs);
}

static inline uint8_t clamp8(int v) { return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v); }

/* Vertical blend of two chroma rows into t[1..cw] (weights out of 4), padded. */
SH_HOT static void vblend(const uint8_t *restrict r0, const uint8_t *restrict r1, int wa, int wb, int cw,
                          int16_t *restrict t)
{
	for (int i = 0; i < cw; i++)
		t[i + 1] = (int16_t)(wa * r0[i] + wb * r1[i]);
	t[0] = t[1];
	t[cw + 1] = t[cw];
}

/* Horizontal 2x bilinear (centred siting): out[2i], out[2i+1], as value - 128. */
SH_HOT static void hup2(const int16_t *restrict t, int cw, int16_t *restrict out)
{
	for (int i = 0; i < cw; i++) {
		int c = 3 * t[i + 1];
		out[2 * i] = (int16_t)(((c + t[i] + 8) >> 4) - 128);
		out[2 * i + 1] = (int16_t)(((c + t[i + 2] + 8) >> 4) - 128);
	}
}

SH_HOT static void hcopy(const int16_t *restrict t, int n, int16_t *restrict out)
{
	for (int i = 0; i < n; i++)
		out[i] = (int16_t)(((t[i + 1] + 2) >> 2) - 128);
}

SH_HOT static void yuv2rgb_row(const uint8_t *restrict Y, const int16_t *restrict u, const int16_t *restrict v, int n,
                               uint8_t *restrict R, uint8_t *restrict G, uint8_t *restrict B, coefs k)
{
	for (int i = 0; i < n; i++) {
		int y = k.yc * (Y[i] - k.black) + 8192;
		int r = (y + k.rv * v[i]) >> 14, g = (y - k.gu * u[i] - k.gv * v[i]) >> 14, b = (y + k.bu * u[i]) >> 14;
		R[i] = (uint8_t)(r < 0 ? 0 : r > 255 ? 255 : r);
		G[i] = (uint8_t)(g < 0 ? 0 : g > 255 ? 255 : g);
		B[i] = (uint8_t)(b < 0 ? 0 : b > 255 ? 255 : b);
	}
}

SH_HOT static void grey_row(const uint8_t *restrict Y, int n, uint8_t *restrict R, uint8_t *restrict G,
                            uint8_t *restrict B, coefs k)
{
	for (int i = 0; i < n; i++) {
		int g = (k.yc * (Y[i] - k.black) + 8192) >> 14;
		uint8_t c = (uint8_t)(g < 0 ? 0 : g > 255 ? 255 : g);
		R[i] = G[i] = B[i] = c;
	}
}

SH_HOT static void rgb2y_row(const uint8_t *restrict R, const uint8_t *restrict G, const uint8_t *restrict B, int n,
                             uint8_t *restrict Y, coefs k)
{
	for (int i = 0; i < n; i++) {
		int y = (k.yr * R[i] + k.yg * G[i] + k.yb * B[i] + k.yoff) >> 14;
		Y[i] = (uint8_t)(y > 255 ? 255 : y);
	}
}

/* Chroma from RGB summed over each 2x2 block (rows a and b; b = a for 4:2:2),
 * for the cw2 = floor(w/2) whole pairs. */
SH_HOT static void rgb2uv_pairs(const uint8_t *restrict Ra, const uint8_t *restrict Ga, const uint8_t *restrict Ba,
                                const uint8_t *restrict Rb, const uint8_t *restrict Gb, const uint8_t *restrict Bb,
                                int cw2, uint8_t *restrict U, uint8_t *restrict V, coefs k)
{
	const int off = (128 << 16) + (1 << 15);
	for (int i = 0; i < cw2; i++) {
		int r = Ra[2 * i] + Ra[2 * i + 1] + Rb[2 * i] + Rb[2 * i + 1];
		int g = Ga[2 * i] + Ga[2 * i + 1] + Gb[2 * i] + Gb[2 * i + 1];
		int b = Ba[2 * i] + Ba[2 * i + 1] + Bb[2 * i] + Bb[2 * i + 1];
		int u = (-k.ur * r - k.ug * g + k.ub * b + off) >> 16;
		int v = (k.vr * r - k.vg * g - k.vb * b + off) >> 16;
		U[i] = (uint8_t)(u < 0 ? 0 : u > 255 ? 255 : u);
		V[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
	}
}

SH_HOT static void rgb2uv_444(const uint8_t *restrict R, const uint8_t *restrict G, const uint8_t *restrict B, int n,
                              uint8_t *restrict U, uint8_t *restrict V, coefs k)
{
	const int off = (128 << 14) + 8192;
	for (int i = 0; i < n; i++) {
		int u = (-k.ur * R[i] - k.ug * G[i] + k.ub * B[i] + off) >> 14;
		int v = (k.vr * R[i] - k.vg * G[i] - k.vb * B[i] + off) >> 14;
		U[i] = (uint8_t)(u < 0 ? 0 : u > 255 ? 255 : u);
		V[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
	}
}

static void subsampling(const sh_vf *vf, int *sx, int *sy)
{
	*sx = vf->info.chroma == SH_CHROMA_444 ? 1 : 2;
	*sy = vf->info.chroma == SH_CHROMA_420 ? 2 : 1;
}

typedef struct {
	const sh_vf *vf;
	const uint8_t *frame;
	uint8_t *rgb;
} rgb_job;

/* Luma rows [y0, y1) to RGB, with row buffers of the slice's own: two int16
 * rows of the width (+ padding) and one for the blend. */
static void to_rgb_rows(void *arg, int y0, int y1)
{
	const rgb_job *j = arg;
	const sh_vf *vf = j->vf;
	const uint8_t *frame = j->frame;
	int w = vf->info.width, h = vf->info.height, cw = vf->info.cw, ch = vf->info.ch;
	size_t n = (size_t)w * h;
	uint8_t *R = j->rgb, *G = j->rgb + n, *B = j->rgb + 2 * n;
	coefs k;
	get_coefs(vf, &k);
	uint8_t *plane[3];
	sh_vf_planes(vf, (uint8_t *)frame, plane);
	if (vf->nplanes == 1) {
		for (int y = y0; y < y1; y++)
			grey_row(frame + (size_t)y * w, w, R + (size_t)y * w, G + (size_t)y * w, B + (size_t)y * w, k);
		return;
	}
	int sx, sy;
	subsampling(vf, &sx, &sy);
	int16_t *s = sh_malloc(((size_t)w + 8) * 3 * sizeof(int16_t));
	int16_t *u = s, *v = s + w + 8, *t = s + 2 * (w + 8);
	for (int y = y0; y < y1; y++) {
		const uint8_t *c0[2], *c1[2];
		int wa = 4, wb = 0;
		if (sy == 2) {
			int cy = y >> 1, ny = (y & 1) ? cy + 1 : cy - 1;
			ny = ny < 0 ? 0 : ny >= ch ? ch - 1 : ny;
			for (int p = 0; p < 2; p++) {
				c0[p] = plane[1 + p] + (size_t)cy * cw;
				c1[p] = plane[1 + p] + (size_t)ny * cw;
			}
			wa = 3, wb = 1;
		} else {
			for (int p = 0; p < 2; p++)
				c0[p] = c1[p] = plane[1 + p] + (size_t)y * cw;
		}
		for (int p = 0; p < 2; p++) {
			int16_t *dst = p ? v : u;
			vblend(c0[p], c1[p], wa, wb, cw, t);
			if (sx == 2)
				hup2(t, cw, dst); /* writes 2*cw >= w values */
			else
				hcopy(t, w, dst);
		}
		size_t o = (size_t)y * w;
		yuv2rgb_row(plane[0] + o, u, v, w, R + o, G + o, B + o, k);
	}
	free(s);
}

void sh_vf_to_rgb(const sh_vf *vf, const uint8_t *frame, uint8_t *rgb)
{
	rgb_job j = {vf, frame, rgb};
	sh_vf_slices(vf, vf->info.height, to_rgb_rows, &j);
}

/* Chroma rows [c0, c1) (or luma rows, for mono) from RGB: each slice writes
 * its own chroma rows and the luma rows they cover. */
static void from_rgb_rows(void *arg, int c0, int c1)
{
	const rgb_job *j = arg;
	const sh_vf *vf = j->vf;
	int w = vf->info.width, h = vf->info.height, cw = vf->info.cw;
	size_t n = (size_t)w * h;
	const uint8_t *R = j->rgb, *G = j->rgb + n, *B = j->rgb + 2 * n;
	coefs k;
	get_coefs(vf, &k);
	uint8_t *plane[3];
	sh_vf_planes(vf, (uint8_t *)j->frame, plane);
	int sx = 1, sy = 1;
	if (vf->nplanes == 3)
		subsampling(vf, &sx, &sy);
	int ya = c0 * sy, yb = c1 * sy < h ? c1 * sy : h;
	for (int y = ya; y < yb; y++) {
		size_t o = (size_t)y * w;
		rgb2y_row(R + o, G + o, B + o, w, plane[0] + o, k);
	}
	if (vf->nplanes == 1)
		return;
	for (int cy = c0; cy < c1; cy++) {
		uint8_t *U = plane[1] + (size_t)cy * cw, *V = plane[2] + (size_t)cy * cw;
		size_t a = (size_t)(cy * sy) * w;
		if (sx == 1) {
			rgb2uv_444(R + a, G + a, B + a, w, U, V, k);
			continue;
		}
		size_t b = sy == 2 && cy * 2 + 1 < h ? a + w : a;
		int pairs = w / 2;
		rgb2uv_pairs(R + a, G + a, B + a, R + b, G + b, B + b, pairs, U, V, k);
		if (w & 1) { /* the last column of an odd width: its own two samples */
			size_t x = (size_t)w - 1;
			int r = 2 * (R[a + x] + R[b + x]), g = 2 * (G[a + x] + G[b + x]), bl = 2 * (B[a + x] + B[b + x]);
			const int off = (128 << 16) + (1 << 15);
			U[pairs] = clamp8((-k.ur * r - k.ug * g + k.ub * bl + off) >> 16);
			V[pairs] = clamp8((k.vr * r - k.vg * g - k.vb * bl + off) >> 16);
		}
	}
}

void sh_vf_from_rgb(const sh_vf *vf, const uint8_t *rgb, uint8_t *frame)
{
	rgb_job j = {vf, frame, (uint8_t *)rgb};
	sh_vf_slices(vf, vf->nplanes == 3 ? vf->info.ch : vf->info.height, from_rgb_rows, &j);
}
