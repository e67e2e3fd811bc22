/* stabilize -- two-pass video stabilization of a y4m stream with libvidstab,
 * through libavfilter's vidstabdetect and vidstabtransform.
 *
 *   stabilize [options] [FILE]   y4m on stdin or FILE, y4m on stdout or -o FILE
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
	{"shakiness", 'S', SH_OPT_INT, &shakiness, 1, 10, NULL, 0, false, "N",
	 "how shaky the footage is (5; 1..10)"},
	{"accuracy", 'a', SH_OPT_INT, &accuracy, 1, 15, NULL, 0, false, "N",
	 "motion search accuracy (15; 1..15)"},
	{"smoothing", 's', SH_OPT_INT, &smoothing, 0, 1000, NULL, 0, false, "FRAMES",
	 "frames each side in the camera path; 0 = tripod (15)"},
	{"zoom", 'z', SH_OPT_DOUBLE, &zoom, -100, 100, NULL, 0, false, "PERCENT",
	 "extra zoom in percent (0; -100..100)"},
	{"optzoom", 'Z', SH_OPT_INT, &optzoom, 0, 2, NULL, 0, false, "0|1|2",
	 "automatic zoom: 0 none, 1 static, 2 adaptive (1)"},
	{"crop", 'c', SH_OPT_CHOICE, &crop, 0, 0, "keep|black", 0, false, "keep|black",
	 "fill of the uncovered border (keep)"},
	{"interpol", 'i', SH_OPT_CHOICE, &interpol, 0, 0, "no|linear|bilinear|bicubic", 0, false,
	 "no|linear|bilinear|bicubic", "resampling of moved frames (bilinear)"},
	SH_VF_OUTPUT_OPTION(output),
	{0},
};

static void drain(sh_vgraph *g, uint8_t *frame, sh_y4m_out *out, int64_t *n)
{
	int r;
	while ((r = sh_vgraph_pull(g, frame)) == 1) {
		if (out)
			sh_y4m_write_frame(out, frame);
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

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	sh_program prog = {"stabilize [options] [FILE]", "two-pass stabilization of a y4m stream (libvidstab)", false, 0,
	                   false};
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	const char *input = sh_vf_operand(argc, argv, first);
	if (accuracy < shakiness)
		sh_usage_error("--accuracy %lld must be at least --shakiness %lld", (long long)accuracy,
		               (long long)shakiness);
	av_log_set_level(sh_verbose ? AV_LOG_INFO : AV_LOG_ERROR);

	sh_y4m_in *in = sh_y4m_open(input);
	if (!in)
		sh_die("%s", sh_error());
	sh_y4m_info info;
	sh_y4m_info_copy(&info, sh_y4m_in_info(in));
	/* libvidstab's motion search reads outside frames narrower or lower than this */
	if (info.width < MIN_SIDE || info.height < MIN_SIDE) {
		sh_y4m_close(in);
		sh_y4m_info_free(&info);
		sh_die("%s: frames of %dx%d are too small for the motion search (at least %dx%d)",
		       strcmp(input, "-") ? input : "stdin", info.width, info.height, MIN_SIDE, MIN_SIDE);
	}
	struct stat st;
	bool reread = strcmp(input, "-") != 0 && stat(input, &st) == 0 && S_ISREG(st.st_mode);

	sh_atomic *trf = temp_file("stabilize.trf");
	sh_atomic *spool = reread ? NULL : temp_file("stabilize-spool.y4m");
	uint8_t *frame = sh_malloc(info.frame_size);
	if (spool) {
		char hdr[SH_Y4M_MAX_HEADER + 128];
		size_t n = sh_y4m_format_header(&info, hdr, sizeof hdr);
		if (sh_write_all(sh_atomic_fd(spool), hdr, n) != 0)
			sh_die("%s", sh_error());
	}

	/* pass 1: measure */
	char sk[16], ac[16], sm[16], zm[32], oz[16];
	snprintf(sk, sizeof sk, "%lld", (long long)shakiness);
	snprintf(ac, sizeof ac, "%lld", (long long)accuracy);
	const char *detect_opts[] = {"result", sh_atomic_tmpname(trf), "shakiness", sk, "accuracy", ac, NULL};
	sh_vgraph *g = sh_vgraph_new(&info, "vidstabdetect", detect_opts);
	if (!g)
		sh_die("pass 1: %s", sh_error());
	int64_t nin = 0, nout = 0, ndet = 0;
	int r;
	while ((r = sh_y4m_read_frame(in, frame)) == 1) {
		if (spool) {
			if (sh_write_all(sh_atomic_fd(spool), "FRAME\n", 6) != 0)
				sh_die("%s", sh_error());
			if (sh_write_all(sh_atomic_fd(spool), frame, info.frame_size) != 0)
				sh_die("%s", sh_error());
		}
		if (sh_vgraph_push(g, frame) < 0)
			sh_die("pass 1: %s", sh_error());
		nin++;
		drain(g, frame, NULL, &ndet);
	}
	if (r < 0)
		sh_die("%s", sh_error());
	if (sh_vgraph_push(g, NULL) < 0)
		sh_die("pass 1: %s", sh_error());
	drain(g, frame, NULL, &ndet);
	sh_vgraph_free(g); /* writes the transforms */
	sh_y4m_close(in);
	sh_note("pass 1: %lld frames measured", (long long)nin);

	/* pass 2: transform */
	sh_y4m_out *out = sh_y4m_create(output, &info);
	if (nin > 0) {
		in = sh_y4m_open(reread ? input : sh_atomic_tmpname(spool));
		if (!in)
			sh_die("pass 2: %s", sh_error());
		snprintf(sm, sizeof sm, "%lld", (long long)smoothing);
		snprintf(zm, sizeof zm, "%.6g", zoom);
		snprintf(oz, sizeof oz, "%lld", (long long)optzoom);
		const char *transform_opts[] = {"input", sh_atomic_tmpname(trf), "smoothing", sm, "zoom", zm,
		                                "optzoom", oz, "crop", crop, "interpol", interpol, NULL};
		g = sh_vgraph_new(&info, "vidstabtransform", transform_opts);
		if (!g)
			sh_die("pass 2: %s", sh_error());
		int64_t again = 0;
		while ((r = sh_y4m_read_frame(in, frame)) == 1) {
			if (sh_vgraph_push(g, frame) < 0)
				sh_die("pass 2: %s", sh_error());
			again++;
			drain(g, frame, out, &nout);
		}
		if (r < 0 || again != nin)
			sh_die("pass 2: %s", r < 0 ? sh_error() : "the input changed between the passes");
		if (sh_vgraph_push(g, NULL) < 0)
			sh_die("pass 2: %s", sh_error());
		drain(g, frame, out, &nout);
		sh_vgraph_free(g);
		sh_y4m_close(in);
		if (nout != nin)
			sh_die("pass 2: %lld frames in, %lld out", (long long)nin, (long long)nout);
	}
	sh_y4m_finish(out);
	sh_atomic_abort(trf);
	if (spool)
		sh_atomic_abort(spool);
	sh_y4m_info_free(&info);
	free(frame);
	return 0;
}
