/* cutgen -- make a micro-sampling cut list: slice a source, then shuffle,
 * stutter, reverse and drop the pieces by chance. Given a cut list on stdin it
 * makes the same pass over that list's output and prints the composition. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audio.h"
#include "cli.h"
#include "cutlist.h"
#include "slicer.h"

static sh_program prog = {
	.usage = "cutgen [options] [SOURCE | CUTLIST | -]",
	.summary = "Make a micro-sampling cut list from an audio source, a duration, or a cut list to chain.",
	.has_seed = true,
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
	SH_SLICER_OPTIONS(opt.knobs, "chance a slice moves, 0..1 (default 0.5)"),
	{"duration", 'D', SH_OPT_DURATION, &opt.duration, .scale = 1, .no_preset = true,
	 .help = "source length when there is no source (bare number: seconds)"},
	{"rate", 'R', SH_OPT_INT, &opt.rate, SH_MIN_RATE, SH_MAX_RATE, .help = "sample rate with --duration (default 48000)"},
	{"output", 'o', SH_OPT_STRING, &opt.output, .arg = "FILE", .no_preset = true,
	 .help = "write the cut list to FILE (default stdout)"},
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

/* Source length in samples and its rate, from an audio stream. */
static void measure_audio(sh_audio_in *in, int64_t *total, double *rate)
{
	*rate = sh_audio_rate(in);
	if (sh_audio_frames(in) >= 0) {
		*total = sh_audio_frames(in);
		return;
	}
	size_t ch = (size_t)sh_audio_channels(in), n;
	float *buf = sh_malloc(65536 * ch * sizeof(float));
	*total = 0;
	while ((n = sh_audio_read_or_die(in, buf, 65536)) > 0)
		*total += (int64_t)n;
	free(buf);
}

static sh_cutlist *read_cutlist(int fd, const char *name, const char *pre, size_t npre)
{
	size_t cap = npre + 65536, n = npre;
	char *text = sh_malloc(cap + 1);
	memcpy(text, pre, npre);
	ssize_t r;
	while ((r = read(fd, text + n, cap - n)) > 0) {
		n += (size_t)r;
		if (n == cap) {
			if (cap > ((size_t)1 << 31))
				sh_die("%s: cut list larger than 2 GiB", name);
			cap *= 2;
			text = sh_realloc(text, cap + 1, 1);
		}
	}
	if (r < 0)
		sh_die("%s: read error", name);
	sh_cutlist *cl = sh_cutlist_parse(text, n);
	free(text);
	if (!cl)
		sh_die("%s: %s", name, sh_error());
	return cl;
}

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	if (argc - first > 1)
		sh_usage_error("too many operands (try --help)");
	const char *source = first < argc ? argv[first] : NULL;
	bool have_duration = sh_option_given(options, "duration");
	if (source && have_duration)
		sh_usage_error("give a SOURCE or --duration, not both");

	sh_slicer_opts so = {.fps = opt.knobs.fps};

	sh_cutlist *chain_from = NULL;
	if (have_duration) {
		double seconds;
		if (sh_duration_seconds(&opt.duration, opt.knobs.bpm, sh_rational_value(opt.knobs.fps), (double)opt.rate,
		                        &seconds))
			sh_usage_error("--duration: %s", sh_error());
		so.rate = (double)opt.rate;
		so.total = sh_seconds_to_index(seconds, so.rate);
	} else {
		bool is_stdin = !source || !strcmp(source, "-");
		int fd = is_stdin ? 0 : open(source, O_RDONLY);
		if (fd < 0)
			sh_die("%s: %s", source, strerror(errno));
		if (is_stdin && isatty(0))
			sh_usage_error("no source: give a SOURCE file, --duration, or pipe audio or a cut list in");
		char pre[4096];
		size_t npre = sniff(fd, pre, 64);
		const char *name = is_stdin ? "stdin" : source;
		if (looks_like_json(pre, npre)) {
			chain_from = read_cutlist(fd, name, pre, npre);
			if (!(chain_from->src_rate > 0))
				sh_die("%s: the cut list does not give its source rate, which chaining needs", name);
			so.rate = chain_from->src_rate;
			so.total = sh_seconds_to_index(sh_cutlist_duration(chain_from), so.rate);
			if (!so.fps.num)
				so.fps = chain_from->fps;
		} else {
			sh_audio_in *in = sh_audio_open_fd(fd, name, pre, npre);
			if (!in)
				sh_die("%s", sh_error());
			measure_audio(in, &so.total, &so.rate);
			sh_audio_close(in);
		}
		if (!is_stdin)
			close(fd);
	}

	double *times;
	sh_slicer_from_cli(&opt.knobs, prog.seed, &so, &times);

	sh_cutlist *pass = sh_slice(&so, prog.seed);
	if (!pass)
		sh_die("%s", sh_error());
	json_t *made = json_object();
	json_object_set_new(made, "program", json_string("cutgen"));
	json_object_set_new(made, "version", json_string(SHARDS_VERSION));
	json_object_set_new(made, "options", sh_options_json(options));
	json_object_set_new(made, "drawn", sh_slicer_drawn_json(&so));
	pass->made_by = made;

	sh_cutlist *result = pass;
	if (chain_from) {
		result = sh_cutlist_compose(chain_from, pass);
		if (!result)
			sh_die("%s", sh_error());
		sh_cutlist_free(pass);
		sh_cutlist_free(chain_from);
	}
	sh_note("seed %llu", (unsigned long long)prog.seed);
	char *text = sh_cutlist_dump(result);
	if (sh_write_file_atomic(opt.output, text, strlen(text)) != 0)
		sh_die("%s", sh_error());
	free(text);
	free(times);
	sh_cutlist_free(result);
	return 0;
}
