/* collide -- one whole collide-o-scope session in one command: pick N videos
 * from a library, trim and loop them, grade each, key and layer them, mix
 * their soundtracks across the stereo field, run a post chain, encode an MP4,
 * and record everything in manifest.json, which --from-manifest renders again
 * bit for bit from any working directory. Projects, presets and batches.
 *
 * The work is done by the suite's own programs, run as child processes (found
 * beside this program, else on PATH; lib/core/child.h):
 *   avsplit | colorgrade   each layer trimmed, scaled and graded (saturation,
 *                          hue shift) to a temporary y4m: collide's own step,
 *                          since colorkey grades nothing; the hue shift is
 *                          colorgrade's --hue-shift
 *   colorkey | POST...     keys (drawn and analysed by colorkey, recorded with
 *                          --record; a replay hands them back with --replay)
 *   amix | loudnorm        the soundtracks, trimmed and looped like the video
 *   avmux                  H.264 + AAC in MP4
 * Temporary files live in one folder under $TMPDIR, removed at the end: about
 * (layers + 2) x the output's length of raw y4m at the output's size. */
#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "child.h"
#include "chromakey.h"
#include "cli.h"
#include "media.h"
#include "rng.h"
#include "vcache.h"

static const char usage[] =
	"collide [options] -o OUT.mp4 --library CACHE.jsonl|DIR [-n N] | collide [options] -o OUT.mp4 SOURCE...\n"
	"       collide --from-manifest manifest.json [-o OUT.mp4]";

/* Defaults */
static const char *out_path = NULL;
static const char *library = NULL;     /* a vscan cache (JSON Lines) or a folder of videos */
static int64_t num_videos = 3;         /* layers: 2 a simple double exposure, 3-4 dense collage,
                                          6+ a blur where the keys eat each other */
static bool hd = false;                /* only sources at least 720 lines tall */
static bool with_audio = false;        /* only sources with a soundtrack */
static const char *mode = "kmeans";    /* fixed: the --colors; kmeans: each layer's own dominant
                                          colours; luminance: shadows or highlights; motion:
                                          whatever stands still */
static const char *colors = "white";   /* fixed: white keys paper and sky, green/blue screens */
static sh_range similarity = {0.2, 0.4};/* 0.05 only the exact colour, 0.3 its family, 0.6 most */
static sh_range blend = {0.0, 0.1};    /* edge softness: 0 hard cut-outs, 0.3 ghostly layers */
static int64_t clusters = 3;           /* kmeans: colour groups found in each layer's frame */
static int64_t keys = 1;               /* kmeans: how many of the largest groups are keyed */
static const char *luma = "auto";      /* luminance: dark, bright, or picked per layer */
static const char *size = NULL;        /* WxH; unset: the bottom layer's */
static sh_rational fps = {0, 0};       /* unset: the bottom layer's */
static sh_duration duration = {10, SH_DUR_SECONDS}; /* 4 a loop, 10 a sketch, 60+ a piece */
static const char *trim = "random";    /* random: each source starts anywhere; start: at 0 */
static sh_range saturation = {1, 1};   /* per layer: 0 black and white, 1 as shot, 1.5 candy */
static sh_range hue_shift = {0, 0};    /* per layer, degrees: 30 nudges, 180 the complement */
static sh_range width = {0.5, 0.9};    /* how far the soundtracks spread across the stereo
                                          field: 0 all centred, 1 hard left to hard right */
static double loudness = -14;          /* the mix's loudness, LUFS: -23 broadcast, -14 streaming */
static const char *post = NULL;        /* y4m filters after the overlay, "analog | colorgrade -s 1.2" */
static int64_t crf = 18;               /* x264 quality: 0 lossless, 18 clean, 28 small */
static const char *x264_preset = "medium"; /* encoder effort: ultrafast for drafts, slow to keep */
static const char *project = NULL;     /* projects/NAME: input/, output/, debug/, presets/ */
static const char *projects = "projects"; /* the folder that holds the projects */
static const char *from_manifest = NULL;
static int64_t batch = 0;              /* N sessions in a row, each its own seed and output */

static sh_option options[] = {
	{.name = "output", .short_name = 'o', .type = SH_OPT_STRING, .dest = &out_path, .no_preset = true,
	 .arg = "OUT.mp4", .help = "the video to write (.mp4, .mov, .mkv); a project's output/ when unset"},
	{.name = "library", .short_name = 'L', .type = SH_OPT_STRING, .dest = &library, .arg = "CACHE|DIR",
	 .help = "where sources are drawn from: a vscan cache or a folder; a project's input/ when unset"},
	{.name = "num-videos", .short_name = 'n', .type = SH_OPT_INT, .dest = &num_videos, .min = 1, .max = 64,
	 .help = "how many videos are layered, 1..64"},
	{.name = "hd", .type = SH_OPT_FLAG, .dest = &hd, .help = "only sources at least 720 lines tall"},
	{.name = "with-audio", .type = SH_OPT_FLAG, .dest = &with_audio, .help = "only sources with a soundtrack"},
	SH_KEY_OPTIONS(mode, colors, similarity, blend, clusters, keys, luma),
	{.name = "size", .short_name = 's', .type = SH_OPT_STRING, .dest = &size, .arg = "WxH",
	 .help = "output size; every layer is scaled to it; unset: the bottom layer's"},
	{.name = "fps", .short_name = 'r', .type = SH_OPT_RATE, .dest = &fps,
	 .help = "output frame rate; unset: the bottom layer's"},
	{.name = "duration", .short_name = 'd', .type = SH_OPT_DURATION, .dest = &duration, .scale = 1,
	 .help = "output length; sources shorter than that loop"},
	{.name = "trim", .type = SH_OPT_CHOICE, .dest = &trim, .choices = "random|start",
	 .help = "where each source starts: a random point (seeded), or its start"},
	{.name = "saturation", .type = SH_OPT_RANGE, .dest = &saturation, .min = 0, .max = 4,
	 .help = "colour saturation of each layer, drawn per layer"},
	{.name = "hue-shift", .type = SH_OPT_RANGE, .dest = &hue_shift, .min = -180, .max = 180, .unit = "degrees",
	 .help = "each layer's colours turned around the colour wheel, drawn per layer"},
	{.name = "width", .short_name = 'w', .type = SH_OPT_RANGE, .dest = &width, .min = 0, .max = 1,
	 .help = "stereo spread of the soundtracks, 0 centred .. 1 hard left to hard right, drawn per session"},
	{.name = "loudness", .type = SH_OPT_DOUBLE, .dest = &loudness, .min = -70, .max = 0, .unit = "LUFS",
	 .help = "integrated loudness of the mix"},
	{.name = "post", .short_name = 'P', .type = SH_OPT_STRING, .dest = &post, .arg = "CHAIN",
	 .help = "y4m filters after the overlay: \"analog --preset vintage-film | colorgrade -s 1.2\""},
	{.name = "crf", .short_name = 'q', .type = SH_OPT_INT, .dest = &crf, .min = 0, .max = 51,
	 .help = "x264 quality of the MP4, 0 (lossless)..51"},
	{.name = "x264-preset", .type = SH_OPT_CHOICE, .dest = &x264_preset,
	 .choices = "ultrafast|superfast|veryfast|faster|fast|medium|slow|slower|veryslow", .arg = "P",
	 .help = "x264 speed preset of the MP4"},
	{.name = "project", .type = SH_OPT_STRING, .dest = &project, .no_preset = true, .arg = "NAME",
	 .help = "work in PROJECTS/NAME: input/, output/, debug/, config.json, manifest.json, its presets"},
	{.name = "projects", .type = SH_OPT_STRING, .dest = &projects, .no_preset = true, .arg = "DIR",
	 .help = "the folder that holds the projects"},
	{.name = "from-manifest", .type = SH_OPT_STRING, .dest = &from_manifest, .no_preset = true, .arg = "FILE",
	 .help = "render a recorded session again, bit-exact, from any working directory"},
	{.name = "batch", .type = SH_OPT_INT, .dest = &batch, .no_preset = true, .min = 1, .max = 100000,
	 .help = "run N sessions in a row, each its own seed, output and manifest"},
	{0},
};

/* The y4m filters a post chain may hold. */
static const char *const post_programs[] = {"analog",   "colorgrade", "stabilize", "scanlines", "rgbsplit",
                                            "posterize", "pixcorrupt", "vnoise",   NULL};

#define MAX_LAYERS 64
#define MAX_POST 16

typedef struct {
	char *path;          /* as opened */
	double duration;
	int width, height;
	bool has_audio;
	double trim;         /* seconds into the source */
	double saturation, hue;
	double pan;          /* with a soundtrack */
	json_t *key;         /* the colorkey session's key (upper layers) */
	bool loop;
} source;

typedef struct {
	uint64_t seed;
	char timestamp[32];
	int n;
	source S[MAX_LAYERS];
	int width, height;
	sh_rational fps;
	double seconds;
	json_t *video;       /* colorkey's recorded output: geometry and frames */
	uint64_t key_seed;
	int npost;
	char **post[MAX_POST];
	bool normalized;
	char *output;        /* the video written */
	char *manifest;      /* the record written */
	char *debug;         /* a folder for the key pictures, or NULL */
} session;

/* ---- small helpers */

static char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *str_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = sh_malloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* The shortest text that reads back as the same double. */
static char *num_text(double v)
{
	char buf[64];
	sh_format_number(buf, sizeof buf, v);
	return sh_strdup(buf);
}

/* The post chain as argv lists (sh_spawn_parse), each step one of the suite's
 * video filters, found. */
static int split_post(const char *text, char **out[MAX_POST], int *n)
{
	if (sh_spawn_parse(text, out, MAX_POST, n) != 0) {
		sh_set_error("--post: %s", sh_error());
		return -1;
	}
	for (int i = 0; i < *n; i++) {
		bool known = false;
		for (int k = 0; post_programs[k]; k++)
			known |= !strcmp(out[i][0], post_programs[k]);
		char *found = known ? sh_find_program(out[i][0]) : NULL;
		if (!found) {
			if (!known)
				sh_set_error("--post: '%s' is not one of the suite's video filters (analog, colorgrade, "
				             "stabilize, scanlines, rgbsplit, posterize, pixcorrupt, vnoise)", out[i][0]);
			sh_spawn_free_argvs(out, *n);
			*n = 0;
			return -1;
		}
		free(found);
	}
	return 0;
}

static bool has_word(char **argv, const char *word)
{
	for (int k = 0; argv[k]; k++)
		if (!strcmp(argv[k], word) || (!strncmp(argv[k], word, strlen(word)) && argv[k][strlen(word)] == '='))
			return true;
	return false;
}

/* Remove FOLDER and the files in it (our temporary folder: no subfolders). */
static void remove_tree(const char *folder)
{
	DIR *d = opendir(folder);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			char *p = str_printf("%s/%s", folder, e->d_name);
			unlink(p);
			free(p);
		}
		closedir(d);
	}
	rmdir(folder);
}

/* ---- the library */

typedef struct {
	char *path;
	double duration;
	int width, height;
	bool has_audio;
} entry;

static int by_path(const void *a, const void *b) { return strcmp(((const entry *)a)->path, ((const entry *)b)->path); }

/* Read a vscan cache: the videos in it (pictures and records without a
 * duration left out), paths named from the cache's folder. */
static entry *read_cache(const char *cache, int *count)
{
	json_t *map = sh_vcache_load(cache, false);
	if (!map)
		return NULL;
	entry *E = sh_calloc(json_object_size(map) + 1, sizeof *E);
	int n = 0;
	const char *p;
	json_t *r;
	json_object_foreach(map, p, r) {
		json_t *d = json_object_get(r, "duration"), *w = json_object_get(r, "width"),
		       *h = json_object_get(r, "height");
		if (!json_is_number(d) || !(json_number_value(d) > 0) || !json_is_integer(w) || !json_is_integer(h))
			continue;
		char *at = sh_path_in_record(p, cache);
		if (access(at, F_OK) != 0 && access(p, F_OK) == 0) { /* named from where vscan ran */
			free(at);
			at = sh_strdup(p);
		}
		E[n++] = (entry){at, json_number_value(d), (int)json_integer_value(w), (int)json_integer_value(h),
		                 json_is_true(json_object_get(r, "has_audio"))};
	}
	json_decref(map);
	qsort(E, (size_t)n, sizeof *E, by_path);
	*count = n;
	return E;
}

/* A source named on the command line, probed. */
static int probe(const char *path, entry *e)
{
	sh_media *m = sh_media_open(path);
	if (!m)
		return -1;
	const sh_media_info *mi = sh_media_get_info(m);
	int r = 0;
	if (!mi->has_video || mi->is_image || !(mi->duration > 0)) {
		sh_set_error("%s: not a video with a known length", path);
		r = -1;
	} else {
		*e = (entry){sh_strdup(path), mi->duration, mi->width, mi->height, mi->has_audio};
	}
	sh_media_close(m);
	return r;
}

/* ---- one session */

/* Run a pipeline, naming the step in the error. */
static int run(const char *what, char **const *argvs, int n, const char *in, const char *out, const char *log)
{
	for (int i = 0; i < n; i++) {
		char *t = sh_spawn_text(argvs[i]);
		sh_note("%s: %s", what, t);
		free(t);
	}
	if (sh_spawn_pipeline(argvs, n, in, out, log) != 0) {
		sh_set_error("%s: %s", what, sh_error());
		return -1;
	}
	return 0;
}

/* Pick the sources and draw every choice of a new session. */
static int plan_session(session *s, char **names, int nnames, const char *tmp)
{
	entry *E = NULL;
	int count = 0, status = -1;
	if (nnames > 0) {
		E = sh_calloc((size_t)nnames, sizeof *E);
		for (int i = 0; i < nnames; i++, count++)
			if (probe(names[i], &E[i]) != 0)
				goto done;
	} else {
		const char *lib = library;
		struct stat st;
		if (!lib || stat(lib, &st) != 0) {
			sh_set_error("library %s: %s", lib ? lib : "(none)", lib ? strerror(errno) : "give --library");
			goto done;
		}
		if (S_ISDIR(st.st_mode)) {
			/* a folder: vscan it (a file it cannot read is left out, with a warning) */
			char *cache = str_printf("%s/library.jsonl", tmp), *log = str_printf("%s/vscan.log", tmp);
			char *argv[] = {"vscan", "-o", cache, (char *)lib, NULL};
			char **const a[] = {argv};
			sh_spawn_pipeline(a, 1, NULL, NULL, log);
			if (access(cache, F_OK) != 0) {
				sh_set_error("library %s: vscan wrote nothing: %s", lib, sh_error());
				free(cache);
				free(log);
				goto done;
			}
			E = read_cache(cache, &count);
			free(cache);
			free(log);
		} else {
			E = read_cache(lib, &count);
		}
		if (!E)
			goto done;
		int kept = 0;
		for (int i = 0; i < count; i++) {
			if ((hd && E[i].height < 720) || (with_audio && !E[i].has_audio)) {
				free(E[i].path);
				continue;
			}
			E[kept++] = E[i];
		}
		count = kept;
		if (count == 0) {
			sh_set_error("library %s: no videos%s%s%s", lib, hd || with_audio ? " left after" : "",
			             hd ? " --hd" : "", with_audio ? " --with-audio" : "");
			goto done;
		}
	}
	int n = nnames > 0 && !sh_option_given(options, "num-videos") ? nnames : (int)num_videos;
	if (n > count) {
		sh_set_error("%d videos asked for, but the %s has only %d", n, nnames ? "command line" : "library", count);
		goto done;
	}
	if (n > MAX_LAYERS)
		n = MAX_LAYERS;
	sh_rng master;
	sh_rng_seed(&master, s->seed);
	/* the draw: a seeded sample without replacement, the first the bottom layer */
	int *idx = sh_malloc(sizeof(int) * (size_t)count);
	for (int i = 0; i < count; i++)
		idx[i] = i;
	for (int i = 0; i < n; i++) {
		int j = i + (int)sh_rng_below(&master, (uint64_t)(count - i));
		int t = idx[i];
		idx[i] = idx[j];
		idx[j] = t;
	}
	s->n = n;
	for (int i = 0; i < n; i++) {
		entry *e = &E[idx[i]];
		s->S[i] = (source){.path = sh_strdup(e->path), .duration = e->duration, .width = e->width,
		                   .height = e->height, .has_audio = e->has_audio};
	}
	free(idx);
	/* geometry: the given, else the bottom layer's */
	if (size) {
		if (sscanf(size, "%dx%d", &s->width, &s->height) != 2 || s->width < 2 || s->height < 2 || s->width > 16384 ||
		    s->height > 16384) {
			sh_set_error("--size %s: expected WxH, 2..16384 each", size);
			goto done;
		}
	} else {
		s->width = s->S[0].width;
		s->height = s->S[0].height;
	}
	s->width += s->width & 1; /* 4:2:0 wants even sizes */
	s->height += s->height & 1;
	if (fps.num) {
		s->fps = fps;
	} else {
		/* the bottom layer's rate, probed */
		sh_media *m = sh_media_open(s->S[0].path);
		if (!m)
			goto done;
		const sh_media_info *mi = sh_media_get_info(m);
		s->fps = (sh_rational){mi->fps_num > 0 ? mi->fps_num : 25, mi->fps_num > 0 ? mi->fps_den : 1};
		sh_media_close(m);
	}
	if (sh_duration_seconds(&duration, 0, sh_rational_value(s->fps), 0, &s->seconds) != 0)
		goto done;
	/* per layer, each its own stream: trim, saturation, hue shift */
	for (int i = 0; i < n; i++) {
		sh_rng r = sh_rng_fork(&master);
		source *L = &s->S[i];
		double room = L->duration - s->seconds;
		double u = sh_rng_uniform(&r);
		L->trim = !strcmp(trim, "random") && room > 0 ? floor(u * room * 1000) / 1000 : 0; /* whole ms */
		L->saturation = sh_rng_between(&r, saturation.lo, saturation.hi);
		L->hue = sh_rng_between(&r, hue_shift.lo, hue_shift.hi);
	}
	/* the soundtracks spread evenly across the field, in a shuffled order */
	double w = sh_rng_between(&master, width.lo, width.hi);
	int na = 0, order[MAX_LAYERS];
	for (int i = 0; i < n; i++)
		if (s->S[i].has_audio)
			order[na++] = i;
	for (int i = na - 1; i > 0; i--) {
		int j = (int)sh_rng_below(&master, (uint64_t)i + 1), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (int k = 0; k < na; k++)
		s->S[order[k]].pan = na == 1 ? 0 : round((-w + 2 * w * k / (na - 1)) * 1e6) / 1e6;
	s->key_seed = sh_rng_next(&master) >> 1;
	/* the post chain, each random step seeded from the session */
	if (post && split_post(post, s->post, &s->npost) != 0)
		goto done;
	for (int i = 0; i < s->npost; i++) {
		uint64_t ps = sh_rng_next(&master) >> 1;
		if (!has_word(s->post[i], "--seed")) {
			char buf[32];
			snprintf(buf, sizeof buf, "%llu", (unsigned long long)ps);
			if (sh_spawn_add(s->post[i], "--seed") != 0 || sh_spawn_add(s->post[i], buf) != 0) {
				sh_set_error("--post: %s: too many words", s->post[i][0]);
				goto done;
			}
		}
	}
	status = 0;
done:
	for (int i = 0; i < count; i++)
		free(E[i].path);
	free(E);
	return status;
}

/* Each layer trimmed, scaled to the output and graded: tmp/layerI.y4m. */
static int render_layers(session *s, const char *tmp, const char *log)
{
	char fpsb[32], sizeb[32], dur[32];
	snprintf(fpsb, sizeof fpsb, "%d/%d", s->fps.num, s->fps.den);
	snprintf(sizeb, sizeof sizeb, "%dx%d", s->width, s->height);
	for (int i = 0; i < s->n; i++) {
		source *L = &s->S[i];
		char *start = num_text(L->trim), *sat = num_text(L->saturation), *hue = num_text(L->hue);
		/* only as much as the output needs; a shorter rest loops in colorkey */
		snprintf(dur, sizeof dur, "%.17g", s->seconds);
		L->loop = L->duration - L->trim < s->seconds;
		char *a1[] = {"avsplit", "-V", "-", "-r", fpsb, "-s", sizeb, "--start", start, "-d", dur, L->path, NULL};
		char *a2[] = {"colorgrade", "--seed", "1", "--saturation", sat, "--hue-shift", hue, NULL};
		char **const p[] = {a1, a2};
		char *out = str_printf("%s/layer%d.y4m", tmp, i), *what = str_printf("layer %d (%s)", i, L->path);
		bool graded = L->saturation != 1 || L->hue != 0;
		int r = run(what, p, graded ? 2 : 1, NULL, out, log);
		free(out);
		free(what);
		free(start);
		free(sat);
		free(hue);
		if (r != 0)
			return -1;
	}
	return 0;
}

/* The colorkey session a replay hands back: the layers, their keys, the
 * recorded geometry. */
static int write_key_session(const session *s, const char *path, const char *tmp)
{
	json_t *r = json_object();
	json_object_set_new(r, "format", json_string("shards-colorkey-session"));
	json_object_set_new(r, "version", json_integer(1));
	json_object_set_new(r, "seed", json_integer((json_int_t)s->key_seed));
	json_object_set(r, "output", s->video);
	json_t *o = json_object();
	json_object_set_new(o, "mode", json_string(mode));
	json_object_set_new(r, "options", o);
	json_t *ls = json_array();
	for (int i = 0; i < s->n; i++) {
		json_t *l = json_object();
		char *src = str_printf("%s/layer%d.y4m", tmp, i);
		json_object_set_new(l, "source", json_string(src));
		free(src);
		json_object_set_new(l, "start", json_real(0));
		json_object_set_new(l, "loop", json_true());
		if (i > 0)
			json_object_set(l, "key", s->S[i].key);
		json_array_append_new(ls, l);
	}
	json_object_set_new(r, "layers", ls);
	size_t len;
	char *text = sh_json_text(r, 17, &len);
	json_decref(r);
	int st = text ? sh_write_file_atomic(path, text, len) : -1;
	free(text);
	return st;
}

/* The overlay and the post chain: tmp/video.y4m; a new session's keys are
 * read back from colorkey's record. */
static int render_video(session *s, const char *tmp, const char *log, bool replay)
{
	char *argv[MAX_LAYERS + 40] = {0};
	int k = 0, status = -1;
	char *sess = str_printf("%s/keys.json", tmp), *plot = NULL;
	char seedb[32], dur[32], kb[16], keysb[16];
	char a[64], b[64];
	sh_format_number(a, sizeof a, similarity.lo);
	sh_format_number(b, sizeof b, similarity.hi);
	char *sim = str_printf("%s..%s", a, b);
	sh_format_number(a, sizeof a, blend.lo);
	sh_format_number(b, sizeof b, blend.hi);
	char *bl = str_printf("%s..%s", a, b);
	char *layers[MAX_LAYERS];
	for (int i = 0; i < s->n; i++)
		layers[i] = str_printf("%s/layer%d.y4m", tmp, i);
	argv[k++] = "colorkey";
	if (replay) {
		if (write_key_session(s, sess, tmp) != 0)
			goto fail;
		argv[k++] = "--replay";
		argv[k++] = sess;
	} else {
		snprintf(seedb, sizeof seedb, "%llu", (unsigned long long)s->key_seed);
		snprintf(dur, sizeof dur, "%.17g", s->seconds);
		snprintf(kb, sizeof kb, "%lld", (long long)clusters);
		snprintf(keysb, sizeof keysb, "%lld", (long long)keys);
		char *fixed[] = {"--seed", seedb, "-m", (char *)mode, "-c", (char *)colors, "-S", sim, "-B", bl, "-k", kb,
		                 "--keys", keysb, "--luma", (char *)luma, "-d", dur, "--record", sess, NULL};
		for (int i = 0; fixed[i]; i++)
			argv[k++] = fixed[i];
		for (int i = 0; i < s->n; i++)
			argv[k++] = layers[i];
	}
	if (s->debug && s->n > 1) {
		plot = str_printf("%s/keys.png", s->debug);
		argv[k++] = "--plot";
		argv[k++] = plot;
	}
	argv[k++] = "-o";
	argv[k++] = "-";
	char **pipe[MAX_POST + 1];
	pipe[0] = argv;
	for (int i = 0; i < s->npost; i++)
		pipe[i + 1] = s->post[i];
	char *out = str_printf("%s/video.y4m", tmp);
	int r = run("overlay", pipe, s->npost + 1, NULL, out, log);
	free(out);
	if (r != 0)
		goto fail;
	if (!replay) {
		json_error_t jerr;
		json_t *rec = json_load_file(sess, 0, &jerr);
		json_t *ls = rec ? json_object_get(rec, "layers") : NULL;
		if (!json_is_array(ls) || (int)json_array_size(ls) != s->n) {
			sh_set_error("%s: colorkey's record is not what collide expects", sess);
			json_decref(rec);
			goto fail;
		}
		s->video = json_incref(json_object_get(rec, "output"));
		for (int i = 1; i < s->n; i++)
			s->S[i].key = json_incref(json_object_get(json_array_get(ls, (size_t)i), "key"));
		json_decref(rec);
	}
	status = 0;
fail:
	for (int i = 0; i < s->n; i++)
		free(layers[i]);
	free(sess);
	free(plot);
	free(sim);
	free(bl);
	return status;
}

/* Silence as long as the output, AU float stereo 48 kHz: a session whose
 * sources have no soundtrack still has one. */
static int write_silence(const char *path, double seconds)
{
	FILE *f = fopen(path, "wb");
	if (!f) {
		sh_set_error("%s: %s", path, strerror(errno));
		return -1;
	}
	uint64_t frames = (uint64_t)llround(seconds * 48000);
	uint32_t hdr[7] = {0x2e736e64, 28, (uint32_t)(frames * 8), 6, 48000, 2, 0};
	for (int i = 0; i < 7; i++) {
		unsigned char b[4] = {hdr[i] >> 24, hdr[i] >> 16 & 255, hdr[i] >> 8 & 255, hdr[i] & 255};
		fwrite(b, 1, 4, f);
	}
	static const unsigned char zero[8192];
	for (uint64_t left = frames * 8; left > 0;) {
		size_t k = left < sizeof zero ? (size_t)left : sizeof zero;
		fwrite(zero, 1, k, f);
		left -= k;
	}
	if (fclose(f) != 0) {
		sh_set_error("%s: write error", path);
		return -1;
	}
	return 0;
}

/* The soundtracks, trimmed and looped like their pictures, panned, mixed and
 * brought to the loudness: tmp/audio.au. */
static int render_audio(session *s, const char *tmp, const char *log)
{
	char *out = str_printf("%s/audio.au", tmp);
	char dur[32], lufs[32];
	snprintf(dur, sizeof dur, "%.17g", s->seconds);
	char *argv[MAX_LAYERS + 16] = {"amix", "-r", "48000", "-c", "2", "-d", dur};
	int k = 7, na = 0;
	for (int i = 0; i < s->n; i++) {
		if (!s->S[i].has_audio)
			continue;
		char *pan = num_text(s->S[i].pan), *t = num_text(s->S[i].trim);
		argv[k++] = str_printf("%s:pan=%s:trim=%s:loop=inf", s->S[i].path, pan, t);
		free(pan);
		free(t);
		na++;
	}
	int r;
	s->normalized = na > 0;
	if (na == 0) {
		r = write_silence(out, s->seconds);
	} else {
		snprintf(lufs, sizeof lufs, "%.17g", loudness);
		char *ln[] = {"loudnorm", "-t", lufs, NULL};
		char **const p[] = {argv, ln};
		r = run("audio", p, 2, NULL, out, log);
	}
	for (int i = 7; i < k; i++)
		free(argv[i]);
	free(out);
	return r;
}

static int render_mux(session *s, const char *tmp, const char *log)
{
	char q[16];
	snprintf(q, sizeof q, "%lld", (long long)crf);
	char *a = str_printf("%s/audio.au", tmp), *v = str_printf("%s/video.y4m", tmp);
	char *argv[] = {"avmux", "-q", q, "--x264-preset", (char *)x264_preset, "-o", s->output, a, v, NULL};
	char **const p[] = {argv};
	int r = run("mux", p, 1, NULL, NULL, log);
	free(a);
	free(v);
	return r;
}

/* ---- the record */

static json_t *manifest_json(const session *s)
{
	char *dir = sh_strdup(s->manifest);
	char *slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir] = 0;
	else
		strcpy(dir, ".");
	json_t *m = json_object();
	json_object_set_new(m, "format", json_string("shards-collide-manifest"));
	json_object_set_new(m, "version", json_integer(1));
	json_t *mb = json_object();
	json_object_set_new(mb, "program", json_string("collide"));
	json_object_set_new(mb, "version", json_string(SHARDS_VERSION));
	json_object_set_new(m, "made_by", mb);
	json_object_set_new(m, "seed", json_integer((json_int_t)s->seed));
	json_object_set_new(m, "timestamp", json_string(s->timestamp));
	json_object_set_new(m, "config", sh_options_json(options));
	json_t *src = json_array();
	for (int i = 0; i < s->n; i++) {
		const source *L = &s->S[i];
		json_t *o = json_object();
		char *rel = sh_path_relative(L->path, dir), res[48];
		json_object_set_new(o, "path", json_string(rel ? rel : L->path));
		free(rel);
		json_object_set_new(o, "trim_start", json_real(L->trim));
		json_object_set_new(o, "duration", json_real(L->duration));
		snprintf(res, sizeof res, "%dx%d", L->width, L->height);
		json_object_set_new(o, "resolution", json_string(res));
		json_object_set_new(o, "has_audio", json_boolean(L->has_audio));
		json_object_set_new(o, "loop", json_boolean(L->loop));
		json_object_set_new(o, "saturation", json_real(L->saturation));
		json_object_set_new(o, "hue_shift", json_real(L->hue));
		json_array_append_new(src, o);
	}
	json_object_set_new(m, "sources", src);
	json_t *ck = json_array();
	for (int i = 1; i < s->n; i++) {
		json_t *k = json_object(), *key = s->S[i].key;
		json_object_set_new(k, "layer", json_integer(i));
		json_object_set_new(k, "mode", json_string(mode));
		json_object_set(k, "kind", json_object_get(key, "kind"));
		json_object_set(k, "colors", json_object_get(key, "colors"));
		json_object_set(k, "similarity", json_object_get(key, "similarity"));
		json_object_set(k, "blend", json_object_get(key, "blend"));
		json_array_append_new(ck, k);
	}
	json_object_set_new(m, "colorkeys", ck);
	json_object_set_new(m, "key_seed", json_integer((json_int_t)s->key_seed));
	json_t *v = json_deep_copy(s->video);
	json_object_set_new(v, "duration", json_real(s->seconds));
	json_object_set_new(m, "video", v);
	json_t *au = json_object(), *as = json_array(), *ap = json_array();
	for (int i = 0; i < s->n; i++)
		if (s->S[i].has_audio) {
			json_array_append_new(as, json_integer(i));
			json_array_append_new(ap, json_real(s->S[i].pan));
		}
	json_object_set_new(au, "sources", as);
	json_object_set_new(au, "panning", ap);
	json_object_set_new(au, "normalized", json_boolean(s->normalized));
	json_object_set_new(au, "loudness", json_real(loudness));
	json_object_set_new(m, "audio", au);
	json_t *pa = json_array();
	for (int i = 0; i < s->npost; i++) {
		char *t = sh_spawn_text(s->post[i]);
		json_array_append_new(pa, json_string(t));
		free(t);
	}
	json_object_set_new(m, "post", pa);
	char *rel = sh_path_relative(s->output, dir);
	json_object_set_new(m, "output", json_string(rel ? rel : s->output));
	free(rel);
	free(dir);
	return m;
}

static int write_json(const char *path, json_t *doc)
{
	size_t len;
	char *text = sh_json_text(doc, 17, &len);
	int r = text ? sh_write_file_atomic(path, text, len) : -1;
	free(text);
	return r;
}

/* ---- replay: a session from its record */

static double num(json_t *o, const char *key, bool *ok)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_number(v))
		*ok = false;
	return json_number_value(v);
}

static int load_manifest(session *s, const char *path)
{
	json_error_t jerr;
	json_t *m = json_load_file(path, 0, &jerr);
	if (!m) {
		sh_set_error("%s: line %d: %s", path, jerr.line, jerr.text);
		return -1;
	}
	int st = -1;
	bool ok = true;
	json_t *f = json_object_get(m, "format");
	if (!json_is_string(f) || strcmp(json_string_value(f), "shards-collide-manifest")) {
		sh_set_error("%s: not a collide manifest (no \"format\":\"shards-collide-manifest\")", path);
		goto done;
	}
	/* the recorded settings, as a preset would give them */
	json_t *cfg = json_object_get(m, "config");
	const char *key;
	json_t *val;
	json_object_foreach(cfg, key, val) {
		if (json_is_null(val))
			continue;
		if (sh_params_set_json(options, key, val, false) != 0) {
			sh_set_error("%s: config: %s", path, sh_error());
			goto done;
		}
	}
	s->seed = (uint64_t)num(m, "seed", &ok);
	s->key_seed = (uint64_t)num(m, "key_seed", &ok);
	json_t *src = json_object_get(m, "sources"), *ck = json_object_get(m, "colorkeys");
	json_t *au = json_object_get(m, "audio");
	s->video = json_deep_copy(json_object_get(m, "video"));
	if (!json_is_array(src) || json_array_size(src) < 1 || json_array_size(src) > MAX_LAYERS ||
	    !json_is_array(ck) || json_array_size(ck) != json_array_size(src) - 1 || !json_is_object(s->video) ||
	    !json_is_object(au)) {
		sh_set_error("%s: sources, colorkeys, video or audio are missing or do not match", path);
		goto done;
	}
	s->n = (int)json_array_size(src);
	s->width = (int)num(s->video, "width", &ok);
	s->height = (int)num(s->video, "height", &ok);
	s->seconds = num(s->video, "duration", &ok);
	json_t *fr = json_object_get(s->video, "fps");
	if (!json_is_string(fr) || sh_parse_rate(json_string_value(fr), &s->fps) != 0)
		ok = false;
	json_object_del(s->video, "duration");
	for (int i = 0; i < s->n; i++) {
		json_t *o = json_array_get(src, (size_t)i);
		source *L = &s->S[i];
		json_t *p = json_object_get(o, "path");
		if (!json_is_string(p)) {
			ok = false;
			break;
		}
		L->path = sh_path_in_record(json_string_value(p), path);
		L->trim = num(o, "trim_start", &ok);
		L->duration = num(o, "duration", &ok);
		L->saturation = num(o, "saturation", &ok);
		L->hue = num(o, "hue_shift", &ok);
		L->has_audio = json_is_true(json_object_get(o, "has_audio"));
		const char *res = json_string_value(json_object_get(o, "resolution"));
		if (!res || sscanf(res, "%dx%d", &L->width, &L->height) != 2)
			ok = false;
		if (i > 0) {
			json_t *k = json_array_get(ck, (size_t)i - 1);
			L->key = json_object();
			const char *names[] = {"kind", "colors", "similarity", "blend"};
			for (int j = 0; j < 4; j++) {
				if (!json_object_get(k, names[j]))
					ok = false;
				json_object_set(L->key, names[j], json_object_get(k, names[j]));
			}
		}
	}
	json_t *as = json_object_get(au, "sources"), *ap = json_object_get(au, "panning");
	size_t ai;
	json_t *av;
	json_array_foreach(as, ai, av) {
		json_int_t li = json_integer_value(av);
		if (li < 0 || li >= s->n || !json_is_number(json_array_get(ap, ai)))
			ok = false;
		else
			s->S[li].pan = json_number_value(json_array_get(ap, ai));
	}
	json_t *pc = json_object_get(m, "post");
	sh_strbuf chain = {0};
	json_array_foreach(pc, ai, av) {
		if (!json_is_string(av))
			ok = false;
		else {
			if (ai)
				sh_strbuf_str(&chain, " | ");
			sh_strbuf_str(&chain, json_string_value(av));
		}
	}
	if (!ok) {
		sh_set_error("%s: a field is missing or of the wrong type", path);
		free(chain.s);
		goto done;
	}
	if (chain.s && split_post(chain.s, s->post, &s->npost) != 0) {
		free(chain.s);
		goto done;
	}
	free(chain.s);
	if (!out_path) {
		json_t *o = json_object_get(m, "output");
		if (!json_is_string(o)) {
			sh_set_error("%s: no output recorded: give -o", path);
			goto done;
		}
		s->output = sh_path_in_record(json_string_value(o), path);
	}
	st = 0;
done:
	json_decref(m);
	return st;
}

/* ---- projects */

static char *project_dir = NULL;

/* projects/NAME with its folders, and the studio notes when missing. */
static int open_project(void)
{
	for (const char *c = project; *c; c++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", *c) || project[0] == '.') {
			sh_set_error("--project %s: use letters, digits, '-', '_' and '.', not first", project);
			return -1;
		}
	project_dir = str_printf("%s/%s", projects, project);
	const char *sub[] = {"input", "output", "debug"};
	for (int i = 0; i < 3; i++) {
		char *p = str_printf("%s/%s", project_dir, sub[i]);
		int r = sh_mkdirs(p, NULL);
		free(p);
		if (r != 0)
			return -1;
	}
	char *readme = str_printf("%s/README.md", project_dir);
	int r = 0;
	if (access(readme, F_OK) != 0) {
		char *text = str_printf("# %s\n\nStudio notes: what this project is after, what worked, what to revisit.\n",
		                        project);
		r = sh_write_file_atomic(readme, text, strlen(text));
		free(text);
	}
	free(readme);
	return r;
}

/* --project and --projects are read before the options, so the project's
 * presets shadow the universal ones for collide's own --preset too. */
static void project_env(int argc, char **argv)
{
	const char *name = NULL, *root = "projects";
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--project") && i + 1 < argc)
			name = argv[++i];
		else if (!strncmp(argv[i], "--project=", 10))
			name = argv[i] + 10;
		else if (!strcmp(argv[i], "--projects") && i + 1 < argc)
			root = argv[++i];
		else if (!strncmp(argv[i], "--projects=", 11))
			root = argv[i] + 11;
	}
	if (!name || !*name || strchr(name, '/'))
		return;
	char *p = str_printf("%s/%s", root, name), *abs = sh_path_absolute(p);
	if (abs)
		setenv("SHARDS_PROJECT", abs, 1);
	free(p);
	free(abs);
}

/* ---- a session from start to end */

static void free_session(session *s)
{
	for (int i = 0; i < s->n; i++) {
		free(s->S[i].path);
		json_decref(s->S[i].key);
	}
	json_decref(s->video);
	sh_spawn_free_argvs(s->post, s->npost);
	free(s->output);
	free(s->manifest);
	free(s->debug);
}

/* Names for session K of a batch (0 for a single run): output and record. */
static void name_outputs(session *s, int k)
{
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(s->timestamp, sizeof s->timestamp, "%Y%m%d_%H%M%S", &tm);
	char num[16] = "";
	if (k > 0)
		snprintf(num, sizeof num, "-%03d", k);
	if (!s->output) {
		if (out_path) {
			const char *dot = strrchr(out_path, '.'), *slash = strrchr(out_path, '/');
			if (k > 0 && dot && (!slash || dot > slash))
				s->output = str_printf("%.*s%s%s", (int)(dot - out_path), out_path, num, dot);
			else
				s->output = str_printf("%s%s", out_path, num);
		} else {
			s->output = str_printf("%s/output/output_%s%s.mp4", project_dir, s->timestamp, num);
		}
	}
	/* the record beside the output: manifest.json, or NAME-K.manifest.json in a batch */
	const char *slash = strrchr(s->output, '/');
	int dl = slash ? (int)(slash - s->output) : 1;
	const char *d = slash ? s->output : ".";
	if (k == 0 && project_dir) {
		s->manifest = str_printf("%s/manifest.json", project_dir);
	} else if (k > 0) {
		const char *base = slash ? slash + 1 : s->output, *dot = strrchr(base, '.');
		int bl = dot ? (int)(dot - base) : (int)strlen(base);
		s->manifest = str_printf("%.*s/%.*s.manifest.json", dl, d, bl, base);
	} else {
		s->manifest = str_printf("%.*s/manifest.json", dl, d);
	}
	if (project_dir)
		s->debug = k > 0 ? str_printf("%s/debug/session%s", project_dir, num)
		                 : str_printf("%s/debug", project_dir);
}

static int session_run(session *s, char **names, int nnames, int k)
{
	char tmpl[4096];
	const char *td = getenv("TMPDIR");
	snprintf(tmpl, sizeof tmpl, "%s/collide-XXXXXX", td && *td ? td : "/tmp");
	char *tmp = mkdtemp(tmpl);
	if (!tmp) {
		sh_set_error("cannot make a temporary folder in %s: %s", td && *td ? td : "/tmp", strerror(errno));
		return -1;
	}
	char *log = str_printf("%s/log.txt", tmp);
	int r = -1;
	if (from_manifest) {
		if (load_manifest(s, from_manifest) != 0)
			goto done;
	} else if (plan_session(s, names, nnames, tmp) != 0) {
		goto done;
	}
	name_outputs(s, k);
	if (s->debug && sh_mkdirs(s->debug, NULL) != 0)
		goto done;
	/* the output's folder must be there, as for any program's -o (a
	 * project's output/ is made with the project) */
	char *odir = sh_strdup(s->output);
	char *sl = strrchr(odir, '/');
	struct stat ost;
	if (sl && (sl[sl == odir] = 0, stat(odir, &ost) != 0 || !S_ISDIR(ost.st_mode))) {
		sh_set_error("%s: no such folder", odir);
		free(odir);
		goto done;
	}
	free(odir);
	sh_note("session %d: seed %llu, %d layers, %dx%d, %.3f s", k, (unsigned long long)s->seed, s->n, s->width,
	        s->height, s->seconds);
	if (render_layers(s, tmp, log) != 0 || render_video(s, tmp, log, from_manifest != NULL) != 0 ||
	    render_audio(s, tmp, log) != 0 || render_mux(s, tmp, log) != 0)
		goto done;
	json_t *m = manifest_json(s);
	r = write_json(s->manifest, m);
	if (r == 0)
		sh_seed_carried(s->seed); /* the record holds it */
	if (r == 0 && project_dir) {
		/* the project keeps the last run's record and settings at its top */
		char *pm = str_printf("%s/manifest.json", project_dir), *pc = str_printf("%s/config.json", project_dir);
		if (strcmp(pm, s->manifest)) {
			/* a batch session's record again, its paths named from the project's folder */
			json_decref(m);
			free(s->manifest);
			s->manifest = sh_strdup(pm);
			m = manifest_json(s);
			r = write_json(pm, m);
		}
		json_t *cfg = sh_options_json(options);
		if (r == 0)
			r = write_json(pc, cfg);
		json_decref(cfg);
		free(pm);
		free(pc);
	}
	json_decref(m);
done:
	remove_tree(tmp);
	free(log);
	return r;
}

static sh_program prog = {
	.usage = usage,
	.summary = "one collide-o-scope session: pick, trim, grade, key and layer videos, mix their sound, record it",
	.has_seed = true,
};

int main(int argc, char **argv)
{
	project_env(argc, argv);
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	int nnames = argc - first;
	char **names = argv + first;
	if (from_manifest && (nnames > 0 || batch))
		sh_usage_error("--from-manifest takes everything from the record: no sources, no --batch");
	if (project && open_project() != 0)
		sh_die("%s", sh_error());
	if (!out_path && !project && !from_manifest)
		sh_usage_error("give -o OUT.mp4 or --project NAME (try --help)");
	if (!from_manifest && nnames == 0 && !library) {
		if (!project)
			sh_usage_error("give --library CACHE|DIR or SOURCE files (try --help)");
		library = str_printf("%s/input", project_dir); /* a project's own material */
	}
	/* a post chain is checked before any work */
	if (post && !from_manifest) {
		char **chk[MAX_POST];
		int n;
		if (split_post(post, chk, &n) != 0)
			sh_usage_error("%s", sh_error());
		sh_spawn_free_argvs(chk, n);
	}
	int sessions = batch > 0 ? (int)batch : 1, failed = 0;
	for (int k = 0; k < sessions; k++) {
		session s = {0};
		s.seed = prog.seed_given ? prog.seed + (uint64_t)k : (k == 0 ? prog.seed : sh_fresh_seed());
		if (out_path && from_manifest)
			s.output = sh_strdup(out_path);
		if (session_run(&s, names, nnames, batch > 0 ? k + 1 : 0) != 0) {
			if (batch > 0)
				sh_warn("session %d (seed %llu): %s", k + 1, (unsigned long long)s.seed, sh_error());
			else
				sh_die("%s", sh_error());
			failed++;
		} else {
			sh_note("%s: %s", s.output, s.manifest);
		}
		free_session(&s);
	}
	if (batch > 0)
		fprintf(stderr, "collide: %d sessions: %d written, %d failed\n", sessions, sessions - failed, failed);
	return failed ? 1 : 0;
}
