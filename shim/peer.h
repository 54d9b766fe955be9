/*
 * Who is on the other end of a connected AF_UNIX socket, as the kernel
 * vouches for it, and whether that is the process a capability names.
 */
#ifndef CAPSHIM_PEER_H
#define CAPSHIM_PEER_H

#include <sys/types.h>
#include <stdbool.h>
#include <stdint.h>

#include "wire.h"

struct peer_identity {
	bool have_cred; /* pid and uid below have been read */
	pid_t pid;	/* 0: in a pid namespace we cannot see */
	uid_t uid;
	uint64_t pidfs_ino; /* 0: no pidfs on this kernel */
	bool alive;	    /* false only when known dead */
};

/*
 * Read the peer of a connected stream or seqpacket socket.  want_life:
 * also find out whether it is still alive (else alive stays true).  Where
 * the kernel has pidfs, the peer's pidfs inode names it exactly and its
 * pid and uid are left for peer_credentials() to read if a decision
 * needs them; elsewhere they are read at once.  The peer's pidfd is the
 * caller's to keep or close, in *pidfd (-1 on a kernel without
 * SO_PEERPIDFD, and always when the call fails).  Returns 0, or -1 if
 * the kernel gives no credentials at all, or has SO_PEERPIDFD and
 * refuses it.
 */
int peer_identity(int fd, bool want_life, struct peer_identity *out,
    int *pidfd);

/* Read the peer's pid and uid (SO_PEERCRED) if not read yet; -1 if none. */
int peer_credentials(int fd, struct peer_identity *out);

/*
 * Does the peer match the stamp of a capability?  Where the kernel has
 * pidfs, the peer's pidfs inode must equal the stamp's (the same process,
 * so the same pid and uid) and the peer must be alive; otherwise uid and
 * pid must be equal and the process start time in /proc must equal the
 * stamp's, which a recycled pid does not repeat.  fd is the connected
 * socket, for the credentials a refusal reports (-1 if already read).
 * On a mismatch, *reason gets the WIRE_REPORT reason.
 */
bool peer_matches_stamp(int fd, struct peer_identity *,
    const struct wire_stamp *, int *reason);

/*
 * OnlyThisPeer for a connected stream or seqpacket socket: is its peer
 * the live process the stamp names?  Made by the reap epoch of the grant
 * where the launcher reaps the provider, or with the provider's pidfd
 * kept from an earlier dial (pidkeep.h), else in full, keeping the pidfd
 * for the next.  On a refusal *peer holds what is known of the peer and
 * *reason the WIRE_REPORT reason.
 */
bool peer_is_stamped(int fd, const struct wire_stamp *,
    struct peer_identity *peer, int *reason);

/*
 * The identity of a live process by pid number, as peer_identity() would
 * report it for a socket it owns (uid from /proc).  Returns -1 if no such
 * process exists now.
 */
int pidfd_identity(pid_t pid, struct peer_identity *out);

/* Fill pidfs_ino and alive from a pidfd (left as they are without pidfs). */
/* Does this kernel have pidfs?  Known once a pidfd has been inspected. */
bool peer_pidfs(void);
void peer_inspect_pidfd(int pidfd, bool want_life, struct peer_identity *out);

/* The start time of pid (clock ticks since boot), 0 if unreadable. */
uint64_t proc_start_time(pid_t pid);

#endif
