/*
 * Pidfds kept open between connections: of the providers this process
 * dials (OnlyThisPeer, peer.h), and of the peers its listeners know
 * (admit.h).  With one kept, the check of a later connection's peer is
 * SO_PEERCRED and one PIDFD_GET_INFO, instead of a new pidfd from
 * SO_PEERPIDFD, its fstat, a liveness signal and its close.
 *
 * The descriptors are the program's to close: close(), close_range(),
 * closefrom(), dup2() and dup3() onto one make the shim forget it, and
 * the next dial to that provider makes the full check (and keeps a new
 * pidfd).  A number closed past the hooks (glibc's own close inside
 * fclose(), a system call made by the instruction) and reused by the
 * program is let go once it answers as no pidfd of a live process, and
 * the shim never closes a descriptor that is not a pidfd of the process
 * it kept (pidfs gives a process one inode).  They are close-on-exec,
 * and a forked child inherits them with the capabilities they serve.
 */
#ifndef CAPSHIM_PIDKEEP_H
#define CAPSHIM_PIDKEEP_H

#include <sys/types.h>
#include <stdbool.h>
#include <stdint.h>

/* The most pidfds kept at once: they take the numbers just above the channel.
 */
#define KEPT_PIDFDS_MAX 32

/* What a pidfd is kept for; each has its own share of the slots. */
enum pidkeep_use {
	PIDKEEP_PROVIDER, /* a provider this process dials */
	PIDKEEP_PEER,	  /* a peer a listener of this process knows */
};

/* The kept pidfd of the process with this pidfs inode, or -1. */
int pidkeep_find(uint64_t pidfs_ino);

/*
 * True only if fd, kept for pidfs_ino, names a process that has not been
 * reaped and has the pid number pid: while it lives, no other process
 * can hold that pid.  Without a call for a child of the launcher whose
 * reap epoch has not moved since it was kept; else PIDFD_GET_INFO.  False for
 * anything else (it died, or fd is no longer a pidfd of ours): the caller then
 * makes the full check.
 */
bool pidkeep_alive(int fd, uint64_t pidfs_ino, pid_t pid);

/*
 * Keep pidfd for the process with this pidfs inode, unless one is kept
 * for it already; pidfd is consumed.  reaped_pid: the process's pid if
 * the launcher says it reaps it (WIRE_STAMP_REAPED, WIRE_REPLY_REAPED),
 * else 0; then, while the reap epoch stays what it was when the process
 * was kept, pidkeep_alive() answers without a system call.
 */
void pidkeep_add(int pidfd, uint64_t pidfs_ino, enum pidkeep_use,
    pid_t reaped_pid);

/*
 * Close the pidfd kept for this pidfs inode and use, nothing needs it
 * now; only if the number still is that pidfd.
 */
void pidkeep_drop(uint64_t pidfs_ino, enum pidkeep_use);

/*
 * The program closed, or dup'd over, the descriptors first..last: any
 * kept pidfd among them is gone.
 */
void pidkeep_forget(unsigned first, unsigned last);

/*
 * Whether the kernel answers PIDFD_GET_INFO: 0 not known yet, 1 it does,
 * -1 it does not; and what a caller that asked it saw (0, or the errno):
 * 0, ESRCH or EREMOTE say it does, ENOTTY or EINVAL that it does not,
 * anything else nothing.
 */
int pidkeep_info_known(void);
void pidkeep_info_seen(int err);

#endif
