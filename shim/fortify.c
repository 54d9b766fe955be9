/*
 * The _FORTIFY_SOURCE entry points of the receive calls: a program built
 * with it calls these for a receive into a buffer of known size, and
 * glibc's own versions go straight to the system call, past every hook
 * of recv.c.  The size check is kept: a read longer than the buffer is
 * the same fatal error it is in glibc.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <stdlib.h>
#include <unistd.h>

#include "debug.h"
#include "recv.h"

/* glibc declares these only inside its fortified headers. */
ssize_t __recv_chk(int, void *, size_t, size_t, int);
ssize_t __recvfrom_chk(int, void *, size_t, size_t, int, struct sockaddr *,
    socklen_t *);
ssize_t __read_chk(int, void *, size_t, size_t);

static void
fortify_check(size_t len, size_t buflen)
{
	if (len > buflen) {
		capshim_log_always("buffer overflow detected");
		abort();
	}
}

ssize_t
__recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags)
{
	fortify_check(len, buflen);
	return gate_recvfrom(fd, buf, len, flags, NULL, NULL);
}

ssize_t
__recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags,
    struct sockaddr *addr, socklen_t *addrlen)
{
	fortify_check(len, buflen);
	return gate_recvfrom(fd, buf, len, flags, addr, addrlen);
}

ssize_t
__read_chk(int fd, void *buf, size_t len, size_t buflen)
{
	fortify_check(len, buflen);
	return read(fd, buf, len);
}
