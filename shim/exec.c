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

static const char preload_prefix[] = "LD_PRELOAD=";
static const char channel_prefix[] = WIRE_CHANNEL_ENV "=";
/* Not const: it goes into an envp, which is an array of char *. */
static char dgram_mark[] = DGRAM_GATES_ENV "=1";

/* What an environment holds of what every image of the service needs. */
struct env_scan {
	size_t		 n;		/* its entries */
	const char	*old_preload;	/* LD_PRELOAD's value, or NULL */
	bool		 channel_named;	/* the channel variable is set */
	bool		 channel_right;	/* to the channel's current number */
	bool		 have[NCARRIED];
	bool		 have_mark;
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

static void
scan_env(char *const envp[], int chan, struct env_scan *sc)
{
	memset(sc, 0, sizeof(*sc));
	for (; envp[sc->n] != NULL; sc->n++) {
		const char *e = envp[sc->n];

		if (has_prefix(e, preload_prefix))
			sc->old_preload = e + sizeof(preload_prefix) - 1;
		else if (has_prefix(e, channel_prefix)) {
			sc->channel_named = true;
			sc->channel_right = chan >= 0 &&
			    strtol(e + sizeof(channel_prefix) - 1, NULL, 10) ==
			    chan;
		}
		for (size_t i = 0; i < NCARRIED; i++)
			sc->have[i] |= is_var(e, carried_names[i]);
		sc->have_mark |= is_var(e, DGRAM_GATES_ENV);
	}
}

/*
 * Nothing to add only if the shim is preloaded, the channel variable
 * names the channel's current number, and nothing carried is missing.
 * A lost channel is not named at all: the number may have been reused
 * for a socket of the program's, which the child must never adopt.
 */
static bool
env_complete(const struct env_scan *sc, int chan, bool want_mark)
{
	bool complete = true;

	for (size_t i = 0; i < NCARRIED; i++)
		complete &= sc->have[i] || carried[i][0] == '\0';
	complete &= sc->have_mark || !want_mark;
	return sc->old_preload != NULL && preloads_shim(sc->old_preload) &&
	    (chan >= 0 ? sc->channel_right : !sc->channel_named) && complete;
}

/* The new environment, in memory mapped for it: envp and what it lacks. */
static char *const *
build_env(char *const envp[], const struct env_scan *sc, int chan,
    bool want_mark, struct env_build *b)
{
	const char *old_preload = sc->old_preload;
	size_t k = 0, strings;
	char *text, chan_text[32];

	snprintf(chan_text, sizeof(chan_text), "%s%d", channel_prefix, chan);
	strings = sizeof(preload_prefix) + strlen(shim_file) + 1 +
	    (old_preload ? strlen(old_preload) : 0) + sizeof(chan_text) + 8;
	b->map_size = (sc->n + 4 + NCARRIED) * sizeof(char *) + strings;
	b->map = mmap(NULL, b->map_size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b->map == MAP_FAILED)
		return NULL;
	b->envp = b->map;
	text = (char *)b->map + (sc->n + 4 + NCARRIED) * sizeof(char *);

	for (size_t i = 0; i < sc->n; i++)
		if (!has_prefix(envp[i], preload_prefix) &&
		    !has_prefix(envp[i], channel_prefix))
			b->envp[k++] = envp[i];
	/* The shim first: a library ahead of it would see the calls first. */
	b->envp[k++] = text;
	if (old_preload != NULL && *old_preload != '\0' &&
	    !preloads_shim(old_preload))
		text += sprintf(text, "%s%s:%s", preload_prefix, shim_file,
		    old_preload) + 1;
	else if (old_preload != NULL && preloads_shim(old_preload))
		text += sprintf(text, "%s%s", preload_prefix, old_preload) + 1;
	else
		text += sprintf(text, "%s%s", preload_prefix, shim_file) + 1;
	if (chan >= 0) {
		b->envp[k++] = text;
		text += sprintf(text, "%s", chan_text) + 1;
	}
	for (size_t i = 0; i < NCARRIED; i++)
		if (!sc->have[i] && carried[i][0] != '\0')
			b->envp[k++] = carried[i];
	if (want_mark && !sc->have_mark)
		b->envp[k++] = dgram_mark;
	b->envp[k] = NULL;
	return b->envp;
}

/*
 * Build envp plus what the shim needs.  Returns envp itself when nothing
 * is missing, the new array otherwise, or NULL (errno set).
 */
static char *const *
with_shim(char *const envp[], struct env_build *b)
{
	static char *const empty[] = { NULL };
	/* A relaxed load: no lock, so safe in a vfork child (inherit.c). */
	bool want_mark = sockets_any_dgram_gates();
	int chan = channel_fd_checked();
	struct env_scan sc;

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
	scan_env(envp, chan, &sc);
	if (env_complete(&sc, chan, want_mark))
		return envp;
	return build_env(envp, &sc, chan, want_mark, b);
}

static void
release_env(struct env_build *b)
{
	if (b->map != NULL && b->map != MAP_FAILED)
		(void)munmap(b->map, b->map_size);
}

/* An exec that returned failed: give back the environment, keep its errno. */
static int
exec_failed(struct env_build *b)
{
	int saved = errno;

	release_env(b);
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

/* How an execl-family call runs the argv it gathered. */
enum listed_exec {
	LISTED_PATH,		/* execl: path, environ */
	LISTED_SEARCH,		/* execlp: PATH search, environ */
	LISTED_ENV,		/* execle: path, the envp after the NULL */
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

	if (exec_gate(AT_FDCWD, path, 0) != 0)
		return errno;
	if ((env = with_shim(envp, &b)) == NULL)
		return errno;
	rc = real.posix_spawn(pid, path, actions, attr, argv, env);
	release_env(&b);
	return rc;
}

bool
environ_carries_shim(void)
{
	struct env_build b = { 0 };
	bool complete = with_shim(environ, &b) == environ;

	release_env(&b);
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
