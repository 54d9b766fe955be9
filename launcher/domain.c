/*
 * Why a thread, not the launcher: a Landlock domain lives in the
 * credentials of the task that enters it, and each
 * landlock_restrict_self() makes a new one.  Services restricted one by
 * one would be in domains of their own, and could not dial each other.
 * Restricting the launcher itself would keep it from the host's sockets
 * it dials for `external` names (extdial.c) and from signalling outside.
 * So one thread of the launcher enters the domain once, before it starts
 * anything, and every service is vforked from it: the restriction is
 * per thread (no TSYNC before Landlock ABI 8), and a child inherits the
 * credentials of the thread that made it.
 *
 * The main thread hands a spawn over and waits for it: the vfork child
 * reads and writes the launcher's memory as it does when started from
 * the main thread, and nothing else of the launcher runs meanwhile.
 *
 * The thread blocks every signal, so that signals of the launcher go to
 * its main thread's signalfd.  It lives as long as the launcher: a
 * service's parent-death signal (servicespawn.c) follows the thread that
 * started it.
 */
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#include "compat.h"
#include "domain.h"
#include "kernel.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;

static struct {
	bool started;	    /* the thread was asked for */
	bool ready;	    /* it has entered the domain, or failed to */
	int error;	    /* why it has no domain; 0: it has one */
	void (*fn)(void *); /* the job handed over, NULL: none */
	void *arg;
	bool done; /* the job has returned */
} sp;

bool
domain_available(void)
{
	return (kernel_info()->landlock_scopes &
		   LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET) != 0;
}

/*
 * Enter the domain: a ruleset that handles no file system or network
 * access, only scopes.  no_new_privs is set first only if the kernel
 * demands it (the launcher lacks CAP_SYS_ADMIN), as for the io_uring
 * fence: on this thread only, so the services get it, not the launcher.
 * Denials are logged for the services' own images too (Landlock ABI 7),
 * not only for the launcher's, which is the kernel's default.
 */
static int
restrict_thread(void)
{
	const struct kernel_info *k = kernel_info();
	struct compat_landlock_ruleset_attr attr = {
		.scoped = k->landlock_scopes &
		    (LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET |
			LANDLOCK_SCOPE_SIGNAL),
	};
	unsigned flags = k->landlock_abi >= COMPAT_LANDLOCK_ABI_LOG ?
	    LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON :
	    0;
	int fd, rc, err;

	fd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd < 0)
		return errno;
	rc = (int)syscall(SYS_landlock_restrict_self, fd, flags);
	if (rc != 0 && errno == EPERM &&
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0)
		rc = (int)syscall(SYS_landlock_restrict_self, fd, flags);
	err = rc != 0 ? errno : 0;
	close(fd);
	return err;
}

static void *
spawner(void *unused)
{
	int err = restrict_thread();

	(void)unused;
	pthread_mutex_lock(&lock);
	sp.error = err;
	sp.ready = true;
	pthread_cond_broadcast(&cond);
	for (;;) {
		while (sp.fn == NULL)
			pthread_cond_wait(&cond, &lock);
		pthread_mutex_unlock(&lock);
		sp.fn(sp.arg);
		pthread_mutex_lock(&lock);
		sp.fn = NULL;
		sp.done = true;
		pthread_cond_broadcast(&cond);
	}
	return NULL;
}

/* Start the thread with every signal blocked; 0 or an errno. */
static int
start_spawner(void)
{
	pthread_attr_t attr;
	pthread_t t;
	sigset_t all, saved;
	int err;

	if ((err = pthread_attr_init(&attr)) != 0)
		return err;
	(void)pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	sigfillset(&all);
	(void)pthread_sigmask(SIG_SETMASK, &all, &saved);
	err = pthread_create(&t, &attr, spawner, NULL);
	(void)pthread_sigmask(SIG_SETMASK, &saved, NULL);
	pthread_attr_destroy(&attr);
	return err;
}

int
domain_run(void (*fn)(void *), void *arg)
{
	int err = 0;

	pthread_mutex_lock(&lock);
	if (!sp.started) {
		sp.started = true;
		if ((err = start_spawner()) != 0) {
			sp.ready = true;
			sp.error = err;
		}
	}
	while (!sp.ready)
		pthread_cond_wait(&cond, &lock);
	if (sp.error != 0) {
		err = sp.error;
		pthread_mutex_unlock(&lock);
		errno = err;
		return -1;
	}
	sp.fn = fn;
	sp.arg = arg;
	sp.done = false;
	pthread_cond_broadcast(&cond);
	while (!sp.done)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	return 0;
}
