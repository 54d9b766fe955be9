/*
 * hx-exec reexec COUNT NAME
 *	Re-exec itself COUNT times (execv of /proc/self/exe), then dial NAME.
 *	Prints "start fds=N" before the first exec and "end fds=N" after
 *	the last, so a descriptor leaked per exec shows.
 * hx-exec clear HOW NAME
 *	Start itself again with an empty environment, HOW being execve
 *	(envp = {NULL}), execle, execvpe, execveat, fexecve, clearenv (then
 *	execv), spawn (posix_spawn with an empty environment), vfork (a
 *	vfork() child execve()s with envp = {NULL}) or env-i (env -i runs
 *	it); the new image dials NAME.
 * hx-exec dial NAME
 *	Print whether LD_PRELOAD is set, then dial NAME: "reply LINE" or
 *	"dial: ERRNO".
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"
#include "hx.h"

extern char **environ;

static int
dial(const char *name)
{
	char reply[600];
	int e;

	fx_say("LD_PRELOAD %s", getenv("LD_PRELOAD") ? "set" : "unset");
	e = hx_dial(name, "exec", reply, sizeof(reply));
	if (e != 0) {
		fx_say("dial: %s", hx_errname(e));
		return FX_REFUSED;
	}
	fx_say("reply %s", reply);
	return FX_OK;
}

static int
clear(const char *how, const char *name)
{
	char self[4096], *argv[] = { "hx-exec", "dial", (char *)name, NULL };
	char *empty[] = { NULL };
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	pid_t pid;
	int status;

	if (n <= 0)
		return FX_IO;
	self[n] = '\0';
	if (strcmp(how, "execve") == 0)
		execve(self, argv, empty);
	else if (strcmp(how, "execle") == 0)
		execle(self, "hx-exec", "dial", name, (char *)NULL, empty);
	else if (strcmp(how, "execvpe") == 0)
		execvpe(self, argv, empty);
	else if (strcmp(how, "execveat") == 0)
		execveat(AT_FDCWD, self, argv, empty, 0);
	else if (strcmp(how, "fexecve") == 0) {
		int fd = open(self, O_RDONLY | O_CLOEXEC);

		if (fd >= 0)
			fexecve(fd, argv, empty);
	} else if (strcmp(how, "vfork") == 0) {
		pid = vfork();
		if (pid == 0) {
			execve(self, argv, empty);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid)
			fx_refused("vfork");
		return WIFEXITED(status) ? WEXITSTATUS(status) : FX_IO;
	} else if (strcmp(how, "clearenv") == 0) {
		clearenv();
		execv(self, argv);
	} else if (strcmp(how, "env-i") == 0) {
		char *env_argv[] = { "env", "-i", self, "dial", (char *)name,
			NULL };

		execvp("env", env_argv);
	} else if (strcmp(how, "spawn") == 0) {
		errno = posix_spawn(&pid, self, NULL, NULL, argv, empty);
		if (errno != 0 || waitpid(pid, &status, 0) != pid)
			fx_refused("posix_spawn");
		return WIFEXITED(status) ? WEXITSTATUS(status) : FX_IO;
	} else
		return FX_USAGE;
	fx_refused("exec");
}

int
main(int argc, char **argv)
{
	char count[32], fds[32];

	if (argc == 3 && strcmp(argv[1], "dial") == 0)
		return dial(argv[2]);
	if (argc == 4 && strcmp(argv[1], "clear") == 0)
		return clear(argv[2], argv[3]);
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "reexec") == 0) {
		long left = strtol(argv[2], NULL, 10);
		char *next[] = { argv[0], "reexec", count, argv[3], fds, NULL };

		if (argc == 4) {
			snprintf(fds, sizeof(fds), "%d", hx_count_fds());
			fx_say("start fds=%s", fds);
		} else
			snprintf(fds, sizeof(fds), "%s", argv[4]);
		if (left <= 0) {
			fx_say("end fds=%d", hx_count_fds());
			return dial(argv[3]);
		}
		snprintf(count, sizeof(count), "%ld", left - 1);
		execv("/proc/self/exe", next);
		fx_refused("execv");
	}
	fprintf(stderr, "usage: hx-exec reexec|clear|dial ...\n");
	return FX_USAGE;
}
