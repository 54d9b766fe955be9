/*
 * Is a Unix socket still open anywhere?  Asked of the kernel by inode
 * through NETLINK_SOCK_DIAG, so a registration whose listener was closed
 * (while its process lives on) does not keep its name taken.
 */
#ifndef CAPWRAP_SOCKDIAG_H
#define CAPWRAP_SOCKDIAG_H

#include <stdint.h>

/* 1 if a Unix socket with this inode exists, 0 if not, -1 if unknown. */
int sockdiag_unix_exists(uint64_t ino);

#endif
