/*
 * listen(2) on a socket bound to a virtual name (listen.c).
 */
#ifndef CAPSHIM_LISTEN_H
#define CAPSHIM_LISTEN_H

/* The errno contract of listen(2). */
int gate_listen(int fd, int backlog);

#endif
