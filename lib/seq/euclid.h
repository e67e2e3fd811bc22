/* euclid.h -- Euclidean rhythms.
 * E(pulses, steps) by Bjorklund's algorithm in the rotation of Toussaint's table
 * (step 0 is an onset): E(3,8) = x..x..x., E(5,8) = x.xx.xx., E(3,4) = x.xx.
 * rotation R moves every onset R steps later (negative: earlier). Negative pulses
 * give the complement of E(-pulses, steps). out[i] is 1 for an onset. -1 with
 * sh_error() when steps is outside 1..SH_EUCLID_MAX or |pulses| > steps. */
#ifndef SHARDS_EUCLID_H
#define SHARDS_EUCLID_H

#define SH_EUCLID_MAX 1024
int sh_euclid(int steps, int pulses, int rotation, unsigned char *out);

#endif
