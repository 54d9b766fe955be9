/*
 * sendto(2) and sendmsg(2) to an abstract name (sendto.c).
 */
#ifndef CAPSHIM_SENDTO_H
#define CAPSHIM_SENDTO_H

#include <sys/socket.h>
#include <sys/types.h>

/* Each has the errno contract of the libc call it serves. */
ssize_t gate_sendto(int fd, const void *buf, size_t n, int flags,
    const struct sockaddr *addr, socklen_t len);
ssize_t gate_sendmsg(int fd, const struct msghdr *msg, int flags);

#endif
