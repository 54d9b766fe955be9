#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "channel.h"
#include "compat.h"
#include "hotpath.h"
#include "peer.h"
#include "pidfs.h"
#include "pidkeep.h"
#include "pidns.h"
#include "procstat.h"
#include "rawsys.h"
#include "reappage.h"

/*
 * The peer's pidfd as the kernel recorded it at connect()/listen() time:
 * it names that very process, not whoever holds its pid number now.  Only
 * pidfs (Linux 6.9) gives each process its own inode; on older kernels
 * every pidfd shares one anonymous inode and the number is useless, so it
 * reads as 0 and the start-time check is used instead (common/pidfs.c).
 */
bool
peer_pidfs(void)
{
	return pidfs_known() > 0;
}

/*
 * Has the process pidfd names been reaped?  A dead peer's pidfd still
 * opens (its fdinfo says Pid: -1).  The answer is signal 0's (ESRCH:
 * reaped; a zombie is not).  Where the kernel answers PIDFD_GET_INFO,
 * that is asked first: it finds the process wherever a signal would (a
 * zombie too), so an answer says "not reaped" in one call, and also
 * tells pidkeep_add() that the kernel has the call, which it would
 * otherwise ask once more to keep this pidfd.  No answer (ESRCH: reaped;
 * EREMOTE: in a pid namespace this process cannot see, where a signal is
 * refused with EINVAL, so such a peer counts as not reaped, as it did
 * before the call was asked): the signal decides.
 */
static bool
pidfd_reaped(int pidfd)
{
	struct compat_pidfd_info info = { .mask = COMPAT_PIDFD_INFO_PID };
	int saved = errno;
	bool reaped;

	if (pidkeep_info_known() >= 0) {
		if (capshim_syscall(SYS_ioctl, (long)pidfd,
			(long)COMPAT_PIDFD_GET_INFO, &info) == 0) {
			pidkeep_info_seen(0);
			errno = saved;
			return false;
		}
		pidkeep_info_seen(errno);
	}
	reaped = capshim_syscall(SYS_pidfd_send_signal, (long)pidfd, 0L, NULL,
		     0L) != 0 &&
	    errno == ESRCH;
	errno = saved;
	return reaped;
}

void
peer_inspect_pidfd(int pidfd, bool want_life, struct peer_identity *out)
{
	uint64_t ino = pidfs_inode(pidfd);

	if (ino != 0)
		out->pidfs_ino = ino;
	if (want_life && pidfd_reaped(pidfd))
		out->alive = false;
}

/*
 * 0 with what the peer's pidfd says, or nothing on a kernel that has no
 * SO_PEERPIDFD (ENOPROTOOPT); -1 when the kernel has it and would not
 * answer (a security module, the peer gone before 6.16's pidfs kept it):
 * then pid and uid alone must not stand for the peer.
 */
static int
read_pidfd(int fd, bool want_life, struct peer_identity *out, int *pidfd_out)
{
	socklen_t len = sizeof(int);
	int pidfd = -1, saved = errno;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) != 0) {
		int rc = errno == ENOPROTOOPT ? 0 : -1;

		errno = saved;
		return rc;
	}
	if (pidfd < 0)
		return -1;
	/*
	 * Without pidfs the peer's inode cannot tell a process from one that
	 * took its pid later: whether it still lives is then always asked.
	 */
	peer_inspect_pidfd(pidfd, want_life || !pidfs_detect(pidfd), out);
	*pidfd_out = pidfd;
	return 0;
}

HOT_PATH int
peer_credentials(int fd, struct peer_identity *out)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int saved = errno;

	if (out->have_cred)
		return 0;
	if (fd < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
	    len != sizeof(cred)) {
		errno = saved;
		return -1;
	}
	out->pid = cred.pid;
	out->uid = cred.uid;
	out->have_cred = true;
	errno = saved;
	return 0;
}

int
peer_identity(int fd, bool want_life, struct peer_identity *out, int *pidfd)
{
	memset(out, 0, sizeof(*out));
	out->alive = true;
	*pidfd = -1;
	if (read_pidfd(fd, want_life, out, pidfd) != 0)
		return -1;
	if (out->pidfs_ino != 0)
		return 0;
	/* No pidfs (or a peer out of sight): pid and uid are the identity. */
	if (peer_credentials(fd, out) == 0)
		return 0;
	/* No identity, nothing handed over: the caller closes nothing. */
	if (*pidfd >= 0) {
		capshim_syscall(SYS_close, (long)*pidfd);
		*pidfd = -1;
	}
	return -1;
}

int
pidfd_identity(pid_t pid, struct peer_identity *out)
{
	struct stat st;
	char path[64];
	int pidfd, saved = errno;

	memset(out, 0, sizeof(*out));
	out->pid = pid;
	out->have_cred = true;
	out->alive = true;
	pidfd = (int)capshim_syscall(SYS_pidfd_open, (long)pid, 0L);
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	if (stat(path, &st) != 0) {
		if (pidfd >= 0)
			capshim_syscall(SYS_close, (long)pidfd);
		errno = saved;
		return -1;
	}
	out->uid = st.st_uid;
	if (pidfd >= 0) {
		peer_inspect_pidfd(pidfd, true, out);
		capshim_syscall(SYS_close, (long)pidfd);
	}
	errno = saved;
	return out->alive ? 0 : -1;
}

uint64_t
proc_start_time(pid_t pid)
{
	return procstat_read_start_time(pid, &capshim_sysio);
}

bool
peer_matches_stamp(int fd, struct peer_identity *peer,
    const struct wire_stamp *stamp, int *reason)
{
	if (stamp->pidfs_ino != 0 && peer->pidfs_ino != 0 &&
	    peer->pidfs_ino == stamp->pidfs_ino) {
		if (peer->alive)
			return true;
		*reason = WIRE_REPORT_PEER_DEAD;
		(void)peer_credentials(fd, peer);
		return false;
	}
	if (peer_credentials(fd, peer) != 0 || peer->pid <= 0) {
		*reason = WIRE_REPORT_PEER_UNKNOWN;
		return false;
	}
	if (peer->pid != stamp->pid || peer->uid != stamp->uid ||
	    (stamp->pidfs_ino != 0 && peer->pidfs_ino != 0)) {
		*reason = WIRE_REPORT_PEER_MISMATCH;
		return false;
	}
	/*
	 * No pidfs: the same pid with the same start time is the same process.
	 */
	if (stamp->start_time == 0 ||
	    proc_start_time(peer->pid) != stamp->start_time) {
		*reason = WIRE_REPORT_PEER_DEAD;
		return false;
	}
	return true;
}

/*
 * Whether the listener at the minted address, whose credentials *peer
 * holds (SO_PEERCRED), is the stamped process, without its pidfd.  The
 * listener's credentials are those of the process that called listen()
 * on it.  The socket at the minted address is the provider's own,
 * listened on by the provider, or one bound there after the provider's
 * socket let the address go, and so listened on after the registration
 * (a listening socket cannot be bound again).  The stamped process lived
 * at the registration; if it has not been reaped since, it held its pid
 * all along, so a listener with that pid was the stamped process.
 *
 * That it has not been reaped is known without a call in two ways.  A
 * provider the launcher reaps was unreaped when the launcher granted, in
 * the reap epoch the stamp carries, and the launcher moves the epoch
 * before it reaps any child: the same epoch now says it was not reaped
 * since.  This is the check of a new image's first dial, which has no
 * pidfd kept (reappage.c reads the epoch with one pread until it maps the
 * page).  The stamp's pid is the launcher's number for the provider, so
 * it is compared with SO_PEERCRED's only in the launcher's pid namespace:
 * in another, a process there may hold that number.  Else the provider's
 * pidfd kept from an earlier dial says it (pidkeep_alive(), which asks
 * the kernel the pid in this process's own namespace).
 */
HOT_PATH static bool
listener_unreaped(const struct wire_stamp *stamp,
    const struct peer_identity *peer)
{
	uint64_t now;
	int kept;

	if (peer->pid != stamp->pid)
		return false;
	if ((stamp->flags & WIRE_STAMP_REAPED) && peer->uid == stamp->uid &&
	    pidns_launchers() && reappage_epoch(&now) &&
	    now == stamp->reap_epoch)
		return true;
	kept = pidkeep_find(stamp->pidfs_ino);
	return kept >= 0 && pidkeep_alive(kept, stamp->pidfs_ino, stamp->pid);
}

HOT_PATH bool
peer_is_stamped(int fd, const struct wire_stamp *stamp,
    struct peer_identity *peer, int *reason)
{
	int pidfd;

	memset(peer, 0, sizeof(*peer));
	peer->alive = true;
	if (peer_credentials(fd, peer) == 0 && listener_unreaped(stamp, peer))
		return true;
	/*
	 * Stamped with a pidfs inode: the launcher's kernel, ours, has pidfs.
	 */
	if (stamp->pidfs_ino != 0)
		pidfs_assume();
	if (peer_identity(fd, true, peer, &pidfd) != 0) {
		memset(peer, 0, sizeof(*peer));
		*reason = WIRE_REPORT_PEER_UNKNOWN;
		return false;
	}
	if (peer_matches_stamp(fd, peer, stamp, reason)) {
		if (pidfd >= 0)
			pidkeep_add(pidfd, peer->pidfs_ino, PIDKEEP_PROVIDER,
			    (stamp->flags & WIRE_STAMP_REAPED) ? stamp->pid :
								 0);
		return true;
	}
	if (pidfd >= 0)
		capshim_syscall(SYS_close, (long)pidfd);
	return false;
}
