/* cutgen -- make a micro-sampling cut list: slice a source, then shuffle,
 * stutter, reverse and drop the pieces by chance. Given a cut list on stdin it
 * makes the same pass over that list's output and prints the composition. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "audio.h"
#include "cli.h"
#include "cutlist.h"
#include "slicer.h"

static sh_program prog = {
	.usage = "cutgen [options] [SOURCE | CUTLIST | -]",
	.summary = "Make a micro-sampling cut list from an audio source, a duration, or a cut list to chain.",
	.has_seed = true,
	.max_operands = 1,
};

static struct {
	sh_slicer_cli knobs;
	sh_duration duration;  /* source length when there is no source */
	int64_t rate;          /* sample rate assumed with --duration */
	const char *output;
} opt = {
	.knobs = SH_SLICER_CLI_DEFAULTS(0.5),
	.rate = 48000,
};

static sh_option options[] = {
	SH_SLICER_OPTIONS(opt.knobs),
	{.name = "whole-frames", .type = SH_OPT_FLAG, .dest = &opt.knobs.whole_frames,
	 .help = "with --fps: leave out the source's last part of a frame, so the list lasts whole frames, "
	         "exactly as long as the picture it cuts"},
	{.name = "duration", .short_name = 'D', .type = SH_OPT_DURATION, .dest = &opt.duration, .scale = 1,
	 .no_preset = true, .help = "source length when there is no source (bare number: seconds)"},
	{.name = "rate", .short_name = 'r', .type = SH_OPT_INT, .dest = &opt.rate, .min = SH_MIN_RATE,
	 .max = SH_MAX_RATE, .unit = "Hz", .help = "sample rate with --duration"},
	{.name = "output", .short_name = 'o', .type = SH_OPT_STRING, .dest = &opt.output, .arg = "FILE",
	 .no_preset = true, .help = "write the cut list to FILE instead of stdout"},
	{0},
};

/* Peek at stdin: a cut list starts with '{', audio with its magic. */
static size_t sniff(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	while (n < cap) {
		ssize_t r = read(fd, buf + n, cap - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		size_t i = 0;
		while (i < n && strchr(" \t\r\n", buf[i]))
			i++;
		if (i < n)
			break;
	}
	return n;
}

static bool looks_like_json(const char *buf, size_t n)
{
	size_t i = 0;
	while (i < n && strchr(" \t\r\n", buf[i]))
		i++;
	return i < n && buf[i] == '{';
}

/* Source length in samples and its rate, from an audio stream. A file's header
 * says its length; a pipe is read to its end (it is spent anyway), which also
 * refuses non-finite samples, as every reader of audio does. */
static void measure_audio(sh_audio_in *in, bool is_stdin, int64_t *total, double *rate)
{
	*rate = sh_audio_rate(in);
	if (!is_stdin && sh_audio_frames(in) >= 0) {
		*total = sh_audio_frames(in);
		return;
	}
	size_t ch = (size_t)sh_audio_channels(in);
	float *buf = sh_malloc(65536 * ch * sizeof(float));
	*total = 0;
	ssize_t n;
	while ((n = sh_audio_read(in, buf, 65536)) > 0)
		*total += (int64_t)n;
	free(buf);
	if (n < 0)
		sh_die("%s", sh_error());
}

static sh_cutlist *read_cutlist(int fd, const char *name, const char *pre, size_t npre)
{
	sh_cutlist *cl = sh_cutlist_read(fd, pre, npre, SH_CUTLIST_MAX_BYTES);
	if (!cl)
		sh_die("%s: %s", name, sh_error());
	return cl;
}

/* The timeline to slice when there is no source: --duration at --rate. */
static void timeline_of_duration(sh_slicer_opts *so)
{
	double seconds;
	if (sh_duration_seconds(&opt.duration, opt.knobs.bpm, sh_rational_value(opt.knobs.fps), (double)opt.rate,
	                        &seconds))
		sh_usage_error("--duration: %s", sh_error());
	so->rate = (double)opt.rate;
	so->total = sh_seconds_to_index(seconds, so->rate);
}

/* The timeline of SOURCE (a file, or stdin when NULL or "-"): audio is measured;
 * a cut list is returned, for the pass to chain onto. */
static sh_cutlist *timeline_of_source(const char *source, sh_slicer_opts *so)
{
	bool is_stdin = !source || !strcmp(source, "-");
	int fd = is_stdin ? 0 : open(source, O_RDONLY);
	if (fd < 0)
		sh_die("%s: %s", source, strerror(errno));
	if (is_stdin && isatty(0))
		sh_usage_error("no source: give a SOURCE file, --duration, or pipe audio or a cut list in");
	char pre[4096];
	size_t npre = sniff(fd, pre, 64);
	const char *name = is_stdin ? "stdin" : source;
	sh_cutlist *chain_from = NULL;
	if (looks_like_json(pre, npre)) {
		chain_from = read_cutlist(fd, name, pre, npre);
		if (!(chain_from->src_rate > 0))
			sh_die("%s: the cut list does not give its source rate, which chaining needs", name);
		so->rate = chain_from->src_rate;
		so->total = sh_seconds_to_index(sh_cutlist_duration(chain_from), so->rate);
		if (!so->fps.num)
			so->fps = chain_from->fps;
	} else {
		sh_audio_in *in = sh_audio_open_fd(fd, name, pre, npre);
		if (!in)
			sh_die("%s", sh_error());
		measure_audio(in, is_stdin, &so->total, &so->rate);
		sh_audio_close(in);
	}
	if (!is_stdin)
		close(fd);
	return chain_from;
}

/* The pass over the timeline, composed after the list it chains onto. */
static sh_cutlist *plan(sh_cutlist *chain_from, sh_slicer_opts *so)
{
	sh_cutlist *pass;
	if (opt.knobs.whole_frames && !so->fps.num)
		sh_usage_error("--whole-frames needs a frame grid: give --fps");
	int bad = sh_slicer_pass(&opt.knobs, prog.seed, so, NULL, &pass);
	if (bad == SH_EXIT_USAGE)
		sh_usage_error("%s", sh_error());
	if (bad)
		sh_die("%s", sh_error());
	json_t *settings = sh_options_json(options);
	if (!opt.knobs.whole_frames) /* lists made without it read as they always did */
		json_object_del(settings, "whole-frames");
	pass->made_by = sh_slicer_made_by("cutgen", settings, so);
	if (!chain_from)
		return pass;
	sh_cutlist *result = sh_cutlist_compose(chain_from, pass);
	if (!result)
		sh_die("%s", sh_error());
	sh_cutlist_free(pass);
	sh_cutlist_free(chain_from);
	return result;
}

int main(int argc, char **argv)
{
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	const char *source = first < argc ? argv[first] : NULL;
	bool have_duration = sh_option_given(options, "duration");
	if (source && have_duration)
		sh_usage_error("give a SOURCE or --duration, not both");

	sh_slicer_opts so = {.fps = opt.knobs.fps};
	sh_cutlist *chain_from = NULL;
	if (have_duration)
		timeline_of_duration(&so);
	else
		chain_from = timeline_of_source(source, &so);
	sh_cutlist *result = plan(chain_from, &so);
	sh_note("seed %llu", (unsigned long long)prog.seed);
	char *text = sh_cutlist_dump(result);
	if (sh_write_file_atomic(opt.output, text, strlen(text)) != 0)
		sh_die("%s", sh_error());
	free(text);
	sh_cutlist_free(result);
	return 0;
}
