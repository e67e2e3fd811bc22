/* expr.c -- fuzz the control-signal expression compiler (lib/seq/expr.h): any
 * text compiles or fails with a column inside it; what compiles evaluates at
 * times that move forward, by small and by huge steps, without crashing. */
#include "fuzz.h"
#include "expr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_init("fuzz_expr");
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = 0;
	sh_rng rng;
	sh_rng_seed(&rng, 1);
	sh_expr *e = sh_expr_compile(text, 120, &rng);
	if (!e) {
		int col = 0;
		if (sscanf(sh_error(), "column %d:", &col) != 1 || col < 1 || (size_t)col > strlen(text) + 1)
			abort();
	} else {
		double sec = 0;
		for (int k = 0; k < 64; k++, sec += k < 48 ? 0.01 : 1e3 * k)
			(void)sh_expr_eval(e, sec);
	}
	sh_expr_free(e);
	free(text);
	return 0;
}
