/* walk.h -- the files of a folder tree, for a program that works through an
 * archive: every regular file below a folder whose name a filter accepts, in the
 * order of their paths' bytes, each file once.
 *
 * Symbolic links are followed, to files and to folders, but every folder is
 * walked once: the tree's own folders first, under their own paths, then the
 * folders links lead to (in the order the links were met). A link back up the
 * tree (a loop), or a second link to a folder walked already, is noted and not
 * followed; a file reached by several paths (links, hard links) is listed once,
 * under a path that goes through no link if it has one, else the one that
 * sorts first. So a link added to the tree never renames the files it already
 * listed. Names that begin with a dot (hidden files and folders, the temporary
 * files of a writer) are passed over, and so is a folder that holds a file named
 * opts.skip_marker (a program's own export folder inside the tree it walks). A
 * folder that cannot be read is one problem line; the walk goes on with the
 * rest. Special files (FIFOs, devices) are never listed. */
#ifndef SHARDS_WALK_H
#define SHARDS_WALK_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
	char *path;      /* ROOT/REL, as it is opened */
	const char *rel; /* into path: the part below ROOT */
} sh_walk_file;

typedef struct {
	/* a file is listed when keep(name, ctx) is true (keep NULL: every file);
	 * name is the last part of its path */
	bool (*keep)(const char *name, void *ctx);
	void *ctx;
	/* a folder holding a file of this name is not walked; NULL: none */
	const char *skip_marker;
} sh_walk_opts;

typedef struct {
	sh_walk_file *files;
	size_t nfiles;
	/* one line per folder that could not be read, "PATH: cannot read folder: WHY",
	 * in the order met */
	char **problems;
	size_t nproblems;
	/* one line per folder not walked again, "PATH: a link to ..., walked once" */
	char **notes;
	size_t nnotes;
} sh_walk_list;

/* Walk ROOT (a folder, or a link to one) into OUT: 0, or -1 with sh_error() when
 * ROOT itself cannot be opened as a folder (OUT is then empty). Problems below
 * ROOT are in OUT->problems, never a failure. */
int sh_walk(const char *root, const sh_walk_opts *opts, sh_walk_list *out);
void sh_walk_free(sh_walk_list *l);

/* An extension filter for sh_walk_opts.keep: CTX is a comma-separated list of
 * extensions ("wav,flac"; a leading dot is allowed), matched against the text
 * after the name's last dot without regard to case. */
bool sh_walk_ext_match(const char *name, void *ctx);

#endif
