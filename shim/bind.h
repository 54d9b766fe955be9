/*
 * bind(2) of an abstract name (bind.c).
 */
#ifndef CAPSHIM_BIND_H
#define CAPSHIM_BIND_H

#include <sys/socket.h>

struct known_socket;

/* Register a socket bound to a virtual name (WIRE_BOUND or WIRE_LISTENING). */
int register_binding(const struct known_socket *, int state);

/* The errno contract of bind(2). */
int gate_bind(int fd, const struct sockaddr *addr, socklen_t len);

#endif
