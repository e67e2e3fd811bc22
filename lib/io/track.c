/* track.c -- the track manifest (track.h): folder scan, JSON both ways,
 * validation. */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "audio.h"
#include "err.h"
#include "file.h"
#include "media.h"
#include "track.h"
#include "units.h"

#define MANIFEST_MAX_BYTES (16u << 20)

const char *sh_visual_kind_name(sh_visual_kind k)
{
	return k == SH_VISUAL_STILL ? "still" : k == SH_VISUAL_CLIP ? "clip" : "pictures";
}

static void micro_defaults(sh_track_micro *m)
{
	memset(m, 0, sizeof *m);
	m->slice = sh_strdup("1/16");
	m->shuffle = 0.5;
	m->stutter = 0.2;
	m->reverse = 0.15;
	m->drop = 0;
	m->max_repeats = 4;
	m->seed = -1;
	m->has_slice = m->has_shuffle = m->has_stutter = m->has_reverse = m->has_drop = m->has_max_repeats = true;
}

void sh_track_init(sh_track *t)
{
	memset(t, 0, sizeof *t);
	t->base = sh_strdup(".");
	t->fps = sh_strdup("30");
	t->size = sh_strdup("640x360");
	t->x264_preset = sh_strdup("medium");
	t->crf = 18;
	t->loudness = -14;
	t->true_peak = -1;
	micro_defaults(&t->micro);
}

static void part_free(sh_track_part *p)
{
	free(p->name);
	free(p->sample);
	free(p->visual);
	free(p->key);
	free(p->micro.slice);
}

void sh_track_free(sh_track *t)
{
	if (!t)
		return;
	for (int i = 0; i < t->nparts; i++)
		part_free(&t->parts[i]);
	free(t->parts);
	free(t->base);
	free(t->fps);
	free(t->size);
	free(t->x264_preset);
	free(t->micro.slice);
	memset(t, 0, sizeof *t);
}

char *sh_track_path(const sh_track *t, const char *path)
{
	if (path[0] == '/' || !t->base || !strcmp(t->base, "."))
		return sh_strdup(path);
	size_t n = strlen(t->base) + strlen(path) + 2;
	char *s = sh_malloc(n);
	size_t bl = strlen(t->base);
	snprintf(s, n, "%s%s%s", t->base, bl && t->base[bl - 1] == '/' ? "" : "/", path);
	return s;
}

/* ------------------------------------------------------------ the folder */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The visible entries of DIR in byte order (names only); NULL + error. */
static char **list_dir(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	if (!d) {
		sh_set_error("%s: %s", dir, strerror(errno));
		return NULL;
	}
	char **names = NULL;
	size_t cap = 0;
	*n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			names = sh_realloc(names, cap, sizeof *names);
		}
		names[(*n)++] = sh_strdup(e->d_name);
	}
	closedir(d);
	if (*n)
		qsort(names, *n, sizeof *names, cmp_str);
	else
		names = sh_calloc(1, sizeof *names);
	return names;
}

static void free_list(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static char *join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *s = sh_malloc(n);
	snprintf(s, n, "%s/%s", a, b);
	return s;
}

static bool is_dir(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static bool is_file(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static bool has_ext(const char *name, const char *const *exts)
{
	const char *dot = strrchr(name, '.');
	if (!dot)
		return false;
	for (; *exts; exts++)
		if (!strcasecmp(dot + 1, *exts))
			return true;
	return false;
}

static const char *const audio_exts[] = {"wav", "flac", "aif", "aiff", "au", "ogg", "mp3", "opus", "caf", NULL};
static const char *const clip_exts[] = {"mp4", "m4v", "mov", "mkv", "webm", "avi", "mpg", "mpeg", "y4m", NULL};

static bool stem_is(const char *name, const char *stem)
{
	size_t n = strlen(stem);
	return !strncmp(name, stem, n) && name[n] == '.';
}

/* Seconds of the sound at PATH; -1 + error. */
static double audio_seconds(const char *path)
{
	sh_audio_in *in = sh_audio_open(path);
	if (!in)
		return -1;
	int64_t frames = sh_audio_frames(in);
	double s = frames >= 0 ? (double)frames / sh_audio_rate(in) : -1;
	if (frames < 0)
		sh_set_error("%s: length unknown", path);
	sh_audio_close(in);
	return s;
}

/* One part from its folder (NAME under DIR): 1 found, 0 not a part, -1 error. */
static int scan_part(const char *dir, const char *name, sh_track_part *p)
{
	char *pdir = join(dir, name);
	size_t n;
	char **names = list_dir(pdir, &n);
	if (!names) {
		free(pdir);
		return -1;
	}
	const char *sample = NULL, *still = NULL, *clip = NULL, *subdir = NULL;
	size_t pictures = 0;
	for (size_t i = 0; i < n; i++) {
		char *full = join(pdir, names[i]);
		if (is_dir(full)) {
			if (!subdir)
				subdir = names[i];
		} else if (stem_is(names[i], "sample") && has_ext(names[i], audio_exts)) {
			if (!sample)
				sample = names[i];
		} else if (stem_is(names[i], "visual") && has_ext(names[i], clip_exts)) {
			clip = names[i];
		} else if (stem_is(names[i], "visual") && sh_media_image_name(names[i])) {
			still = names[i];
		} else if (sh_media_image_name(names[i])) {
			pictures++;
		}
		free(full);
	}
	int r = 0;
	if (!sample)
		goto done;
	r = -1;
	memset(p, 0, sizeof *p);
	p->name = sh_strdup(name);
	p->sample = join(name, sample);
	if (clip) {
		p->kind = SH_VISUAL_CLIP;
		p->visual = join(name, clip);
	} else if (still) {
		p->kind = SH_VISUAL_STILL;
		p->visual = join(name, still);
	} else if (pictures) {
		p->kind = SH_VISUAL_PICTURES;
		p->visual = sh_strdup(name);
	} else if (subdir) {
		p->kind = SH_VISUAL_PICTURES;
		p->visual = join(name, subdir);
	} else {
		sh_set_error("part '%s': no visual: give it visual.png, visual.mp4 or numbered pictures", name);
		part_free(p);
		goto done;
	}
	p->micro.seed = -1;
	p->start = -1;
	char *spath = join(dir, p->sample);
	p->duration = audio_seconds(spath);
	free(spath);
	if (p->duration < 0) {
		char *e = sh_strdup(sh_error());
		sh_set_error("part '%s': sample: %s", name, e);
		free(e);
		part_free(p);
		goto done;
	}
	r = 1;
done:
	free_list(names, n);
	free(pdir);
	return r;
}

int sh_track_scan(const char *dir, sh_track *t)
{
	sh_track_init(t);
	free(t->base);
	size_t len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		len--;
	t->base = sh_malloc(len + 1);
	memcpy(t->base, dir, len);
	t->base[len] = 0;
	size_t n;
	char **names = list_dir(t->base, &n);
	if (!names)
		return -1;
	t->parts = sh_calloc(n ? n : 1, sizeof *t->parts);
	for (size_t i = 0; i < n; i++) {
		char *full = join(t->base, names[i]);
		bool d = is_dir(full);
		free(full);
		if (!d)
			continue;
		int r = scan_part(t->base, names[i], &t->parts[t->nparts]);
		if (r < 0) {
			free_list(names, n);
			return -1;
		}
		t->nparts += r;
	}
	free_list(names, n);
	if (!t->nparts) {
		sh_set_error("%s: no parts: a part is a folder holding sample.wav and a visual", t->base);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ tempo */

double sh_track_part_target(double from, double target)
{
	if (from <= 0 || target <= 0)
		return 0;
	double k = round(log2(from / target));
	return target * pow(2, k);
}

double sh_track_dominant_bpm(const sh_track *t)
{
	double best = 0, best_w = 0;
	for (int i = 0; i < t->nparts; i++) {
		double b = t->parts[i].bpm;
		if (b <= 0)
			continue;
		double w = 0;
		for (int j = 0; j < t->nparts; j++)
			if (t->parts[j].bpm > 0 && fabs(t->parts[j].bpm / b - 1) <= 0.02)
				w += t->parts[j].duration;
		if (w > best_w)
			best = b, best_w = w;
	}
	return best;
}

/* ------------------------------------------------------------ reading */

/* Errors name where they are: "part 'kick': shuffle: ..." or "fps: ...". */
static int fail(const char *part, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(const char *part, const char *key, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (part)
		sh_set_error("part '%s': %s: %s", part, key, msg);
	else
		sh_set_error("%s: %s", key, msg);
	return -1;
}

static int check_keys(json_t *obj, const char *const *known, const char *part, const char *where)
{
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v) {
		bool ok = false;
		for (const char *const *q = known; *q && !ok; q++)
			ok = !strcmp(*q, k);
		if (!ok) {
			char all[512] = "";
			for (const char *const *q = known; *q; q++) {
				if (*all)
					strncat(all, ", ", sizeof all - strlen(all) - 1);
				strncat(all, *q, sizeof all - strlen(all) - 1);
			}
			return fail(part, k, "unknown key%s%s (known: %s)", where ? " in " : "", where ? where : "",
			            all);
		}
	}
	return 0;
}

static int get_string(json_t *o, const char *key, const char *part, bool nullable, char **out)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v)) {
		if (nullable) {
			*out = NULL;
			return 0;
		}
		return fail(part, key, "missing (a string)");
	}
	if (!json_is_string(v) || !*json_string_value(v))
		return fail(part, key, "not a non-empty string");
	*out = sh_strdup(json_string_value(v));
	return 0;
}

/* A number within [lo, hi]: 1 read, 0 absent or null (when NULLABLE), -1. */
static int get_number(json_t *o, const char *key, const char *part, bool nullable, double lo, double hi,
                      double *out)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v)) {
		if (nullable)
			return 0;
		return fail(part, key, "missing (a number, %g..%g)", lo, hi);
	}
	if (!json_is_number(v))
		return fail(part, key, "not a number (%g..%g)", lo, hi);
	double x = json_number_value(v);
	if (!isfinite(x) || x < lo || x > hi)
		return fail(part, key, "%g is out of range (%g..%g)", x, lo, hi);
	*out = x;
	return 1;
}

static int get_int(json_t *o, const char *key, const char *part, bool nullable, double lo, double hi,
                   int64_t *out)
{
	json_t *v = json_object_get(o, key);
	if (v && !json_is_null(v) && !json_is_integer(v))
		return fail(part, key, "not a whole number (%g..%g)", lo, hi);
	double x;
	int r = get_number(o, key, part, nullable, lo, hi, &x);
	if (r == 1)
		*out = (int64_t)x;
	return r;
}

static const char *const micro_keys[] = {"slice", "shuffle", "stutter", "reverse", "drop", "max_repeats", "seed",
                                         NULL};

/* The micro-sampling object at KEY of O (required for the track, nullable
 * fields in a part). */
static int read_micro(json_t *o, const char *part, sh_track_micro *m, bool track)
{
	json_t *mo = json_object_get(o, "microsample");
	if (!mo || json_is_null(mo)) {
		if (track)
			return 0; /* the defaults */
		return 0;
	}
	if (!json_is_object(mo))
		return fail(part, "microsample", "not an object (keys: slice, shuffle, stutter, ...)");
	if (check_keys(mo, micro_keys, part, "microsample") != 0)
		return -1;
	char *slice = NULL;
	if (get_string(mo, "slice", part, true, &slice) != 0)
		return -1;
	if (slice) {
		sh_duration d;
		if (sh_parse_duration(slice, 0.001, &d) != 0) {
			int r = fail(part, "slice", "'%s': %s", slice, sh_error());
			free(slice);
			return r;
		}
		free(m->slice);
		m->slice = slice;
		m->has_slice = true;
	}
	int r;
#define NUM(field)                                                                              \
	if ((r = get_number(mo, #field, part, true, 0, 1, &m->field)) < 0)                     \
		return -1;                                                                      \
	if (r)                                                                                  \
		m->has_##field = true;
	NUM(shuffle)
	NUM(stutter)
	NUM(reverse)
	NUM(drop)
#undef NUM
	if ((r = get_int(mo, "max_repeats", part, true, 2, 64, &m->max_repeats)) < 0)
		return -1;
	if (r)
		m->has_max_repeats = true;
	if ((r = get_int(mo, "seed", part, true, 0, 9007199254740991.0, &m->seed)) < 0)
		return -1;
	if (r)
		m->has_seed = true;
	return 0;
}

static const char *const track_keys[] = {"format", "version", "bpm", "fps", "size", "x264_preset", "crf",
                                         "loudness", "true_peak", "microsample", "parts", NULL};
static const char *const part_keys[] = {"name", "sample", "visual", "kind", "duration", "bpm", "key", "start",
                                        "gain", "microsample", NULL};

static int read_part(json_t *po, int index, sh_track_part *p)
{
	char label[32];
	snprintf(label, sizeof label, "#%d", index + 1);
	memset(p, 0, sizeof *p);
	p->micro.seed = -1;
	p->start = -1;
	if (!json_is_object(po))
		return fail(label, "parts", "a part is an object");
	json_t *nm = json_object_get(po, "name");
	const char *part = nm && json_is_string(nm) && *json_string_value(nm) ? json_string_value(nm) : label;
	if (check_keys(po, part_keys, part, NULL) != 0)
		return -1;
	if (get_string(po, "name", label, false, &p->name) != 0 || get_string(po, "sample", part, false, &p->sample) ||
	    get_string(po, "visual", part, false, &p->visual) != 0)
		return -1;
	for (const char *c = p->name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-' ||
		      *c == '_' || *c == '.') || (c == p->name && *c == '.'))
			return fail(part, "name", "only letters, digits, '-', '_' and '.' (it names files and make "
			                          "variables)");
	char *kind = NULL;
	if (get_string(po, "kind", part, false, &kind) != 0)
		return -1;
	if (!strcmp(kind, "still"))
		p->kind = SH_VISUAL_STILL;
	else if (!strcmp(kind, "pictures"))
		p->kind = SH_VISUAL_PICTURES;
	else if (!strcmp(kind, "clip"))
		p->kind = SH_VISUAL_CLIP;
	else {
		int r = fail(part, "kind", "'%s': still, pictures or clip", kind);
		free(kind);
		return r;
	}
	free(kind);
	if (get_number(po, "duration", part, true, 0, 1e7, &p->duration) < 0 ||
	    get_number(po, "bpm", part, true, 1, 1000, &p->bpm) < 0 ||
	    get_number(po, "gain", part, true, -60, 24, &p->gain_db) < 0)
		return -1;
	p->start = -1;
	if (get_number(po, "start", part, true, 0, 1e6, &p->start) < 0)
		return -1;
	if (get_string(po, "key", part, true, &p->key) != 0)
		return -1;
	return read_micro(po, part, &p->micro, false);
}

int sh_track_read(const char *path, sh_track *t, bool *invalid)
{
	*invalid = false;
	size_t len;
	char *text = sh_read_json_object(path, MANIFEST_MAX_BYTES, &len);
	if (!text) {
		sh_track_init(t);
		return -1;
	}
	char *base;
	const char *slash = strrchr(path, '/');
	if (slash && slash == path) {
		base = sh_strdup("/");
	} else if (slash) {
		base = sh_malloc((size_t)(slash - path) + 1);
		memcpy(base, path, (size_t)(slash - path));
		base[slash - path] = 0;
	} else {
		base = sh_strdup(".");
	}
	int r = sh_track_parse(text, len, strcmp(path, "-") ? path : "stdin", base, t, invalid);
	free(text);
	free(base);
	return r;
}

int sh_track_parse(const char *text, size_t len, const char *name, const char *base, sh_track *t, bool *invalid)
{
	*invalid = false;
	sh_track_init(t);
	free(t->base);
	t->base = sh_strdup(base);
	json_error_t je;
	json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!doc) {
		sh_set_error("%s: line %d: %s", name, je.line, je.text);
		return -1;
	}
	int r = -1;
	json_t *f = json_object_get(doc, "format");
	if (!json_is_object(doc) || !f || !json_is_string(f) || strcmp(json_string_value(f), SH_TRACK_FORMAT)) {
		sh_set_error("%s: not a track manifest (no \"format\": \"%s\")", name, SH_TRACK_FORMAT);
		goto out;
	}
	*invalid = true;
	if (check_keys(doc, track_keys, NULL, NULL) != 0)
		goto out;
	json_t *v = json_object_get(doc, "version");
	if (!v || !json_is_integer(v) || json_integer_value(v) != SH_TRACK_VERSION) {
		fail(NULL, "version", "this shards reads version %d", SH_TRACK_VERSION);
		goto out;
	}
	if (get_number(doc, "bpm", NULL, true, 1, 1000, &t->bpm) < 0)
		goto out;
	char *s = NULL;
	if (get_string(doc, "fps", NULL, true, &s) != 0)
		goto out;
	if (s) {
		free(t->fps);
		t->fps = s;
	}
	if (get_string(doc, "size", NULL, true, &s) != 0)
		goto out;
	if (s) {
		free(t->size);
		t->size = s;
	}
	if (get_string(doc, "x264_preset", NULL, true, &s) != 0)
		goto out;
	if (s) {
		free(t->x264_preset);
		t->x264_preset = s;
	}
	if (get_int(doc, "crf", NULL, true, 0, 51, &t->crf) < 0 ||
	    get_number(doc, "loudness", NULL, true, -70, -5, &t->loudness) < 0 ||
	    get_number(doc, "true_peak", NULL, true, -9, 0, &t->true_peak) < 0)
		goto out;
	if (read_micro(doc, NULL, &t->micro, true) != 0)
		goto out;
	json_t *parts = json_object_get(doc, "parts");
	if (!parts || !json_is_array(parts) || !json_array_size(parts)) {
		fail(NULL, "parts", "missing or empty (an array of parts)");
		goto out;
	}
	size_t n = json_array_size(parts);
	if (n > SH_TRACK_MAX_PARTS) {
		fail(NULL, "parts", "%zu parts: at most %d", n, SH_TRACK_MAX_PARTS);
		goto out;
	}
	t->parts = sh_calloc(n, sizeof *t->parts);
	for (size_t i = 0; i < n; i++) {
		int e = read_part(json_array_get(parts, i), (int)i, &t->parts[i]);
		t->nparts++;
		if (e != 0)
			goto out;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(t->parts[j].name, t->parts[i].name)) {
				fail(t->parts[i].name, "name", "two parts have this name");
				goto out;
			}
	}
	r = 0;
	*invalid = false;
out:
	json_decref(doc);
	return r;
}

/* ------------------------------------------------------------ checking */

static const char *const x264_presets[] = {"ultrafast", "superfast", "veryfast", "faster", "fast",
                                           "medium",    "slow",      "slower",   "veryslow", NULL};

int sh_track_check(const sh_track *t, double target_bpm)
{
	sh_rational fps;
	if (sh_parse_rate(t->fps, &fps) != 0)
		return fail(NULL, "fps", "%s", sh_error());
	double fpsv = sh_rational_value(fps);
	if (fpsv < 1 || fpsv > 240)
		return fail(NULL, "fps", "'%s' is out of range (1..240)", t->fps);
	int w, h;
	if (sh_parse_size(t->size, &w, &h) != 0)
		return fail(NULL, "size", "'%s': %s", t->size, sh_error());
	bool ok = false;
	for (const char *const *q = x264_presets; *q; q++)
		ok = ok || !strcmp(*q, t->x264_preset);
	if (!ok)
		return fail(NULL, "x264_preset", "'%s': ultrafast, superfast, ..., medium, ..., veryslow",
		            t->x264_preset);
	double last = -1;
	const char *last_name = NULL;
	for (int i = 0; i < t->nparts; i++) {
		const sh_track_part *p = &t->parts[i];
		if (p->start >= 0 && p->start < last)
			return fail(p->name, "start", "%g s is before part '%s' starts (%g s): parts play in order", p->start,
			            last_name, last);
		if (p->start >= 0)
			last = p->start, last_name = p->name;
	}
	for (int i = 0; i < t->nparts; i++) {
		const sh_track_part *p = &t->parts[i];
		char *sp = sh_track_path(t, p->sample);
		char *vp = sh_track_path(t, p->visual);
		int r = 0;
		if (!is_file(sp))
			r = fail(p->name, "sample", "%s: %s", sp, is_dir(sp) ? "a folder, not a sound" : "no such file");
		else if (p->kind == SH_VISUAL_PICTURES ? !is_dir(vp) : !is_file(vp))
			r = fail(p->name, "visual", "%s: %s", vp,
			         p->kind == SH_VISUAL_PICTURES ? "no such folder (kind pictures)" : "no such file");
		double secs = r ? 0 : audio_seconds(sp);
		if (!r && secs < 0)
			r = fail(p->name, "sample", "%s", sh_error());
		if (!r) {
			/* the part as stretched to the track's tempo, against one slice */
			double to = sh_track_part_target(p->bpm, target_bpm);
			double len = to > 0 ? secs * p->bpm / to : secs;
			const char *slice = p->micro.has_slice ? p->micro.slice : t->micro.slice;
			sh_duration d;
			double ss;
			if (sh_parse_duration(slice, 0.001, &d) != 0 ||
			    sh_duration_seconds(&d, to > 0 ? to : target_bpm, fpsv, 48000, &ss) != 0)
				r = fail(p->name, "slice", "'%s': %s", slice,
				         target_bpm > 0 ? sh_error() : "a slice in beats needs a tempo (no part has one: "
				                                       "give bpm)");
			else if (len < ss)
				r = fail(p->name, "slice", "'%s' is %.3f s, longer than the part (%.3f s)", slice, ss,
				         len);
			else if (len * fpsv < 1)
				r = fail(p->name, "sample", "%.3f s is shorter than one frame", len);
		}
		free(sp);
		free(vp);
		if (r)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ writing */

static json_t *micro_json(const sh_track_micro *m, bool track)
{
	json_t *o = json_object();
	json_object_set_new(o, "slice", m->has_slice ? json_string(m->slice) : json_null());
	json_object_set_new(o, "shuffle", m->has_shuffle ? json_real(m->shuffle) : json_null());
	json_object_set_new(o, "stutter", m->has_stutter ? json_real(m->stutter) : json_null());
	json_object_set_new(o, "reverse", m->has_reverse ? json_real(m->reverse) : json_null());
	json_object_set_new(o, "drop", m->has_drop ? json_real(m->drop) : json_null());
	json_object_set_new(o, "max_repeats", m->has_max_repeats ? json_integer(m->max_repeats) : json_null());
	json_object_set_new(o, "seed", m->has_seed ? json_integer(m->seed) : json_null());
	(void)track;
	return o;
}

static json_t *num_or_null(double x, bool set)
{
	return set ? json_real(round(x * 1000) / 1000) : json_null();
}

char *sh_track_json(const sh_track *t)
{
	json_t *doc = json_object();
	json_object_set_new(doc, "format", json_string(SH_TRACK_FORMAT));
	json_object_set_new(doc, "version", json_integer(SH_TRACK_VERSION));
	json_object_set_new(doc, "bpm", num_or_null(t->bpm, t->bpm > 0));
	json_object_set_new(doc, "fps", json_string(t->fps));
	json_object_set_new(doc, "size", json_string(t->size));
	json_object_set_new(doc, "x264_preset", json_string(t->x264_preset));
	json_object_set_new(doc, "crf", json_integer(t->crf));
	json_object_set_new(doc, "loudness", json_real(t->loudness));
	json_object_set_new(doc, "true_peak", json_real(t->true_peak));
	json_object_set_new(doc, "microsample", micro_json(&t->micro, true));
	json_t *parts = json_array();
	for (int i = 0; i < t->nparts; i++) {
		const sh_track_part *p = &t->parts[i];
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(p->name));
		json_object_set_new(o, "sample", json_string(p->sample));
		json_object_set_new(o, "visual", json_string(p->visual));
		json_object_set_new(o, "kind", json_string(sh_visual_kind_name(p->kind)));
		json_object_set_new(o, "duration", num_or_null(p->duration, true));
		json_object_set_new(o, "bpm", num_or_null(p->bpm, p->bpm > 0));
		json_object_set_new(o, "key", p->key ? json_string(p->key) : json_null());
		json_object_set_new(o, "start", p->start >= 0 ? json_real(p->start) : json_null());
		json_object_set_new(o, "gain", json_real(p->gain_db));
		json_object_set_new(o, "microsample", micro_json(&p->micro, false));
		json_array_append_new(parts, o);
	}
	json_object_set_new(doc, "parts", parts);
	char *s = sh_json_text(doc, 10, NULL);
	json_decref(doc);
	return s;
}
