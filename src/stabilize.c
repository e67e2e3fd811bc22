/* stabilize -- two-pass video stabilization of a y4m stream with libvidstab,
 * through libavfilter's vidstabdetect and vidstabtransform.
 *
 *   stabilize [options] [FILE]   y4m on stdin, y4m or any media file as FILE;
 *                                y4m on stdout or -o FILE
 *
 * Pass 1 measures the motion between frames into a transforms file; pass 2
 * smooths the camera path and moves each frame onto it. A pipe is spooled to a
 * temporary file during pass 1 so pass 2 can read it again; a named file is
 * simply read twice. Temporary files live in $TMPDIR (or /tmp) and are removed
 * at the end, on error and on SIGINT/SIGTERM. */
#include <libavutil/log.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "media.h"
#include "vfilter.h"
#include "vgraph.h"
#include "y4m.h"

#define MIN_SIDE 96

static const char *output = NULL;
/* How shaky the footage is. 1 = a slight tremor (fast); 5 = handheld walking;
 * 10 = a camera on a motorbike (slow). */
static int64_t shakiness = 5;
/* Motion search accuracy, at least the shakiness. 15 = most careful. */
static int64_t accuracy = 15;
/* Frames on each side averaged into the camera path. 0 = a locked-off tripod
 * (all motion removed); 10 = smooth handheld; 60 = a floating steadicam. */
static int64_t smoothing = 15;
/* Extra zoom in percent: positive hides the moving borders, negative shows
 * more of them. */
static double zoom = 0;
/* 0 = no automatic zoom; 1 = one static zoom that hides the borders;
 * 2 = zoom that follows the motion. */
static int64_t optzoom = 1;
/* What fills the border uncovered by a moved frame: keep (the previous
 * frame's pixels) or black. */
static const char *crop = "keep";
/* Resampling of moved frames: no, linear, bilinear, bicubic (sharpest). */
static const char *interpol = "bilinear";

static sh_option options[] = {
	{.name = "shakiness", .short_name = 'S', .type = SH_OPT_INT, .dest = &shakiness, .min = 1, .max = 10,
	 .arg = "N", .help = "how shaky the footage is: 1 a tremor, 10 a motorbike"},
	{.name = "accuracy", .short_name = 'a', .type = SH_OPT_INT, .dest = &accuracy, .min = 1, .max = 15,
	 .arg = "N", .help = "motion search accuracy, at least the shakiness"},
	{.name = "smoothing", .short_name = 's', .type = SH_OPT_INT, .dest = &smoothing, .min = 0, .max = 1000,
	 .arg = "FRAMES", .unit = "frames", .help = "frames each side in the camera path; 0 = tripod"},
	{.name = "zoom", .short_name = 'z', .type = SH_OPT_DOUBLE, .dest = &zoom, .min = -100, .max = 100,
	 .arg = "PERCENT", .unit = "%", .help = "extra zoom"},
	{.name = "optzoom", .short_name = 'Z', .type = SH_OPT_INT, .dest = &optzoom, .min = 0, .max = 2,
	 .arg = "0|1|2", .help = "automatic zoom: 0 none, 1 static, 2 adaptive"},
	{.name = "crop", .short_name = 'c', .type = SH_OPT_CHOICE, .dest = &crop, .choices = "keep|black",
	 .arg = "keep|black", .help = "fill of the uncovered border"},
	{.name = "interpol", .short_name = 'i', .type = SH_OPT_CHOICE, .dest = &interpol,
	 .choices = "no|linear|bilinear|bicubic", .arg = "no|linear|bilinear|bicubic",
	 .help = "resampling of moved frames"},
	SH_VF_OUTPUT_OPTION(output),
	{0},
};

static void drain(sh_vgraph *g, uint8_t *frame, sh_y4m_out *out, int64_t *n)
{
	int r;
	while ((r = sh_vgraph_pull(g, frame)) == 1) {
		if (out && sh_y4m_write_frame(out, frame) != 0)
			sh_die("%s", sh_error());
		(*n)++;
	}
	if (r < 0)
		sh_die("%s", sh_error());
}

static sh_atomic *temp_file(const char *name)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/tmp", name);
	sh_atomic *a = sh_atomic_open(path);
	if (!a)
		sh_die("%s", sh_error());
	return a;
}

/* Where the frames come from and where pass 1 keeps what pass 2 needs. */
typedef struct {
	const char *input;
	sh_y4m_info info;
	bool reread;            /* a regular file, read twice; else spooled */
	sh_atomic *trf;         /* the transforms file */
	sh_atomic *spool;       /* pass 1's copy of a pipe */
	uint8_t *frame;
	int64_t nin;            /* frames measured */
} plan;

/* Open and check the input: frames large enough for the motion search. */
static sh_video_in *open_input(plan *p)
{
	sh_video_in *in = sh_video_in_open(p->input, 0);
	if (!in)
		sh_die("%s", sh_error());
	sh_y4m_info_copy(&p->info, sh_video_in_info(in));
	/* libvidstab's motion search reads outside frames narrower or lower than this */
	if (p->info.width < MIN_SIDE || p->info.height < MIN_SIDE)
		sh_die("%s: frames of %dx%d are too small for the motion search (at least %dx%d)",
		       strcmp(p->input, "-") ? p->input : "stdin", p->info.width, p->info.height, MIN_SIDE, MIN_SIDE);
	struct stat st;
	p->reread = strcmp(p->input, "-") != 0 && stat(p->input, &st) == 0 && S_ISREG(st.st_mode);
	p->trf = temp_file("stabilize.trf");
	p->spool = p->reread ? NULL : temp_file("stabilize-spool.y4m");
	p->frame = sh_malloc(p->info.frame_size);
	if (p->spool) {
		char hdr[SH_Y4M_MAX_HEADER + 128];
		size_t n = sh_y4m_format_header(&p->info, hdr, sizeof hdr);
		if (sh_write_all(sh_atomic_fd(p->spool), hdr, n) != 0)
			sh_die("%s", sh_error());
	}
	return in;
}

/* Pass 1: measure the motion between frames into the transforms file, spooling
 * a pipe on the way. */
static void measure(plan *p, sh_video_in *in)
{
	char sk[16], ac[16];
	snprintf(sk, sizeof sk, "%lld", (long long)shakiness);
	snprintf(ac, sizeof ac, "%lld", (long long)accuracy);
	const char *detect_opts[] = {"result", sh_atomic_tmpname(p->trf), "shakiness", sk, "accuracy", ac, NULL};
	sh_vgraph *g = sh_vgraph_new(&p->info, "vidstabdetect", detect_opts);
	if (!g)
		sh_die("pass 1: %s", sh_error());
	int64_t ndet = 0;
	size_t fs = p->info.frame_size;
	int r;
	while ((r = sh_video_in_read(in, p->frame)) == 1) {
		if (p->spool && (sh_write_all(sh_atomic_fd(p->spool), "FRAME\n", 6) != 0 ||
		                 sh_write_all(sh_atomic_fd(p->spool), p->frame, fs) != 0))
			sh_die("%s", sh_error());
		if (sh_vgraph_push(g, p->frame) < 0)
			sh_die("pass 1: %s", sh_error());
		p->nin++;
		drain(g, p->frame, NULL, &ndet);
	}
	if (r < 0)
		sh_die("%s", sh_error());
	if (sh_vgraph_push(g, NULL) < 0)
		sh_die("pass 1: %s", sh_error());
	drain(g, p->frame, NULL, &ndet);
	sh_vgraph_free(g); /* writes the transforms */
	sh_video_in_close(in);
	sh_note("pass 1: %lld frames measured", (long long)p->nin);
}

/* Pass 2: read the frames again, smooth the camera path, move each frame onto it. */
static void transform(plan *p, sh_y4m_out *out)
{
	sh_video_in *in = sh_video_in_open(p->reread ? p->input : sh_atomic_tmpname(p->spool), 0);
	if (!in)
		sh_die("pass 2: %s", sh_error());
	char sm[16], zm[32], oz[16];
	snprintf(sm, sizeof sm, "%lld", (long long)smoothing);
	snprintf(zm, sizeof zm, "%.6g", zoom);
	snprintf(oz, sizeof oz, "%lld", (long long)optzoom);
	const char *transform_opts[] = {"input", sh_atomic_tmpname(p->trf), "smoothing", sm, "zoom", zm,
	                                "optzoom", oz, "crop", crop, "interpol", interpol, NULL};
	sh_vgraph *g = sh_vgraph_new(&p->info, "vidstabtransform", transform_opts);
	if (!g)
		sh_die("pass 2: %s", sh_error());
	int64_t again = 0, nout = 0;
	int r;
	while ((r = sh_video_in_read(in, p->frame)) == 1) {
		if (sh_vgraph_push(g, p->frame) < 0)
			sh_die("pass 2: %s", sh_error());
		again++;
		drain(g, p->frame, out, &nout);
	}
	if (r < 0 || again != p->nin)
		sh_die("pass 2: %s", r < 0 ? sh_error() : "the input changed between the passes");
	if (sh_vgraph_push(g, NULL) < 0)
		sh_die("pass 2: %s", sh_error());
	drain(g, p->frame, out, &nout);
	sh_vgraph_free(g);
	sh_video_in_close(in);
	if (nout != p->nin)
		sh_die("pass 2: %lld frames in, %lld out", (long long)p->nin, (long long)nout);
}

/* One option against another, so --print-config refuses what a run would. */
static int check_search(void)
{
	if (accuracy < shakiness) {
		sh_set_error("--accuracy %lld must be at least --shakiness %lld", (long long)accuracy, (long long)shakiness);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	sh_program prog = {.usage = "stabilize [options] [FILE]",
	                   .summary = "two-pass stabilization of a y4m stream (libvidstab)",
	                   .check = check_search};
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	plan p = {.input = sh_vf_operand(argc, argv, first)};
	if (!p.input)
		sh_usage_error("%s", sh_error());
	av_log_set_level(sh_verbose ? AV_LOG_INFO : AV_LOG_ERROR);

	measure(&p, open_input(&p));
	sh_y4m_out *out = sh_y4m_create(output, &p.info);
	if (!out)
		sh_die("%s", sh_error());
	if (p.nin > 0)
		transform(&p, out);
	if (sh_y4m_finish(out) != 0)
		sh_die("%s", sh_error());
	sh_atomic_abort(p.trf);
	if (p.spool)
		sh_atomic_abort(p.spool);
	sh_y4m_info_free(&p.info);
	free(p.frame);
	return 0;
}
