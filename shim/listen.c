/*
 * listen(2): after the real listen(), register the virtual name and the
 * minted address with the launcher.  The kernel records the credentials
 * of whoever calls listen() as the ones clients see in SO_PEERCRED, so
 * the registration is made by this very call and names this process.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <errno.h>
#include <string.h>

#include "rawsys.h"
#include "channel.h"
#include "real.h"
#include "shim.h"
#include "sockets.h"

/*
 * Errors: the kernel's; EADDRINUSE when another live socket of the
 * topology already serves the name (the socket is then reset to a fresh
 * unbound one); EACCES when there is no channel.
 */
int
gate_listen(int fd, int backlog)
{
	union wire_msg req, reply;
	struct vsock v;
	struct stat st;
	int saved = errno, err = 0;

	if (!real_ready() || !capshim_ready())
		return (int)capshim_syscall(SYS_listen, fd, backlog);
	if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode) ||
	    !sockets_by_ino(st.st_ino, &v) || v.socktype == WIRE_SOCK_DGRAM) {
		errno = saved;
		return real.listen(fd, backlog);
	}
	if (real.listen(fd, backlog) != 0)
		return -1;

	wire_init(&req, WIRE_LISTEN);
	req.listen.socktype = v.socktype;
	req.listen.sock_ino = v.sock_ino;
	req.listen.name = v.name;
	req.listen.addr_len = v.addr_len;
	memcpy(req.listen.addr, v.addr, v.addr_len);
	if (channel_call(&req, &reply) != 0)
		err = errno;
	else if (reply.reply.verdict != WIRE_ALLOW)
		err = reply.reply.error ? reply.reply.error : EACCES;
	if (err != 0) {
		/* Nobody may find an unregistered listener: take it down. */
		neutralize_socket(fd);
		errno = err;
		return -1;
	}
	errno = saved;
	return 0;
}

int
listen(int fd, int backlog)
{
	return gate_listen(fd, backlog);
}
