#include <sys/socket.h>
#include <linux/netlink.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "sockdiag.h"
#include "unixdiag.h"
#include "wire.h"

/* One netlink socket for the launcher's life: opening one costs as much as the
 * query. */
static int diag_fd = -1;

static ssize_t
diag_io(int fd, void *buf, size_t len, int send_it)
{
	return send_it ? send(fd, buf, len, 0) : recv(fd, buf, len, 0);
}

static int
query(uint64_t ino, uint8_t *addr, size_t *len)
{
	int rc;

	if (diag_fd < 0)
		diag_fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
		    NETLINK_SOCK_DIAG);
	if (diag_fd < 0)
		return errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT ?
		    SOCKDIAG_UNSUPPORTED :
		    SOCKDIAG_FAILED;
	rc = unixdiag_name(diag_fd, ino, diag_io, addr, len);
	/* After an error the socket may hold a stale answer: start afresh. */
	if (rc < 0) {
		close(diag_fd);
		diag_fd = -1;
		return SOCKDIAG_FAILED;
	}
	return rc;
}

int
sockdiag_unix_exists(uint64_t ino)
{
	return query(ino, NULL, NULL);
}

int
sockdiag_unix_bound_at(uint64_t ino, const uint8_t *addr, size_t len)
{
	uint8_t bound[WIRE_ADDR_MAX];
	size_t n = sizeof(bound);
	int rc = query(ino, bound, &n);

	if (rc <= 0)
		return rc;
	return n == len && memcmp(bound, addr, len) == 0;
}
