/*
 * A service in the topology's Landlock domain (launcher/domain.h) cannot
 * connect to an abstract socket made outside it, the host's sockets that
 * the policy declares `external` among them.  The launcher, outside the
 * domain, connects one for it (WIRE_EXTDIAL), deciding the dial again as
 * it decides any: the shim's word that the name is external counts for
 * nothing.  The socket comes back over the channel and takes the place
 * of the program's, so that the program finds its own descriptor
 * connected.
 */
#include <sys/syscall.h>
#include <errno.h>
#include <fcntl.h>

#include "addr.h"
#include "channel.h"
#include "debug.h"
#include "extdial.h"
#include "rawsys.h"
#include "wire.h"

/* Put the connected socket in place of fd, with fd's flags; 0 or -1. */
static int
take_place(int got, int fd)
{
	long fl = capshim_syscall(SYS_fcntl, fd, F_GETFL);
	long fdfl = capshim_syscall(SYS_fcntl, fd, F_GETFD);
	int err;

	/* The status flags (O_NONBLOCK) belong to the socket, not to fd. */
	if (fl < 0 || fdfl < 0 ||
	    capshim_syscall(SYS_fcntl, got, F_SETFL, fl) != 0 ||
	    capshim_syscall(SYS_dup3, got, fd,
		(fdfl & FD_CLOEXEC) ? O_CLOEXEC : 0) != fd) {
		err = errno;
		(void)capshim_syscall(SYS_close, got);
		errno = err;
		return -1;
	}
	(void)capshim_syscall(SYS_close, got);
	return 0;
}

int
extdial_connect(int fd, int type, const struct abstract_addr *name)
{
	union wire_msg req, reply;
	int got = -1;

	wire_init(&req, WIRE_EXTDIAL);
	req.extdial.socktype = (uint16_t)type;
	abstract_wire_name(name, &req.extdial.name);
	capshim_debug("asking the launcher to connect to @%.*s", (int)name->len,
	    (const char *)name->name);
	if (channel_call_fd(&req, &reply, &got) != 0)
		return -1;
	if (reply.reply.verdict == WIRE_CONNECTED && got >= 0)
		return take_place(got, fd);
	if (got >= 0)
		(void)capshim_syscall(SYS_close, got);
	errno = reply.reply.verdict == WIRE_DENY ? reply.reply.error : EACCES;
	return -1;
}
