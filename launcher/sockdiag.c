#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "sockdiag.h"

/* One netlink socket for the launcher's life: opening one costs as much as the query. */
static int diag_fd = -1;

static int
diag_socket(void)
{
	if (diag_fd < 0)
		diag_fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
		    NETLINK_SOCK_DIAG);
	return diag_fd;
}

/* After an error the socket may hold a stale answer: start afresh. */
static void
diag_reset(void)
{
	if (diag_fd >= 0)
		close(diag_fd);
	diag_fd = -1;
}

int
sockdiag_unix_exists(uint64_t ino)
{
	struct {
		struct nlmsghdr		nh;
		struct unix_diag_req	req;
	} msg;
	union {
		struct nlmsghdr	nh;
		char		buf[8192];
	} resp;
	struct nlmsghdr *nh;
	ssize_t n;
	int fd, result = -1;

	if (ino == 0 || ino > UINT32_MAX || (fd = diag_socket()) < 0)
		return -1;
	memset(&msg, 0, sizeof(msg));
	msg.nh.nlmsg_len = sizeof(msg);
	msg.nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nh.nlmsg_flags = NLM_F_REQUEST;
	msg.req.sdiag_family = AF_UNIX;
	msg.req.udiag_states = ~0U;
	msg.req.udiag_ino = (uint32_t)ino;
	/* An exact lookup by inode wants the "no cookie" cookie. */
	msg.req.udiag_cookie[0] = ~0U;
	msg.req.udiag_cookie[1] = ~0U;
	if (send(fd, &msg, sizeof(msg), 0) != (ssize_t)sizeof(msg)) {
		diag_reset();
		return -1;
	}
	do
		n = recv(fd, &resp, sizeof(resp), 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		diag_reset();
		return -1;
	}
	nh = &resp.nh;
	if (!NLMSG_OK(nh, (size_t)n))
		return -1;
	if (nh->nlmsg_type == SOCK_DIAG_BY_FAMILY)
		result = 1;
	else if (nh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(nh);

		result = e->error == -ENOENT ? 0 : -1;
	}
	return result;
}
