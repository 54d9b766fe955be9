/*
 * sx-parent: take descriptors of this process's parent, as a hostile
 * supervised program would try with its supervisor's (the filter's
 * listener, the channel).  Prints "took N" for the number it got, and
 * the errno of the first refusal: "took 0: EPERM" when the parent is not
 * dumpable.
 *
 * sx-parent undumpable NAME: make this process undumpable, then bind the
 * abstract NAME: "bind: ok" or "bind: ERRNO".
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int
undumpable_bind(const char *name)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
	    strlen(name));

	strncpy(sun.sun_path + 1, name, sizeof(sun.sun_path) - 2);
	if (prctl(PR_SET_DUMPABLE, 0) != 0 ||
	    bind(fd, (struct sockaddr *)&sun, len) != 0)
		printf("bind: %s\n", strerrorname_np(errno));
	else
		printf("bind: ok\n");
	return 0;
}

int
main(int argc, char **argv)
{
	int pidfd, took = 0, err = 0;

	if (argc == 3 && strcmp(argv[1], "undumpable") == 0)
		return undumpable_bind(argv[2]);
	pidfd = (int)syscall(SYS_pidfd_open, getppid(), 0);

	if (pidfd < 0) {
		printf("pidfd_open: %s\n", strerrorname_np(errno));
		return 1;
	}
	for (int fd = 0; fd < 1100; fd++) {
		int got = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);

		if (got >= 0) {
			took++;
			close(got);
		} else if (errno != EBADF && err == 0)
			err = errno;
	}
	printf("took %d%s%s\n", took, err ? ": " : "",
	    err ? strerrorname_np(err) : "");
	return 0;
}
