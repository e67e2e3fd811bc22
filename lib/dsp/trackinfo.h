/* trackinfo.h -- the tempo and key of each part of a track manifest
 * (io/track.h), found as bpm(1) and keydetect(1) find them. */
#ifndef SHARDS_TRACKINFO_H
#define SHARDS_TRACKINFO_H

#include "track.h"

/* Fill every part's bpm (0 when it has no pulse) and key (NULL when it has no
 * tonal centre) from its sample. -1 + sh_error() naming the part. */
int sh_track_detect(sh_track *t);

#endif
