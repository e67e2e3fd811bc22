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
#include "onsets.h"
#include "rng.h"
#include "slicer.h"

static sh_program prog = {
	.usage = "cutgen [options] [SOURCE | CUTLIST | -]",
	.summary = "Make a micro-sampling cut list from an audio source, a duration, or a cut list to chain.",
	.has_seed = true,
};

static struct {
	sh_duration slice;     /* 40ms: tight glitch grains; 250ms+: phrases keep their shape */
	int64_t slices;        /* N equal slices instead of a slice length */
	const char *onsets;    /* cut at transients instead: the grains follow the playing */
	sh_range shuffle;      /* 0: order kept; 1: every slice moves */
	sh_range stutter;      /* 0: none; 0.3: a machine-gun repeat now and then; 1: all */
	int64_t max_repeats;   /* 2: flams; 8+: buzzing rolls */
	sh_range reverse;      /* share of pieces played backwards: swells, sucked-in hits */
	sh_range drop;         /* share of pieces turned to silence: air and gaps */
	double bpm;            /* tempo for slices in beats or note values (1/16) */
	sh_rational fps;       /* snap every cut to this frame grid (video lockstep) */
	sh_duration duration;  /* source length when there is no source */
	int64_t rate;          /* sample rate assumed with --duration */
	const char *output;
} opt = {
	.slice = {0.04, SH_DUR_SECONDS},
	.shuffle = {0.5, 0.5},
	.stutter = {0.2, 0.2},
	.max_repeats = 4,
	.reverse = {0.15, 0.15},
	.drop = {0, 0},
	.rate = 48000,
};

static sh_option options[] = {
	{"slice", 's', SH_OPT_DURATION, &opt.slice, .scale = 0.001, .arg = "DUR",
	 .help = "slice length: 40ms, 0.5s, 2f, 1/16 (bare number: ms; default 40ms)"},
	{"slices", 'n', SH_OPT_INT, &opt.slices, 1, 10000000, .help = "cut into N equal slices instead"},
	{"onsets", 0, SH_OPT_STRING, &opt.onsets, .arg = "FILE", .no_preset = true,
	 .help = "cut at the onsets in FILE (JSON from onsets(1)) instead"},
	{"shuffle", 'S', SH_OPT_RANGE, &opt.shuffle, 0, 1, .arg = "P", .help = "chance a slice moves, 0..1 (default 0.5)"},
	{"stutter", 't', SH_OPT_RANGE, &opt.stutter, 0, 1, .arg = "P", .help = "chance a piece repeats, 0..1 (default 0.2)"},
	{"max-repeats", 'm', SH_OPT_INT, &opt.max_repeats, 2, 64, .help = "a stutter plays 2..N times (default 4)"},
	{"reverse", 'r', SH_OPT_RANGE, &opt.reverse, 0, 1, .arg = "P", .help = "chance a piece plays backwards (default 0.15)"},
	{"drop", 'd', SH_OPT_RANGE, &opt.drop, 0, 1, .arg = "P", .help = "chance a piece is silence (default 0)"},
	{"bpm", 'b', SH_OPT_DOUBLE, &opt.bpm, 1, 1000, .help = "tempo for beat and note-value slices"},
	{"fps", 'f', SH_OPT_RATE, &opt.fps, .help = "snap cuts to this frame rate (30, 25, 30000/1001)"},
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
	if (argc - first > 1)
		sh_usage_error("too many operands (try --help)");
	const char *source = first < argc ? argv[first] : NULL;
	bool have_duration = sh_option_given(options, "duration");
	if (source && have_duration)
		sh_usage_error("give a SOURCE or --duration, not both");

	sh_rng draw; /* ranges are drawn per run from their own stream */
	sh_rng_seed(&draw, prog.seed ^ 0x5eed5eedULL);
	sh_slicer_opts so = {
		.slices = opt.slices,
		.shuffle = sh_rng_between(&draw, opt.shuffle.lo, opt.shuffle.hi),
		.stutter = sh_rng_between(&draw, opt.stutter.lo, opt.stutter.hi),
		.reverse = sh_rng_between(&draw, opt.reverse.lo, opt.reverse.hi),
		.drop = sh_rng_between(&draw, opt.drop.lo, opt.drop.hi),
		.max_repeats = opt.max_repeats,
		.fps = opt.fps,
	};

	sh_cutlist *chain_from = NULL;
	if (have_duration) {
		double seconds;
		if (sh_duration_seconds(&opt.duration, opt.bpm, sh_rational_value(opt.fps), (double)opt.rate, &seconds))
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

	double *times = NULL;
	if (opt.onsets) {
		if (sh_onsets_load(opt.onsets, &times, &so.nonsets) != 0)
			sh_die("%s", sh_error());
		so.onsets = times;
	} else if (!opt.slices) {
		if (sh_duration_seconds(&opt.slice, opt.bpm, sh_rational_value(so.fps), so.rate, &so.slice))
			sh_usage_error("--slice: %s", sh_error());
	}

	sh_cutlist *pass = sh_slice(&so, prog.seed);
	if (!pass)
		sh_die("%s", sh_error());
	json_t *made = json_object();
	json_object_set_new(made, "program", json_string("cutgen"));
	json_object_set_new(made, "version", json_string(SHARDS_VERSION));
	json_object_set_new(made, "options", sh_options_json(options));
	json_t *drawn = json_object();
	json_object_set_new(drawn, "shuffle", json_real(so.shuffle));
	json_object_set_new(drawn, "stutter", json_real(so.stutter));
	json_object_set_new(drawn, "reverse", json_real(so.reverse));
	json_object_set_new(drawn, "drop", json_real(so.drop));
	json_object_set_new(made, "drawn", drawn);
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
	sh_write_file_atomic(opt.output, text, strlen(text));
	free(text);
	free(times);
	sh_cutlist_free(result);
	return 0;
}
