#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/rtnetlink.h>
#include <linux/unix_diag.h>
#include <errno.h>
#include <string.h>

#include "unixdiag.h"

/* The bound address of the answer nh into addr (room *len), -1 if too long. */
static int
copy_name(const struct nlmsghdr *nh, uint8_t *addr, size_t *len)
{
	const struct unix_diag_msg *m = NLMSG_DATA(nh);
	size_t room = nh->nlmsg_len -
	    NLMSG_LENGTH(sizeof(struct unix_diag_msg));
	const struct rtattr *a = (const struct rtattr *)(m + 1);
	size_t cap = *len;

	*len = 0;
	for (; RTA_OK(a, room); a = RTA_NEXT(a, room)) {
		size_t payload = RTA_PAYLOAD(a);

		if (a->rta_type != UNIX_DIAG_NAME)
			continue;
		if (payload > cap)
			return -1;
		memcpy(addr, RTA_DATA(a), payload);
		*len = payload;
	}
	return 0;
}

int
unixdiag_name(int nlfd, uint64_t ino, unixdiag_io *io, uint8_t *addr,
    size_t *len)
{
	struct {
		struct nlmsghdr nh;
		struct unix_diag_req req;
	} msg;
	union {
		struct nlmsghdr nh;
		char buf[8192];
	} resp;
	const struct nlmsghdr *nh = &resp.nh;
	ssize_t n;

	/*
	 * Socket inodes are nonzero and 32 bits wide: no socket has this one.
	 */
	if (ino == 0 || ino > UINT32_MAX)
		return 0;
	memset(&msg, 0, sizeof(msg));
	msg.nh.nlmsg_len = sizeof(msg);
	msg.nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nh.nlmsg_flags = NLM_F_REQUEST;
	msg.req.sdiag_family = AF_UNIX;
	msg.req.udiag_states = ~0U;
	msg.req.udiag_ino = (uint32_t)ino;
	msg.req.udiag_show = addr != NULL ? UDIAG_SHOW_NAME : 0;
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
	if (nh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(nh);

		return e->error == -ENOENT ? 0 : -1;
	}
	if (nh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    nh->nlmsg_len < NLMSG_LENGTH(sizeof(struct unix_diag_msg)))
		return -1;
	if (addr != NULL && copy_name(nh, addr, len) != 0)
		return -1;
	return 1;
}

int
unixdiag_exists(int nlfd, uint64_t ino, unixdiag_io *io)
{
	return unixdiag_name(nlfd, ino, io, NULL, NULL);
}
