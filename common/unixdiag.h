/*
 * Does a Unix socket with this inode exist?  Asked of the kernel through
 * NETLINK_SOCK_DIAG.  Shared by the shim and the launcher (like wire.c);
 * the caller owns the netlink socket and its system calls, so that each
 * side uses its own (the shim its raw ones).
 */
#ifndef CAPWRAP_UNIXDIAG_H
#define CAPWRAP_UNIXDIAG_H

#include <sys/types.h>
#include <stdint.h>

typedef ssize_t unixdiag_io(int fd, void *buf, size_t len, int send);

/*
 * 1 if the socket exists, 0 if not, -1 if the kernel could not say (the
 * netlink socket then holds nothing useful: the caller should drop it).
 */
int unixdiag_exists(int nlfd, uint64_t ino, unixdiag_io *io);

/*
 * The same, and the socket's bound address (leading NUL included) into
 * addr/len (len 0 if unbound): 1 if it exists, 0 if not, -1 unknown.
 */
int unixdiag_name(int nlfd, uint64_t ino, unixdiag_io *io, uint8_t *addr,
    size_t *len);

#endif
