/* trickle -- copy stdin to stdout in random small writes (1..MAX bytes, default 7),
 * to prove a program's output does not depend on how the pipe delivers its input.
 *   trickle [MAX [SEED]] */
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "rng.h"

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	size_t max = argc > 1 ? strtoul(argv[1], NULL, 10) : 7;
	sh_rng r;
	sh_rng_seed(&r, argc > 2 ? strtoull(argv[2], NULL, 10) : 1);
	if (max < 1)
		max = 1;
	static char buf[1 << 16];
	ssize_t n;
	while ((n = read(0, buf, sizeof buf)) > 0) {
		for (ssize_t off = 0; off < n;) {
			size_t k = 1 + (size_t)sh_rng_below(&r, max);
			if (k > (size_t)(n - off))
				k = (size_t)(n - off);
			if (sh_write_all(1, buf + off, k) != 0)
				sh_die("%s", sh_error());
			off += (ssize_t)k;
		}
	}
	return n < 0;
}
