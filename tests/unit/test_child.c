/* test_child.c -- child processes (lib/core/child.h): a pipeline's bytes reach
 * its output, a failing member is named with its status and last message, a
 * missing program is refused before anything starts, and command lines quote. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "child.h"
#include "tap.h"

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	char dir[] = "/tmp/shards-spawn-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	char in[256], out[256], err[256];
	snprintf(in, sizeof in, "%s/in", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	snprintf(err, sizeof err, "%s/err", dir);
	FILE *f = fopen(in, "w");
	fputs("banana\napple\ncherry\n", f);
	fclose(f);

	char *sort[] = {"sort", NULL}, *head[] = {"head", "-n", "2", NULL};
	char **const p[] = {sort, head};
	CHECK(sh_spawn_pipeline(p, 2, in, out, err) == 0, "sort | head runs");
	size_t len = 0;
	char *text = sh_read_file(out, 1 << 20, &len);
	CHECK(text && !strcmp(text, "apple\nbanana\n"), "the pipeline's output is the last member's");
	free(text);

	char *fail[] = {"sh", "-c", "echo 'it went wrong' >&2; exit 3", NULL};
	int r = sh_spawn_run(fail, NULL, out, err);
	CHECK(r == -1 && strstr(sh_error(), "sh failed (exit status 3): it went wrong"),
	      "a failing child is named with its status and last line: %s", sh_error());

	char *none[] = {"no-such-program-here", NULL};
	char **const q[] = {sort, none};
	CHECK(sh_spawn_pipeline(q, 2, in, out, NULL) == -1 && strstr(sh_error(), "no-such-program-here: no such program"),
	      "a missing program is refused: %s", sh_error());

	char *found = sh_find_program("sh");
	CHECK(found && found[0] == '/', "a program on PATH is found: %s", found ? found : "");
	free(found);

	char *words[] = {"analog", "--preset", "vintage film", "it's", NULL};
	char *t = sh_spawn_text(words);
	CHECK(!strcmp(t, "analog --preset 'vintage film' 'it'\\''s'"), "a command line quotes: %s", t);
	free(t);

	char **argvs[4];
	int n = 0;
	CHECK(sh_spawn_parse("analog --preset 'vintage film' | colorgrade -s \"1.2\"", argvs, 4, &n) == 0 && n == 2 &&
	          !strcmp(argvs[0][2], "vintage film") && !argvs[0][3] && !strcmp(argvs[1][2], "1.2") && !argvs[1][3],
	      "a pipeline as text splits into argv lists, quotes kept together");
	CHECK(sh_spawn_add(argvs[1], "--seed") == 0 && !strcmp(argvs[1][3], "--seed") && !argvs[1][4],
	      "a word added to a parsed step");
	sh_spawn_free_argvs(argvs, n);
	CHECK(sh_spawn_parse("a | | b", argvs, 4, &n) == -1 && strstr(sh_error(), "an empty step") && n == 0,
	      "an empty step is refused");
	CHECK(sh_spawn_parse("a 'b", argvs, 4, &n) == -1 && strstr(sh_error(), "not closed"), "an open quote is refused");
	CHECK(sh_spawn_parse("a|b|c", argvs, 2, &n) == -1 && strstr(sh_error(), "more than 2 programs"),
	      "too many programs are refused");

	unlink(in);
	unlink(out);
	unlink(err);
	rmdir(dir);
	return tap_failed;
}
