/* compose -- a track manifest (or a track folder) as a Makefile that renders
 * the whole track to an MP4: each part stretched to the track's tempo, bonded
 * to its visual, micro-sampled in sound and picture by one cut list; the parts
 * end to end, mixed, brought to a loudness and encoded. Every step is a
 * shards program by name, every intermediate a file: make re-renders only
 * what changed, and make -j renders parts side by side. */
#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "track.h"
#include "trackinfo.h"

static sh_program prog = {
	.usage = "compose [options] MANIFEST|DIR",
	.summary = "write a Makefile that renders a track manifest (or folder) to an MP4",
	.has_seed = true,
	.max_operands = 1,
};

/* Defaults: each, when given, replaces the manifest's track-wide setting (a
 * part's own settings in the manifest still win) */
static const char *out_path = NULL;
static const char *film = NULL;         /* the MP4 the Makefile makes; unset: TRACK.mp4 */
static double bpm = 0;                  /* tempo every part is stretched to; unset: the manifest's, else
                                           the tempo most of the track shares */
static const char *fps = "30";          /* frame rate: 24 filmic, 30 video, 60 smooth */
static const char *size = "640x360";    /* picture size: small renders fast */
static const char *x264_preset = "medium"; /* encoder effort: ultrafast drafts, slow finals */
static int64_t crf = 18;                /* picture quality: 0 lossless, 18 clean, 30+ blocky */
static double loudness = -14;           /* loudness of the master, LUFS: -23 broadcast, -14 streaming */
static const char *slice = "1/16";      /* slice length: 1/32 buzzes, 1/16 stutters, 1/4 keeps phrases */
static double shuffle = 0.5;            /* chance a slice moves: 0 in order, 1 scrambled */
static double stutter = 0.2;            /* chance a piece repeats: rolls and flams */
static double reverse = 0.15;           /* chance a piece plays backwards */
static double drop = 0;                 /* chance a piece is silence and black */
static int64_t max_repeats = 4;         /* a stutter plays 2..N times */
static sh_duration preview = {0, SH_DUR_SECONDS}; /* render only the first DUR */

static sh_option options[] = {
	{.name = "output", .short_name = 'o', .type = SH_OPT_STRING, .dest = &out_path, .no_preset = true,
	 .arg = "FILE", .help = "write the Makefile to FILE instead of stdout"},
	{.name = "out", .type = SH_OPT_STRING, .dest = &film, .no_preset = true, .arg = "FILE",
	 .help = "the film the Makefile renders (make OUT=... overrides it); unset: TRACK.mp4"},
	{.name = "bpm", .short_name = 'b', .type = SH_OPT_DOUBLE, .dest = &bpm, .min = 1, .max = 1000, .unit = "BPM",
	 .help = "tempo every part is stretched to; unset: the manifest's, else the track's dominant tempo"},
	{.name = "fps", .short_name = 'r', .type = SH_OPT_STRING, .dest = &fps, .arg = "FPS",
	 .help = "frame rate (30, 25, 30000/1001); unset: the manifest's"},
	{.name = "size", .short_name = 's', .type = SH_OPT_STRING, .dest = &size, .arg = "WxH",
	 .help = "picture size; unset: the manifest's"},
	{.name = "x264-preset", .type = SH_OPT_CHOICE, .dest = &x264_preset,
	 .choices = "ultrafast|superfast|veryfast|faster|fast|medium|slow|slower|veryslow", .arg = "P",
	 .help = "x264 effort, ultrafast..veryslow; unset: the manifest's"},
	{.name = "crf", .short_name = 'q', .type = SH_OPT_INT, .dest = &crf, .min = 0, .max = 51,
	 .help = "x264 constant quality, 0 (lossless)..51; unset: the manifest's"},
	{.name = "loudness", .short_name = 'L', .type = SH_OPT_DOUBLE, .dest = &loudness, .min = -70, .max = -5,
	 .unit = "LUFS", .help = "loudness of the master; unset: the manifest's"},
	{.name = "slice", .type = SH_OPT_STRING, .dest = &slice, .arg = "DUR",
	 .help = "slice length (cutgen's --slice: 1/16, 40ms, 2f); unset: the manifest's"},
	{.name = "shuffle", .short_name = 'S', .type = SH_OPT_DOUBLE, .dest = &shuffle, .min = 0, .max = 1,
	 .arg = "P", .help = "chance a slice moves, 0..1; unset: the manifest's"},
	{.name = "stutter", .short_name = 't', .type = SH_OPT_DOUBLE, .dest = &stutter, .min = 0, .max = 1,
	 .arg = "P", .help = "chance a piece repeats, 0..1; unset: the manifest's"},
	{.name = "reverse", .short_name = 'R', .type = SH_OPT_DOUBLE, .dest = &reverse, .min = 0, .max = 1,
	 .arg = "P", .help = "chance a piece plays backwards, 0..1; unset: the manifest's"},
	{.name = "drop", .short_name = 'd', .type = SH_OPT_DOUBLE, .dest = &drop, .min = 0, .max = 1, .arg = "P",
	 .help = "chance a piece is silence and black, 0..1; unset: the manifest's"},
	{.name = "max-repeats", .short_name = 'm', .type = SH_OPT_INT, .dest = &max_repeats, .min = 2, .max = 64,
	 .help = "a stutter plays 2..N times; unset: the manifest's"},
	{.name = "preview", .type = SH_OPT_DURATION, .dest = &preview, .scale = 1,
	 .help = "render only the first DUR of the film (seconds, 10s, 300f); unset: all"},
	{0},
};

/* The flags given replace the manifest's track-wide settings. */
static void apply_flags(sh_track *t)
{
#define STR(opt, field)                                \
	if (sh_option_given(options, opt)) {           \
		free(t->field);                        \
		t->field = sh_strdup(field);           \
	}
	STR("fps", fps)
	STR("size", size)
	STR("x264-preset", x264_preset)
#undef STR
	if (sh_option_given(options, "bpm"))
		t->bpm = bpm;
	if (sh_option_given(options, "crf"))
		t->crf = crf;
	if (sh_option_given(options, "loudness"))
		t->loudness = loudness;
	if (sh_option_given(options, "slice")) {
		free(t->micro.slice);
		t->micro.slice = sh_strdup(slice);
	}
	if (sh_option_given(options, "shuffle"))
		t->micro.shuffle = shuffle;
	if (sh_option_given(options, "stutter"))
		t->micro.stutter = stutter;
	if (sh_option_given(options, "reverse"))
		t->micro.reverse = reverse;
	if (sh_option_given(options, "drop"))
		t->micro.drop = drop;
	if (sh_option_given(options, "max-repeats"))
		t->micro.max_repeats = max_repeats;
	if (prog.seed_given) {
		t->micro.seed = (int64_t)(prog.seed & 0x1fffffffffffffULL);
		t->micro.has_seed = true;
	}
}

static bool is_dir(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* A path make and sh take as one word, written as is. */
static bool make_safe(const char *s)
{
	for (; *s; s++)
		if (isspace((unsigned char)*s) || strchr("#$%:;=\\\"'`*?[]()&|<>", *s))
			return false;
	return true;
}

static char *abs_path(const sh_track *t, const char *p)
{
	char *rel = sh_track_path(t, p);
	char *a = realpath(rel, NULL);
	if (!a)
		sh_die("%s: %s", rel, "cannot resolve");
	free(rel);
	if (!make_safe(a))
		sh_usage_error("%s: a path with spaces or shell characters cannot stand in a Makefile; rename it", a);
	return a;
}

/* A time on the frame grid. */
static double snap(double seconds, double frame_rate)
{
	return round(seconds * frame_rate) / frame_rate;
}

/* The Makefile. */
static void write_makefile(const sh_track *t, const char *source, double target, FILE *f)
{
	const sh_track_micro *g = &t->micro;
	uint64_t seed0 = g->has_seed ? (uint64_t)g->seed : prog.seed;
	char *base = abs_path(t, ".");
	const char *tname = strrchr(base, '/') ? strrchr(base, '/') + 1 : base;
	fprintf(f, "# Made by compose from %s (shards-track version %d).\n", source, SH_TRACK_VERSION);
	fprintf(f, "# Renders the track to $(OUT); intermediates go to $(B), one folder a part.\n");
	fprintf(f, "# Edit freely: every line is a shards program; make -j N renders N steps at once.\n");
	fprintf(f, "# Tempos and lengths were read when this was written: run compose again after\n");
	fprintf(f, "# changing a sample's tempo or the manifest.\n\n");
	fprintf(f, "OUT ?= %s%s\n", film ? film : (tname[0] && strcmp(tname, "/") ? tname : "track"), film ? "" : ".mp4");
	fprintf(f, "B ?= $(basename $(OUT)).build\n");
	fprintf(f, "BPM = %.6g\nFPS = %s\nSIZE = %s\n", target, t->fps, t->size);
	fprintf(f, "X264_PRESET = %s\nCRF = %lld\nLOUDNESS = %g\nTRUE_PEAK = %g\n", t->x264_preset,
	        (long long)t->crf, t->loudness, t->true_peak);
	if (sh_option_given(options, "preview")) {
		double s;
		if (sh_duration_seconds(&preview, target, 30, 48000, &s) != 0)
			sh_usage_error("--preview: %s", sh_error());
		fprintf(f, "PREVIEW = %.6g\n", s);
	} else {
		fprintf(f, "PREVIEW =\n");
	}
	fprintf(f, "\n.DELETE_ON_ERROR:\n.PHONY: all clean\nall: $(OUT)\n\n");
	sh_strbuf wavs = {0}, videos = {0}, mix = {0}, at = {0};
	bool fixed = false; /* a part has a start of its own */
	sh_rational fr;
	double fpsv = sh_parse_rate(t->fps, &fr) == 0 ? sh_rational_value(fr) : 30;
	for (int i = 0; i < t->nparts; i++) {
		const sh_track_part *p = &t->parts[i];
		const sh_track_micro *m = &p->micro;
		char *sample = abs_path(t, p->sample), *visual = abs_path(t, p->visual);
		double to = sh_track_part_target(p->bpm, target);
		const char *n = p->name;
		fprintf(f, "# part %d: %s (%s; %.3f s; ", i + 1, n, sh_visual_kind_name(p->kind), p->duration);
		/* a part at the track's tempo already takes no Rubber Band pass */
		bool stretched = to > 0 && fabs(to / p->bpm - 1) > 1e-6;
		if (stretched)
			fprintf(f, "%.3f BPM -> %.6g", p->bpm, to);
		else if (to > 0)
			fprintf(f, "%.3f BPM, the track's tempo, not stretched", p->bpm);
		else
			fprintf(f, "no tempo, not stretched");
		fprintf(f, "; key %s)\n", p->key ? p->key : "none");
		fprintf(f, "%s_SAMPLE = %s\n%s_VISUAL = %s\n", n, sample, n, visual);
		fprintf(f, "%s_GAIN = %g\n", n, p->gain_db);
		fprintf(f, "%s_CUTS = --slice %s --shuffle %g --stutter %g --reverse %g --drop %g --max-repeats %lld "
		           "--seed %llu\n",
		        n, m->has_slice ? m->slice : g->slice, m->has_shuffle ? m->shuffle : g->shuffle,
		        m->has_stutter ? m->stutter : g->stutter, m->has_reverse ? m->reverse : g->reverse,
		        m->has_drop ? m->drop : g->drop,
		        (long long)(m->has_max_repeats ? m->max_repeats : g->max_repeats),
		        (unsigned long long)(m->has_seed ? (uint64_t)m->seed : seed0 + (uint64_t)i));
		const char *audio;
		char abuf[256];
		if (stretched) {
			snprintf(abuf, sizeof abuf, "$(B)/%s/sample.wav", n);
			audio = abuf;
			fprintf(f, "%s: $(%s_SAMPLE) | $(B)/%s/\n", audio, n, n);
			fprintf(f, "\tstretch -t %.6g --from-bpm %.6g -o $@ $<\n", to, p->bpm);
		} else {
			snprintf(abuf, sizeof abuf, "$(%s_SAMPLE)", n);
			audio = abuf;
		}
		fprintf(f, "$(B)/%s/bond.y4m: %s $(%s_VISUAL) | $(B)/%s/\n", n, audio, n, n);
		fprintf(f, "\tavbond -r $(FPS) -s $(SIZE) --seed %llu -o $@ %s $(%s_VISUAL)\n",
		        (unsigned long long)(seed0 + (uint64_t)i), audio, n);
		fprintf(f, "$(B)/%s/cuts.json: %s | $(B)/%s/\n", n, audio, n);
		char bpmflag[64] = "";
		if (to > 0 || target > 0)
			snprintf(bpmflag, sizeof bpmflag, " --bpm %.6g", to > 0 ? to : target);
		fprintf(f, "\tcutgen --fps $(FPS) --whole-frames%s $(%s_CUTS) -o $@ %s\n", bpmflag, n, audio);
		fprintf(f, "$(B)/%s/cut.wav: $(B)/%s/cuts.json %s\n", n, n, audio);
		fprintf(f, "\tcutapply -o $@ $(B)/%s/cuts.json %s\n", n, audio);
		fprintf(f, "$(B)/%s/cut.y4m: $(B)/%s/cuts.json $(B)/%s/bond.y4m\n", n, n, n);
		fprintf(f, "\tcutapply -o $@ $^\n");
		fprintf(f, "$(B)/%s/:\n\tmkdir -p $@\n\n", n);
		char buf[512];
		snprintf(buf, sizeof buf, " $(B)/%s/cut.wav", n);
		sh_strbuf_str(&wavs, buf);
		snprintf(buf, sizeof buf, " $(B)/%s/cut.y4m", n);
		sh_strbuf_str(&videos, buf);
		/* where it starts: a fixed time, or where the part before ends; and
		 * where it is cut: where the next part has a fixed start */
		char place[128] = "", cut[64] = "";
		if (p->start >= 0)
			snprintf(place, sizeof place, ":0:start=%.9g", snap(p->start, fpsv));
		else if (i)
			snprintf(place, sizeof place, ":0:start=+0");
		if (i + 1 < t->nparts && t->parts[i + 1].start >= 0)
			snprintf(cut, sizeof cut, "%s:end=%.9g", *place ? "" : ":0", snap(t->parts[i + 1].start, fpsv));
		snprintf(buf, sizeof buf, " \\\n\t  $(B)/%s/cut.wav:$(%s_GAIN)%s%s", n, n, place, cut);
		sh_strbuf_str(&mix, buf);
		if (p->start >= 0)
			snprintf(buf, sizeof buf, "%s%.9g", i ? "," : "", snap(p->start, fpsv));
		else
			snprintf(buf, sizeof buf, "%s", i ? ",+" : "0");
		sh_strbuf_str(&at, buf);
		fixed = fixed || p->start >= 0;
		free(sample);
		free(visual);
	}
	fprintf(f, "# the parts end to end, mixed and brought to the loudness\n");
	fprintf(f, "$(B)/mix.wav:%s\n\tamix -o $@%s\n", wavs.s, mix.s);
	fprintf(f, "$(B)/master.wav: $(B)/mix.wav\n");
	fprintf(f, "\tloudnorm -t $(LOUDNESS) --true-peak $(TRUE_PEAK) -o $@ $<\n");
	fprintf(f, "# the parts' pictures one after another, with the master\n");
	fprintf(f, "$(OUT): $(B)/master.wav%s\n", videos.s);
	fprintf(f, "\tavmux --x264-preset $(X264_PRESET) -q $(CRF) $(if $(PREVIEW),--preview $(PREVIEW))%s%s -o $@ $^\n",
	        fixed ? " --at " : "", fixed ? at.s : "");
	fprintf(f, "\nclean:\n\trm -rf $(B)\n");
	free(wavs.s);
	free(videos.s);
	free(mix.s);
	free(at.s);
	free(base);
}

int main(int argc, char **argv)
{
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	if (first >= argc)
		sh_usage_error("no manifest or track folder (usage: %s)", prog.usage);
	const char *source = argv[first];
	sh_track t;
	bool invalid = false;
	if (is_dir(source)) {
		if (sh_track_scan(source, &t) != 0 || sh_track_detect(&t) != 0)
			sh_die("%s", sh_error());
	} else if (sh_track_read(source, &t, &invalid) != 0) {
		/* a manifest that breaks its schema is refused as a preset would be */
		if (invalid)
			sh_usage_error("%s: %s", source, sh_error());
		sh_die("%s", sh_error());
	}
	apply_flags(&t);
	double target = t.bpm > 0 ? t.bpm : sh_track_dominant_bpm(&t);
	if (sh_track_check(&t, target) != 0)
		sh_usage_error("%s: %s", source, sh_error());
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		sh_die("out of memory");
	write_makefile(&t, source, target, f);
	fclose(f);
	if (out_path && strcmp(out_path, "-")) {
		if (sh_write_file_atomic(out_path, text, len) != 0)
			sh_die("%s", sh_error());
	} else if (sh_write_all(1, text, len) != 0) {
		sh_die("%s", sh_error());
	}
	free(text);
	sh_track_free(&t);
	return 0;
}
