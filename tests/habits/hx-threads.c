/*
 * hx-threads server NAME THREADS
 *	A threaded server: THREADS threads accept() on one listener at once
 *	and answer "echo LINE".
 * hx-threads client NAME THREADS DIALS
 *	THREADS threads each dial NAME DIALS times at once and check every
 *	answer; prints "dialed N ok N refused N".
 * hx-threads forkstorm NAME DENIED THREADS FORKS
 *	THREADS threads stay inside the socket calls (dials of NAME, binds of
 *	DENIED) while the main thread forks FORKS times; every child dials
 *	NAME at once and exits with the result; a SIGCHLD handler closes a
 *	descriptor each time a child exits.  A lock inherited from a
 *	thread that no longer exists in the child would hang it: run this
 *	under timeout(1).  Prints "forks N ok N".
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"
#include "hx.h"

static const char *name, *denied;
static long dials;
static int listener;
static atomic_long ok, refused, other;
static atomic_bool stop;

static void *
server_thread(void *arg)
{
	(void)arg;
	for (;;) {
		char buf[512], reply[600];
		int cfd = accept(listener, NULL, NULL);

		if (cfd < 0) {
			if (errno == ECONNABORTED || errno == EINTR)
				continue;
			fx_say("accept: %s", hx_errname(errno));
			exit(FX_REFUSED);
		}
		if (hx_read_line(cfd, buf, sizeof(buf)) > 0) {
			snprintf(reply, sizeof(reply), "echo %s\n", buf);
			(void)!write(cfd, reply, strlen(reply));
		}
		close(cfd);
	}
	return NULL;
}

static void *
client_thread(void *arg)
{
	char msg[64], want[80], reply[600];

	for (long i = 0; i < dials; i++) {
		int e;

		snprintf(msg, sizeof(msg), "thread %ld dial %ld", (long)arg, i);
		snprintf(want, sizeof(want), "echo %s", msg);
		e = hx_dial(name, msg, reply, sizeof(reply));
		if (e == 0 && strcmp(reply, want) == 0)
			atomic_fetch_add(&ok, 1);
		else if (e == EACCES || e == ECONNREFUSED)
			atomic_fetch_add(&refused, 1);
		else
			atomic_fetch_add(&other, 1);
	}
	return NULL;
}

static void *
busy_thread(void *arg)
{
	struct sockaddr_un sun;
	socklen_t len = fx_abstract(&sun, denied);
	char reply[600];

	(void)arg;
	while (!atomic_load(&stop)) {
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);

		(void)bind(fd, (struct sockaddr *)&sun, len);
		close(fd);
		(void)hx_dial(name, "busy", reply, sizeof(reply));
	}
	return NULL;
}

/* A SIGCHLD handler that closes a descriptor, as some reapers do. */
static void
on_child(int sig)
{
	int saved = errno, fd = dup(0);

	(void)sig;
	if (fd >= 0)
		close(fd);
	errno = saved;
}

static void
run_threads(long n, void *(*fn)(void *))
{
	pthread_t *t = calloc((size_t)n, sizeof(*t));

	for (long i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, fn, (void *)i) != 0)
			exit(FX_IO);
	for (long i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	free(t);
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "server") == 0) {
		struct sockaddr_un sun;
		socklen_t len = fx_abstract(&sun, argv[2]);

		listener = socket(AF_UNIX, SOCK_STREAM, 0);
		if (listener < 0 ||
		    bind(listener, (struct sockaddr *)&sun, len) != 0)
			fx_refused("bind");
		if (listen(listener, 128) != 0)
			fx_refused("listen");
		fx_say("listening pid=%d", (int)getpid());
		run_threads(strtol(argv[3], NULL, 10), server_thread);
		return FX_OK;
	}
	if (argc == 5 && strcmp(argv[1], "client") == 0) {
		long threads = strtol(argv[3], NULL, 10);

		name = argv[2];
		dials = strtol(argv[4], NULL, 10);
		run_threads(threads, client_thread);
		fx_say("dialed %ld ok %ld refused %ld other %ld",
		    threads * dials, atomic_load(&ok), atomic_load(&refused),
		    atomic_load(&other));
		return atomic_load(&ok) == threads * dials ? FX_OK : FX_IO;
	}
	if (argc == 6 && strcmp(argv[1], "forkstorm") == 0) {
		long threads = strtol(argv[4], NULL, 10);
		long forks = strtol(argv[5], NULL, 10), good = 0;
		pthread_t *t = calloc((size_t)threads, sizeof(*t));
		char reply[600];

		name = argv[2];
		denied = argv[3];
		signal(SIGCHLD, on_child);
		/* The parent holds a capability before the storm starts. */
		if (hx_dial(name, "first", reply, sizeof(reply)) != 0)
			return FX_IO;
		for (long i = 0; i < threads; i++)
			pthread_create(&t[i], NULL, busy_thread, NULL);
		for (long i = 0; i < forks; i++) {
			int status;
			pid_t pid = fork();

			if (pid == 0)
				_exit(hx_dial(name, "forked", reply,
					  sizeof(reply)) == 0 &&
					    strcmp(reply, "echo forked") == 0 ?
					0 :
					1);
			if (pid > 0 && waitpid(pid, &status, 0) == pid &&
			    WIFEXITED(status) && WEXITSTATUS(status) == 0)
				good++;
		}
		atomic_store(&stop, true);
		for (long i = 0; i < threads; i++)
			pthread_join(t[i], NULL);
		fx_say("forks %ld ok %ld", forks, good);
		return good == forks ? FX_OK : FX_IO;
	}
	fprintf(stderr, "usage: hx-threads server|client|forkstorm ...\n");
	return FX_USAGE;
}
