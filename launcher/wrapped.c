/*
 * capwrap check's look past a wrapper: a service whose exec is `env
 * PROG`, `nice -n 5 PROG` or `sh -c "PROG ..."` runs PROG, which the
 * shim checks only when the wrapper execs it.  When PROG is a program the
 * shim will refuse, say so now.  Best effort, and a warning only: the
 * refusal at run time is the guarantee.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "servicespawn.h"
#include "target.h"
#include "wrapped.h"

#define WRAPPERS_DEEP 4 /* env nice nohup PROG */

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

static bool
is_wrapper(const char *path)
{
	static const char *const wrappers[] = {
		"env",
		"nice",
		"nohup",
		"setpriv",
		"stdbuf",
		"timeout",
		"ionice",
		"chrt",
		"taskset",
		"setsid",
		"unshare",
		"nsenter",
	};

	for (size_t i = 0; i < sizeof(wrappers) / sizeof(wrappers[0]); i++)
		if (strcmp(base_name(path), wrappers[i]) == 0)
			return true;
	return false;
}

static bool
is_shell(const char *path)
{
	const char *base = base_name(path);

	return strcmp(base, "sh") == 0 || strcmp(base, "bash") == 0 ||
	    strcmp(base, "dash") == 0;
}

/*
 * The first word of a `sh -c` command that names a program, "exec"
 * skipped; copied to out.
 */
static bool
shell_command(const char *cmd, char *out, size_t size)
{
	size_t n;

	for (;;) {
		cmd += strspn(cmd, " \t\n");
		n = strcspn(cmd, " \t\n;&|<>()$`'\"");
		if (n == 0 || n >= size)
			return false;
		if (n == 4 && strncmp(cmd, "exec", 4) == 0) {
			cmd += 4;
			continue;
		}
		memcpy(out, cmd, n);
		out[n] = '\0';
		return true;
	}
}

/*
 * The program a wrapper's arguments start: options, NAME=VALUE and
 * words that name no program (a priority, a duration) are passed over.
 */
static int
wrapped_program(char **argv, size_t argc, size_t *at, char *out, size_t size)
{
	char word[PATH_MAX];

	if (is_shell(argv[0]))
		return argc >= 3 && strcmp(argv[1], "-c") == 0 &&
			shell_command(argv[2], word, sizeof(word)) &&
			spawn_resolve(word, out, size) == 0 ?
		    0 :
		    -1;
	for (*at = 1; *at < argc; (*at)++) {
		const char *a = argv[*at];

		if (a[0] == '-' || strchr(a, '=') != NULL)
			continue;
		if (spawn_resolve(a, out, size) == 0)
			return 0;
	}
	return -1;
}

void
warn_wrapped(const struct policy *p, const struct policy_service *s)
{
	char path[PATH_MAX], why[PATH_MAX + 128];
	char **argv = s->argv;
	size_t argc = s->argc, at = 0;

	for (int depth = 0; depth < WRAPPERS_DEEP; depth++) {
		if (!is_wrapper(argv[0]) && !is_shell(argv[0]))
			return;
		if (wrapped_program(argv, argc, &at, path, sizeof(path)) != 0)
			return;
		if (target_check(path, why, sizeof(why)) < 0) {
			fprintf(stderr,
			    "capwrap: %s:%u: service %s: warning: %s "
			    "starts a program the shim will refuse: %s\n",
			    p->path, s->line, s->name, argv[0], why);
			return;
		}
		if (is_shell(argv[0]))
			return;
		argv += at;
		argc -= at;
	}
}
