/*
 * recv(2), recvfrom(2), recvmsg(2), recvmmsg(2), and read(2)/readv(2) on
 * a gated datagram socket: every datagram carries its sender's kernel-
 * stamped credentials (SO_PASSCRED, and a pidfd where the kernel has
 * SO_PASSPIDFD), and a datagram from a process that holds no capability
 * to this service is dropped before the program sees it.  The launcher
 * audits each refusal.  SO_PEERCRED means nothing on datagram sockets and
 * is never consulted.
 *
 * Everything else passes straight through: one relaxed atomic load tells
 * a process with no gated datagram socket (nearly all of them) to go on.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admit.h"
#include "compat.h"
#include "debug.h"
#include "dgram.h"
#include "hotpath.h"
#include "init.h"
#include "names.h"
#include "peer.h"
#include "rawsys.h"
#include "real.h"
#include "recv.h"
#include "sockets.h"
#include "transport.h"

/* The most descriptors one message carries (the kernel's SCM_MAX_FD). */
#define SCM_MAX_FD 253

/*
 * Room for our own credentials and pidfd on top of the caller's control,
 * and for as many descriptors as a sender may attach: the kernel places
 * them ahead of the pidfd, so a buffer sized for the caller alone lets a
 * sender push the pidfd out (MSG_CTRUNC).
 */
#define GATE_CONTROL                                                  \
	(CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int)) + \
	    CMSG_SPACE(SCM_MAX_FD * sizeof(int)))

/*
 * Refused datagrams one call drops before it hands the program an empty
 * one instead, so that a sender refilling the queue never holds the
 * program inside the shim.
 */
#define REFUSALS_PER_CALL 16

/* Is fd a gated datagram socket?  *user_passcred: did the program ask for
 * credentials itself? */
static bool
gated_socket(int fd, bool *user_passcred)
{
	struct stat st;
	int saved = errno;
	bool g;

	/*
	 * capshim_ready() first: a library's constructor may receive before
	 * the shim's constructor ran, on a socket an earlier image gated
	 * (inherit.c); once started, it is one acquire load.
	 */
	if (!capshim_ready() || !sockets_any_dgram_gates())
		return false;
	g = fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    sockets_dgram_gated(st.st_ino, user_passcred);
	errno = saved;
	return g;
}

/* The name a refusal is audited under: the socket's own (virtual) one. */
static void
audit_name(int fd, struct wire_name *name)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	struct known_socket v;
	size_t off = offsetof(struct sockaddr_un, sun_path);

	if (real.getsockname(fd, (struct sockaddr *)&sun, &len) == 0 &&
	    len > off + 1 &&
	    sockets_by_addr((uint8_t *)sun.sun_path, len - off, &v) &&
	    v.role == KNOWN_BOUND) {
		*name = v.name;
		return;
	}
	if (len > off + 1 && len <= sizeof(sun) && sun.sun_path[0] == '\0' &&
	    wire_set_name(name, sun.sun_path + 1, len - off - 1) == 0)
		return;
	(void)wire_set_name(name, "?", 1);
}

/* What to do with each descriptor a control message carries. */
enum fd_action {
	CLOSE_FDS,	  /* close them: nobody is to have them */
	KEEP_ACROSS_EXEC, /* no longer close-on-exec */
};

static void
carried_fds(const struct cmsghdr *cm, enum fd_action what)
{
	size_t n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

	for (size_t i = 0; i < n; i++) {
		int fd;

		memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
		if (what == CLOSE_FDS)
			(void)capshim_syscall(SYS_close, (long)fd);
		else
			(void)fcntl(fd, F_SETFD, 0);
	}
}

/* Close every descriptor an SCM_RIGHTS (or SCM_PIDFD) message carried. */
static void
close_rights(const struct cmsghdr *cm)
{
	carried_fds(cm, CLOSE_FDS);
}

/*
 * The sender of a received datagram, from the credentials the kernel
 * attached.  The pidfd (SO_PASSPIDFD) names that very process even if its
 * pid has been reused since; SCM_CREDENTIALS alone, on older kernels,
 * gives the pid as it was at send time.  False when the kernel's word is
 * incomplete: control data cut short (MSG_CTRUNC), no credentials, or,
 * where the socket passes pidfds, no usable pidfd.  Such a sender is
 * refused whatever its pid says.
 */
static bool
read_sender(const struct msghdr *ours, struct peer_identity *sender)
{
	bool cred = false, pidfd_ok = false;
	int pidfd;

	for (struct cmsghdr *cm = CMSG_FIRSTHDR((struct msghdr *)ours);
	     cm != NULL; cm = CMSG_NXTHDR((struct msghdr *)ours, cm)) {
		if (cm->cmsg_level != SOL_SOCKET)
			continue;
		if (cm->cmsg_type == SCM_CREDENTIALS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(struct ucred))) {
			struct ucred c;

			memcpy(&c, CMSG_DATA(cm), sizeof(c));
			sender->pid = c.pid;
			sender->uid = c.uid;
			sender->have_cred = true;
			cred = true;
		} else if (transport_cmsg_pidfd(cm, &pidfd)) {
			if (pidfd >= 0) {
				peer_inspect_pidfd(pidfd, false, sender);
				pidfd_ok = !peer_pidfs() ||
				    sender->pidfs_ino != 0;
			}
		}
	}
	if (ours->msg_flags & MSG_CTRUNC)
		return false;
	return cred && (pidfd_ok || !dgram_passes_pidfd());
}

static bool
gate_added(const struct cmsghdr *cm, bool user_passcred)
{
	if (cm->cmsg_level != SOL_SOCKET)
		return false;
	return cm->cmsg_type == SCM_PIDFD ||
	    (cm->cmsg_type == SCM_CREDENTIALS && !user_passcred);
}

/*
 * Give the caller the control messages it would have had without the
 * gate, in its own buffer: the gate's credentials and pidfd are taken
 * out, and what does not fit is cut as the kernel cuts it (MSG_CTRUNC;
 * descriptors that do not fit are closed).
 */
static void
deliver_control(struct msghdr *user, const struct msghdr *ours,
    bool user_passcred, bool cloexec)
{
	size_t used = 0, room = user->msg_control ? user->msg_controllen : 0;

	for (struct cmsghdr *cm = CMSG_FIRSTHDR((struct msghdr *)ours);
	     cm != NULL; cm = CMSG_NXTHDR((struct msghdr *)ours, cm)) {
		size_t space = CMSG_SPACE(cm->cmsg_len - CMSG_LEN(0));

		if (gate_added(cm, user_passcred)) {
			if (cm->cmsg_type == SCM_PIDFD)
				close_rights(cm);
			continue;
		}
		if (used + space > room) {
			user->msg_flags |= MSG_CTRUNC;
			if (cm->cmsg_level == SOL_SOCKET &&
			    cm->cmsg_type == SCM_RIGHTS)
				close_rights(cm);
			continue;
		}
		memcpy((char *)user->msg_control + used, cm, cm->cmsg_len);
		used += space;
		if (!cloexec && cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS)
			carried_fds(cm, KEEP_ACROSS_EXEC);
	}
	user->msg_controllen = used;
}

/*
 * A refused datagram: every descriptor it brought is closed.  (They were
 * received close-on-exec, so no image another thread execs meanwhile
 * inherits them.)
 */
static void
discard_control(const struct msghdr *ours)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR((struct msghdr *)ours);
	     cm != NULL; cm = CMSG_NXTHDR((struct msghdr *)ours, cm))
		if (cm->cmsg_level == SOL_SOCKET &&
		    (cm->cmsg_type == SCM_RIGHTS || cm->cmsg_type == SCM_PIDFD))
			close_rights(cm);
}

/* The sender's address as the program should see it, cut as the kernel cuts. */
static void
copy_name(struct msghdr *user, struct sockaddr_un *from, socklen_t fromlen)
{
	if (user->msg_name == NULL)
		return;
	virtual_address(from, &fromlen);
	copy_address_out(user->msg_name, &user->msg_namelen, from, fromlen);
}

/* identified: read_sender() found the kernel's word on the sender complete. */
static bool
sender_admitted(int fd, struct peer_identity *sender,
    const struct sockaddr_un *from, socklen_t fromlen, bool identified)
{
	const size_t off = offsetof(struct sockaddr_un, sun_path);
	struct wire_name name;

	/* Answers from the providers this process holds capabilities for. */
	if (identified && sender->pid > 0 &&
	    sockets_is_provider(sender->pid, sender->pidfs_ino))
		return true;
	audit_name(fd, &name);
	if (!admit_datagram(sender, identified, &name,
		(const uint8_t *)from->sun_path,
		fromlen > off ? fromlen - off : 0))
		return false;
	if (fromlen > off + 1)
		dgram_allow_reply((const uint8_t *)from->sun_path,
		    fromlen - off, sender);
	return true;
}

/* Would a receive of the caller's block?  (Asked only after a refusal.) */
static bool
caller_blocks(int fd, int flags)
{
	int fl, saved = errno;

	if (flags & MSG_DONTWAIT)
		return false;
	fl = fcntl(fd, F_GETFL);
	errno = saved;
	return fl < 0 || !(fl & O_NONBLOCK);
}

/*
 * A refused datagram as the program sees it: an empty datagram from a
 * sender with no name, and no control data.  Any sender may send one, so
 * every datagram server handles it; the program's own loop turns again.
 */
static ssize_t
empty_datagram(struct msghdr *msg)
{
	struct sockaddr_un none = { .sun_family = AF_UNIX };

	if (msg->msg_name != NULL)
		copy_address_out(msg->msg_name, &msg->msg_namelen, &none,
		    sizeof(sa_family_t));
	msg->msg_controllen = 0;
	msg->msg_flags = 0;
	return 0;
}

static ssize_t
pass_recvmsg(int fd, struct msghdr *msg, int flags)
{
	if (!real_ready())
		return capshim_syscall(SYS_recvmsg, (long)fd, msg, (long)flags);
	return real.recvmsg(fd, msg, flags);
}

/* A refused datagram that was only peeked at is still queued: take it off. */
static void
unqueue_peeked(int fd, int flags)
{
	if (flags & MSG_PEEK)
		(void)real.recvfrom(fd, NULL, 0,
		    (flags & ~MSG_PEEK) | MSG_DONTWAIT, NULL, NULL);
}

/*
 * Errors: the kernel's (EAGAIN when nothing is queued on a non-blocking
 * socket, EINTR ...).  A refused datagram is dropped and the call goes on
 * to the next one already queued; but it never waits for one after a
 * refusal, nor drops more than REFUSALS_PER_CALL: then a caller that
 * would not block gets EAGAIN (the queue is empty), and any other an
 * empty datagram from nobody (empty_datagram).
 */
ssize_t
gate_recvmsg(int fd, struct msghdr *msg, int flags)
{
	size_t control_size;
	bool user_passcred;
	char *control;
	ssize_t n;
	int refused = 0;

	if (!gated_socket(fd, &user_passcred))
		return pass_recvmsg(fd, msg, flags);
	control_size = (msg->msg_control ? msg->msg_controllen : 0) +
	    GATE_CONTROL;
	control = malloc(control_size);
	if (control == NULL) {
		errno = ENOMEM;
		return -1;
	}
	for (;;) {
		struct peer_identity sender = { .alive = true };
		struct sockaddr_un from;
		struct msghdr ours = *msg;
		int saved = errno;

		ours.msg_name = &from;
		ours.msg_namelen = sizeof(from);
		ours.msg_control = control;
		ours.msg_controllen = control_size;
		/* Close-on-exec until the program gets them, as it asked. */
		n = real.recvmsg(fd, &ours,
		    (refused ? flags | MSG_DONTWAIT : flags) |
			MSG_CMSG_CLOEXEC);
		if (n < 0 && refused && errno == EAGAIN &&
		    caller_blocks(fd, flags)) {
			errno = saved;
			n = empty_datagram(msg);
			break;
		}
		if (n < 0)
			break;
		if (sender_admitted(fd, &sender, &from, ours.msg_namelen,
			read_sender(&ours, &sender))) {
			msg->msg_flags = ours.msg_flags & ~MSG_CTRUNC;
			deliver_control(msg, &ours, user_passcred,
			    (flags & MSG_CMSG_CLOEXEC) != 0);
			copy_name(msg, &from, ours.msg_namelen);
			break;
		}
		discard_control(&ours);
		capshim_debug("dropped a datagram from pid %d",
		    (int)sender.pid);
		unqueue_peeked(fd, flags);
		if (++refused == REFUSALS_PER_CALL) {
			n = empty_datagram(msg);
			break;
		}
	}
	free(control);
	return n;
}

ssize_t
gate_recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *addr,
    socklen_t *addrlen)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = addr,
		.msg_namelen = addr != NULL && addrlen != NULL ? *addrlen : 0,
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	ssize_t n;

	if (!gated_socket(fd, NULL)) {
		if (!real_ready())
			return capshim_syscall(SYS_recvfrom, (long)fd, buf, len,
			    (long)flags, addr, addrlen);
		return real.recvfrom(fd, buf, len, flags, addr, addrlen);
	}
	if (addr == NULL)
		msg.msg_name = NULL;
	n = gate_recvmsg(fd, &msg, flags);
	if (n >= 0 && addr != NULL && addrlen != NULL)
		*addrlen = msg.msg_namelen;
	return n;
}

ssize_t
recvmsg(int fd, struct msghdr *msg, int flags)
{
	return gate_recvmsg(fd, msg, flags);
}

ssize_t
recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *addr,
    socklen_t *addrlen)
{
	return gate_recvfrom(fd, buf, len, flags, addr, addrlen);
}

ssize_t
recv(int fd, void *buf, size_t len, int flags)
{
	return gate_recvfrom(fd, buf, len, flags, NULL, NULL);
}

int
recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags,
    struct timespec *timeout)
{
	unsigned int i;

	if (!gated_socket(fd, NULL)) {
		if (!real_ready())
			return (int)capshim_syscall(SYS_recvmmsg, (long)fd, vec,
			    (long)vlen, (long)flags, timeout);
		return real.recvmmsg(fd, vec, vlen, flags, timeout);
	}
	/* One by one through the gate; after the first, only what is queued. */
	for (i = 0; i < vlen; i++) {
		ssize_t n = gate_recvmsg(fd, &vec[i].msg_hdr,
		    (flags & ~MSG_WAITFORONE) |
			(i > 0 && (flags & MSG_WAITFORONE) ? MSG_DONTWAIT : 0));

		if (n < 0) {
			if (i > 0)
				break;
			return -1;
		}
		vec[i].msg_len = (unsigned int)n;
	}
	return (int)i;
}

/*
 * read(2) and readv(2) are the data path of every program: they cost one
 * relaxed load unless this process has a gated datagram socket, and only
 * a read of such a socket takes the gate.
 */
HOT_PATH ssize_t
read(int fd, void *buf, size_t len)
{
	if (!sockets_any_dgram_gates() || !gated_socket(fd, NULL)) {
		if (!real_ready())
			return capshim_syscall(SYS_read, (long)fd, buf, len);
		return real.read(fd, buf, len);
	}
	return gate_recvfrom(fd, buf, len, 0, NULL, NULL);
}

ssize_t
readv(int fd, const struct iovec *iov, int iovcnt)
{
	struct msghdr msg = { .msg_iov = (struct iovec *)iov };

	if (!sockets_any_dgram_gates() || !gated_socket(fd, NULL)) {
		if (!real_ready())
			return capshim_syscall(SYS_readv, (long)fd, iov,
			    (long)iovcnt);
		return real.readv(fd, iov, iovcnt);
	}
	msg.msg_iovlen = (size_t)iovcnt;
	return gate_recvmsg(fd, &msg, 0);
}
