/* vgraph.h -- one libavfilter filter applied to y4m frames: buffer source, the
 * filter (options set by name, so paths need no escaping), a format filter that
 * keeps the input's pixel layout, buffer sink. For programs whose engine is an
 * FFmpeg filter (stabilize: vidstabdetect, vidstabtransform). Also the copies
 * between y4m frames and FFmpeg's frames that every libav user here needs. */
#ifndef SHARDS_VGRAPH_H
#define SHARDS_VGRAPH_H

#include <stdint.h>

#include "y4m.h"

typedef struct sh_vgraph sh_vgraph;

/* kv: NULL-terminated list of option name, value pairs. NULL + sh_error() on failure. */
sh_vgraph *sh_vgraph_new(const sh_y4m_info *info, const char *filter, const char *const *kv);
/* Feed a frame (frame_size bytes in y4m plane order), or NULL at the end. -1 + sh_error(). */
int sh_vgraph_push(sh_vgraph *g, const uint8_t *frame);
/* Take a filtered frame: 1 = got one, 0 = none ready (or the end), -1 + sh_error(). */
int sh_vgraph_pull(sh_vgraph *g, uint8_t *frame);
/* Free the graph (filters write their files, e.g. vidstabdetect's transforms). */
void sh_vgraph_free(sh_vgraph *g);

#endif
