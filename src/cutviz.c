/* cutviz -- draw a cut list as a PNG timeline: output time runs left to right,
 * source position bottom to top. Forward pieces rise (cyan), reversed pieces
 * fall (magenta), dropped pieces are red bars along the bottom, and the faint
 * diagonal is where an untouched source would lie. Encoded with libavcodec. */
#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cutlist.h"

static sh_program prog = {
	.usage = "cutviz [options] [CUTS]",
	.summary = "Draw a cut list (file or stdin) as a PNG timeline on stdout or -o FILE.",
	.max_operands = 1,
};

static struct {
	const char *output;
	int64_t width, height; /* small for thumbnails, wide to read 10 ms slices */
} opt = {.width = 1200, .height = 400};

static sh_option options[] = {
	{.name = "output", .short_name = 'o', .type = SH_OPT_STRING, .dest = &opt.output, .arg = "FILE",
	 .no_preset = true, .help = "write the PNG to FILE instead of stdout"},
	{.name = "width", .short_name = 'W', .type = SH_OPT_INT, .dest = &opt.width, .min = 64, .max = 16384,
	 .unit = "px", .help = "picture width: small for thumbnails, wide to read 10 ms slices"},
	{.name = "height", .short_name = 'H', .type = SH_OPT_INT, .dest = &opt.height, .min = 64, .max = 16384,
	 .unit = "px", .help = "picture height"},
	{0},
};

typedef struct {
	uint8_t *px;
	int w, h, stride;
} canvas;

static void plot(canvas *c, int x, int y, const uint8_t rgb[3])
{
	if (x < 0 || y < 0 || x >= c->w || y >= c->h)
		return;
	memcpy(c->px + (size_t)y * (size_t)c->stride + 3 * (size_t)x, rgb, 3);
}

static void rect(canvas *c, int x0, int y0, int x1, int y1, const uint8_t rgb[3])
{
	for (int y = y0; y <= y1; y++)
		for (int x = x0; x <= x1; x++)
			plot(c, x, y, rgb);
}

/* A line two pixels thick, stepped along its longer axis. */
static void line(canvas *c, double x0, double y0, double x1, double y1, const uint8_t rgb[3], int thick)
{
	double dx = x1 - x0, dy = y1 - y0;
	int steps = (int)ceil(fmax(fabs(dx), fabs(dy))) + 1;
	for (int i = 0; i <= steps; i++) {
		double t = (double)i / steps;
		int x = (int)lround(x0 + dx * t), y = (int)lround(y0 + dy * t);
		rect(c, x, y, x + thick - 1, y + thick - 1, rgb);
	}
}

static void encode_png(const canvas *cv, const char *path)
{
	const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_PNG);
	if (!codec)
		sh_die("this FFmpeg has no PNG encoder");
	AVCodecContext *ctx = avcodec_alloc_context3(codec);
	AVFrame *frame = av_frame_alloc();
	AVPacket *pkt = av_packet_alloc();
	if (!ctx || !frame || !pkt)
		sh_die("out of memory");
	ctx->width = cv->w;
	ctx->height = cv->h;
	ctx->pix_fmt = AV_PIX_FMT_RGB24;
	ctx->time_base = (AVRational){1, 1};
	if (avcodec_open2(ctx, codec, NULL) < 0)
		sh_die("cannot open the PNG encoder");
	frame->format = AV_PIX_FMT_RGB24;
	frame->width = cv->w;
	frame->height = cv->h;
	if (av_frame_get_buffer(frame, 0) < 0)
		sh_die("out of memory for a %dx%d picture", cv->w, cv->h);
	for (int y = 0; y < cv->h; y++)
		memcpy(frame->data[0] + (size_t)y * (size_t)frame->linesize[0], cv->px + (size_t)y * (size_t)cv->stride,
		       (size_t)cv->w * 3);
	if (avcodec_send_frame(ctx, frame) < 0 || avcodec_send_frame(ctx, NULL) < 0)
		sh_die("PNG encoding failed");
	uint8_t *data = NULL;
	size_t len = 0;
	while (avcodec_receive_packet(ctx, pkt) == 0) {
		data = sh_realloc(data, len + (size_t)pkt->size, 1);
		memcpy(data + len, pkt->data, (size_t)pkt->size);
		len += (size_t)pkt->size;
		av_packet_unref(pkt);
	}
	if (!len)
		sh_die("PNG encoding produced nothing");
	if (sh_write_file_atomic(path, (const char *)data, len) != 0)
		sh_die("%s", sh_error());
	free(data);
	av_packet_free(&pkt);
	av_frame_free(&frame);
	avcodec_free_context(&ctx);
}

/* The timeline onto a new canvas of out->w x out->h pixels. */
static void draw(const sh_cutlist *cl, canvas *out)
{
	static const uint8_t bg[3] = {18, 18, 24}, frame_c[3] = {70, 70, 84}, diag[3] = {48, 48, 60},
	                     band[3] = {26, 26, 34}, fwd[3] = {40, 210, 255}, rev[3] = {255, 70, 200},
	                     drop[3] = {235, 50, 40};
	canvas cv = *out;
	cv.stride = cv.w * 3;
	cv.px = sh_malloc((size_t)cv.stride * (size_t)cv.h);
	for (size_t i = 0; i < (size_t)cv.w * (size_t)cv.h; i++)
		memcpy(cv.px + 3 * i, bg, 3);

	const int m = 12, dropband = 8;
	double x0 = m, x1 = cv.w - m - 1, ytop = m, ybot = cv.h - m - dropband - 4;
	double total = sh_cutlist_duration(cl);
	double srcmax = cl->src_duration;
	for (size_t i = 0; i < cl->n; i++)
		if (!cl->cuts[i].silence && cl->cuts[i].src + cl->cuts[i].dur > srcmax)
			srcmax = cl->cuts[i].src + cl->cuts[i].dur;
	if (!(total > 0))
		total = 1;
	if (!(srcmax > 0))
		srcmax = total;
	double xs = (x1 - x0) / total, ys = (ybot - ytop) / srcmax;
	/* the box, and the diagonal an untouched source would draw */
	line(&cv, x0 - 1, ytop - 1, x1 + 1, ytop - 1, frame_c, 1);
	line(&cv, x0 - 1, ybot + 1, x1 + 1, ybot + 1, frame_c, 1);
	line(&cv, x0 - 1, ytop - 1, x0 - 1, ybot + 1, frame_c, 1);
	line(&cv, x1 + 1, ytop - 1, x1 + 1, ybot + 1, frame_c, 1);
	double dend = fmin(total, srcmax);
	line(&cv, x0, ybot, x0 + dend * xs, ybot - dend * ys, diag, 1);

	double t = 0;
	int thick = cv.h >= 300 ? 2 : 1;
	for (size_t i = 0; i < cl->n; i++) {
		const sh_cut *c = &cl->cuts[i];
		double a = x0 + t * xs, b = x0 + (t + c->dur) * xs;
		if (i % 2) /* alternate faint columns show piece boundaries */
			rect(&cv, (int)lround(a), (int)ytop, (int)lround(b) - 1, (int)ybot, band);
		if (c->silence) {
			rect(&cv, (int)lround(a), cv.h - m - dropband, (int)fmax(lround(b) - 1, lround(a)), cv.h - m - 1, drop);
		} else {
			double lo = ybot - c->src * ys, hi = ybot - (c->src + c->dur) * ys;
			if (c->reverse)
				line(&cv, a, hi, b, lo, rev, thick);
			else
				line(&cv, a, lo, b, hi, fwd, thick);
		}
		t += c->dur;
	}
	*out = cv;
}

int main(int argc, char **argv)
{
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	if (!opt.output || !strcmp(opt.output, "-"))
		if (sh_stdout_binary() != 0)
			sh_die("%s", sh_error());
	sh_cutlist *cl = sh_cutlist_load(first < argc ? argv[first] : "-");
	if (!cl)
		sh_die("%s", sh_error());
	canvas cv = {.w = (int)opt.width, .h = (int)opt.height};
	draw(cl, &cv);
	encode_png(&cv, opt.output);
	free(cv.px);
	sh_cutlist_free(cl);
	return 0;
}
