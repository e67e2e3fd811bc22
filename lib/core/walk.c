/* walk.c -- the files of a folder tree; see walk.h. */
#define _GNU_SOURCE
#include "walk.h"
#include "err.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* ---- a set of (device, inode): the folders walked, the files listed ---- */

typedef struct {
	dev_t dev;
	ino_t ino;
	const char *path; /* where it was first met (owned by the caller) */
	bool used;
} id_slot;

typedef struct {
	id_slot *s;
	size_t cap, n;
} id_set;

static size_t id_hash(dev_t dev, ino_t ino)
{
	uint64_t h = (uint64_t)ino * 0x9e3779b97f4a7c15ULL ^ (uint64_t)dev * 0xc2b2ae3d27d4eb4fULL;
	return (size_t)(h ^ (h >> 29));
}

/* The slot of (dev, ino): its earlier path when it was there already (NULL when
 * it was not, and it is now). */
static const char *id_add(id_set *set, dev_t dev, ino_t ino, const char *path)
{
	if (2 * (set->n + 1) > set->cap) {
		id_set bigger = {sh_calloc(set->cap ? 2 * set->cap : 64, sizeof(id_slot)), set->cap ? 2 * set->cap : 64, 0};
		for (size_t i = 0; i < set->cap; i++)
			if (set->s[i].used)
				id_add(&bigger, set->s[i].dev, set->s[i].ino, set->s[i].path);
		free(set->s);
		*set = bigger;
	}
	size_t mask = set->cap - 1, i = id_hash(dev, ino) & mask;
	for (; set->s[i].used; i = (i + 1) & mask)
		if (set->s[i].dev == dev && set->s[i].ino == ino)
			return set->s[i].path;
	set->s[i] = (id_slot){dev, ino, path, true};
	set->n++;
	return NULL;
}

/* ---- the walk ---- */

typedef struct {
	char *path;
	dev_t dev;
	ino_t ino;
	bool has_id; /* stat worked (a dangling link named like a wanted file has none) */
	bool linked; /* reached through a symbolic link */
} found;

typedef struct {
	const sh_walk_opts *o;
	size_t rootlen; /* bytes of ROOT/ before each file's REL */
	found *f;
	size_t nf, capf;
	sh_walk_list *out;
	id_set dirs;
	char **dirpaths; /* the folders walked, kept for the notes' "walked as" */
	size_t ndirs;
	char **links;    /* links to folders, followed once the tree itself is walked */
	size_t nlinks;
} walker;

static void push_line(char ***v, size_t *n, char *line)
{
	/* grows by doubling: n is a power of two whenever it is full */
	if ((*n & (*n - 1)) == 0)
		*v = sh_realloc(*v, *n ? 2 * *n : 1, sizeof **v);
	(*v)[(*n)++] = line;
}

static char *line_of(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *line_of(const char *fmt, ...)
{
	va_list ap, again;
	va_start(ap, fmt);
	va_copy(again, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = sh_malloc((size_t)(n > 0 ? n : 0) + 1);
	vsnprintf(s, (size_t)(n > 0 ? n : 0) + 1, fmt, again);
	va_end(again);
	return s;
}

static char *join(const char *dir, const char *name)
{
	size_t a = strlen(dir), n = a + strlen(name) + 2;
	char *p = sh_malloc(n);
	snprintf(p, n, "%s%s%s", dir, a && dir[a - 1] == '/' ? "" : "/", name);
	return p;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void add_file(walker *w, char *path, const struct stat *st, bool linked)
{
	if (w->nf == w->capf)
		w->f = sh_realloc(w->f, w->capf = w->capf ? 2 * w->capf : 64, sizeof *w->f);
	w->f[w->nf++] = (found){path, st ? st->st_dev : 0, st ? st->st_ino : 0, st != NULL, linked};
}

/* One folder: its files listed, its folders walked at once, links to folders
 * kept for later (so that a folder inside the tree is walked under its own
 * path, whatever links to it sort first). LINKED: DIR was reached through a
 * link. */
static void walk_dir(walker *w, const char *dir, bool linked)
{
	DIR *d = opendir(dir);
	if (!d) {
		push_line(&w->out->problems, &w->out->nproblems, line_of("%s: cannot read folder: %s", dir, strerror(errno)));
		return;
	}
	char **names = NULL;
	size_t nn = 0;
	bool marked = false;
	struct dirent *e;
	errno = 0;
	while ((e = readdir(d))) {
		if (w->o->skip_marker && !strcmp(e->d_name, w->o->skip_marker))
			marked = true;
		if (e->d_name[0] == '.')
			continue; /* ".", "..", hidden names, a writer's temporary files */
		push_line(&names, &nn, sh_strdup(e->d_name));
	}
	int read_errno = errno;
	closedir(d);
	if (marked) {
		push_line(&w->out->notes, &w->out->nnotes, line_of("%s: holds %s, not walked", dir, w->o->skip_marker));
		for (size_t i = 0; i < nn; i++)
			free(names[i]);
		nn = 0;
	} else if (read_errno) {
		/* what was read is walked all the same */
		push_line(&w->out->problems, &w->out->nproblems,
		          line_of("%s: cannot read folder: %s", dir, strerror(read_errno)));
	}
	if (nn > 1)
		qsort(names, nn, sizeof *names, by_name);
	bool denied = false;
	for (size_t i = 0; i < nn; i++) {
		char *path = join(dir, names[i]);
		struct stat st, lst;
		bool wanted = !w->o->keep || w->o->keep(names[i], w->o->ctx);
		bool is_link = lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode);
		if (stat(path, &st) != 0) {
			if (errno == EACCES) {
				/* a folder that lists but cannot be searched: one line for it */
				if (!denied)
					push_line(&w->out->problems, &w->out->nproblems,
					          line_of("%s: cannot read folder: %s", dir, strerror(EACCES)));
				denied = true;
			} else if (wanted) {
				/* a dangling link named like a wanted file: listed, so that the
				 * program opening it names it */
				add_file(w, path, NULL, true);
				path = NULL;
			}
		} else if (S_ISDIR(st.st_mode) && is_link) {
			push_line(&w->links, &w->nlinks, path);
			path = NULL;
		} else if (S_ISDIR(st.st_mode)) {
			const char *before = id_add(&w->dirs, st.st_dev, st.st_ino, path);
			if (before) {
				/* only a bind mount or the like: the tree holds it twice */
				push_line(&w->out->notes, &w->out->nnotes,
				          line_of("%s: a folder walked already (%s), not walked again", path, before));
			} else {
				push_line(&w->dirpaths, &w->ndirs, path);
				walk_dir(w, path, linked);
				path = NULL; /* kept in dirpaths: the set points at it */
			}
		} else if (S_ISREG(st.st_mode) && wanted) {
			add_file(w, path, &st, linked || is_link);
			path = NULL;
		}
		free(path);
	}
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
}

static int by_path(const void *a, const void *b) { return strcmp(((const found *)a)->path, ((const found *)b)->path); }

int sh_walk(const char *root, const sh_walk_opts *opts, sh_walk_list *out)
{
	memset(out, 0, sizeof *out);
	static const sh_walk_opts none = {0};
	walker w = {.o = opts ? opts : &none, .out = out};
	/* ROOT without trailing slashes ("/" stays "/") */
	char *top = sh_strdup(root);
	for (size_t n = strlen(top); n > 1 && top[n - 1] == '/'; n--)
		top[n - 1] = 0;
	struct stat st;
	int r = stat(top, &st);
	if (r != 0 || !S_ISDIR(st.st_mode)) {
		sh_set_error("%s: %s", root, r != 0 ? strerror(errno) : "not a folder");
		free(top);
		return -1;
	}
	w.rootlen = strlen(top) + (strcmp(top, "/") ? 1 : 0);
	push_line(&w.dirpaths, &w.ndirs, top);
	id_add(&w.dirs, st.st_dev, st.st_ino, top);
	walk_dir(&w, top, false);
	/* then the links to folders, in the order met (each walk may add more): a
	 * folder the tree holds, or one linked before, is not walked again */
	for (size_t i = 0; i < w.nlinks; i++) {
		char *path = w.links[i];
		const char *before = NULL;
		if (stat(path, &st) == 0 && !(before = id_add(&w.dirs, st.st_dev, st.st_ino, path))) {
			push_line(&w.dirpaths, &w.ndirs, path);
			walk_dir(&w, path, true);
			continue;
		}
		if (before)
			push_line(&out->notes, &out->nnotes,
			          line_of("%s: a link to a folder walked already (%s), not walked again", path, before));
		free(path);
	}
	free(w.links);

	/* every file once, in the order of its path's bytes; a file met under
	 * several paths keeps one not through a link, the one that sorts first */
	if (w.nf > 1)
		qsort(w.f, w.nf, sizeof *w.f, by_path);
	id_set files = {0};
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < w.nf; i++)
			if (w.f[i].has_id && w.f[i].linked == (pass == 1) && id_add(&files, w.f[i].dev, w.f[i].ino, w.f[i].path)) {
				free(w.f[i].path);
				w.f[i].path = NULL;
			}
	out->files = sh_calloc(w.nf ? w.nf : 1, sizeof *out->files);
	for (size_t i = 0; i < w.nf; i++) {
		if (!w.f[i].path)
			continue;
		out->files[out->nfiles].path = w.f[i].path;
		out->files[out->nfiles].rel = w.f[i].path + w.rootlen;
		out->nfiles++;
	}
	free(files.s);
	free(w.f);
	free(w.dirs.s);
	for (size_t i = 0; i < w.ndirs; i++)
		free(w.dirpaths[i]);
	free(w.dirpaths);
	return 0;
}

void sh_walk_free(sh_walk_list *l)
{
	for (size_t i = 0; i < l->nfiles; i++)
		free(l->files[i].path);
	free(l->files);
	for (size_t i = 0; i < l->nproblems; i++)
		free(l->problems[i]);
	free(l->problems);
	for (size_t i = 0; i < l->nnotes; i++)
		free(l->notes[i]);
	free(l->notes);
	memset(l, 0, sizeof *l);
}

bool sh_walk_ext_match(const char *name, void *ctx)
{
	const char *dot = strrchr(name, '.');
	if (!dot || dot == name || !dot[1])
		return false;
	size_t n = strlen(dot + 1);
	for (const char *p = ctx; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *ext = p;
		if (len && *ext == '.')
			ext++, len--;
		if (len == n && !strncasecmp(ext, dot + 1, n))
			return true;
		p = end ? end + 1 : p + strlen(p);
	}
	return false;
}
