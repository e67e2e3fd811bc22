/* manifest -- a track folder (TRACK/PART/sample.wav + a visual) as a track
 * manifest template: the parts in order with their files, durations, tempos
 * and keys, and the track's settings, as JSON for compose(1). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "track.h"
#include "trackinfo.h"

static sh_program prog = {
	.usage = "manifest [options] DIR",
	.summary = "write a track manifest template (JSON) from a folder of parts",
	.max_operands = 1,
};

/* Defaults: the track's settings in the template (each editable there) */
static const char *out_path = NULL;
static const char *fps = "30";          /* frame rate of the film: 24 filmic, 30 video, 60 smooth */
static const char *size = "640x360";    /* picture size: small renders fast, 1920x1080 for the final */
static double bpm = 0;                  /* the track's tempo; unset: the parts' dominant tempo */

static sh_option options[] = {
	{.name = "output", .short_name = 'o', .type = SH_OPT_STRING, .dest = &out_path, .no_preset = true,
	 .arg = "FILE", .help = "write the manifest to FILE instead of stdout (paths in it are relative to FILE's folder)"},
	{.name = "fps", .short_name = 'r', .type = SH_OPT_STRING, .dest = &fps, .arg = "FPS",
	 .help = "the film's frame rate (30, 25, 30000/1001)"},
	{.name = "size", .short_name = 's', .type = SH_OPT_STRING, .dest = &size, .arg = "WxH",
	 .help = "the film's picture size"},
	{.name = "bpm", .short_name = 'b', .type = SH_OPT_DOUBLE, .dest = &bpm, .min = 1, .max = 1000, .unit = "BPM",
	 .help = "the tempo every part is stretched to; unset: the tempo most of the track shares"},
	{0},
};

/* PATH relative to the folder FILE is in (both as given, relative to the
 * working folder or absolute). malloc'd. */
static char *relative_to(const char *path, const char *file)
{
	char *a = realpath(path, NULL);
	char *dir = sh_strdup(file ? file : "./x");
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	else
		strcpy(dir, ".");
	char *b = realpath(*dir ? dir : "/", NULL);
	free(dir);
	if (!a || !b) {
		free(a);
		free(b);
		return sh_strdup(path);
	}
	/* the common leading components, then "../" for each of b's others */
	size_t i = 0, last = 0;
	for (;; i++) {
		bool ea = !a[i] || a[i] == '/', eb = !b[i] || b[i] == '/';
		if (ea && eb)
			last = i;
		if (!a[i] || !b[i] || a[i] != b[i])
			break;
	}
	if (!strcmp(b, "/"))
		last = 0;
	sh_strbuf s = {0};
	for (const char *q = b + last; *q; q++)
		if (*q == '/' && q[1])
			sh_strbuf_str(&s, "../");
	const char *rest = a + last;
	while (*rest == '/')
		rest++;
	sh_strbuf_str(&s, *rest ? rest : ".");
	if (s.n > 3 && !strcmp(s.s + s.n - 3, "../"))
		s.s[--s.n] = 0;
	free(a);
	free(b);
	char *r = sh_strdup(s.s ? s.s : ".");
	free(s.s);
	return r;
}

int main(int argc, char **argv)
{
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	if (first >= argc)
		sh_usage_error("no track folder (usage: %s)", prog.usage);
	sh_track t;
	if (sh_track_scan(argv[first], &t) != 0)
		sh_die("%s", sh_error());
	free(t.fps);
	t.fps = sh_strdup(fps);
	free(t.size);
	t.size = sh_strdup(size);
	if (sh_track_check(&t, 0) != 0 && strstr(sh_error(), "fps"))
		sh_usage_error("%s", sh_error());
	if (sh_track_detect(&t) != 0)
		sh_die("%s", sh_error());
	t.bpm = sh_option_given(options, "bpm") ? bpm : 0;
	/* paths relative to the manifest's own folder */
	char *base = relative_to(t.base, out_path);
	for (int i = 0; i < t.nparts; i++) {
		sh_track_part *p = &t.parts[i];
		char *paths[2] = {p->sample, p->visual};
		for (int k = 0; k < 2; k++) {
			char *full = strcmp(base, ".") ? NULL : sh_strdup(paths[k]);
			if (!full) {
				size_t n = strlen(base) + strlen(paths[k]) + 2;
				full = sh_malloc(n);
				snprintf(full, n, "%s/%s", base, paths[k]);
			}
			free(paths[k]);
			paths[k] = full;
		}
		p->sample = paths[0];
		p->visual = paths[1];
	}
	free(base);
	char *text = sh_track_json(&t);
	if (!text)
		sh_die("%s", sh_error());
	if (out_path && strcmp(out_path, "-")) {
		if (sh_write_file_atomic(out_path, text, strlen(text)) != 0)
			sh_die("%s", sh_error());
	} else if (sh_write_all(1, text, strlen(text)) != 0) {
		sh_die("%s", sh_error());
	}
	free(text);
	sh_track_free(&t);
	return 0;
}
