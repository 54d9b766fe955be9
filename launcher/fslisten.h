/*
 * The listening Unix sockets bound to a filesystem path, as
 * NETLINK_SOCK_DIAG lists them in the launcher's network namespace, and
 * the socket inodes a process holds, from /proc/PID/fd.
 */
#ifndef CAPWRAP_FSLISTEN_H
#define CAPWRAP_FSLISTEN_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Call fn for every listening Unix socket bound to a path, with its inode
 * and its path (NUL-terminated, as bound: relative if bound so).  Nothing
 * is kept, so however many sockets others listen on, none is passed over.
 * Returns 0, or -1 if the kernel could not say.
 */
int fslisten_each(void (*fn)(void *ctx, uint64_t ino, const char *path),
    void *ctx);

/*
 * The pids of the processes below pid (its children, theirs, ...), from
 * /proc/PID/task/TID/children, appended to pids[*n] up to max.
 */
void fslisten_descendants(pid_t pid, pid_t *pids, size_t *n, size_t max);

/* Call fn for each socket inode pid holds open. */
void fslisten_sockets(pid_t pid, void (*fn)(void *ctx, uint64_t ino),
    void *ctx);

#endif
