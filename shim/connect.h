/*
 * connect(2) to an abstract name (connect.c).
 */
#ifndef CAPSHIM_CONNECT_H
#define CAPSHIM_CONNECT_H

#include <sys/socket.h>

/* The errno contract of connect(2). */
int gate_connect(int fd, const struct sockaddr *addr, socklen_t len);

#endif
