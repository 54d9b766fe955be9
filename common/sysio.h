/*
 * The system calls common/ makes, supplied by the caller.  The launcher
 * passes libc's; the shim its raw ones, since it interposes close(),
 * read(), sendmsg() and recvmsg() and must not re-enter its own hooks.
 */
#ifndef CAPWRAP_SYSIO_H
#define CAPWRAP_SYSIO_H

#include <sys/types.h>
#include <sys/socket.h>

struct sysio {
	int (*open)(const char *path, int flags);
	ssize_t (*read)(int fd, void *buf, size_t len);
	int (*close)(int fd);
	ssize_t (*sendmsg)(int fd, const struct msghdr *msg, int flags);
	ssize_t (*recvmsg)(int fd, struct msghdr *msg, int flags);
};

/* libc's calls: for the launcher, the tests and the tools. */
extern const struct sysio sysio_libc;

#endif
