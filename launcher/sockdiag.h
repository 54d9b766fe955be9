/*
 * Is a Unix socket still open anywhere?  Asked of the kernel by inode
 * through NETLINK_SOCK_DIAG, so a registration whose listener was closed
 * (while its process lives on) does not keep its name taken.
 */
#ifndef CAPWRAP_SOCKDIAG_H
#define CAPWRAP_SOCKDIAG_H

#include <stddef.h>
#include <stdint.h>

/*
 * Answers besides 1 (yes) and 0 (no): the kernel has no NETLINK_SOCK_DIAG
 * at all, so nothing can be checked; or the query failed (out of
 * descriptors, a garbled reply), which must not count as a yes.
 */
#define SOCKDIAG_UNSUPPORTED (-1)
#define SOCKDIAG_FAILED (-2)

/* 1 if a Unix socket with this inode exists, 0 if not, or one of the above. */
int sockdiag_unix_exists(uint64_t ino);

/*
 * 1 if the Unix socket with this inode is bound at addr (leading NUL
 * included), 0 if not (or it does not exist), or one of the above.
 */
int sockdiag_unix_bound_at(uint64_t ino, const uint8_t *addr, size_t len);

#endif
