/* dirlock.c -- one writer at a time in a folder; see dirlock.h. */
#include "dirlock.h"
#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

struct sh_dirlock {
	char *path;
	int fd;
	bool held;
};

sh_dirlock *sh_dirlock_open(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	sh_dirlock *l = sh_calloc(1, sizeof *l);
	l->path = sh_malloc(n);
	snprintf(l->path, n, "%s/%s", dir, name);
	l->fd = open(l->path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (l->fd < 0) {
		sh_set_error("%s: cannot open the lock file: %s", l->path, strerror(errno));
		free(l->path);
		free(l);
		return NULL;
	}
	return l;
}

int sh_dirlock_take(sh_dirlock *l, bool *waited)
{
	if (waited)
		*waited = false;
	if (l->held)
		return 0;
	if (flock(l->fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			sh_set_error("%s: cannot lock: %s", l->path, strerror(errno));
			return -1;
		}
		if (waited)
			*waited = true;
		int r;
		while ((r = flock(l->fd, LOCK_EX)) != 0 && errno == EINTR)
			;
		if (r != 0) {
			sh_set_error("%s: cannot lock: %s", l->path, strerror(errno));
			return -1;
		}
	}
	l->held = true;
	return 0;
}

void sh_dirlock_release(sh_dirlock *l)
{
	if (l && l->held) {
		flock(l->fd, LOCK_UN);
		l->held = false;
	}
}

void sh_dirlock_close(sh_dirlock *l)
{
	if (!l)
		return;
	sh_dirlock_release(l);
	close(l->fd);
	free(l->path);
	free(l);
}

const char *sh_dirlock_path(const sh_dirlock *l) { return l->path; }
