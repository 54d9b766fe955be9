/*
 * getsockname(2) and getpeername(2): a program sees the abstract names it
 * asked for, never the minted addresses behind them, so a daemon that
 * checks its own address (systemd's sd_is_socket_unix() does) keeps
 * working.  A name comes back padded with the NULs the program bound or
 * dialed it with (a socket inherited across exec, whose name the launcher
 * recalls, comes back unpadded).  The kernel's rule for short buffers is
 * kept: copy what fits, report the full length.  /proc/net/unix and ss(8) show
 * the real names.
 */
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "addr.h"
#include "channel.h"
#include "names.h"
#include "rawsys.h"
#include "real.h"
#include "sockets.h"

/* Is sun/len a minted address: the NUL and five hex digits? */
static bool
is_minted(const struct sockaddr_un *sun, socklen_t len)
{
	const size_t off = offsetof(struct sockaddr_un, sun_path);

	return len == off + 6 && sun->sun_family == AF_UNIX &&
	    sun->sun_path[0] == '\0' &&
	    is_autobind_name((const uint8_t *)sun->sun_path + 1, 5);
}

/*
 * Ask the launcher for the virtual name behind a minted address, which
 * this image did not learn itself (a socket inherited across exec, or a
 * peer that bound a name of its own), and remember it.  Names only: what
 * comes back is never a capability.
 */
static bool
recall_name(const struct sockaddr_un *sun, socklen_t len, uint64_t sock_ino,
    int socktype, struct known_socket *out)
{
	const size_t off = offsetof(struct sockaddr_un, sun_path);
	union wire_msg req, reply;

	if (!is_minted(sun, len) || channel_fd() < 0)
		return false;
	wire_init(&req, WIRE_NAMEOF);
	req.nameof.addr_len = (uint16_t)(len - off);
	memcpy(req.nameof.addr, sun->sun_path, len - off);
	if (channel_call(&req, &reply) != 0)
		return false;
	if (reply.reply.verdict != WIRE_NAME_LOCAL &&
	    reply.reply.verdict != WIRE_NAME_REMOTE)
		return false;
	memset(out, 0, sizeof(*out));
	/* Our own socket only when we know which one; otherwise a name. */
	out->role = reply.reply.verdict == WIRE_NAME_LOCAL && sock_ino != 0 &&
		socktype != 0 ?
	    KNOWN_BOUND :
	    KNOWN_PEER;
	out->socktype = (uint16_t)socktype;
	out->sock_ino = out->role == KNOWN_BOUND ? sock_ino : 0;
	(void)wire_set_name(&out->name, reply.reply.addr + 1,
	    reply.reply.addr_len - 1u);
	out->addr_len = (uint16_t)(len - off);
	memcpy(out->addr, sun->sun_path, out->addr_len);
	sockets_remember(out);
	return true;
}

bool
recall_local_name(int fd, struct known_socket *out)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	struct stat st;
	int type, saved = errno;
	bool found;

	found = real.getsockname(fd, (struct sockaddr *)&sun, &len) == 0 &&
	    is_minted(&sun, len) && fstat(fd, &st) == 0 &&
	    (type = unix_socktype(fd)) > 0 &&
	    recall_name(&sun, len, st.st_ino, type, out) &&
	    out->role == KNOWN_BOUND;
	errno = saved;
	return found;
}

void
virtual_address(struct sockaddr_un *sun, socklen_t *len)
{
	const size_t off = offsetof(struct sockaddr_un, sun_path);
	struct known_socket v;

	if (*len <= off + 1 || *len > sizeof(*sun) ||
	    sun->sun_family != AF_UNIX || sun->sun_path[0] != '\0')
		return;
	if (!sockets_by_addr((const uint8_t *)sun->sun_path, *len - off, &v) &&
	    !recall_name(sun, *len, 0, 0, &v))
		return;
	if (v.role != KNOWN_BOUND && v.role != KNOWN_CAPABILITY &&
	    v.role != KNOWN_PEER)
		return;
	/* Padded as the program padded it (node, haproxy): NULs to its end. */
	memset(sun->sun_path, 0, sizeof(sun->sun_path));
	memcpy(sun->sun_path + 1, v.name.bytes, v.name.len);
	*len = (socklen_t)(off + 1 + v.name.len + v.name.nuls);
}

void
copy_address_out(struct sockaddr *dst, socklen_t *dstlen,
    const struct sockaddr_un *src, socklen_t srclen)
{
	if (dst == NULL || dstlen == NULL)
		return;
	if (srclen > sizeof(*src))
		srclen = sizeof(*src);
	memcpy(dst, src, srclen < *dstlen ? srclen : *dstlen);
	*dstlen = srclen;
}

typedef int name_call(int, struct sockaddr *, socklen_t *);

/* A name call's answer as the program should see it: virtual, not minted. */
static int
name_of(name_call *call, long sysno, int fd, struct sockaddr *addr,
    socklen_t *len)
{
	struct sockaddr_un sun;
	socklen_t sunlen = sizeof(sun);

	if (!real_ready())
		return (int)capshim_syscall(sysno, (long)fd, addr, len);
	if (addr == NULL || len == NULL)
		return call(fd, addr, len);
	if (call(fd, (struct sockaddr *)&sun, &sunlen) != 0)
		return -1;
	if (sun.sun_family == AF_UNIX)
		virtual_address(&sun, &sunlen);
	copy_address_out(addr, len, &sun, sunlen);
	return 0;
}

int
getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	return name_of(real.getsockname, SYS_getsockname, fd, addr, len);
}

int
getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	return name_of(real.getpeername, SYS_getpeername, fd, addr, len);
}
