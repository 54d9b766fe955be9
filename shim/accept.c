/*
 * accept(2) and accept4(2) on a gated listener: admit only processes the
 * launcher granted a capability to this service (OnlyMyPeers).  A refused
 * connection is closed (its process reads EOF) and accept goes on to the
 * next pending one, so one intruder in the queue never costs a friend.
 */
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <string.h>

#include "channel.h"
#include "debug.h"
#include "peer.h"
#include "rawsys.h"
#include "real.h"
#include "shim.h"
#include "sockets.h"

/*
 * Peers admitted before, by pidfs inode: a process keeps its inode for
 * life and no other process ever gets it, so an admitted inode needs no
 * second round trip.  (Grants only end with the grantee's life, or with
 * this process, whose successor starts with an empty cache.)  Lock-free,
 * because accept may run in any thread or signal context; a lost race
 * only costs a round trip.
 */
#define ADMITTED_SLOTS 64
static _Atomic uint64_t admitted[ADMITTED_SLOTS];
static atomic_uint admitted_next;

static bool
admitted_before(uint64_t ino)
{
	if (ino == 0)
		return false;
	for (size_t i = 0; i < ADMITTED_SLOTS; i++)
		if (atomic_load_explicit(&admitted[i], memory_order_relaxed) == ino)
			return true;
	return false;
}

static void
remember_admitted(uint64_t ino)
{
	if (ino != 0)
		atomic_store_explicit(&admitted[atomic_fetch_add(&admitted_next, 1) %
		    ADMITTED_SLOTS], ino, memory_order_relaxed);
}

/* The listener's virtual name, if it is a gated listener; false if not gated. */
static bool
gated_listener(int fd, struct wire_name *name, int *type)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	struct abstract_addr a;
	struct vsock v;
	int saved = errno;

	if (real.getsockname(fd, (struct sockaddr *)&sun, &len) != 0 ||
	    !abstract_addr_of((struct sockaddr *)&sun, len, &a)) {
		errno = saved;
		return false;
	}
	errno = saved;
	if (sockets_by_addr((const uint8_t *)sun.sun_path,
	    len - offsetof(struct sockaddr_un, sun_path), &v) &&
	    v.role == VSOCK_LOCAL) {
		*name = v.name;
		*type = v.socktype;
		return true;
	}
	/*
	 * A minted address this image did not bind (inherited across exec,
	 * or autobound by the program itself) is gated all the same: only a
	 * fixed name the policy calls external goes ungated, and those are
	 * bound as they are.
	 */
	if (!is_autobind_name(a.name, a.len))
		return false;
	(void)wire_set_name(name, a.name, a.len);
	*type = unix_socktype(fd);
	return *type != 0;
}

static bool
admit_peer(int fd, const struct wire_name *name, int type)
{
	struct peer_identity peer;
	union wire_msg req, reply;

	if (peer_identity(fd, &peer) != 0)
		memset(&peer, 0, sizeof(peer));
	if (peer.pid > 0 && peer.alive && admitted_before(peer.pidfs_ino))
		return true;

	wire_init(&req, WIRE_ADMIT);
	req.admit.socktype = (uint16_t)type;
	req.admit.peer_pid = peer.pid > 0 ? peer.pid : 0;
	req.admit.peer_uid = peer.uid;
	req.admit.peer_ino = peer.pidfs_ino;
	req.admit.name = *name;
	if (channel_call(&req, &reply) != 0 ||
	    reply.reply.verdict != WIRE_ALLOW)
		return false;
	if (peer.alive)
		remember_admitted(peer.pidfs_ino);
	return true;
}

static int
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

/* True if another connection is already queued on the listener. */
static bool
more_pending(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n, saved = errno;

	do
		n = poll(&p, 1, 0);
	while (n < 0 && errno == EINTR);
	errno = saved;
	return n > 0 && (p.revents & POLLIN);
}

/*
 * Errors: the kernel's (EAGAIN when nothing is queued on a non-blocking
 * listener, EINTR, EMFILE ...); ECONNABORTED when the only connections
 * pending on a blocking listener were refused, so that a program that
 * polled first never blocks on a queue the shim emptied.
 */
int
gate_accept(int fd, struct sockaddr *addr, socklen_t *len, int flags,
    bool accept4_semantics)
{
	struct wire_name name;
	int type, nfd, fl, saved = errno;

	if (!real_ready() || !capshim_ready() ||
	    !gated_listener(fd, &name, &type))
		return real_accept(fd, addr, len, flags, accept4_semantics);

	for (;;) {
		nfd = real_accept(fd, addr, len, flags, accept4_semantics);
		if (nfd < 0)
			return -1;
		if (admit_peer(nfd, &name, type)) {
			errno = saved;
			return nfd;
		}
		capshim_debug("refused a connection on fd %d", fd);
		real.close(nfd);
		if (!more_pending(fd)) {
			/* A non-blocking listener says what the kernel would. */
			fl = fcntl(fd, F_GETFL);
			errno = fl >= 0 && (fl & O_NONBLOCK) ? EAGAIN : ECONNABORTED;
			return -1;
		}
	}
}

int
accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	return gate_accept(fd, addr, len, 0, false);
}

int
accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	return gate_accept(fd, addr, len, flags, true);
}
