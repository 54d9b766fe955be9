/*
 * The receive gate of datagram sockets (recv.c).
 */
#ifndef CAPSHIM_RECV_H
#define CAPSHIM_RECV_H

#include <sys/socket.h>
#include <sys/types.h>

/* Each has the errno contract of its libc call. */
ssize_t gate_recvmsg(int fd, struct msghdr *msg, int flags);
ssize_t gate_recvfrom(int fd, void *buf, size_t n, int flags,
    struct sockaddr *addr, socklen_t *len);

#endif
