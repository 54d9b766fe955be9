/*
 * connect(2) to an abstract name: ask the launcher for a capability, dial
 * the minted address it names, then make sure the process that answered
 * is the one the capability was stamped with (OnlyThisPeer).  The minted
 * address is only a rendezvous: anyone can bind a freed one, so the
 * kernel-verified credentials decide.
 */
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "capability.h"
#include "channel.h"
#include "connect.h"
#include "debug.h"
#include "dgram.h"
#include "extdial.h"
#include "hotpath.h"
#include "init.h"
#include "neutralize.h"
#include "peer.h"
#include "pidns.h"
#include "rawsys.h"
#include "real.h"
#include "sockets.h"

static int
real_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	if (real_ready())
		return real.connect(fd, addr, len);
	return (int)capshim_syscall(SYS_connect, fd, addr, len);
}

static void
report_refusal(const struct abstract_addr *name, int reason,
    const struct peer_identity *peer)
{
	union wire_msg req, reply;

	wire_init(&req, WIRE_REPORT);
	req.report.reason = (uint16_t)reason;
	/* The launcher names a pid by its own numbering: only where it is
	 * ours too (pidns.c). */
	req.report.peer_pid = peer->pid > 0 && pidns_launchers() ? peer->pid :
								   0;
	req.report.peer_uid = peer->uid;
	abstract_wire_name(name, &req.report.name);
	(void)channel_call(&req, &reply);
}

/* A datagram provider whose stamp no longer holds: nobody to name. */
static void
report_dead_provider(const struct abstract_addr *name)
{
	struct peer_identity nobody;

	memset(&nobody, 0, sizeof(nobody));
	report_refusal(name, WIRE_REPORT_PEER_DEAD, &nobody);
}

/*
 * connect() to the capability's minted address, filling in the address's
 * own bytes only, where minted_sockaddr() zeroes the whole sun_path first:
 * the kernel reads the length given, and the zeroing was some fifty
 * instructions of every connect.
 */
HOT_PATH static int
dial_minted(int fd, const struct known_socket *cap)
{
	struct sockaddr_un sun;

	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, cap->addr, cap->addr_len);
	return real.connect(fd, (struct sockaddr *)&sun,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		cap->addr_len));
}

/*
 * Dial the capability's address and check the peer.  Returns 0 connected
 * to the stamped process, -1 with the kernel's errno, or -2 when the peer
 * is not the stamped process (the connection is already cut).
 */
HOT_PATH static int
dial_capability(int fd, int type, const struct abstract_addr *name,
    const struct known_socket *cap)
{
	struct peer_identity peer;
	int reason, err;

	/*
	 * Datagram sockets have no peer credentials: the provider is checked
	 * before the connect (a connected datagram socket cannot be taken
	 * over by whoever binds the address later), and what comes back is
	 * checked datagram by datagram.
	 */
	if (type == WIRE_SOCK_DGRAM && !dgram_stamp_holds(&cap->stamp)) {
		report_dead_provider(name);
		return -2;
	}
	if (dial_minted(fd, cap) != 0) {
		/*
		 * The socket at the address was made outside the topology's
		 * Landlock domain, where no provider's is (the policy keeps
		 * `allow host-sockets` from providers): an impostor, refused
		 * by the kernel before it was connected, so nobody to name.
		 */
		if (errno != EPERM)
			return -1;
		memset(&peer, 0, sizeof(peer));
		report_refusal(name, WIRE_REPORT_PEER_MISMATCH, &peer);
		return -2;
	}
	if (type == WIRE_SOCK_DGRAM) {
		/*
		 * Checked again now that it is connected: if the stamped
		 * socket still exists, the address was its own when the
		 * connect was made, and the kernel ties a connected datagram
		 * socket to that socket, not to the address.
		 */
		if (!dgram_stamp_holds(&cap->stamp)) {
			neutralize_socket(fd);
			report_dead_provider(name);
			return -2;
		}
		if (gate_dgram_socket(fd) == 0)
			return 0;
		err = errno;
		neutralize_socket(fd);
		errno = err;
		return -1;
	}
	/* OnlyThisPeer: the stamped process, alive (a dead one is refused). */
	if (peer_is_stamped(fd, &cap->stamp, &peer, &reason))
		return 0;
	neutralize_socket(fd);
	capshim_debug("peer pid %d is not the capability's pid %d",
	    (int)peer.pid, (int)cap->stamp.pid);
	report_refusal(name, reason, &peer);
	return -2;
}

/*
 * The hot path: a stream or seqpacket capability this process holds for
 * the name, dialed without asking the socket its type, since the kernel
 * connects only sockets of the listener's type (another type finds no
 * listener at the address).  Returns what dial_capability() does, or 1
 * when there is no such capability or the dial says nothing definite
 * (refused: the provider may be gone, or the socket is of another type
 * or family): the full path then asks the socket what it is.  *tried is
 * the type of the capability dialed, 0 if none.
 */
HOT_PATH static int
dial_held(int fd, const struct abstract_addr *name, int *tried)
{
	struct known_socket cap;
	int rc;

	*tried = 0;
	if (!held_capability(0, name, &cap) || cap.socktype == WIRE_SOCK_DGRAM)
		return 1;
	*tried = cap.socktype;
	rc = dial_capability(fd, cap.socktype, name, &cap);
	if (rc == -1 &&
	    (errno == ECONNREFUSED || errno == EPROTOTYPE ||
		unix_family(fd) != 1))
		return 1;
	return rc;
}

/*
 * The full path's last step: forget what is held for name, ask the
 * launcher afresh, and dial what it grants (or addr itself, when the name
 * is external).  Returns 0 connected (errno back to saved), or -1.
 */
static int
dial_asked(int fd, int type, const struct abstract_addr *name,
    const struct sockaddr *addr, socklen_t len, int saved)
{
	struct known_socket cap;
	pid_t self;
	int rc;

	/* Read once: whose capability it is, and the table's owner checks. */
	self = getpid();
	sockets_forget_capability(name->name, name->len, self);
	rc = ask_capability(fd, type, name, self, &cap);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		/*
		 * EPERM: the topology's Landlock domain keeps this process
		 * from the host's socket; the launcher, outside it, connects.
		 */
		rc = real.connect(fd, addr, len);
		if (rc != 0 && errno == EPERM)
			rc = extdial_connect(fd, type, name);
		if (rc == 0)
			errno = saved;
		return rc;
	}
	sockets_remember_granted(&cap);
	rc = dial_capability(fd, type, name, &cap);
	if (rc == -2) {
		sockets_forget_capability(name->name, name->len, self);
		errno = ECONNREFUSED;
		return -1;
	}
	if (rc == 0)
		errno = saved;
	return rc;
}

/*
 * Errors: EACCES when the policy refuses the dial or there is no channel;
 * ECONNREFUSED when no provider is listening (after waiting for one, on a
 * blocking socket) or when the process at the minted address is not the
 * one the capability names; otherwise the kernel's own connect() errors
 * (EAGAIN on a full backlog, EINTR, EISCONN, EPROTOTYPE ...).
 */
HOT_PATH int
gate_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct abstract_addr name;
	struct known_socket cap;
	int type, tried, rc, saved = errno;

	if (!abstract_addr_of(addr, len, &name))
		return real_connect(fd, addr, len);
	if (!capshim_ready())
		return unix_family(fd) == 0 ? real_connect(fd, addr, len) :
					      channel_refuse();

	rc = dial_held(fd, &name, &tried);
	if (rc == 0) {
		errno = saved;
		return 0;
	}
	if (rc == -1)
		return -1;

	switch (type = unix_socktype(fd)) {
	case 0:
		return real_connect(fd, addr, len);
	case SOCKET_UNKNOWN:
		return refuse_unknown_socket();
	}
	/*
	 * A capability of this socket's type that the hot path did not
	 * dial (a datagram one, or one of another type than it took), or
	 * one found with nobody or somebody else at its address: the
	 * provider may have been replaced, so forget it and ask afresh.
	 * Other errors (EAGAIN on a full backlog, EINTR) are the caller's.
	 */
	if (rc == 1 && type != tried &&
	    held_capability((uint16_t)type, &name, &cap)) {
		rc = dial_capability(fd, type, &name, &cap);
		if (rc == 0) {
			errno = saved;
			return 0;
		}
		if (rc == -1 && errno != ECONNREFUSED)
			return -1;
	}
	return dial_asked(fd, type, &name, addr, len, saved);
}

HOT_PATH int
connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	return gate_connect(fd, addr, len);
}
