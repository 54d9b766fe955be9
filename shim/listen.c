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

#include "bind.h"
#include "init.h"
#include "listen.h"
#include "names.h"
#include "neutralize.h"
#include "rawsys.h"
#include "real.h"
#include "sockets.h"

/*
 * Errors: the kernel's; EADDRINUSE when another live socket of the
 * topology already serves the name (the socket is then reset to a fresh
 * unbound one); EACCES when there is no channel.
 */
int
gate_listen(int fd, int backlog)
{
	struct known_socket v;
	struct stat st;
	int saved = errno, err = 0;

	if (!capshim_ready())
		return (int)capshim_syscall(SYS_listen, fd, backlog);
	/* A socket bound by an earlier image of this process is asked for. */
	if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode) ||
	    (!sockets_by_ino(st.st_ino, &v) && !recall_local_name(fd, &v)) ||
	    v.socktype == WIRE_SOCK_DGRAM) {
		errno = saved;
		return real.listen(fd, backlog);
	}
	if (real.listen(fd, backlog) != 0)
		return -1;
	if (register_binding(&v, WIRE_LISTENING) != 0) {
		err = errno;
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
