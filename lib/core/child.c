/* child.c -- child processes and pipelines of them; see child.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "child.h"

extern char **environ;

static bool executable(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

char *sh_find_program(const char *name)
{
	char buf[PATH_MAX];
	if (!name || !*name) {
		sh_set_error("no program named");
		return NULL;
	}
	if (strchr(name, '/')) {
		if (executable(name))
			return sh_strdup(name);
		sh_set_error("%s: not an executable program", name);
		return NULL;
	}
	/* beside our own executable first: a build runs its own siblings */
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (n > 0) {
		buf[n] = 0;
		char *slash = strrchr(buf, '/');
		if (slash && (size_t)(slash - buf) + 2 + strlen(name) < sizeof buf) {
			strcpy(slash + 1, name);
			if (executable(buf))
				return sh_strdup(buf);
		}
	}
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t len = strcspn(path, ":");
		if (len > 0 && len + 2 + strlen(name) < sizeof buf) {
			memcpy(buf, path, len);
			buf[len] = '/';
			strcpy(buf + len + 1, name);
			if (executable(buf))
				return sh_strdup(buf);
		}
		path += len + (path[len] == ':');
	}
	sh_set_error("%s: no such program beside this one or on PATH", name);
	return NULL;
}

/* The last non-empty line of the file PATH, into OUT (empty when none). */
static void last_line(const char *path, char *out, size_t size)
{
	out[0] = 0;
	FILE *f = path ? fopen(path, "r") : NULL;
	if (!f)
		return;
	char line[1024];
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		if (line[0])
			snprintf(out, size, "%s", line);
	}
	fclose(f);
}

int sh_spawn_pipeline(char **const *argvs, int n, const char *in, const char *out, const char *err_path)
{
	if (n < 1) {
		sh_set_error("an empty pipeline");
		return -1;
	}
	char **paths = sh_calloc((size_t)n, sizeof *paths);
	pid_t *pids = sh_calloc((size_t)n, sizeof *pids);
	int status = -1, infd = -1, outfd = -1, errfd = -1, prev = -1, started = 0;
	for (int i = 0; i < n; i++)
		if (!(paths[i] = sh_find_program(argvs[i][0])))
			goto done;
	if ((infd = open(in ? in : "/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
		sh_set_error("%s: %s", in ? in : "/dev/null", strerror(errno));
		goto done;
	}
	if ((outfd = open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) < 0) {
		sh_set_error("%s: %s", out ? out : "/dev/null", strerror(errno));
		goto done;
	}
	if (err_path && (errfd = open(err_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666)) < 0) {
		sh_set_error("%s: %s", err_path, strerror(errno));
		goto done;
	}
	prev = infd;
	infd = -1;
	for (int i = 0; i < n; i++) {
		int pfd[2] = {-1, -1};
		if (i < n - 1 && pipe2(pfd, O_CLOEXEC) != 0) {
			sh_set_error("cannot make a pipe: %s", strerror(errno));
			break;
		}
		posix_spawn_file_actions_t fa;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, prev, 0);
		posix_spawn_file_actions_adddup2(&fa, i < n - 1 ? pfd[1] : outfd, 1);
		if (errfd >= 0)
			posix_spawn_file_actions_adddup2(&fa, errfd, 2);
		/* the children start with the default SIGPIPE action, whatever ours is */
		posix_spawnattr_t at;
		posix_spawnattr_init(&at);
		sigset_t def;
		sigemptyset(&def);
		sigaddset(&def, SIGPIPE);
		posix_spawnattr_setsigdefault(&at, &def);
		posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF);
		int e = posix_spawn(&pids[i], paths[i], &fa, &at, argvs[i], environ);
		posix_spawn_file_actions_destroy(&fa);
		posix_spawnattr_destroy(&at);
		close(prev);
		prev = pfd[0];
		if (pfd[1] >= 0)
			close(pfd[1]);
		if (e != 0) {
			sh_set_error("%s: cannot start: %s", argvs[i][0], strerror(e));
			pids[i] = 0;
			break;
		}
		started++;
	}
	if (prev >= 0)
		close(prev);
	prev = -1;
	if (errfd >= 0)
		close(errfd);
	errfd = -1;
	bool failed = started < n;
	for (int i = 0; i < started; i++) {
		int st;
		while (waitpid(pids[i], &st, 0) < 0 && errno == EINTR)
			;
		if (failed || (WIFEXITED(st) && WEXITSTATUS(st) == 0))
			continue;
		/* a child killed by SIGPIPE had its reader fail first: name the reader */
		if (WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE && i < started - 1)
			continue;
		char how[64], line[1024];
		if (WIFEXITED(st))
			snprintf(how, sizeof how, "exit status %d", WEXITSTATUS(st));
		else
			snprintf(how, sizeof how, "killed by signal %d", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
		last_line(err_path, line, sizeof line);
		if (line[0])
			sh_set_error("%s failed (%s): %s", argvs[i][0], how, line);
		else
			sh_set_error("%s failed (%s)", argvs[i][0], how);
		failed = true;
	}
	if (!failed)
		status = 0;
done:
	if (infd >= 0)
		close(infd);
	if (outfd >= 0)
		close(outfd);
	if (errfd >= 0)
		close(errfd);
	for (int i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	free(pids);
	return status;
}

int sh_spawn_run(char *const *argv, const char *in, const char *out, const char *err_path)
{
	char **const argvs[1] = {(char **)argv};
	return sh_spawn_pipeline(argvs, 1, in, out, err_path);
}

char *sh_spawn_text(char *const *argv)
{
	sh_strbuf b = {0};
	for (int i = 0; argv[i]; i++) {
		if (i)
			sh_strbuf_str(&b, " ");
		const char *a = argv[i];
		if (*a && a[strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,+@%")] == 0) {
			sh_strbuf_str(&b, a);
			continue;
		}
		sh_strbuf_str(&b, "'");
		for (; *a; a++)
			if (*a == '\'')
				sh_strbuf_str(&b, "'\\''");
			else
				sh_strbuf_add(&b, a, 1);
		sh_strbuf_str(&b, "'");
	}
	if (!b.s)
		sh_strbuf_str(&b, "");
	return b.s;
}

#define PARSE_WORDS 60 /* words a step may have; 3 more fit for sh_spawn_add */

void sh_spawn_free_argvs(char **argvs[], int n)
{
	for (int i = 0; i < n; i++) {
		for (int k = 0; argvs[i] && argvs[i][k]; k++)
			free(argvs[i][k]);
		free(argvs[i]);
	}
}

int sh_spawn_add(char **argv, const char *word)
{
	int k = 0;
	while (argv[k])
		k++;
	if (k >= PARSE_WORDS + 3)
		return -1;
	argv[k] = sh_strdup(word);
	return 0;
}

int sh_spawn_parse(const char *text, char **argvs[], int max, int *n)
{
	*n = 0;
	const char *p = text;
	while (*p) {
		char **argv = sh_calloc(PARSE_WORDS + 4, sizeof *argv);
		int argc = 0;
		if (*n >= max) {
			free(argv);
			sh_set_error("more than %d programs in '%s'", max, text);
			goto fail;
		}
		argvs[(*n)++] = argv;
		for (;;) {
			while (*p == ' ' || *p == '\t' || *p == '\n')
				p++;
			if (!*p || *p == '|')
				break;
			sh_strbuf w = {0};
			while (*p && !strchr(" \t\n|", *p)) {
				if (*p == '\'' || *p == '"') {
					char q = *p++;
					const char *e = strchr(p, q);
					if (!e) {
						free(w.s);
						sh_set_error("a quote %c is not closed", q);
						goto fail;
					}
					sh_strbuf_add(&w, p, (size_t)(e - p));
					p = e + 1;
				} else {
					sh_strbuf_add(&w, p++, 1);
				}
			}
			if (!w.s)
				sh_strbuf_str(&w, "");
			if (argc >= PARSE_WORDS) {
				free(w.s);
				sh_set_error("more than %d words in one program's command", PARSE_WORDS);
				goto fail;
			}
			argv[argc++] = w.s;
		}
		if (argc == 0) {
			sh_set_error("an empty step in '%s'", text);
			goto fail;
		}
		if (*p == '|')
			p++;
	}
	return 0;
fail:
	sh_spawn_free_argvs(argvs, *n);
	*n = 0;
	return -1;
}
