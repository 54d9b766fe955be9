#include <sys/socket.h>
#include <sys/syscall.h>
#include <errno.h>
#include <fcntl.h>

#include "neutralize.h"
#include "rawsys.h"

void
neutralize_socket(int fd)
{
	int type = 0, fl, fdfl, fresh, saved = errno;
	socklen_t len = sizeof(type);

	/*
	 * Cut it first, whatever happens next: a connection is ended and a
	 * listener refuses new ones even if no fresh socket can replace it.
	 */
	(void)shutdown(fd, SHUT_RDWR);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0)
		goto out;
	fl = fcntl(fd, F_GETFL);
	fdfl = fcntl(fd, F_GETFD);
	if (fl >= 0 && (fl & O_NONBLOCK))
		type |= SOCK_NONBLOCK;
	fresh = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fresh < 0)
		goto out;
	/* dup3 replaces the socket in one step: the number never dangles. */
	(void)capshim_syscall(SYS_dup3, (long)fresh, (long)fd,
	    (long)(fdfl >= 0 && (fdfl & FD_CLOEXEC) ? O_CLOEXEC : 0));
	(void)capshim_syscall(SYS_close, (long)fresh);
out:
	errno = saved;
}
