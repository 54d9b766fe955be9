#include <sys/socket.h>
#include <sys/uio.h>
#include <errno.h>
#include <string.h>

#include "compat.h"
#include "sysio.h"
#include "transport.h"

/*
 * Room for what the kernel attaches (credentials, a pidfd) and for
 * TRANSPORT_MAX_FDS descriptors.  A sender that attaches more is cut
 * (MSG_CTRUNC; the kernel closes what did not fit), and refused.
 */
#define TRANSPORT_CONTROL                                             \
	(CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int)) + \
	    CMSG_SPACE(TRANSPORT_MAX_FDS * sizeof(int)))

bool
transport_cmsg_pidfd(const struct cmsghdr *cm, int *pidfd)
{
	int v;

	if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_PIDFD ||
	    cm->cmsg_len != CMSG_LEN(sizeof(int)))
		return false;
	memcpy(&v, CMSG_DATA(cm), sizeof(int));
	*pidfd = v >= 0 ? v : -1;
	return true;
}

/*
 * Keep the descriptors of an SCM_RIGHTS message, closing at once those
 * there is no room for.  False unless it is as the kernel writes one:
 * at least one descriptor, nothing but whole ones, all of them kept.
 */
static bool
take_rights(const struct cmsghdr *cm, struct transport_msg *m,
    const struct sysio *io)
{
	size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
	bool ok = k > 0 && cm->cmsg_len == CMSG_LEN(k * sizeof(int));

	for (size_t i = 0; i < k; i++) {
		int fd;

		memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
		if (m->nfds < TRANSPORT_MAX_FDS) {
			m->fds[m->nfds++] = fd;
		} else {
			io->close(fd);
			ok = false;
		}
	}
	return ok;
}

/*
 * Collect the control messages into m, every descriptor included even
 * when something is wrong (so that all of them can be closed).  False
 * on anything the kernel does not write: another level or type, a wrong
 * length, a kind seen twice.
 */
static bool
take_control(struct msghdr *msg, struct transport_msg *m,
    const struct sysio *io)
{
	bool ok = true, rights = false, have_pidfd = false;
	int pidfd;

	for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm != NULL;
	     cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET) {
			ok = false;
		} else if (cm->cmsg_type == SCM_RIGHTS) {
			if (!take_rights(cm, m, io) || rights)
				ok = false;
			rights = true;
		} else if (cm->cmsg_type == SCM_CREDENTIALS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(struct ucred)) &&
		    !m->have_cred) {
			memcpy(&m->cred, CMSG_DATA(cm), sizeof(m->cred));
			m->have_cred = true;
		} else if (transport_cmsg_pidfd(cm, &pidfd)) {
			if (have_pidfd) {
				if (pidfd >= 0)
					io->close(pidfd);
				ok = false;
			} else
				m->pidfd = pidfd;
			have_pidfd = true;
		} else
			ok = false;
	}
	return ok;
}

void
transport_discard(struct transport_msg *m, const struct sysio *io)
{
	for (int i = 0; i < m->nfds; i++)
		io->close(m->fds[i]);
	m->nfds = 0;
	if (m->pidfd >= 0)
		io->close(m->pidfd);
	m->pidfd = -1;
}

enum transport_result
transport_recv(int fd, int flags, int max_fds, struct transport_msg *m,
    const struct sysio *io)
{
	union {
		struct cmsghdr align;
		char buf[TRANSPORT_CONTROL];
	} control;
	struct iovec iov = { .iov_base = m->data, .iov_len = m->size };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	ssize_t n;
	bool ok;

	m->len = 0;
	m->nfds = 0;
	m->have_cred = false;
	memset(&m->cred, 0, sizeof(m->cred));
	m->pidfd = -1;
	do
		n = io->recvmsg(fd, &msg, flags | MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? TRANSPORT_EMPTY : TRANSPORT_EOF;
	/*
	 * A seqpacket socket reads 0 both at end of file and for an empty
	 * packet; only the packet carries control data (SO_PASSCRED).  An
	 * empty packet is the reader's to refuse, and must not end the
	 * channel.
	 */
	if (n == 0 && msg.msg_controllen == 0)
		return TRANSPORT_EOF;
	ok = take_control(&msg, m, io);
	m->len = (size_t)n;
	/* The buffer has a byte to spare: one that fills it is too long. */
	if (!ok || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
	    m->len >= m->size || m->nfds > max_fds) {
		transport_discard(m, io);
		return TRANSPORT_REFUSED;
	}
	return TRANSPORT_MESSAGE;
}

int
transport_send(int fd, const void *data, size_t len, const int *fds, int nfds,
    int flags, const struct sysio *io)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(TRANSPORT_MAX_FDS * sizeof(int))];
	} control;
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	ssize_t n;

	if (nfds < 0 || nfds > TRANSPORT_MAX_FDS) {
		errno = EINVAL;
		return -1;
	}
	if (nfds > 0) {
		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	do
		n = io->sendmsg(fd, &msg, flags | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)len ? 0 : -1;
}
