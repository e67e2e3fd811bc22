/* presets.c -- fuzz preset files through sh_parse_options, with an option table
 * holding every option type. Preset errors end the program (exit 2 with one
 * line), so each input runs in a child process: the child must exit 0 (it prints
 * the merged configuration) or 2, never crash. A child's coverage does not reach
 * libFuzzer, so this harness is mostly for corpus replay and AFL-style runs. */
#include "fuzz.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

static char dir[4096];
static pid_t owner;

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/shards-fuzz-presets-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		abort();
	char sub[4200];
	snprintf(sub, sizeof sub, "%s/presets", dir);
	mkdir(sub, 0700);
	snprintf(sub, sizeof sub, "%s/presets/fuzz_presets", dir);
	mkdir(sub, 0700);
}

static void cleanup(void)
{
	if (getpid() != owner)
		return; /* a child leaving through exit() */
	char p[4200];
	snprintf(p, sizeof p, "%s/presets/fuzz_presets/p.json", dir);
	unlink(p);
	snprintf(p, sizeof p, "%s/presets/fuzz_presets", dir);
	rmdir(p);
	snprintf(p, sizeof p, "%s/presets", dir);
	rmdir(p);
	rmdir(dir);
}

/* Leave the child at once with the status exit() was given: libFuzzer's own exit
 * hook (and the leak checker) must not run in a child that exits on purpose. */
static void leave(int status, void *arg)
{
	(void)arg;
	_exit(status);
}

static int child(void)
{
	on_exit(leave, NULL);
	bool flag = false;
	int64_t count = 4;
	double level = 0.5;
	sh_range spread = {0, 1};
	sh_duration slice = {40, SH_DUR_SECONDS};
	const char *label = "x", *mode = "a";
	sh_rational fps = {30, 1};
	const char *out = NULL;
	sh_option opts[] = {
		{.name = "flag", .short_name = 'f', .type = SH_OPT_FLAG, .dest = &flag, .help = "a flag"},
		{.name = "count", .short_name = 'n', .type = SH_OPT_INT, .dest = &count, .min = 1, .max = 64, .arg = "N",
		 .help = "a count"},
		{.name = "level", .short_name = 'l', .type = SH_OPT_DOUBLE, .dest = &level, .min = 0, .max = 1, .arg = "X",
		 .help = "a level"},
		{.name = "spread", .type = SH_OPT_RANGE, .dest = &spread, .min = -1, .max = 1, .arg = "R", .help = "a range"},
		{.name = "slice", .short_name = 's', .type = SH_OPT_DURATION, .dest = &slice, .scale = 0.001, .arg = "D",
		 .help = "a duration"},
		{.name = "label", .type = SH_OPT_STRING, .dest = &label, .arg = "S", .help = "a string"},
		{.name = "mode", .short_name = 'm', .type = SH_OPT_CHOICE, .dest = &mode, .choices = "a|b|c", .arg = "M",
		 .help = "a choice"},
		{.name = "fps", .type = SH_OPT_RATE, .dest = &fps, .arg = "F", .help = "a rate"},
		{.name = "output", .short_name = 'o', .type = SH_OPT_STRING, .dest = &out, .no_preset = true, .arg = "FILE",
		 .help = "output"},
		{0},
	};
	sh_program prog = {.usage = "fuzz_presets [options]", .summary = "preset fuzzing", .has_seed = true};
	char *argv[] = {"fuzz_presets", "--preset", "p", "--print-config", NULL};
	int first = sh_parse_options(&prog, opts, 4, argv);
	return first <= 0 ? sh_parse_status(first) : 3; /* --print-config ends the parse */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_init("fuzz_presets");
	if (!dir[0]) {
		owner = getpid();
		setup();
		atexit(cleanup);
	}
	char path[4200];
	snprintf(path, sizeof path, "%s/presets/fuzz_presets/p.json", dir);
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 1);
		if (!getenv("SHARDS_FUZZ_VERBOSE"))
			dup2(null, 2);
		if (chdir(dir) != 0)
			_exit(4);
		setenv("XDG_CONFIG_HOME", dir, 1);
		_exit(child());
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			abort();
	if (WIFSIGNALED(st)) {
		fprintf(stderr, "fuzz_presets: the option parser died of signal %d\n", WTERMSIG(st));
		abort();
	}
	if (!WIFEXITED(st) || (WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != 2)) {
		fprintf(stderr, "fuzz_presets: the option parser exited %d (wanted 0 or 2)\n", WEXITSTATUS(st));
		abort();
	}
	return 0;
}
