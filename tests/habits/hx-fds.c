/*
 * hx-fds HOW NAME
 * Do one of the things programs do to descriptors they did not open,
 * then dial NAME to show the lineage channel is intact: "reply LINE" or
 * "dial: ERRNO".  HOW:
 *	vfork-close	a vfork() child closes the channel's number and exits
 *	vfork-dup2	a vfork() child dup2()s stdin onto it and exits
 *	spawn-close	posix_spawn() with a file action closing it
 *	spawn-dup2	posix_spawn() with a file action dup2()ing onto it
 *	fdwalk		close every descriptor /proc/self/fd lists from 3 up,
 *			rescanning until a pass finds nothing to close (the
 *			way glibc's closefrom() fallback works)
 *	dup2-exec	dup2() stdin onto the channel's number, close it, and
 *			exec a new image (a daemon re-exec'ing on SIGHUP)
 *	cloexec-exec	close_range(3, ~0U, CLOSE_RANGE_CLOEXEC), then exec
 *	dial		nothing: just dial (the image the two above exec)
 *	listfd		list /proc/self/fd, /proc/PID/fd (its own pid),
 *			/proc/thread-self/fd and /dev/fd with readdir(3):
 *			"DIR: channel listed|hidden, stdio listed|missing",
 *			after "channel open: yes|no" (fcntl F_GETFD)
 *	close		close(2) the channel's number through libc:
 *			"close: RC ERRNO", then "channel open: yes|no"
 */
#include <sys/wait.h>
#include <linux/close_range.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "hx.h"

extern char **environ;

static void
fdwalk(void)
{
	long passes = 0;
	bool closed;

	do {
		DIR *d = opendir("/proc/self/fd");
		struct dirent *e;

		if (d == NULL)
			fx_refused("opendir");
		closed = false;
		while ((e = readdir(d)) != NULL) {
			int fd = atoi(e->d_name);

			if (e->d_name[0] == '.' || fd < 3 || fd == dirfd(d))
				continue;
			close(fd);
			closed = true;
		}
		closedir(d);
		/* Bounded, so a failure is a line, not a hung test. */
		if (++passes == 1000) {
			fx_say("fdwalk: still rescanning after %ld passes",
			    passes);
			exit(FX_IO);
		}
	} while (closed);
	fx_say("fdwalk: %ld passes", passes);
}

/* Is the channel's number open in this process?  (fcntl is not hooked.) */
static void
say_channel_open(int chan)
{
	fx_say("channel open: %s",
	    chan >= 0 && fcntl(chan, F_GETFD) >= 0 ? "yes" : "no");
}

/*
 * Every way a program names its own descriptor directory: readdir(3) of
 * each must leave the channel out, and still list 0, 1 and 2, so a
 * program walking any of them never meets the channel.
 */
static void
listfd(int chan)
{
	char own[64], want[16];
	const char *dirs[] = {
		"/proc/self/fd",
		own,
		"/proc/thread-self/fd",
		"/dev/fd",
	};

	snprintf(own, sizeof(own), "/proc/%d/fd", (int)getpid());
	snprintf(want, sizeof(want), "%d", chan);
	say_channel_open(chan);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;
		bool channel = false;
		int stdio = 0;

		if (d == NULL)
			fx_refused(dirs[i]);
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, want) == 0)
				channel = true;
			if (strcmp(e->d_name, "0") == 0 ||
			    strcmp(e->d_name, "1") == 0 ||
			    strcmp(e->d_name, "2") == 0)
				stdio++;
		}
		closedir(d);
		fx_say("%s: channel %s, stdio %s",
		    i == 1 ? "/proc/PID/fd" : dirs[i],
		    channel ? "listed" : "hidden",
		    stdio == 3 ? "listed" : "missing");
	}
}

static void
spawn(const char *how, int chan)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = { "true", NULL };
	int status;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	if (strcmp(how, "spawn-close") == 0)
		posix_spawn_file_actions_addclose(&fa, chan);
	else
		posix_spawn_file_actions_adddup2(&fa, 0, chan);
	errno = posix_spawnp(&pid, "true", &fa, NULL, argv, environ);
	if (errno != 0)
		fx_refused("posix_spawn");
	if (waitpid(pid, &status, 0) != pid)
		fx_refused("waitpid");
	fx_say("spawned: status %d", status);
	posix_spawn_file_actions_destroy(&fa);
}

int
main(int argc, char **argv)
{
	const char *v = getenv("CAPWRAP_CHANNEL");
	int chan = v ? atoi(v) : -1, status, e;
	char reply[600];
	pid_t pid;

	if (argc != 3) {
		fprintf(stderr, "usage: hx-fds HOW NAME\n");
		return FX_USAGE;
	}
	if (strcmp(argv[1], "fdwalk") == 0)
		fdwalk();
	else if (strcmp(argv[1], "dup2-exec") == 0 ||
	    strcmp(argv[1], "cloexec-exec") == 0) {
		char *next[] = { "hx-fds", "dial", argv[2], NULL };

		if (argv[1][0] == 'd') {
			if (dup2(0, chan) != chan)
				fx_refused("dup2");
			close(chan);
		} else if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
			fx_refused("close_range");
		execv("/proc/self/exe", next);
		fx_refused("execv");
	} else if (strcmp(argv[1], "dial") == 0)
		;
	else if (strcmp(argv[1], "listfd") == 0)
		listfd(chan);
	else if (strcmp(argv[1], "close") == 0) {
		int rc = close(chan);

		fx_say("close: %d %s", rc, rc == 0 ? "OK" : hx_errname(errno));
		say_channel_open(chan);
	} else if (strncmp(argv[1], "spawn-", 6) == 0)
		spawn(argv[1], chan);
	else if (strncmp(argv[1], "vfork-", 6) == 0) {
		bool dup = strcmp(argv[1], "vfork-dup2") == 0;

		pid = vfork();
		if (pid == 0) {
			if (dup)
				dup2(0, chan);
			else
				close(chan);
			_exit(0);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid)
			fx_refused("vfork");
	} else
		return FX_USAGE;
	e = hx_dial(argv[2], "fds", reply, sizeof(reply));
	if (e != 0) {
		fx_say("dial: %s", hx_errname(e));
		return FX_REFUSED;
	}
	fx_say("reply %s", reply);
	return FX_OK;
}
