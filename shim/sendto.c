/*
 * sendto(2) and sendmsg(2) with an abstract destination on a datagram
 * socket: the destination is resolved through a capability, exactly as
 * connect() does, and the datagram goes to the minted address.  The
 * receiving side checks each datagram's kernel-stamped sender (recv.c),
 * since a datagram socket has no peer credentials to check here.
 * Anything else passes through: sends without an address are the data
 * path and are never touched.
 */
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "addr.h"
#include "channel.h"
#include "dgram.h"
#include "init.h"
#include "rawsys.h"
#include "real.h"
#include "sendto.h"

/*
 * Rewrite an abstract destination into its minted address in *out.
 * Returns 1 when rewritten, 0 to send as given, -1 refused (errno set).
 */
static int
resolve_destination(int fd, const struct sockaddr *addr, socklen_t len,
    struct sockaddr_un *out, socklen_t *out_len)
{
	struct abstract_addr name;
	int type;

	if (!abstract_addr_of(addr, len, &name))
		return 0;
	type = unix_socktype(fd);
	if (type == SOCKET_UNKNOWN)
		return refuse_unknown_socket();
	if (type != WIRE_SOCK_DGRAM)
		return 0;
	if (!capshim_ready())
		return channel_refuse();
	return dgram_destination(fd, &name, out, out_len);
}

ssize_t
gate_sendto(int fd, const void *buf, size_t n, int flags,
    const struct sockaddr *addr, socklen_t len)
{
	struct sockaddr_un minted;
	socklen_t minted_len;
	int rc;

	/*
	 * Not ready yet is no reason to pass: a library's constructor may
	 * send before the shim's has run, and resolve_destination starts
	 * the shim (or refuses, inside its own start-up).
	 */
	if (addr == NULL)
		goto pass;
	rc = resolve_destination(fd, addr, len, &minted, &minted_len);
	if (rc < 0)
		return -1;
	if (rc > 0)
		return real.sendto(fd, buf, n, flags,
		    (struct sockaddr *)&minted, minted_len);
pass:
	if (!real_ready())
		return capshim_syscall(SYS_sendto, (long)fd, buf, n,
		    (long)flags, addr, (long)len);
	return real.sendto(fd, buf, n, flags, addr, len);
}

ssize_t
gate_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	struct sockaddr_un minted;
	socklen_t minted_len;
	struct msghdr copy;
	int rc;

	if (msg == NULL || msg->msg_name == NULL)
		goto pass;
	rc = resolve_destination(fd, msg->msg_name, msg->msg_namelen, &minted,
	    &minted_len);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		copy = *msg;
		copy.msg_name = &minted;
		copy.msg_namelen = minted_len;
		return real.sendmsg(fd, &copy, flags);
	}
pass:
	if (!real_ready())
		return capshim_syscall(SYS_sendmsg, (long)fd, msg, (long)flags);
	return real.sendmsg(fd, msg, flags);
}

ssize_t
sendto(int fd, const void *buf, size_t n, int flags,
    const struct sockaddr *addr, socklen_t len)
{
	return gate_sendto(fd, buf, n, flags, addr, len);
}

ssize_t
sendmsg(int fd, const struct msghdr *msg, int flags)
{
	return gate_sendmsg(fd, msg, flags);
}

/*
 * sendmmsg(2): each message with an abstract destination is resolved like
 * sendmsg's, so that a batch never goes to a fixed name nobody of ours
 * holds.  The batch is sent one message at a time when any destination
 * is rewritten, and stops at the first failure, as the kernel does.
 */
int
sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags)
{
	bool rewrite = false;
	unsigned int i;

	for (i = 0; i < vlen && !rewrite; i++)
		rewrite = vec[i].msg_hdr.msg_name != NULL;
	if (!rewrite) {
		if (!real_ready())
			return (int)capshim_syscall(SYS_sendmmsg, (long)fd, vec,
			    (long)vlen, (long)flags);
		return real.sendmmsg(fd, vec, vlen, flags);
	}
	for (i = 0; i < vlen; i++) {
		ssize_t n = gate_sendmsg(fd, &vec[i].msg_hdr, flags);

		if (n < 0)
			return i > 0 ? (int)i : -1;
		vec[i].msg_len = (unsigned int)n;
	}
	return (int)i;
}
