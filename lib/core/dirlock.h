/* dirlock.h -- one writer at a time in a folder: an exclusive flock(2) on a
 * file in it. The lock dies with its process (kill -9 included), so a killed
 * writer never blocks the next; on NFS the kernel's flock goes through the
 * server's byte-range locks, so runs on several machines take turns too. */
#ifndef SHARDS_DIRLOCK_H
#define SHARDS_DIRLOCK_H

#include <stdbool.h>

typedef struct sh_dirlock sh_dirlock;

/* The lock file DIR/NAME, made (empty) when missing. DIR must exist. NULL with
 * sh_error(). */
sh_dirlock *sh_dirlock_open(const char *dir, const char *name);
/* Take the lock, waiting for another holder to let go; *waited (may be NULL)
 * says whether one held it. 0, or -1 with sh_error(). */
int sh_dirlock_take(sh_dirlock *l, bool *waited);
void sh_dirlock_release(sh_dirlock *l);
/* Release (when held) and close. NULL is allowed. */
void sh_dirlock_close(sh_dirlock *l);
const char *sh_dirlock_path(const sh_dirlock *l);

#endif
