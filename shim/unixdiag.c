#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <errno.h>
#include <string.h>

#include "unixdiag.h"

int
unixdiag_exists(int nlfd, uint64_t ino, unixdiag_io *io)
{
	struct {
		struct nlmsghdr		nh;
		struct unix_diag_req	req;
	} msg;
	union {
		struct nlmsghdr	nh;
		char		buf[8192];
	} resp;
	const struct nlmsghdr *nh = &resp.nh;
	ssize_t n;

	if (ino == 0 || ino > UINT32_MAX)
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
	if (io(nlfd, &msg, sizeof(msg), 1) != (ssize_t)sizeof(msg))
		return -1;
	do
		n = io(nlfd, &resp, sizeof(resp), 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0 || !NLMSG_OK(nh, (size_t)n))
		return -1;
	if (nh->nlmsg_type == SOCK_DIAG_BY_FAMILY)
		return 1;
	if (nh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(nh);

		return e->error == -ENOENT ? 0 : -1;
	}
	return -1;
}
