/*
 * Datagram destinations.  A datagram socket has no peer credentials to
 * check after the fact, so the process behind a destination is checked
 * before each send instead: the stamped provider of a capability, or the
 * admitted sender an answer goes back to, alive and the same process
 * (pidfs inode, or start time), or the send is refused.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <linux/netlink.h>
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "capability.h"
#include "compat.h"
#include "dgram.h"
#include "peer.h"
#include "rawsys.h"
#include "real.h"
#include "sockets.h"
#include "unixdiag.h"

static ssize_t
diag_io(int fd, void *buf, size_t len, int send_it)
{
	return capshim_syscall(send_it ? SYS_sendto : SYS_recvfrom, (long)fd,
	    buf, (long)len, 0L, NULL, NULL);
}

/* Does the stamped socket still exist?  A transient netlink socket: no
 * descriptor kept in the program. */
static bool
stamped_socket_exists(uint64_t ino)
{
	int fd, rc;

	/*
	 * An answer to a sender (dgram_allow_reply) has no registered
	 * socket to check: its stamp names the process alone.  Every grant
	 * stamps one (the launcher refuses a registration without it).
	 */
	if (ino == 0)
		return true;
	fd = (int)capshim_syscall(SYS_socket, (long)AF_NETLINK,
	    (long)(SOCK_DGRAM | SOCK_CLOEXEC), (long)NETLINK_SOCK_DIAG);
	if (fd < 0)
		return false;
	rc = unixdiag_exists(fd, ino, diag_io);
	(void)capshim_syscall(SYS_close, (long)fd);
	return rc == 1;
}

/*
 * A datagram goes only where the capability's stamp still holds: the
 * provider's process, alive and the same one, and the very socket it
 * registered.  A socket never changes its address, so while that socket
 * exists the minted address is its own, and nobody who rebinds a freed
 * address can receive what was meant for the provider.  (What remains
 * is the moment between this check and the send itself.)
 */
bool
dgram_stamp_holds(const struct wire_stamp *stamp)
{
	struct peer_identity who;
	int reason;

	if (pidfd_identity(stamp->pid, &who) != 0 ||
	    !peer_matches_stamp(-1, &who, stamp, &reason))
		return false;
	return stamped_socket_exists(stamp->sock_ino);
}

/* Set once the kernel took SO_PASSPIDFD: every datagram then brings a pidfd. */
static atomic_bool passes_pidfd;

bool
dgram_passes_pidfd(void)
{
	return atomic_load_explicit(&passes_pidfd, memory_order_relaxed);
}

static int
gate_socket(int fd, bool inherited)
{
	struct stat st;
	int one = 1, had = 0, saved = errno;
	socklen_t len = sizeof(had);

	if (fstat(fd, &st) != 0)
		return -1;
	if (!inherited)
		(void)getsockopt(fd, SOL_SOCKET, SO_PASSCRED, &had, &len);
	(void)setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_PASSPIDFD, &one, sizeof(one)) == 0)
		atomic_store_explicit(&passes_pidfd, true,
		    memory_order_relaxed);
	if (!sockets_gate_dgram(st.st_ino, had != 0)) {
		errno = ENOMEM;
		return -1;
	}
	errno = saved;
	return 0;
}

int
gate_dgram_socket(int fd)
{
	return gate_socket(fd, false);
}

int
gate_inherited_dgram_socket(int fd)
{
	return gate_socket(fd, true);
}

void
dgram_allow_reply(const uint8_t *addr, size_t len,
    const struct peer_identity *sender)
{
	struct known_socket v;

	if (len < 2 || len > sizeof(v.addr) || addr[0] != 0)
		return;
	/* A provider's address, or our own, already maps through its entry. */
	if (sockets_by_addr(addr, len, &v) && v.role != KNOWN_REPLY)
		return;
	memset(&v, 0, sizeof(v));
	v.role = KNOWN_REPLY;
	v.socktype = WIRE_SOCK_DGRAM;
	v.addr_len = (uint16_t)len;
	memcpy(v.addr, addr, len);
	v.stamp.pid = sender->pid;
	v.stamp.uid = sender->uid;
	v.stamp.pidfs_ino = sender->pidfs_ino;
	v.stamp.start_time = proc_start_time(sender->pid);
	sockets_remember(&v);
}

int
dgram_destination(int fd, const struct abstract_addr *name,
    struct sockaddr_un *out, socklen_t *out_len)
{
	uint8_t raw[WIRE_ADDR_MAX];
	struct known_socket v;
	pid_t self;
	int rc;

	/*
	 * An answer to a sender we admitted, at the address it sent from:
	 * the exact bytes, padding included, as the kernel compares them.
	 */
	raw[0] = 0;
	memcpy(raw + 1, name->name, name->len + name->nuls);
	if (sockets_by_addr(raw, name->len + name->nuls + 1, &v) &&
	    v.role == KNOWN_REPLY) {
		if (!dgram_stamp_holds(&v.stamp)) {
			errno = ECONNREFUSED;
			return -1;
		}
		*out_len = minted_sockaddr(out, v.addr, v.addr_len);
		return 1;
	}

	if (held_capability(WIRE_SOCK_DGRAM, name, &v) &&
	    dgram_stamp_holds(&v.stamp))
		goto granted;
	self = getpid();
	sockets_forget_capability(name->name, name->len, self);
	rc = ask_capability(fd, WIRE_SOCK_DGRAM, name, self, &v);
	if (rc <= 0)
		return rc;
	if (!dgram_stamp_holds(&v.stamp)) {
		errno = ECONNREFUSED;
		return -1;
	}
	sockets_remember_granted(&v);
granted:
	/* Whatever comes back on this socket is checked too. */
	if (gate_dgram_socket(fd) != 0)
		return -1;
	*out_len = minted_sockaddr(out, v.addr, v.addr_len);
	return 1;
}
