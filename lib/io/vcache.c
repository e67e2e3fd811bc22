/* vcache.c -- the video library's metadata cache; see vcache.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <jansson.h>

#include "err.h"
#include "vcache.h"

void *sh_vcache_load(const char *path, bool missing_ok)
{
	FILE *fp = fopen(path, "r");
	if (!fp) {
		if (errno == ENOENT && missing_ok)
			return json_object();
		sh_set_error("%s: %s", path, strerror(errno));
		return NULL;
	}
	json_t *map = json_object();
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	while ((n = getline(&line, &cap, fp)) > 0) {
		lineno++;
		if (n == 1 && line[0] == '\n')
			continue;
		json_error_t err;
		json_t *rec = json_loads(line, 0, &err);
		json_t *p = rec ? json_object_get(rec, "path") : NULL;
		if (!rec || !json_is_object(rec) || !json_is_string(p) ||
		    !json_is_integer(json_object_get(rec, "size")) || !json_is_number(json_object_get(rec, "mtime"))) {
			sh_set_error("%s: line %ld: not a vscan record (%s); remove the file to start afresh", path, lineno,
			             rec ? "needs path, size and mtime" : err.text);
			json_decref(rec);
			json_decref(map);
			free(line);
			fclose(fp);
			return NULL;
		}
		json_object_set_new(map, json_string_value(p), rec);
	}
	free(line);
	if (ferror(fp)) {
		sh_set_error("%s: %s", path, strerror(errno));
		json_decref(map);
		fclose(fp);
		return NULL;
	}
	fclose(fp);
	return map;
}
