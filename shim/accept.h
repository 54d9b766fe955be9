/*
 * accept(2) and accept4(2) on a gated listener (accept.c).
 */
#ifndef CAPSHIM_ACCEPT_H
#define CAPSHIM_ACCEPT_H

#include <sys/socket.h>
#include <stdbool.h>

/* The errno contract of accept4(2); of accept(2) without accept4_semantics. */
int gate_accept(int fd, struct sockaddr *addr, socklen_t *len, int flags,
    bool accept4_semantics);

#endif
