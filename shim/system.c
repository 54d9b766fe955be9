/*
 * system(3) and wordexp(3): glibc runs /bin/sh for them through a spawn
 * of its own, which no preload library sees, with the environment as the
 * program left it (maybe without LD_PRELOAD).  system() is done here on
 * the hooked posix_spawn, so the shell is checked and gets the shim back;
 * wordexp() keeps glibc's code but refuses command substitution
 * (WRDE_CMDSUB, as with WRDE_NOCMD) unless the environment already
 * carries the shim.
 *
 * system() of a shell the shim refuses returns the status of a shell
 * that could not run, exit 127, with errno EACCES, as glibc does for any
 * spawn that fails.
 */
#include <sys/wait.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <wordexp.h>

#include "exec.h"
#include "execgate.h"
#include "popen.h"
#include "real.h"
#include "system.h"

#define SHELL "/bin/sh"

extern char **environ;

/*
 * POSIX: the caller ignores SIGINT and SIGQUIT while it waits.  With
 * several threads in system() at once, the first saves the actions and
 * the last restores them.
 */
static pthread_mutex_t interrupts_lock = PTHREAD_MUTEX_INITIALIZER;
static int interrupts_ignored;
static struct sigaction saved_int, saved_quit;

static void
lock_interrupts(void)
{
	pthread_mutex_lock(&interrupts_lock);
}

static void
unlock_interrupts(void)
{
	pthread_mutex_unlock(&interrupts_lock);
}

void
system_init(void)
{
	pthread_atfork(lock_interrupts, unlock_interrupts, unlock_interrupts);
	popen_init();
}

/* Ignore SIGINT and SIGQUIT; the signals the child resets to default. */
static void
ignore_interrupts(sigset_t *reset)
{
	struct sigaction ignore = { .sa_handler = SIG_IGN };

	lock_interrupts();
	if (interrupts_ignored++ == 0) {
		sigemptyset(&ignore.sa_mask);
		sigaction(SIGINT, &ignore, &saved_int);
		sigaction(SIGQUIT, &ignore, &saved_quit);
	}
	/* What the program itself ignored stays ignored in the shell. */
	sigemptyset(reset);
	if (saved_int.sa_handler != SIG_IGN)
		sigaddset(reset, SIGINT);
	if (saved_quit.sa_handler != SIG_IGN)
		sigaddset(reset, SIGQUIT);
	unlock_interrupts();
}

static void
restore_interrupts(void)
{
	lock_interrupts();
	if (--interrupts_ignored == 0) {
		sigaction(SIGINT, &saved_int, NULL);
		sigaction(SIGQUIT, &saved_quit, NULL);
	}
	unlock_interrupts();
}

static int
run_shell(const char *command, const sigset_t *mask, const sigset_t *reset)
{
	char *argv[] = { "sh", "-c", "--", (char *)command, NULL };
	posix_spawnattr_t attr;
	int status, rc;
	pid_t pid;

	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, mask);
	posix_spawnattr_setsigdefault(&attr, reset);
	posix_spawnattr_setflags(&attr,
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	rc = spawn_image(&pid, SHELL, NULL, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		errno = rc;
		return W_EXITCODE(127, 0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

int
system(const char *command)
{
	sigset_t chld, mask, reset;
	int status, saved;

	/* Is there a shell?  Only one the shim can enter counts. */
	if (command == NULL)
		return exec_enterable(SHELL);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &chld, &mask);
	ignore_interrupts(&reset);
	status = run_shell(command, &mask, &reset);
	saved = errno;
	restore_interrupts();
	pthread_sigmask(SIG_SETMASK, &mask, NULL);
	errno = saved;
	return status;
}

int
wordexp(const char *words, wordexp_t *we, int flags)
{
	if (!(flags & WRDE_NOCMD) &&
	    (!environ_carries_shim() || !exec_enterable(SHELL)))
		flags |= WRDE_NOCMD;
	return real.wordexp(words, we, flags);
}
