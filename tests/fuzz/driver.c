/* driver.c -- a plain main() for the fuzz harnesses: runs LLVMFuzzerTestOneInput on
 * each file or on every file of each folder named on the command line, or on stdin
 * when there are none (afl-fuzz feeds either way; built by afl-clang-fast it runs
 * persistent). Prints how many inputs it ran. */
#include "fuzz.h"

#include <dirent.h>
#include <sys/stat.h>

static long ran;

static void run_file(const char *path)
{
	size_t len = 0;
	char *data = sh_read_file(path, (size_t)64 << 20, &len);
	if (!data) {
		fprintf(stderr, "fuzz driver: %s\n", sh_error());
		exit(1);
	}
	/* an exact-size copy, so reads past the end are caught by the sanitizers */
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy)
		abort();
	memcpy(copy, data, len);
	free(data);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
	ran++;
}

static void run_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "fuzz driver: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	if (!S_ISDIR(st.st_mode)) {
		run_file(path);
		return;
	}
	struct dirent **list;
	int n = scandir(path, &list, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "fuzz driver: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	for (int i = 0; i < n; i++) {
		if (list[i]->d_name[0] != '.') {
			size_t need = strlen(path) + strlen(list[i]->d_name) + 2;
			char *sub = malloc(need);
			snprintf(sub, need, "%s/%s", path, list[i]->d_name);
			run_path(sub);
			free(sub);
		}
		free(list[i]);
	}
	free(list);
}

#ifdef __AFL_FUZZ_TESTCASE_LEN
/* Built by afl-clang-fast: with no file named, run in AFL++'s persistent mode (test
 * cases through shared memory, thousands per process) like libFuzzer does. */
__AFL_FUZZ_INIT();
#endif

int main(int argc, char **argv)
{
#ifdef __AFL_FUZZ_TESTCASE_LEN
	if (argc < 2) {
		__AFL_INIT();
		const uint8_t *buf = __AFL_FUZZ_TESTCASE_BUF;
		while (__AFL_LOOP(10000)) {
			size_t len = (size_t)__AFL_FUZZ_TESTCASE_LEN;
			uint8_t *copy = malloc(len ? len : 1);
			if (!copy)
				abort();
			memcpy(copy, buf, len);
			LLVMFuzzerTestOneInput(copy, len);
			free(copy);
		}
		return 0;
	}
#endif
	if (argc < 2)
		run_file("-");
	for (int i = 1; i < argc; i++)
		run_path(argv[i]);
	fprintf(stderr, "fuzz driver: %ld inputs ran\n", ran);
	return 0;
}
