/*
 * The exec family and posix_spawn: a program that hands its child an
 * environment without LD_PRELOAD or CAPWRAP_CHANNEL (an explicit env={},
 * clearenv(), a wrapper that scrubs LD_*) would start that child with no
 * gates at all.  The shim puts both back, so every descendant of a
 * service is either gated or, when its channel is gone, fails closed.
 * An image the shim cannot enter at all is refused first (execgate.c);
 * the PATH-searching calls search themselves, so the file checked is
 * the file run.
 *
 * These hooks may run in a vfork() child, which shares the parent's
 * memory: they take no lock, call no malloc, and write no global.  The
 * new environment is built in memory mapped for the purpose.
 */
#include <sys/mman.h>
#include <sys/syscall.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "channel.h"
#include "exec.h"
#include "execenv.h"
#include "execgate.h"
#include "image.h"
#include "inherit.h"
#include "init.h"
#include "rawsys.h"
#include "real.h"
#include "sockets.h"
#include "wire.h"

extern char **environ;

/* An exec that returned failed: give back the environment, keep its errno. */
static int
exec_failed(struct env_build *b)
{
	int saved = errno;

	release_env(b);
	errno = saved;
	return -1;
}

/* The execl family and the shell fallback build argv on the stack. */
#define ARGV_MAX 4096

/*
 * An image the shim cannot enter, run supervised (unotify/unotify.h):
 * capwrap-unotify PATH ARGV0 ARG..., on the stack.
 */
static int
supervisor_argv(const char *path, char *const argv[], char **out)
{
	size_t n = 0;

	out[n++] = (char *)"capwrap-unotify";
	out[n++] = (char *)path;
	/* The program's own argv[0], a busybox applet's name for one. */
	out[n++] = argv != NULL && argv[0] != NULL ? argv[0] : (char *)path;
	for (size_t i = 1; argv != NULL && argv[0] != NULL && argv[i] != NULL;
	     i++) {
		if (n == ARGV_MAX + 3) {
			errno = E2BIG;
			return -1;
		}
		out[n++] = argv[i];
	}
	out[n] = NULL;
	return 0;
}

/* The supervisor's argv in sup_argv and its environment, or NULL. */
static char *const *
supervised(const char *path, char *const argv[], char *const envp[],
    char **sup_argv, struct env_build *b)
{
	if (supervisor_argv(path, argv, sup_argv) != 0)
		return NULL;
	return with_shim_for_supervisor(envp, b);
}

static int
exec_supervised(const char *path, char *const argv[], char *const envp[])
{
	struct env_build b = { 0 };
	char *sup_argv[ARGV_MAX + 4], sup[PATH_MAX];
	char *const *env = supervised(path, argv, envp, sup_argv, &b);

	if (env == NULL)
		return -1;
	(void)real.execve(exec_supervisor(sup), sup_argv, env);
	return exec_failed(&b);
}

int
execve(const char *path, char *const argv[], char *const envp[])
{
	struct env_build b = { 0 };
	char *const *env;

	/*
	 * capshim_ready() starts the shim for an exec made by a library's
	 * constructor before the shim's own ran: the image is checked all
	 * the same.  Only the shim's own start-up passes unchecked.
	 */
	if (!capshim_ready())
		return (int)capshim_syscall(SYS_execve, path, argv, envp);
	switch (exec_gate(AT_FDCWD, path, 0, true)) {
	case 0:
		break;
	case EXEC_SUPERVISE:
		return exec_supervised(path, argv, envp);
	default:
		return -1;
	}
	env = with_shim(envp, &b);
	if (env == NULL)
		return -1;
	(void)real.execve(path, argv, env);
	return exec_failed(&b);
}

int
execveat(int dirfd, const char *path, char *const argv[], char *const envp[],
    int flags)
{
	struct env_build b = { 0 };
	char *const *env;

	if (exec_gate(dirfd, path, flags, false) != 0)
		return -1;
	if ((env = with_shim(envp, &b)) == NULL)
		return -1;
	(void)real.execveat(dirfd, path, argv, env, flags);
	return exec_failed(&b);
}

int
fexecve(int fd, char *const argv[], char *const envp[])
{
	struct env_build b = { 0 };
	char *const *env;

	if (exec_gate(fd, "", AT_EMPTY_PATH, false) != 0)
		return -1;
	if ((env = with_shim(envp, &b)) == NULL)
		return -1;
	(void)real.fexecve(fd, argv, env);
	return exec_failed(&b);
}

/*
 * glibc's execvp runs a file of no format the kernel knows with the
 * shell, as a script without #!; the shell is checked like any image.
 */
static void
exec_as_script(const char *path, char *const argv[], char *const envp[])
{
	char *sh_argv[ARGV_MAX + 2];
	size_t n = 0;

	sh_argv[n++] = (char *)"/bin/sh";
	sh_argv[n++] = (char *)path;
	for (size_t i = 1; argv[0] != NULL && argv[i] != NULL; i++) {
		if (n == ARGV_MAX + 1) {
			errno = E2BIG;
			return;
		}
		sh_argv[n++] = argv[i];
	}
	sh_argv[n] = NULL;
	if (exec_gate(AT_FDCWD, sh_argv[0], 0, false) == 0)
		(void)real.execve(sh_argv[0], sh_argv, envp);
}

int
execvpe(const char *file, char *const argv[], char *const envp[])
{
	struct env_build b = { 0 };
	char path[IMAGE_PATH_MAX];
	char *const *env;
	int gate;

	if (exec_search(file, path, sizeof(path)) != 0)
		return -1;
	gate = exec_gate(AT_FDCWD, path, 0, true);
	if (gate == EXEC_SUPERVISE)
		return exec_supervised(path, argv, envp);
	if (gate != 0 && errno != ENOEXEC)
		return -1;
	if ((env = with_shim(envp, &b)) == NULL)
		return -1;
	if (gate == 0)
		(void)real.execve(path, argv, env);
	if (gate != 0 || errno == ENOEXEC)
		exec_as_script(path, argv, env);
	return exec_failed(&b);
}

/* glibc's own execv/execvp/execl* call its internal execve: hook them too. */
int
execv(const char *path, char *const argv[])
{
	return execve(path, argv, environ);
}

int
execvp(const char *file, char *const argv[])
{
	return execvpe(file, argv, environ);
}

/* The execl family: gather the variadic arguments onto the stack. */
static int
gather(const char *arg0, va_list ap, char **argv, char ***envp)
{
	int n = 0;

	argv[n++] = (char *)arg0;
	while (arg0 != NULL && (argv[n] = va_arg(ap, char *)) != NULL)
		if (++n == ARGV_MAX) {
			errno = E2BIG;
			return -1;
		}
	if (envp != NULL)
		*envp = va_arg(ap, char **);
	return 0;
}

/* How an execl-family call runs the argv it gathered. */
enum listed_exec {
	LISTED_PATH,   /* execl: path, environ */
	LISTED_SEARCH, /* execlp: PATH search, environ */
	LISTED_ENV,    /* execle: path, the envp after the NULL */
};

static int
exec_listed(enum listed_exec how, const char *target, const char *arg,
    va_list ap)
{
	char *argv[ARGV_MAX], **envp = environ;

	if (gather(arg, ap, argv, how == LISTED_ENV ? &envp : NULL) != 0)
		return -1;
	if (how == LISTED_SEARCH)
		return execvpe(target, argv, envp);
	return execve(target, argv, envp);
}

int
execl(const char *path, const char *arg, ...)
{
	va_list ap;
	int rc;

	va_start(ap, arg);
	rc = exec_listed(LISTED_PATH, path, arg, ap);
	va_end(ap);
	return rc;
}

int
execlp(const char *file, const char *arg, ...)
{
	va_list ap;
	int rc;

	va_start(ap, arg);
	rc = exec_listed(LISTED_SEARCH, file, arg, ap);
	va_end(ap);
	return rc;
}

int
execle(const char *path, const char *arg, ...)
{
	va_list ap;
	int rc;

	va_start(ap, arg);
	rc = exec_listed(LISTED_ENV, path, arg, ap);
	va_end(ap);
	return rc;
}

int
spawn_image(pid_t *pid, const char *path,
    const posix_spawn_file_actions_t *actions, const posix_spawnattr_t *attr,
    char *const argv[], char *const envp[])
{
	struct env_build b = { 0 };
	char *const *env;
	int rc;
	char *sup_argv[ARGV_MAX + 4], sup[PATH_MAX];

	switch (exec_gate(AT_FDCWD, path, 0, true)) {
	case 0:
		break;
	case EXEC_SUPERVISE:
		if ((env = supervised(path, argv, envp, sup_argv, &b)) == NULL)
			return errno;
		rc = real.posix_spawn(pid, exec_supervisor(sup), actions, attr,
		    sup_argv, env);
		release_env(&b);
		return rc;
	default:
		return errno;
	}
	if ((env = with_shim(envp, &b)) == NULL)
		return errno;
	rc = real.posix_spawn(pid, path, actions, attr, argv, env);
	release_env(&b);
	return rc;
}

int
posix_spawn(pid_t *pid, const char *path,
    const posix_spawn_file_actions_t *actions, const posix_spawnattr_t *attr,
    char *const argv[], char *const envp[])
{
	return spawn_image(pid, path, actions, attr, argv, envp);
}

/*
 * glibc searches PATH in the child; searching here instead names the
 * file to check, and the child runs that very path.
 */
int
posix_spawnp(pid_t *pid, const char *file,
    const posix_spawn_file_actions_t *actions, const posix_spawnattr_t *attr,
    char *const argv[], char *const envp[])
{
	char path[IMAGE_PATH_MAX];

	if (exec_search(file, path, sizeof(path)) != 0)
		return errno;
	return spawn_image(pid, path, actions, attr, argv, envp);
}
