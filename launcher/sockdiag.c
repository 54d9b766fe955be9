#include <sys/socket.h>
#include <linux/netlink.h>
#include <unistd.h>

#include "sockdiag.h"
#include "unixdiag.h"

/* One netlink socket for the launcher's life: opening one costs as much as the query. */
static int diag_fd = -1;

static ssize_t
diag_io(int fd, void *buf, size_t len, int send_it)
{
	return send_it ? send(fd, buf, len, 0) : recv(fd, buf, len, 0);
}

int
sockdiag_unix_exists(uint64_t ino)
{
	int rc;

	if (diag_fd < 0)
		diag_fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
		    NETLINK_SOCK_DIAG);
	if (diag_fd < 0)
		return -1;
	rc = unixdiag_exists(diag_fd, ino, diag_io);
	/* After an error the socket may hold a stale answer: start afresh. */
	if (rc < 0) {
		close(diag_fd);
		diag_fd = -1;
	}
	return rc;
}
