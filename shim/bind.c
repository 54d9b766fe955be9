/*
 * bind(2): an abstract name becomes an autobind.  The fixed name is never
 * bound, so no process, ours or not, can collide with it or squat it.
 * The launcher learns the minted address here, and makes it dialable at
 * listen() (at once for datagram sockets, which never listen).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "bind.h"
#include "channel.h"
#include "debug.h"
#include "dgram.h"
#include "init.h"
#include "neutralize.h"
#include "rawsys.h"
#include "real.h"
#include "sockets.h"

static int
real_bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	if (real_ready())
		return real.bind(fd, addr, len);
	return (int)capshim_syscall(SYS_bind, fd, addr, len);
}

/*
 * Tell the launcher the name is now held by this socket: it is then in use
 * for the whole topology (a second bind gets EADDRINUSE), and a later
 * image of this process can ask for the name back.  A datagram socket is
 * dialable at once; a stream or seqpacket one at listen().
 */
int
register_binding(const struct known_socket *v, int state)
{
	union wire_msg req, reply;

	wire_init(&req, WIRE_LISTEN);
	req.listen.socktype = v->socktype;
	req.listen.sock_ino = v->sock_ino;
	req.listen.name = v->name;
	req.listen.addr_len = v->addr_len;
	req.listen.state = (uint16_t)state;
	memcpy(req.listen.addr, v->addr, v->addr_len);
	if (channel_call(&req, &reply) != 0)
		return -1;
	if (reply.reply.verdict != WIRE_ALLOW) {
		errno = reply.reply.error ? reply.reply.error : EACCES;
		return -1;
	}
	return 0;
}

/*
 * Ask the launcher whether this process may bind name.  Returns 1 allowed
 * (*vname filled), 0 when the name is external (bind it as it is), -1
 * refused (errno set).
 */
static int
ask_bind(int type, const struct abstract_addr *name, struct wire_name *vname)
{
	union wire_msg req, reply;

	wire_init(&req, WIRE_BIND);
	req.bind.socktype = (uint16_t)type;
	abstract_wire_name(name, &req.bind.name);
	if (channel_call(&req, &reply) != 0)
		return -1;
	switch (reply.reply.verdict) {
	case WIRE_EXTERNAL:
		return 0;
	case WIRE_ALLOW:
		*vname = req.bind.name;
		return 1;
	default:
		errno = reply.reply.error ? reply.reply.error : EACCES;
		return -1;
	}
}

/*
 * fd was just autobound for vname: register the minted name with the
 * launcher and remember it.  Returns 0, or -1 (errno set) with the socket
 * neutralized, since nobody may hold a minted name the launcher or the
 * shim does not know.
 */
static int
record_minted(int fd, int type, const struct wire_name *vname)
{
	struct sockaddr_un minted;
	socklen_t minted_len = sizeof(minted);
	struct known_socket v;
	struct stat st;

	if (real.getsockname(fd, (struct sockaddr *)&minted, &minted_len) !=
		0 ||
	    fstat(fd, &st) != 0) {
		/* Bound to a minted name we cannot read: refuse it unused. */
		neutralize_socket(fd);
		errno = EACCES;
		return -1;
	}
	memset(&v, 0, sizeof(v));
	v.role = KNOWN_BOUND;
	v.socktype = (uint16_t)type;
	v.sock_ino = st.st_ino;
	v.name = *vname;
	v.addr_len = (uint16_t)(minted_len -
	    offsetof(struct sockaddr_un, sun_path));
	memcpy(v.addr, minted.sun_path, v.addr_len);
	if (register_binding(&v,
		type == WIRE_SOCK_DGRAM ? WIRE_LISTENING : WIRE_BOUND) != 0) {
		int err = errno;

		/* Nobody may hold an unregistered minted name: give it up. */
		neutralize_socket(fd);
		errno = err;
		return -1;
	}
	if (!sockets_remember(&v) ||
	    (type == WIRE_SOCK_DGRAM && gate_dgram_socket(fd) != 0)) {
		/* A datagram socket nobody checks must not stay bound. */
		neutralize_socket(fd);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/*
 * Errors: EACCES when the policy refuses the name or there is no channel;
 * EADDRINUSE when the name is live elsewhere in the topology; anything the
 * kernel's autobind returns (ENOSPC when all 2^20 names are taken, EINVAL
 * when the socket is already bound).
 */
int
gate_bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	const sa_family_t family = AF_UNIX;
	struct abstract_addr name;
	struct wire_name vname;
	int type, rc, saved = errno;

	if (!abstract_addr_of(addr, len, &name) ||
	    (type = unix_socktype(fd)) == 0)
		return real_bind(fd, addr, len);
	if (type == SOCKET_UNKNOWN)
		return refuse_unknown_socket();
	if (!capshim_ready())
		return channel_refuse();
	rc = ask_bind(type, &name, &vname);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return real.bind(fd, addr, len);
	/* addrlen == sizeof(sa_family_t) asks the kernel to mint a name. */
	if (real.bind(fd, (const struct sockaddr *)&family, sizeof(family)) !=
	    0)
		return -1;
	if (record_minted(fd, type, &vname) != 0)
		return -1;
	capshim_debug("bound fd %d as autobind for a virtual name", fd);
	errno = saved;
	return 0;
}

int
bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	return gate_bind(fd, addr, len);
}
