/*
 * capwrap-unotify PROGRAM ARGV0 [ARG...]: run PROGRAM supervised
 * (unotify.h), with ARGV0 as its argv[0].
 *
 * The launcher starts this instead of a program the shim cannot enter,
 * with the shim's path in CAPWRAP_UNOTIFY_PRELOAD rather than in
 * LD_PRELOAD, so that this first stage runs without it.  It forks the
 * program, which installs the filter and hands its listener over; then
 * it execs itself as the second stage with the shim preloaded (same
 * process, so the launcher's record of the service's main process, its
 * channel and its process group all stay right), which makes itself
 * undumpable and only then lets the program exec.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unotify.h"
#include "wire.h"

extern char **environ;

static void __attribute__((noreturn)) die(const char *what)
{
	fprintf(stderr, "capwrap-unotify: %s: %s\n", what, strerror(errno));
	exit(127);
}

/* The program's environment: nothing of capwrap's. */
static char **
program_environment(void)
{
	static const char *const ours[] = { WIRE_UNOTIFY_PRELOAD_ENV "=",
		WIRE_CHANNEL_ENV "=", WIRE_REAP_PAGE_ENV "=",
		WIRE_CLAIM_QUEUE_ENV "=", "CAPWRAP_SERVICE=", "LD_PRELOAD=" };
	size_t n = 0, k = 0;
	char **env;

	while (environ[n] != NULL)
		n++;
	if ((env = calloc(n + 1, sizeof(*env))) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		bool keep = true;

		for (size_t j = 0; j < sizeof(ours) / sizeof(ours[0]); j++)
			if (strncmp(environ[i], ours[j], strlen(ours[j])) == 0)
				keep = false;
		if (keep)
			env[k++] = environ[i];
	}
	return env;
}

/*
 * In the child: the filter, its listener to the parent, the program
 * (path, then its own argv).
 */
static void __attribute__((noreturn))
program(int sock, pid_t parent, const char *path, char **argv, char **env)
{
	sigset_t none;
	int listener;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(127);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if ((listener = filter_install()) < 0)
		die("unable to install the seccomp filter");
	/*
	 * sendmsg now waits for a supervisor that is not serving yet: the
	 * parent takes the listener with pidfd_getfd instead, told its
	 * number by write(2).  The answer comes from the second stage once
	 * it is no longer dumpable: until then the program is not started,
	 * so it never meets a supervisor it could take descriptors from.
	 */
	if (write(sock, &listener, sizeof(listener)) != sizeof(listener) ||
	    read(sock, &listener, sizeof(listener)) != sizeof(listener))
		die("unable to hand the filter's listener over");
	/* Nothing of the supervisor's, the channel included. */
	closefrom(3);
	execve(path, argv, env);
	die(path);
}

/* The child's listener, taken from it; -1 if it failed (it said why). */
static int
take_listener(int sock, pid_t child)
{
	int number, pidfd, listener;

	if (read(sock, &number, sizeof(number)) != sizeof(number))
		return -1;
	if ((pidfd = (int)syscall(SYS_pidfd_open, child, 0)) < 0)
		die("pidfd_open");
	listener = (int)syscall(SYS_pidfd_getfd, pidfd, number, 0);
	if (listener < 0)
		die("unable to take the filter's listener (pidfd_getfd)");
	close(pidfd);
	return listener;
}

/* The first stage: start the program, then become the second. */
static int
start(const char *path, char **argv)
{
	const char *preload = getenv(WIRE_UNOTIFY_PRELOAD_ENV);
	char listener_arg[16], pid_arg[16], ack_arg[16], *self[6];
	char **env = program_environment();
	sigset_t all;
	int sp[2], listener, status;
	pid_t pid, parent = getpid();

	if (preload == NULL || *preload == '\0') {
		fprintf(stderr,
		    "capwrap-unotify: not started by capwrap run "
		    "(no " WIRE_UNOTIFY_PRELOAD_ENV ")\n");
		return 127;
	}
	if (env == NULL ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) != 0)
		die("socketpair");
	/* Blocked here, and in the second stage the exec keeps them so. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	if ((pid = fork()) < 0)
		die("fork");
	if (pid == 0) {
		close(sp[0]);
		program(sp[1], parent, path, argv, env);
	}
	close(sp[1]);
	free(env);
	if ((listener = take_listener(sp[0], pid)) < 0) {
		/* The child said why on its standard error. */
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		return 127;
	}
	/* Taken, and made, close-on-exec; the second stage needs both. */
	if (fcntl(listener, F_SETFD, 0) != 0 || fcntl(sp[0], F_SETFD, 0) != 0)
		die("fcntl");
	if (setenv("LD_PRELOAD", preload, 1) != 0 ||
	    unsetenv(WIRE_UNOTIFY_PRELOAD_ENV) != 0)
		die("setenv");
	snprintf(listener_arg, sizeof(listener_arg), "%d", listener);
	snprintf(pid_arg, sizeof(pid_arg), "%d", (int)pid);
	snprintf(ack_arg, sizeof(ack_arg), "%d", sp[0]);
	self[0] = "capwrap-unotify";
	self[1] = "--serve";
	self[2] = listener_arg;
	self[3] = pid_arg;
	self[4] = ack_arg;
	self[5] = NULL;
	execv("/proc/self/exe", self);
	die("unable to execute the supervisor's second stage");
}

int
main(int argc, char **argv)
{
	const char *errstr = NULL;
	int listener = -1, ack = -1;
	pid_t pid = 0;

	if (argc == 5 && strcmp(argv[1], "--serve") == 0) {
		listener = (int)strtonum(argv[2], 3, INT32_MAX, &errstr);
		if (errstr == NULL)
			pid = (pid_t)strtonum(argv[3], 1, INT32_MAX, &errstr);
		if (errstr == NULL)
			ack = (int)strtonum(argv[4], 3, INT32_MAX, &errstr);
		if (errstr != NULL) {
			fprintf(stderr, "capwrap-unotify: --serve: %s\n",
			    errstr);
			return 127;
		}
		/*
		 * The program runs as our user: dumpable, we would be its to
		 * take descriptors from (the listener, the channel) wherever
		 * ptrace_scope allows it.  Then let it start.
		 */
		if (prctl(PR_SET_DUMPABLE, 0) != 0 ||
		    write(ack, &listener, sizeof(listener)) != sizeof(listener))
			die("unable to start the program");
		close(ack);
		return serve(listener, pid);
	}
	if (argc < 3) {
		fprintf(stderr,
		    "usage: capwrap-unotify PROGRAM ARGV0 [ARG...]\n");
		return 127;
	}
	return start(argv[1], argv + 2);
}
