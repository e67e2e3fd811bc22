/* analysis.c -- block reader with mono downmix for the analysis programs, and
 * their driver: options, sections, one input or many. */
#include "analysis.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio.h"
#include "cli.h"

#define BLOCK 8192

int sh_analysis_parse_start(const char *text, sh_duration *out)
{
	sh_duration d;
	if (sh_parse_time(text, 1, &d) != 0)
		return -1;
	if (d.unit == SH_DUR_FRAMES || d.unit == SH_DUR_BEATS) {
		sh_set_error("'%s': give s, ms, min or smp (frames and beats mean nothing here)", text);
		return -1;
	}
	*out = d;
	return 0;
}

static int64_t to_frames(const sh_duration *d, int rate)
{
	return d->unit == SH_DUR_SAMPLES ? (int64_t)llround(d->amount) : (int64_t)llround(d->amount * rate);
}

ssize_t sh_analysis_stream(const char *path, const sh_analysis_section *section,
                           int (*init)(void *user, int rate), sh_mono_fn fn, void *user, char **name,
                           int *rate_out, double *start_out)
{
	sh_audio_in *in = sh_audio_open(path ? path : "-");
	if (!in)
		return -1;
	int ch = sh_audio_channels(in), rate = sh_audio_rate(in);
	if (name)
		*name = sh_strdup(sh_audio_name(in));
	if (rate_out)
		*rate_out = rate;
	int64_t skip = section ? to_frames(&section->start, rate) : 0;
	int64_t want = section && section->length.amount > 0 ? to_frames(&section->length, rate) : -1;
	if (want == 0)
		want = 1;
	if (start_out)
		*start_out = (double)skip / rate;
	float *buf = sh_malloc((size_t)BLOCK * ch * sizeof(float));
	float *mono = NULL;
	ssize_t total = -1, got = 0;
	/* The section's start: a seek where the input allows it, else read past. */
	int64_t frames = sh_audio_frames(in), skipped = 0;
	bool past = skip > 0 && frames >= 0 && skip >= frames;
	if (!past && skip > 0 && sh_audio_seekable(in)) {
		if (sh_audio_seek(in, skip) != 0)
			goto done;
		skipped = skip;
	}
	while (!past && skipped < skip &&
	       (got = sh_audio_read(in, buf, (size_t)(skip - skipped < BLOCK ? skip - skipped : BLOCK))) > 0)
		skipped += got;
	if (got < 0)
		goto done;
	if (past || skipped < skip) {
		sh_set_error("%s: --start %s is past the end (%.6g s)", sh_audio_name(in),
		             section->start_text ? section->start_text : "", (double)(frames >= 0 ? frames : skipped) / rate);
		goto done;
	}
	if (init(user, rate) != 0)
		goto done;
	mono = sh_malloc((size_t)BLOCK * sizeof(float));
	total = 0;
	while (want < 0 || total < want) {
		size_t ask = want >= 0 && want - total < BLOCK ? (size_t)(want - total) : BLOCK;
		if ((got = sh_audio_read(in, buf, ask)) <= 0)
			break;
		sh_audio_downmix(buf, (size_t)got, ch, mono);
		fn(user, mono, (size_t)got);
		total += got;
	}
	if (got < 0)
		total = -1;
	else if (skip > 0 && total == 0) { /* a pipe that ended right at the start */
		sh_set_error("%s: --start %s is past the end (%.6g s)", sh_audio_name(in),
		             section->start_text ? section->start_text : "", (double)skipped / rate);
		total = -1;
	}
done:
	sh_audio_close(in);
	free(buf);
	free(mono);
	return total;
}

/* The operand after two spaces, as md5sum writes it: a name with a backslash or
 * a line break escaped, and *escaped set (the line then starts with "\"). */
static void add_name(sh_strbuf *b, const char *path, bool *escaped)
{
	*escaped = strpbrk(path, "\\\n\r") != NULL;
	if (!*escaped) {
		sh_strbuf_str(b, path);
		return;
	}
	for (const char *p = path; *p; p++)
		sh_strbuf_str(b, *p == '\\' ? "\\\\" : *p == '\n' ? "\\n" : *p == '\r' ? "\\r" : (char[2]){*p, 0});
}

/* One input's line in a run of several (see analysis.h): 0, or -1 with
 * sh_error() when the name cannot be a JSON string. */
static int add_line(sh_strbuf *out, const char *path, const char *txt, size_t len)
{
	if (len > 0 && txt[0] == '{') {
		json_t *s = json_string(path);
		if (!s)
			s = json_string_nocheck(path); /* not UTF-8: the bytes as they are */
		char *q = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
		json_decref(s);
		if (!q) {
			sh_set_error("%s: cannot write the name as a JSON string", path);
			return -1;
		}
		sh_strbuf_str(out, "{\"file\":");
		sh_strbuf_str(out, q);
		free(q);
		size_t i = 1;
		while (i < len && (txt[i] == '\n' || txt[i] == ' '))
			i++;
		if (i < len && txt[i] != '}')
			sh_strbuf_str(out, ",");
		/* A JSON string holds no raw line break: dropping them all keeps the document. */
		for (; i < len; i++)
			if (txt[i] != '\n')
				sh_strbuf_add(out, txt + i, 1);
		sh_strbuf_str(out, "\n");
		return 0;
	}
	size_t first = 0;
	while (first < len && txt[first] != '\n')
		first++;
	sh_strbuf line = {0};
	sh_strbuf_add(&line, txt, first);
	sh_strbuf_str(&line, "  ");
	bool escaped;
	add_name(&line, path, &escaped);
	sh_strbuf_str(&line, "\n");
	if (escaped)
		sh_strbuf_str(out, "\\");
	sh_strbuf_add(out, line.s, line.n);
	free(line.s);
	return 0;
}

/* Whether MSG starts with "NAME:". */
static bool names(const char *msg, const char *name)
{
	size_t n = strlen(name);
	return !strncmp(msg, name, n) && msg[n] == ':';
}

int sh_analysis_main(const sh_analysis_program *a, int argc, char **argv)
{
	sh_init(argc, argv);
	const char *out_path = "-", *start_text = "0";
	sh_duration length = {1, SH_DUR_SECONDS};
	size_t n = 0;
	while (a->options[n].name)
		n++;
	sh_option *opts = sh_calloc(n + 4, sizeof *opts);
	memcpy(opts, a->options, n * sizeof *opts);
	opts[n] = (sh_option){.name = "start", .type = SH_OPT_STRING, .dest = &start_text, .no_preset = true,
	                      .arg = "TIME", .help = "analyse from this far into each input: seconds, 500ms, 1200smp"};
	opts[n + 1] = (sh_option){.name = "duration", .type = SH_OPT_DURATION, .dest = &length, .scale = 1,
	                          .no_preset = true, .arg = "DUR",
	                          .help = "analyse this much of each input: seconds, 500ms, 1200smp; unset: to the end"};
	opts[n + 2] = (sh_option){.name = "output", .short_name = 'o', .type = SH_OPT_STRING, .dest = &out_path,
	                          .no_preset = true, .arg = "FILE", .help = "write the result to FILE (default stdout)"};
	sh_program prog = {.usage = a->usage, .summary = a->summary};
	int status = SH_EXIT_USAGE, first = sh_parse_options(&prog, opts, argc, argv);
	sh_strbuf out = {0}, warnings = {0};
	if (first <= 0) {
		status = sh_parse_status(first);
		goto done;
	}
	sh_analysis_section section = {.start_text = start_text};
	bool given_section = sh_option_given(opts, "start") || sh_option_given(opts, "duration");
	if (sh_analysis_parse_start(start_text, &section.start) != 0) {
		sh_set_error("--start: %s", sh_error());
		goto failed;
	}
	if (sh_option_given(opts, "duration")) {
		if (length.unit == SH_DUR_FRAMES || length.unit == SH_DUR_BEATS) {
			sh_set_error("--duration: give s, ms, min or smp (frames and beats mean nothing here)");
			goto failed;
		}
		section.length = length;
	}
	int files = argc - first > 1 ? argc - first : 1;
	if (a->check && a->check(files) != 0)
		goto failed;
	status = SH_EXIT_OK;
	int good = 0;
	for (int f = 0; f < files; f++) {
		const char *path = first + f < argc ? argv[first + f] : "-";
		sh_analysis_input in = {.path = path, .section = given_section};
		char *name = NULL, *txt = NULL;
		size_t len = 0;
		in.frames = sh_analysis_stream(path, &section, a->init, a->feed, NULL, &name, &in.rate, &in.start);
		in.name = name ? name : path;
		if (in.frames < 0 && a->discard)
			a->discard(); /* NULL init state is the program's to tolerate */
		if (in.frames < 0 || !(txt = a->report(&in, &len))) {
			/* among several, the line must name the input: the messages of the
			 * audio layer and the reports mostly do already */
			const char *msg = sh_error();
			if (files == 1 || names(msg, in.name) || names(msg, path) ||
			    (!strcmp(path, "-") && names(msg, "stdin")))
				sh_warn("%s", msg);
			else
				sh_warn("%s: %s", path, msg);
			status = SH_EXIT_FAIL;
			free(name);
			continue;
		}
		if (files == 1)
			sh_strbuf_add(&out, txt, len);
		else if (add_line(&out, path, txt, len) != 0) {
			sh_warn("%s", sh_error());
			status = SH_EXIT_FAIL;
			free(txt);
			free(name);
			continue;
		}
		good++;
		if (*in.warning) {
			sh_strbuf_str(&warnings, in.warning);
			sh_strbuf_str(&warnings, "\n");
		}
		free(txt);
		free(name);
	}
	if (good > 0 && sh_write_file_atomic(out_path, out.s ? out.s : "", out.n) != 0) {
		status = SH_EXIT_FAIL;
		goto failed;
	}
	for (char *w = warnings.s, *e; w && *w; w = e + 1) {
		e = strchr(w, '\n');
		*e = 0;
		sh_warn("%s", w);
	}
	goto done;
failed:
	sh_warn("%s", sh_error());
done:
	free(out.s);
	free(warnings.s);
	free(opts);
	return status;
}
