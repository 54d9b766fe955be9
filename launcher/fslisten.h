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

/* Listeners kept from one dump at most; past them, the rest are ignored. */
#define FSLISTEN_MAX 4096

struct fslistener {
	uint64_t ino;
	char *path; /* NUL-terminated, as bound (relative if bound so) */
};

/*
 * Every listening Unix socket bound to a path.  Returns how many (their
 * array in *out, for fslisten_free), or -1 if the kernel could not say.
 */
ssize_t fslisten_dump(struct fslistener **out);
void fslisten_free(struct fslistener *, size_t n);

/*
 * The pids of the processes below pid (its children, theirs, ...), from
 * /proc/PID/task/TID/children, appended to pids[*n] up to max.
 */
void fslisten_descendants(pid_t pid, pid_t *pids, size_t *n, size_t max);

/* Call fn for each socket inode pid holds open. */
void fslisten_sockets(pid_t pid, void (*fn)(void *ctx, uint64_t ino),
    void *ctx);

#endif
