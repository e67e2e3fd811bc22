/* vgraph.c -- one libavfilter filter over y4m frames; see vgraph.h. */
#include "vgraph.h"

#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/frame.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "media.h"

struct sh_vgraph {
	AVFilterGraph *graph;
	AVFilterContext *src, *sink;
	AVFrame *in, *out;
	sh_y4m_info info;
	enum AVPixelFormat fmt;
	int64_t pts;
};

static int fail(sh_vgraph *g, const char *what, int err)
{
	char buf[AV_ERROR_MAX_STRING_SIZE] = "";
	av_strerror(err, buf, sizeof buf);
	sh_set_error("%s: %s", what, buf);
	(void)g;
	return -1;
}

sh_vgraph *sh_vgraph_new(const sh_y4m_info *info, const char *filter, const char *const *kv)
{
	sh_vgraph *g = sh_calloc(1, sizeof *g);
	g->info = *info;
	g->info.xtags = NULL;
	g->fmt = sh_av_pix_fmt(info->chroma);
	g->graph = avfilter_graph_alloc();
	g->in = av_frame_alloc();
	g->out = av_frame_alloc();
	if (!g->graph || !g->in || !g->out) {
		sh_set_error("%s: out of memory", filter);
		goto err;
	}
	int fn = info->fps_num > 0 ? info->fps_num : 25, fd = info->fps_den > 0 ? info->fps_den : 1;
	char args[256];
	snprintf(args, sizeof args, "video_size=%dx%d:pix_fmt=%d:time_base=%d/%d:frame_rate=%d/%d:pixel_aspect=1/1",
	         info->width, info->height, (int)g->fmt, fd, fn, fn, fd);
	int r;
	AVFilterContext *f, *fmtc;
	if ((r = avfilter_graph_create_filter(&g->src, avfilter_get_by_name("buffer"), "in", args, NULL, g->graph)) < 0)
		goto bad_src;
	const AVFilter *flt = avfilter_get_by_name(filter);
	if (!flt) {
		sh_set_error("this FFmpeg has no '%s' filter", filter);
		goto err;
	}
	f = avfilter_graph_alloc_filter(g->graph, flt, "fx");
	if (!f) {
		sh_set_error("cannot create the '%s' filter", filter);
		goto err;
	}
	for (const char *const *p = kv; p && p[0]; p += 2)
		if ((r = av_opt_set(f, p[0], p[1], AV_OPT_SEARCH_CHILDREN)) < 0) {
			char what[160];
			snprintf(what, sizeof what, "%s option %s=%s", filter, p[0], p[1]);
			fail(g, what, r);
			goto err;
		}
	if ((r = avfilter_init_str(f, NULL)) < 0) {
		fail(g, filter, r);
		goto err;
	}
	snprintf(args, sizeof args, "pix_fmts=%s", av_get_pix_fmt_name(g->fmt));
	if ((r = avfilter_graph_create_filter(&fmtc, avfilter_get_by_name("format"), "fmt", args, NULL, g->graph)) < 0 ||
	    (r = avfilter_graph_create_filter(&g->sink, avfilter_get_by_name("buffersink"), "out", NULL, NULL,
	                                      g->graph)) < 0) {
		fail(g, "format/buffersink", r);
		goto err;
	}
	if ((r = avfilter_link(g->src, 0, f, 0)) < 0 || (r = avfilter_link(f, 0, fmtc, 0)) < 0 ||
	    (r = avfilter_link(fmtc, 0, g->sink, 0)) < 0 || (r = avfilter_graph_config(g->graph, NULL)) < 0) {
		fail(g, "filter graph", r);
		goto err;
	}
	return g;
bad_src:
	fail(g, "buffer source", r);
err:
	sh_vgraph_free(g);
	return NULL;
}

int sh_vgraph_push(sh_vgraph *g, const uint8_t *frame)
{
	int r;
	if (!frame) {
		if ((r = av_buffersrc_add_frame_flags(g->src, NULL, 0)) < 0)
			return fail(g, "end of stream", r);
		return 0;
	}
	AVFrame *in = g->in;
	av_frame_unref(in);
	in->width = g->info.width;
	in->height = g->info.height;
	in->format = g->fmt;
	in->pts = g->pts++;
	if ((r = av_frame_get_buffer(in, 0)) < 0)
		return fail(g, "frame buffer", r);
	sh_frame_to_av(&g->info, frame, in);
	if ((r = av_buffersrc_add_frame_flags(g->src, in, 0)) < 0)
		return fail(g, "filter input", r);
	return 0;
}

int sh_vgraph_pull(sh_vgraph *g, uint8_t *frame)
{
	av_frame_unref(g->out);
	int r = av_buffersink_get_frame(g->sink, g->out);
	if (r == AVERROR(EAGAIN) || r == AVERROR_EOF)
		return 0;
	if (r < 0)
		return fail(g, "filter output", r);
	AVFrame *o = g->out;
	if (o->width != g->info.width || o->height != g->info.height || o->format != g->fmt) {
		sh_set_error("filter changed the frame layout to %dx%d", o->width, o->height);
		return -1;
	}
	sh_frame_from_av(&g->info, o, frame);
	return 1;
}

void sh_vgraph_free(sh_vgraph *g)
{
	if (!g)
		return;
	avfilter_graph_free(&g->graph);
	av_frame_free(&g->in);
	av_frame_free(&g->out);
	free(g);
}
