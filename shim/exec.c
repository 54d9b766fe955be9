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
#include "execgate.h"
#include "image.h"
#include "inherit.h"
#include "init.h"
#include "rawsys.h"
#include "real.h"
#include "sockets.h"
#include "wire.h"

extern char **environ;

/*
 * Set once at start-up, read-only afterwards: the shim's own path (the
 * dynamic linker's copy, which lives as long as the shim is loaded), and
 * the variables every image of the service needs as the launcher set
 * them, carried when an environment arrives without them (copied: a
 * program may rewrite its environment in place for its process title).
 */
static const char *shim_file;

static const char *const carried_names[] = {
	"CAPWRAP_SERVICE",
#ifdef CAPWRAP_SANITIZERS
	/* A sanitizer-built shim cannot start without its runtime's options. */
	"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS",
#endif
};
#define NCARRIED (sizeof(carried_names) / sizeof(carried_names[0]))
static char carried[NCARRIED][256];

void
exec_init(void)
{
	Dl_info info;

	if (dladdr((void *)exec_init, &info) != 0 && info.dli_fname != NULL &&
	    info.dli_fname[0] == '/')
		shim_file = info.dli_fname;
	for (size_t i = 0; i < NCARRIED; i++) {
		const char *v = getenv(carried_names[i]);

		if (v != NULL && (size_t)snprintf(carried[i], sizeof(carried[i]),
		    "%s=%s", carried_names[i], v) >= sizeof(carried[i]))
			carried[i][0] = '\0';
	}
	exec_gate_init();
}

struct env_build {
	char	**envp;
	void	 *map;
	size_t	  map_size;
};

static bool
has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Is entry the variable NAME (entry is "NAME=...")? */
static bool
is_var(const char *entry, const char *name)
{
	size_t n = strlen(name);

	return strncmp(entry, name, n) == 0 && entry[n] == '=';
}

/* Does an LD_PRELOAD value name our shim? */
static bool
preloads_shim(const char *value)
{
	size_t n = strlen(shim_file);

	for (const char *p = value; (p = strstr(p, shim_file)) != NULL; p += n)
		if ((p == value || p[-1] == ':' || p[-1] == ' ') &&
		    (p[n] == '\0' || p[n] == ':' || p[n] == ' '))
			return true;
	return false;
}

/*
 * Build envp plus what the shim needs.  Returns envp itself when nothing
 * is missing, the new array otherwise, or NULL (errno set).
 */
static char *const *
with_shim(char *const envp[], struct env_build *b)
{
	static const char preload[] = "LD_PRELOAD=";
	static const char channel[] = WIRE_CHANNEL_ENV "=";
	static char *const empty[] = { NULL };
	static char dgram_mark[] = DGRAM_GATES_ENV "=1";
	/* A relaxed load: no lock, so safe in a vfork child (inherit.c). */
	bool want_mark = sockets_any_dgram_gates(), have_mark = false;
	int chan = channel_fd_checked();
	size_t n = 0, k = 0, strings;
	const char *old_preload = NULL;
	bool channel_right = false, channel_named = false;
	bool have[NCARRIED] = { false }, complete = true;
	char *text, chan_text[32];

	/* After clearenv(), environ is NULL: the kernel takes that as empty. */
	if (envp == NULL)
		envp = empty;
	/*
	 * Without its own path the shim cannot put itself back: a service
	 * process (it holds the channel) then execs nothing, rather than an
	 * image that might run ungated.
	 */
	if (shim_file == NULL) {
		if (chan < 0)
			return envp;
		errno = EACCES;
		return NULL;
	}
	for (; envp[n] != NULL; n++) {
		if (has_prefix(envp[n], preload))
			old_preload = envp[n] + sizeof(preload) - 1;
		else if (has_prefix(envp[n], channel)) {
			channel_named = true;
			channel_right = chan >= 0 &&
			    strtol(envp[n] + sizeof(channel) - 1, NULL, 10) == chan;
		}
		for (size_t i = 0; i < NCARRIED; i++)
			have[i] |= is_var(envp[n], carried_names[i]);
		have_mark |= is_var(envp[n], DGRAM_GATES_ENV);
	}
	for (size_t i = 0; i < NCARRIED; i++)
		complete &= have[i] || carried[i][0] == '\0';
	complete &= have_mark || !want_mark;
	/*
	 * Nothing to do only if the shim is preloaded, the channel variable
	 * names the channel's current number, and nothing carried is missing.
	 * A lost channel is not named at all: the number may have been reused
	 * for a socket of the program's, which the child must never adopt.
	 */
	if (old_preload != NULL && preloads_shim(old_preload) &&
	    (chan >= 0 ? channel_right : !channel_named) && complete)
		return envp;

	snprintf(chan_text, sizeof(chan_text), "%s%d", channel, chan);
	strings = sizeof(preload) + strlen(shim_file) + 1 +
	    (old_preload ? strlen(old_preload) : 0) + sizeof(chan_text) + 8;
	b->map_size = (n + 4 + NCARRIED) * sizeof(char *) + strings;
	b->map = mmap(NULL, b->map_size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b->map == MAP_FAILED)
		return NULL;
	b->envp = b->map;
	text = (char *)b->map + (n + 4 + NCARRIED) * sizeof(char *);

	for (size_t i = 0; i < n; i++)
		if (!has_prefix(envp[i], preload) && !has_prefix(envp[i], channel))
			b->envp[k++] = envp[i];
	/* The shim first: a library ahead of it would see the calls first. */
	b->envp[k++] = text;
	if (old_preload != NULL && *old_preload != '\0' &&
	    !preloads_shim(old_preload))
		text += sprintf(text, "%s%s:%s", preload, shim_file,
		    old_preload) + 1;
	else if (old_preload != NULL && preloads_shim(old_preload))
		text += sprintf(text, "%s%s", preload, old_preload) + 1;
	else
		text += sprintf(text, "%s%s", preload, shim_file) + 1;
	if (chan >= 0) {
		b->envp[k++] = text;
		text += sprintf(text, "%s", chan_text) + 1;
	}
	for (size_t i = 0; i < NCARRIED; i++)
		if (!have[i] && carried[i][0] != '\0')
			b->envp[k++] = carried[i];
	if (want_mark && !have_mark)
		b->envp[k++] = dgram_mark;
	b->envp[k] = NULL;
	return b->envp;
}

static void
release(struct env_build *b)
{
	if (b->map != NULL && b->map != MAP_FAILED)
		(void)munmap(b->map, b->map_size);
}

/* An exec that returned failed: give back the environment, keep its errno. */
static int
exec_failed(struct env_build *b)
{
	int saved = errno;

	release(b);
	errno = saved;
	return -1;
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
	if (exec_gate(AT_FDCWD, path, 0) != 0)
		return -1;
	env = with_shim(envp, &b);
	if (env == NULL)
		return -1;
	(void)real.execve(path, argv, env);
	return exec_failed(&b);
}

int
execveat(int dirfd, const char *path, char *const argv[],
    char *const envp[], int flags)
{
	struct env_build b = { 0 };
	char *const *env;

	if (exec_gate(dirfd, path, flags) != 0)
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

	if (exec_gate(fd, "", AT_EMPTY_PATH) != 0)
		return -1;
	if ((env = with_shim(envp, &b)) == NULL)
		return -1;
	(void)real.fexecve(fd, argv, env);
	return exec_failed(&b);
}

/* The execl family and the shell fallback build argv on the stack. */
#define ARGV_MAX 4096

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
	if (exec_gate(AT_FDCWD, sh_argv[0], 0) == 0)
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
	gate = exec_gate(AT_FDCWD, path, 0);
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

int
execl(const char *path, const char *arg, ...)
{
	char *argv[ARGV_MAX];
	va_list ap;
	int rc;

	va_start(ap, arg);
	rc = gather(arg, ap, argv, NULL);
	va_end(ap);
	return rc ? rc : execve(path, argv, environ);
}

int
execlp(const char *file, const char *arg, ...)
{
	char *argv[ARGV_MAX];
	va_list ap;
	int rc;

	va_start(ap, arg);
	rc = gather(arg, ap, argv, NULL);
	va_end(ap);
	return rc ? rc : execvpe(file, argv, environ);
}

int
execle(const char *path, const char *arg, ...)
{
	char *argv[ARGV_MAX], **envp;
	va_list ap;
	int rc;

	va_start(ap, arg);
	rc = gather(arg, ap, argv, &envp);
	va_end(ap);
	return rc ? rc : execve(path, argv, envp);
}

int
spawn_image(pid_t *pid, const char *path,
    const posix_spawn_file_actions_t *actions, const posix_spawnattr_t *attr,
    char *const argv[], char *const envp[])
{
	struct env_build b = { 0 };
	char *const *env;
	int rc;

	if (exec_gate(AT_FDCWD, path, 0) != 0)
		return errno;
	if ((env = with_shim(envp, &b)) == NULL)
		return errno;
	rc = real.posix_spawn(pid, path, actions, attr, argv, env);
	release(&b);
	return rc;
}

bool
environ_carries_shim(void)
{
	struct env_build b = { 0 };
	bool complete = with_shim(environ, &b) == environ;

	release(&b);
	return complete;
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
