/*
 * accept(2) and accept4(2) on a gated listener: admit only processes the
 * launcher granted a capability to this service (OnlyMyPeers).
 *
 * The program is handed, in a refused connection's place, a stand-in
 * whose peer has already hung up: it reads EOF and never a byte of the
 * outsider's.  That is what every accept loop already handles (a client
 * that connects and leaves at once), where an error such as ECONNABORTED
 * ends many textbook loops.  Each call takes exactly one connection off
 * the queue, and the outsider's connection is closed only when the
 * program closes the stand-in (standin.h): an outsider flood costs the
 * program one turn of its own loop per connection, as unwrapped, and
 * never holds it inside the shim.
 */
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "accept.h"
#include "addr.h"
#include "admit.h"
#include "channel.h"
#include "debug.h"
#include "hotpath.h"
#include "init.h"
#include "names.h"
#include "peer.h"
#include "rawsys.h"
#include "real.h"
#include "sockets.h"
#include "standin.h"
#include "turn.h"

/*
 * The listener's virtual name, if it is a gated listener; false if not
 * gated.  *key names it for the peers known there (admit.h), 0 if none.
 */
static bool
gated_listener(int fd, struct wire_name *name, int *type, uint64_t *key)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	struct abstract_addr a;
	struct known_socket v;
	int saved = errno;

	if (real.getsockname(fd, (struct sockaddr *)&sun, &len) != 0) {
		/*
		 * Refused by the kernel (a security module), yet maybe an
		 * AF_UNIX listener of ours: still gated, and nobody admitted.
		 */
		bool unknown = errno != EBADF && errno != ENOTSOCK &&
		    unix_family(fd) != 0;

		errno = saved;
		if (unknown) {
			(void)wire_set_name(name, "?", 1);
			*type = SOCKET_UNKNOWN;
		}
		return unknown;
	}
	if (!abstract_addr_of((struct sockaddr *)&sun, len, &a)) {
		errno = saved;
		return false;
	}
	errno = saved;
	*key = admit_listener_key(&sun,
	    len - offsetof(struct sockaddr_un, sun_path));
	if (sockets_bound_name((const uint8_t *)sun.sun_path,
		len - offsetof(struct sockaddr_un, sun_path), name, type))
		return true;
	/*
	 * A minted address this image did not bind: inherited across exec
	 * (the launcher knows its name), or autobound by the program itself.
	 * Gated all the same: only a fixed name the policy calls external
	 * goes ungated, and those are bound as they are.
	 */
	if (!is_autobind_addr(&a))
		return false;
	if (recall_local_name(fd, &v)) {
		*name = v.name;
		*type = v.socktype;
		return true;
	}
	abstract_wire_name(&a, name);
	/* SOCKET_UNKNOWN: still gated, and gate_accept admits nobody. */
	*type = unix_socktype(fd);
	return *type != 0;
}

HOT_PATH static int
real_accept(int fd, struct sockaddr *addr, socklen_t *len, int flags,
    bool accept4_semantics)
{
	if (!real_ready())
		return (int)capshim_syscall(SYS_accept4, (long)fd, addr, len,
		    (long)flags);
	if (accept4_semantics)
		return real.accept4(fd, addr, len, flags);
	return real.accept(fd, addr, len);
}

/*
 * OnlyMyPeers for one accepted connection.  A process that connected
 * here before is known by pid, with its pidfd kept; any other is named
 * by a pidfd of its own, and asked of the launcher unless its pidfs
 * inode was admitted before.  Who connected, not whether it lives on:
 * a connection a granted process made is its own even if it has exited
 * since.
 */
static bool
admitted(int fd, const struct wire_name *name, int type, uint64_t key,
    uint64_t horizon)
{
	struct peer_identity peer;
	bool again;
	int pidfd;

	if (admit_known_peer(fd, key, horizon, &peer))
		return true;
	if (peer_identity(fd, false, &peer, &pidfd) != 0)
		memset(&peer, 0, sizeof(peer));
	/* Remembered from its second connection on: one-off clients keep
	 * nothing. */
	again = admit_seen(peer.pidfs_ino);
	if (!admit_peer(fd, &peer, name, type)) {
		if (pidfd >= 0)
			(void)capshim_syscall(SYS_close, (long)pidfd);
		return false;
	}
	if (again)
		admit_remember_peer(key, fd, &peer, pidfd);
	else if (pidfd >= 0)
		(void)capshim_syscall(SYS_close, (long)pidfd);
	return true;
}

/*
 * What the program gets for a refused connection: a new connection of
 * the listener's type, with the flags accept4() asked for, whose peer has
 * already hung up.  The refused connection stays open, unread, until the
 * program closes this stand-in (standin.h), or is closed at once if no
 * slot is free.  Only when the stand-in cannot be made (no descriptor or
 * memory left for the pair) does the call fail, with the errno accept()
 * itself gives in that state (EMFILE, ENFILE, ENOMEM).
 */
static int
stand_in_for(int refused, int type, int flags)
{
	int pair[2], kind, kept, saved;

	kind = type == WIRE_SOCK_SEQPACKET ? SOCK_SEQPACKET : SOCK_STREAM;
	if (socketpair(AF_UNIX, kind | (flags & (SOCK_NONBLOCK | SOCK_CLOEXEC)),
		0, pair) != 0) {
		saved = errno;
		(void)real.close(refused);
		errno = saved;
		return -1;
	}
	standin_number_given(pair[0]);
	standin_number_given(pair[1]);
	(void)real.close(pair[1]);
	/*
	 * Kept above the channel, close-on-exec: never at a number the
	 * program means for something else (a daemon that closed its
	 * standard input gets the lowest free number from accept), and never
	 * in an image it execs.
	 */
	kept = (int)capshim_syscall(SYS_fcntl, (long)refused,
	    (long)F_DUPFD_CLOEXEC, (long)channel_fd() + 1);
	(void)real.close(refused);
	standin_number_given(kept);
	if (kept >= 0 && !standin_tie(pair[0], kept))
		(void)real.close(kept);
	return pair[0];
}

/* The address of a peer that has no name, as accept() reports one. */
static void
unnamed_address(struct sockaddr *addr, socklen_t *len)
{
	struct sockaddr_un none = { .sun_family = AF_UNIX };

	copy_address_out(addr, len, &none, sizeof(sa_family_t));
}

/*
 * Errors: the kernel's (EAGAIN when nothing is queued on a non-blocking
 * listener, EINTR, EMFILE ...), and EAGAIN after TURN_REFUSALS refusals
 * in a row on a non-blocking listener, with a wake-up queued (turn.h).
 * A refused connection is otherwise returned hung up (above).
 */
HOT_PATH int
gate_accept(int fd, struct sockaddr *addr, socklen_t *len, int flags,
    bool accept4_semantics)
{
	struct sockaddr_un from;
	socklen_t fromlen = sizeof(from);
	struct wire_name name;
	uint64_t key = 0, horizon;
	int type, nfd, saved = errno;

	/* An address without a length is the kernel's EFAULT to give. */
	/* capshim_ready() starts the shim for a call made before its
	 * constructor. */
	if (!capshim_ready() || (addr != NULL && len == NULL) ||
	    !gated_listener(fd, &name, &type, &key))
		return real_accept(fd, addr, len, flags, accept4_semantics);

	horizon = admit_horizon();
	/*
	 * The peer's address only for a program that asks for it: the gate
	 * has no use for it, and the kernel's answer costs every accept a
	 * lock of the peer's socket, which the peer's process may be using
	 * on another CPU, and a checked copy out.
	 */
	nfd = real_accept(fd, addr != NULL ? (struct sockaddr *)&from : NULL,
	    addr != NULL ? &fromlen : NULL, flags, accept4_semantics);
	if (nfd < 0) {
		if (errno == EAGAIN)
			turn_reset();
		return -1;
	}
	standin_number_given(nfd);
	/* The gate's own wake-up (turn.h): already hung up, like a stand-in. */
	if (turn_is_wakeup(nfd)) {
		unnamed_address(addr, len);
		errno = saved;
		return nfd;
	}
	if (type != SOCKET_UNKNOWN &&
	    admitted(nfd, &name, type, key, horizon)) {
		turn_reset();
		if (addr != NULL) {
			virtual_address(&from, &fromlen);
			copy_address_out(addr, len, &from, fromlen);
		}
		errno = saved;
		return nfd;
	}
	capshim_debug("refused a connection on fd %d", fd);
	if (turn_due(fd, type)) {
		(void)real.close(nfd);
		errno = EAGAIN;
		return -1;
	}
	nfd = stand_in_for(nfd, type, accept4_semantics ? flags : 0);
	if (nfd < 0)
		return -1;
	unnamed_address(addr, len);
	errno = saved;
	return nfd;
}

HOT_PATH int
accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	return gate_accept(fd, addr, len, 0, false);
}

HOT_PATH int
accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	return gate_accept(fd, addr, len, flags, true);
}
