/* vscan -- the video library's metadata cache: one JSON record per video file
 * (JSON Lines), probed with libavformat, incremental through --cache. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "vcache.h"
#include "media.h"

static const char usage[] = "vscan [options] DIR|FILE...";
static const char summary[] =
	"scan folders for videos and print one JSON record per video (JSON Lines); --cache makes it incremental";

static struct {
	const char *cache;  /* the cache file (JSON Lines, as printed) */
	const char *output; /* where the records go */
	bool all;           /* probe every file, not just video extensions */
	bool images;        /* pictures count as videos (one-frame) */
} opt = {
	/* no cache: every run probes every file (slow on a big library, always fresh) */
	.cache = NULL,
	.output = "-",
	/* only names that look like video (.mp4 .mkv .mov .webm .avi .y4m ...): fast and quiet */
	.all = false,
	/* pictures are left out: a library of footage, not stills */
	.images = false,
};

static sh_option options[] = {
	{.name = "cache", .short_name = 'c', .type = SH_OPT_STRING, .dest = &opt.cache, .no_preset = true,
	 .arg = "FILE", .help = "reuse records whose file's size and mtime are unchanged; rewrite FILE (atomically)"},
	{.name = "output", .short_name = 'o', .type = SH_OPT_STRING, .dest = &opt.output, .no_preset = true,
	 .arg = "FILE", .help = "write the records to FILE (- stdout)"},
	{.name = "all", .short_name = 'a', .type = SH_OPT_FLAG, .dest = &opt.all,
	 .help = "probe every file, whatever its name (else video extensions only)"},
	{.name = "images", .type = SH_OPT_FLAG, .dest = &opt.images,
	 .help = "keep pictures (png, jpg, ...) as one-frame records (else left out)"},
	{0},
};

static const char *video_ext[] = {"mp4", "m4v", "mov", "mkv", "webm", "avi", "mpg", "mpeg", "ts",
                                  "mts", "m2ts", "y4m", "flv", "wmv", "ogv", "3gp", "mxf", "dv",
                                  "gif", "vob", "nut", "asf", "rm", NULL};

static bool video_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash : path, '.');
	if (!dot)
		return false;
	for (int i = 0; video_ext[i]; i++)
		if (strcasecmp(dot + 1, video_ext[i]) == 0)
			return true;
	return opt.images && sh_media_image_name(path);
}

/* ---- the list of files found */
typedef struct {
	char *path;
	struct stat sb;
	bool explicit_name;
} found;
static found *files;
static size_t nfiles, capfiles;
static int status = SH_EXIT_OK;

/* A file or folder that could not be scanned: one line, and the run fails at
 * the end, after the rest is done. */
static void skipped(const char *path, const char *why)
{
	sh_warn("%s: %s, skipped", path, why);
	status = SH_EXIT_FAIL;
}

static void add_file(const char *path, const struct stat *sb, bool explicit_name)
{
	if (nfiles == capfiles) {
		capfiles = capfiles ? capfiles * 2 : 256;
		files = sh_realloc(files, capfiles, sizeof *files);
	}
	files[nfiles].path = sh_strdup(path);
	files[nfiles].sb = *sb;
	files[nfiles].explicit_name = explicit_name;
	nfiles++;
}

static void walk(const char *dir, int depth)
{
	if (depth > 64) {
		skipped(dir, "folders nested too deep");
		return;
	}
	DIR *d = opendir(dir);
	if (!d) {
		skipped(dir, strerror(errno));
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue; /* . .. and hidden files */
		size_t n = strlen(dir) + strlen(e->d_name) + 2;
		char *p = sh_malloc(n);
		snprintf(p, n, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
		struct stat sb;
		if (stat(p, &sb) != 0) {
			skipped(p, strerror(errno));
		} else if (S_ISDIR(sb.st_mode)) {
			walk(p, depth + 1);
		} else if (S_ISREG(sb.st_mode) && (opt.all || video_name(p))) {
			add_file(p, &sb, false);
		}
		free(p);
	}
	closedir(d);
}

static int cmp_found(const void *a, const void *b)
{
	return strcmp(((const found *)a)->path, ((const found *)b)->path);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* ---- content hash: FNV-1a 64 over the size (8 bytes, little-endian), the first
 * MiB and the last MiB of the file. Fast on any library; tells copies apart from
 * edits that change either end or the length. */
#define HASH_SPAN (1 << 20)
static int content_hash(const char *path, off_t size, char out[32])
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	uint64_t h = 0xcbf29ce484222325ULL;
	uint8_t sz[8];
	for (int i = 0; i < 8; i++)
		sz[i] = (uint8_t)((uint64_t)size >> (8 * i));
	for (int i = 0; i < 8; i++)
		h = (h ^ sz[i]) * 0x100000001b3ULL;
	static uint8_t buf[HASH_SPAN];
	off_t spans[2] = {0, size > HASH_SPAN ? size - HASH_SPAN : -1};
	for (int s = 0; s < 2; s++) {
		if (spans[s] < 0)
			continue;
		size_t want = (size_t)(size - spans[s] < HASH_SPAN ? size - spans[s] : HASH_SPAN);
		size_t got = 0;
		while (got < want) {
			ssize_t r = pread(fd, buf + got, want - got, spans[s] + (off_t)got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		for (size_t i = 0; i < got; i++)
			h = (h ^ buf[i]) * 0x100000001b3ULL;
	}
	close(fd);
	snprintf(out, 32, "fnv1a64:%016llx", (unsigned long long)h);
	return 0;
}

static double mtime_of(const struct stat *sb)
{
	return (double)sb->st_mtim.tv_sec + sb->st_mtim.tv_nsec * 1e-9;
}

static json_t *probe(const found *f)
{
	sh_media *m = sh_media_open(f->path);
	if (!m) {
		/* with --all most files are not media at all: only -v tells about them */
		if (f->explicit_name || !opt.all || sh_verbose)
			sh_warn("%s, skipped", sh_error());
		if (f->explicit_name || !opt.all)
			status = SH_EXIT_FAIL;
		return NULL;
	}
	const sh_media_info *i = sh_media_get_info(m);
	if (!i->has_video || (i->is_image && !opt.images)) {
		if (f->explicit_name || sh_verbose)
			sh_warn("%s: no video stream, skipped", f->path);
		if (f->explicit_name)
			status = SH_EXIT_FAIL;
		sh_media_close(m);
		return NULL;
	}
	char hash[32];
	if (content_hash(f->path, f->sb.st_size, hash) != 0) {
		skipped(f->path, strerror(errno));
		sh_media_close(m);
		return NULL;
	}
	json_t *r = json_object();
	json_object_set_new(r, "path", json_string(f->path));
	json_object_set_new(r, "duration", i->duration >= 0 ? json_real(i->duration) : json_null());
	json_object_set_new(r, "width", json_integer(i->width));
	json_object_set_new(r, "height", json_integer(i->height));
	if (i->fps_num > 0) {
		json_object_set_new(r, "fps", json_real((double)i->fps_num / i->fps_den));
		char fr[48];
		snprintf(fr, sizeof fr, "%d/%d", i->fps_num, i->fps_den);
		json_object_set_new(r, "fps_rational", json_string(fr));
	} else {
		json_object_set_new(r, "fps", json_null());
		json_object_set_new(r, "fps_rational", json_null());
	}
	json_object_set_new(r, "vcodec", json_string(i->vcodec));
	json_object_set_new(r, "pix_fmt", json_string(i->pix_fmt));
	json_object_set_new(r, "has_audio", json_boolean(i->has_audio));
	json_object_set_new(r, "acodec", i->has_audio ? json_string(i->acodec) : json_null());
	json_object_set_new(r, "audio_rate", i->has_audio ? json_integer(i->audio_rate) : json_null());
	json_object_set_new(r, "audio_channels", i->has_audio ? json_integer(i->audio_channels) : json_null());
	json_object_set_new(r, "format", json_string(i->format));
	json_object_set_new(r, "bit_rate", json_integer(i->bit_rate));
	json_object_set_new(r, "size", json_integer((json_int_t)f->sb.st_size));
	json_object_set_new(r, "mtime", json_real(mtime_of(&f->sb)));
	json_object_set_new(r, "hash", json_string(hash));
	sh_media_close(m);
	return r;
}

/* ---- the cache: JSON Lines of records, keyed by path (lib/io/vcache.h) */
static json_t *load_cache(const char *path)
{
	json_t *map = sh_vcache_load(path, true);
	if (!map)
		sh_die("%s", sh_error());
	return map;
}

static bool under_root(const char *path, char **roots, int nroots)
{
	for (int i = 0; i < nroots; i++) {
		size_t n = strlen(roots[i]);
		while (n > 1 && roots[i][n - 1] == '/')
			n--;
		if (strncmp(path, roots[i], n) == 0 && (path[n] == '/' || path[n] == 0 || roots[i][n - 1] == '/'))
			return true;
	}
	return false;
}

static void append_line(char **buf, size_t *len, size_t *cap, json_t *rec)
{
	char *s = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
	size_t n = strlen(s);
	if (*len + n + 2 > *cap) {
		*cap = (*len + n + 2) * 2;
		*buf = sh_realloc(*buf, *cap, 1);
	}
	memcpy(*buf + *len, s, n);
	(*buf)[*len + n] = '\n';
	*len += n + 1;
	free(s);
}

/* The operands: folders walked for videos, files taken as named, sorted by path. */
static void gather(char **names, int n)
{
	for (int a = 0; a < n; a++) {
		struct stat sb;
		if (stat(names[a], &sb) != 0)
			skipped(names[a], strerror(errno));
		else if (S_ISDIR(sb.st_mode))
			walk(names[a], 0);
		else
			add_file(names[a], &sb, true);
	}
	if (nfiles)
		qsort(files, nfiles, sizeof *files, cmp_found);
}

/* One record per video found, from the cache when its size and mtime are
 * unchanged, else probed; they go into SEEN (by path) and OUT (JSON Lines). */
static void scan(json_t *cache, json_t *seen, char **out, size_t *olen)
{
	size_t probed = 0, reused = 0, ocap = 0;
	sh_progress pr;
	sh_progress_start(&pr, "scanning");
	for (size_t i = 0; i < nfiles; i++) {
		const found *f = &files[i];
		if (json_object_get(seen, f->path))
			continue; /* named twice */
		json_t *old = json_object_get(cache, f->path);
		json_t *rec = NULL;
		if (old && json_integer_value(json_object_get(old, "size")) == (json_int_t)f->sb.st_size &&
		    json_number_value(json_object_get(old, "mtime")) == mtime_of(&f->sb)) {
			rec = json_incref(old);
			reused++;
		} else {
			rec = probe(f);
			probed++;
		}
		sh_progress_update(&pr, (double)(i + 1) / nfiles);
		if (!rec)
			continue;
		json_object_set(seen, f->path, rec);
		append_line(out, olen, &ocap, rec);
		json_decref(rec);
	}
	sh_progress_end(&pr);
	sh_note("%zu probed, %zu from the cache, %zu records", probed, reused, json_object_size(seen));
}

/* The new cache: records of files outside the scanned operands stay; those
 * inside that are gone (deleted, renamed, no longer a video) leave it. */
static void write_cache(const char *path, json_t *cache, json_t *seen, char **roots, int nroots)
{
	const char *key;
	json_t *val;
	char *cbuf = NULL;
	size_t clen = 0, ccap = 0;
	json_t *merged = json_object();
	json_object_foreach(cache, key, val) {
		if (json_object_get(seen, key))
			continue;
		bool scanned_file = false;
		for (int a = 0; a < nroots; a++)
			if (strcmp(roots[a], key) == 0)
				scanned_file = true;
		if (!scanned_file && !under_root(key, roots, nroots))
			json_object_set(merged, key, val);
	}
	json_object_update(merged, seen);
	/* sorted by path so the file diffs well */
	size_t nk = json_object_size(merged), k = 0;
	const char **keys = sh_calloc(nk ? nk : 1, sizeof *keys);
	json_object_foreach(merged, key, val) keys[k++] = key;
	qsort(keys, nk, sizeof *keys, cmp_str);
	for (k = 0; k < nk; k++)
		append_line(&cbuf, &clen, &ccap, json_object_get(merged, keys[k]));
	if (sh_media_write_text(path, cbuf ? cbuf : "", clen) != 0)
		sh_die("%s", sh_error());
	free(keys);
	free(cbuf);
	json_decref(merged);
}

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	sh_program prog = {.usage = usage, .summary = summary};
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	if (first >= argc)
		sh_usage_error("no folder or file to scan (usage: %s)", usage);

	gather(argv + first, argc - first);
	json_t *cache = opt.cache ? load_cache(opt.cache) : json_object();
	json_t *seen = json_object();
	char *out = NULL;
	size_t olen = 0;
	scan(cache, seen, &out, &olen);
	if (opt.cache)
		write_cache(opt.cache, cache, seen, argv + first, argc - first);
	if (!opt.output || strcmp(opt.output, "-") == 0) {
		if (olen && sh_write_all(1, out, olen) != 0)
			sh_die("%s", sh_error());
	} else if (sh_media_write_text(opt.output, out ? out : "", olen) != 0) {
		sh_die("%s", sh_error());
	}
	free(out);
	json_decref(seen);
	json_decref(cache);
	return status;
}
