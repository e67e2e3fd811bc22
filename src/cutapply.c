/* cutapply -- render a cut list over a source: audio (AU/WAV on stdin, any file
 * libsndfile reads) or YUV4MPEG2 video, so one list cuts sound and picture at the
 * same instants. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio.h"
#include "cli.h"
#include "cutlist.h"
#include "render.h"
#include "y4m.h"

static sh_program prog = {
	.usage = "cutapply [options] CUTS [SOURCE]",
	.summary = "Render a cut list over audio or y4m video (SOURCE or stdin); audio out is AU float or -o FILE.",
	.max_operands = 2,
};

static struct {
	const char *output;
	const char *bits;
	const char *fit;       /* none: exact reuse only; scale/wrap: reuse a list on other lengths */
	sh_duration declick;   /* 0: clean digital cuts (the point); 2ms: softened edges */
	const char *drop;      /* video: black gaps or a frozen frame where audio drops out */
	int64_t memory;        /* MiB of piped input kept in memory before spooling to $TMPDIR */
} opt = {
	.fit = "none",
	.drop = "black",
	.memory = 256,
};

static sh_option options[] = {
	{.name = "output", .short_name = 'o', .type = SH_OPT_STRING, .dest = &opt.output, .arg = "FILE",
	 .no_preset = true, .help = "write to FILE (format by extension) instead of stdout"},
	SH_AUDIO_BITS_OPTION(opt.bits),
	{.name = "fit", .type = SH_OPT_CHOICE, .dest = &opt.fit, .choices = "none|scale|wrap",
	 .help = "cuts past the source's end: none is an error; scale and wrap reuse a list on other lengths"},
	{.name = "declick", .type = SH_OPT_DURATION, .dest = &opt.declick, .scale = 0.001, .arg = "DUR",
	 .help = "fade each piece's edges over DUR (bare number: ms; default off: clean digital cuts)"},
	{.name = "drop", .type = SH_OPT_CHOICE, .dest = &opt.drop, .choices = "black|hold",
	 .help = "video: dropped pieces show black gaps or hold the last frame"},
	{.name = "memory", .type = SH_OPT_INT, .dest = &opt.memory, .min = 1, .max = 65536, .arg = "MIB", .unit = "MiB",
	 .help = "piped input kept in memory before spooling to $TMPDIR"},
	{0},
};

/* The render options, and the output, before any work. */
static size_t validate(sh_render_opts *ro)
{
	*ro = (sh_render_opts){0};
	if (sh_parse_cut_fit(opt.fit, &ro->fit) != 0)
		sh_usage_error("--fit: %s", sh_error());
	if (sh_option_given(options, "declick") &&
	    sh_duration_seconds(&opt.declick, 0, 0, 0, &ro->declick) != 0)
		sh_usage_error("--declick: %s", sh_error());
	/* the output must be possible before any work: refuse a terminal at once */
	if (!opt.output || !strcmp(opt.output, "-"))
		if (sh_stdout_binary() != 0)
			sh_die("%s", sh_error());
	return (size_t)opt.memory << 20;
}

/* The first bytes of the source, to tell video from audio: how many were read. */
static size_t sniff(int fd, const char *name, char *pre, size_t want)
{
	size_t npre = 0;
	while (npre < want) {
		ssize_t r = read(fd, pre + npre, want - npre);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			if (errno == EISDIR)
				sh_die("%s: is a directory", name);
			sh_die("%s: %s", name, strerror(errno));
		}
		if (r == 0)
			break;
		npre += (size_t)r;
	}
	return npre;
}

static void apply_to_video(const sh_cutlist *cl, int fd, const char *name, const char *pre, size_t npre,
                           const sh_render_opts *ro, size_t spool)
{
	if (opt.bits)
		sh_usage_error("--bits applies to audio, not video");
	sh_y4m_in *in = sh_y4m_open_fd(fd, name, pre, npre);
	if (!in)
		sh_die("%s", sh_error());
	struct stat st;
	int file_fd = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && lseek(fd, 0, SEEK_CUR) >= 0 ? fd : -1;
	sh_video_drop drop = !strcmp(opt.drop, "hold") ? SH_DROP_HOLD : SH_DROP_BLACK;
	if (sh_render_y4m(cl, in, file_fd, opt.output, ro, drop, spool) != 0)
		sh_die("%s", sh_error());
	sh_y4m_close(in);
}

static void apply_to_audio(const sh_cutlist *cl, int fd, const char *name, const char *pre, size_t npre,
                           const sh_render_opts *ro, size_t spool)
{
	sh_audio_in *in = sh_audio_open_fd(fd, name, pre, npre);
	if (!in)
		sh_die("%s", sh_error());
	/* exact reuse streams a pipe; fitting to its length must read it all first */
	sh_audio_source *src = ro->fit == SH_CUT_FIT_NONE ? sh_audio_source_open_lazy(in, spool)
	                                              : sh_audio_source_open(in, spool);
	if (!src)
		sh_die("%s", sh_error());
	int rate = sh_audio_rate(in), ch = sh_audio_channels(in);
	if (sh_audio_source_complete(src) && sh_render_check(cl, sh_audio_source_frames(src), rate, ro) != 0)
		sh_die("%s", sh_error());
	sh_audio_out_opts oo = {.bits = sh_parse_bits(opt.bits)};
	if (sh_audio_check_output(opt.output, oo.bits, rate, ch) != 0)
		sh_usage_error("%s", sh_error());
	sh_audio_out *out = sh_audio_create(opt.output, rate, ch, &oo);
	if (!out || sh_render_audio(cl, src, rate, ch, out, ro) != 0 || sh_audio_finish(out) != 0)
		sh_die("%s", sh_error());
	sh_audio_source_close(src);
	sh_audio_close(in);
}

int main(int argc, char **argv)
{
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	if (argc - first < 1)
		sh_usage_error("missing CUTS (try --help)");
	const char *cuts_path = argv[first];
	const char *source = argc - first == 2 ? argv[first + 1] : "-";
	bool src_stdin = !strcmp(source, "-");
	if (!strcmp(cuts_path, "-") && src_stdin)
		sh_usage_error("the cut list and the source cannot both come from stdin");
	sh_render_opts ro;
	size_t spool = validate(&ro);

	sh_cutlist *cl = sh_cutlist_load(cuts_path);
	if (!cl)
		sh_die("%s", sh_error());
	int fd = src_stdin ? 0 : open(source, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		sh_die("%s: %s", source, strerror(errno));
	const char *name = src_stdin ? "stdin" : source;
	char pre[16];
	size_t npre = sniff(fd, name, pre, 10);
	if (npre >= 9 && !memcmp(pre, "YUV4MPEG2", 9))
		apply_to_video(cl, fd, name, pre, npre, &ro, spool);
	else
		apply_to_audio(cl, fd, name, pre, npre, &ro, spool);
	if (!src_stdin)
		close(fd);
	sh_cutlist_free(cl);
	return 0;
}
