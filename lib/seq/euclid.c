/* euclid.c -- Euclidean rhythms by Bjorklund's algorithm; see euclid.h. */
#include "euclid.h"
#include "cli.h"

#include <stdbool.h>
#include <string.h>

/* Bjorklund's algorithm as Toussaint (2005) describes it: k groups "1" and n-k
 * groups "0"; pair one remainder group onto each front group, what is left over
 * becomes the new remainder; repeat (at least once) until at most one remainder
 * group is left. In every round all front groups are equal and all remainder groups
 * are equal, so two strings and two counts describe the state. */
int sh_euclid(int steps, int pulses, int rotation, unsigned char *out)
{
	if (steps < 1 || steps > SH_EUCLID_MAX) {
		sh_set_error("steps %d is outside 1..%d", steps, SH_EUCLID_MAX);
		return -1;
	}
	bool invert = pulses < 0;
	int k = invert ? -pulses : pulses;
	if (k > steps) {
		sh_set_error("%d pulses do not fit in %d steps", pulses, steps);
		return -1;
	}
	unsigned char base[SH_EUCLID_MAX];
	if (k == 0 || k == steps) {
		memset(base, k ? 1 : 0, (size_t)steps);
	} else {
		static _Thread_local unsigned char a[SH_EUCLID_MAX], b[SH_EUCLID_MAX], t[SH_EUCLID_MAX];
		int alen = 1, blen = 1, acount = k, bcount = steps - k;
		a[0] = 1;
		b[0] = 0;
		do {
			int m = acount < bcount ? acount : bcount;
			int tlen = alen + blen, nb;
			memcpy(t, a, (size_t)alen); /* each new front group is a + b */
			memcpy(t + alen, b, (size_t)blen);
			if (acount > bcount) { /* unpaired front groups become the remainder */
				nb = acount - m;
				memcpy(b, a, (size_t)alen);
				blen = alen;
			} else {
				nb = bcount - m;
			}
			memcpy(a, t, (size_t)tlen);
			alen = tlen;
			acount = m;
			bcount = nb;
		} while (bcount > 1);
		int pos = 0;
		for (int i = 0; i < acount; i++)
			for (int j = 0; j < alen; j++)
				base[pos++] = a[j];
		for (int i = 0; i < bcount; i++)
			for (int j = 0; j < blen; j++)
				base[pos++] = b[j];
		if (pos != steps) {
			sh_set_error("internal error in the Euclidean algorithm (%d of %d steps)", pos, steps);
			return -1;
		}
	}
	int r = rotation % steps;
	if (r < 0)
		r += steps;
	for (int i = 0; i < steps; i++) {
		unsigned char v = base[((i - r) % steps + steps) % steps];
		out[i] = invert ? !v : v;
	}
	return 0;
}
