/* test_paths.c -- paths in records (lib/core/file.h): relative to a record's
 * folder, folded lexically, and read back from the record's folder. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "tap.h"

static void rel(const char *path, const char *dir, const char *want)
{
	char *r = sh_path_relative(path, dir);
	CHECK(r && !strcmp(r, want), "%s seen from %s is %s (got %s)", path, dir, want, r ? r : "NULL");
	free(r);
}

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	if (chdir("/tmp") != 0)
		return 1;
	rel("/a/b/c.mp4", "/a/b", "c.mp4");
	rel("/a/b/c.mp4", "/a/b/", "c.mp4");
	rel("/a/c/x.mp4", "/a/b", "../c/x.mp4");
	rel("/abc/x", "/ab", "../abc/x");
	rel("/x", "/", "x");
	rel("/a/b", "/a/b", ".");
	rel("/a", "/a/b/c", "../..");
	rel("in/./one//two/../a.mp4", "out", "../in/one/a.mp4");
	rel("a.mp4", "/tmp", "a.mp4");
	char *a = sh_path_absolute("x/../y/./z");
	CHECK(a && !strcmp(a, "/tmp/y/z"), "absolute folds . and .. (%s)", a ? a : "NULL");
	free(a);
	char *r = sh_path_in_record("../in/a.mp4", "proj/out/manifest.json");
	CHECK(!strcmp(r, "proj/out/../in/a.mp4"), "a record's path is read from its folder (%s)", r);
	free(r);
	r = sh_path_in_record("a.mp4", "manifest.json");
	CHECK(!strcmp(r, "a.mp4"), "a record in the working directory: as it is");
	free(r);
	r = sh_path_in_record("/abs/a.mp4", "x/manifest.json");
	CHECK(!strcmp(r, "/abs/a.mp4"), "an absolute path stays");
	free(r);
	return tap_failed;
}
