/*
 * sx-parent: take descriptors of this process's parent, as a hostile
 * supervised program would try with its supervisor's (the filter's
 * listener, the channel).  Prints "took N" for the number it got, and
 * the errno of the first refusal: "took 0: EPERM" when the parent is not
 * dumpable.
 */
#include <sys/syscall.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main(void)
{
	int pidfd = (int)syscall(SYS_pidfd_open, getppid(), 0);
	int took = 0, err = 0;

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
