/*
 * getsockname(2) and getpeername(2): a program sees the abstract names it
 * asked for, never the minted addresses behind them, so a daemon that
 * checks its own address (systemd's sd_is_socket_unix() does) keeps
 * working.  The kernel's rule for short buffers is kept: copy what fits,
 * report the full length.  /proc/net/unix and ss(8) show the real names.
 */
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "rawsys.h"
#include "real.h"
#include "shim.h"
#include "sockets.h"

void
virtual_address(struct sockaddr_un *sun, socklen_t *len)
{
	const size_t off = offsetof(struct sockaddr_un, sun_path);
	struct vsock v;

	if (*len <= off + 1 || *len > sizeof(*sun) || sun->sun_family != AF_UNIX ||
	    sun->sun_path[0] != '\0' ||
	    !sockets_by_addr((const uint8_t *)sun->sun_path, *len - off, &v) ||
	    (v.role != VSOCK_LOCAL && v.role != VSOCK_REMOTE))
		return;
	memset(sun->sun_path, 0, sizeof(sun->sun_path));
	memcpy(sun->sun_path + 1, v.name.bytes, v.name.len);
	*len = (socklen_t)(off + 1 + v.name.len);
}

void
copy_address_out(struct sockaddr *dst, socklen_t *dstlen,
    const struct sockaddr_un *src, socklen_t srclen)
{
	if (dst == NULL || dstlen == NULL)
		return;
	memcpy(dst, src, srclen < *dstlen ? srclen : *dstlen);
	*dstlen = srclen;
}

typedef int name_call(int, struct sockaddr *, socklen_t *);

static int
named(name_call *call, long sysno, int fd, struct sockaddr *addr,
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
	return named(real.getsockname, SYS_getsockname, fd, addr, len);
}

int
getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	return named(real.getpeername, SYS_getpeername, fd, addr, len);
}
