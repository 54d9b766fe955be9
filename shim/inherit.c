/*
 * Datagram sockets gated in an earlier image of this process.  exec()
 * keeps the descriptors but not the shim's table, so a datagram socket
 * the shim gated (a provider's, a client's) would arrive in the new image
 * ungated, and every outsider's datagram would be delivered.  The exec
 * hooks therefore mark the environment when the process holds gated
 * datagram sockets (only a relaxed load: they may run in a vfork child,
 * which must not take the table's lock); the new image, seeing the mark,
 * looks through its descriptors and gates again every AF_UNIX datagram
 * socket bound at an autobind address, as accept() gates every listener
 * at one.  A mark that names no such socket is dropped, so later images
 * pay nothing.  A forged mark costs a look at the descriptors, and can
 * only gate more.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "dgram.h"
#include "inherit.h"
#include "names.h"
#include "rawsys.h"
#include "real.h"
#include "sockets.h"
#include "wire.h"

/* Beyond this, a process without /proc is not searched further. */
#define FD_SCAN_LIMIT 65536

/* Gate fd if it is an AF_UNIX datagram socket at an autobind address. */
static bool
regate(int fd)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	struct abstract_addr a;
	struct stat st;
	struct known_socket v;
	int type;

	if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode) ||
	    real.getsockname(fd, (struct sockaddr *)&sun, &len) != 0 ||
	    !abstract_addr_of((struct sockaddr *)&sun, len, &a) ||
	    !is_autobind_addr(&a))
		return false;
	/* At an autobind address, a socket of unknown type might be one. */
	type = socket_wire_type(fd);
	if (type != WIRE_SOCK_DGRAM && type != SOCKET_UNKNOWN)
		return false;
	if (gate_inherited_dgram_socket(fd) != 0)
		return false;
	/*
	 * Its virtual name, for the audit of what it refuses (if it has one).
	 */
	(void)recall_local_name(fd, &v);
	return true;
}

/* Every open descriptor, from /proc/self/fd; false if it cannot be read. */
static bool
regate_listed(int *found)
{
	char buf[4096];
	long n;
	int dir = (int)capshim_syscall(SYS_openat, (long)AT_FDCWD,
	    "/proc/self/fd", (long)(O_RDONLY | O_DIRECTORY | O_CLOEXEC));

	if (dir < 0)
		return false;
	while ((n = capshim_syscall(SYS_getdents64, (long)dir, buf,
		    (long)sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			char *end;
			long fd;

			off += d->d_reclen;
			errno = 0;
			fd = strtol(d->d_name, &end, 10);
			if (errno == 0 && end != d->d_name && *end == '\0' &&
			    fd >= 0 && fd <= INT_MAX && fd != dir &&
			    regate((int)fd))
				(*found)++;
		}
	}
	(void)capshim_syscall(SYS_close, (long)dir);
	return n == 0;
}

void
inherit_dgram_gates(void)
{
	struct rlimit rl;
	int found = 0, saved = errno;
	long limit;

	if (getenv(DGRAM_GATES_ENV) == NULL)
		return;
	if (!regate_listed(&found)) {
		/* No /proc: every number up to the descriptor limit. */
		limit = getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
			rl.rlim_cur < FD_SCAN_LIMIT ?
		    (long)rl.rlim_cur :
		    FD_SCAN_LIMIT;
		for (long fd = 0; fd < limit; fd++)
			if (regate((int)fd))
				found++;
	}
	if (found == 0)
		(void)unsetenv(DGRAM_GATES_ENV);
	errno = saved;
}
