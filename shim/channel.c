#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "channel.h"
#include "claims.h"
#include "debug.h"
#include "hotpath.h"
#include "pidns.h"
#include "rawsys.h"
#include "real.h"
#include "reappage.h"
#include "transport.h"

/*
 * The descriptor and the identity of the socket behind it.  A program may
 * close the number behind our back (a raw syscall) and reuse it for a
 * socket of its own; sending a request there would hand a reply socket to
 * whoever is on the other end, who could then forge a capability.  So the
 * (st_dev, st_ino) seen at start-up is checked before every send.
 */
static atomic_int chan_fd = -1;
static dev_t chan_dev EARLY_DATA;
static ino_t chan_ino EARLY_DATA;
static atomic_flag said_no_channel = ATOMIC_FLAG_INIT;
/*
 * The process these globals belong to.  A vfork() child (and the child
 * posix_spawn makes) shares the parent's memory without running the
 * atfork handlers: it must not move or drop the parent's channel, so
 * the shim writes the channel state only when getpid() is the owner.
 */
static atomic_int owner_pid EARLY_DATA;

static void
owner_after_fork(void)
{
	atomic_store(&owner_pid, getpid());
}

bool
channel_owner(void)
{
	return channel_owned_by(getpid());
}

bool
channel_owned_by(pid_t pid)
{
	return atomic_load(&owner_pid) == pid;
}

static const char *no_channel_reason = "not started by capwrap run";

static int
raw_close(int fd)
{
	return (int)capshim_syscall(SYS_close, fd);
}

static int
raw_open(const char *path, int flags)
{
	return (int)capshim_syscall(SYS_openat, AT_FDCWD, path, flags);
}

static ssize_t
raw_read(int fd, void *buf, size_t len)
{
	return capshim_syscall(SYS_read, fd, buf, len);
}

static ssize_t
raw_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	return capshim_syscall(SYS_sendmsg, fd, msg, flags);
}

static ssize_t
raw_recvmsg(int fd, struct msghdr *msg, int flags)
{
	return capshim_syscall(SYS_recvmsg, fd, msg, flags);
}

const struct sysio capshim_sysio = {
	.open = raw_open,
	.read = raw_read,
	.close = raw_close,
	.sendmsg = raw_sendmsg,
	.recvmsg = raw_recvmsg,
};

static bool
is_our_channel(int fd)
{
	struct stat st;

	return fd >= 0 && fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    st.st_dev == chan_dev && st.st_ino == chan_ino;
}

void
channel_disable(const char *why)
{
	if (!channel_owner())
		return;
	no_channel_reason = why;
	atomic_store(&chan_fd, -1);
}

void
channel_init(void)
{
	const char *v = getenv(WIRE_CHANNEL_ENV);
	int fd, type = 0, domain = 0;
	socklen_t len;
	struct stat st;
	char *end;
	long n;

	atomic_store(&owner_pid, getpid());
	pthread_atfork(NULL, NULL, owner_after_fork);
	if (v == NULL) {
		/* An image of a service whose channel an earlier image lost. */
		if (getenv("CAPWRAP_SERVICE") != NULL)
			no_channel_reason =
			    "the lineage channel was lost before "
			    "this program started";
		return;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < 0 || n > INT_MAX) {
		channel_disable("CAPWRAP_CHANNEL is not a descriptor number");
		return;
	}
	fd = (int)n;
	len = sizeof(type);
	if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode) ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 ||
	    type != SOCK_SEQPACKET ||
	    (len = sizeof(domain),
		getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len)) != 0 ||
	    domain != AF_UNIX) {
		channel_disable(
		    "the lineage channel is not open in this process");
		return;
	}
	chan_dev = st.st_dev;
	chan_ino = st.st_ino;
	atomic_store(&chan_fd, fd);
	/* Here, where a call costs least: before any dial. */
	pidns_init(fd);
	capshim_debug("channel on fd %d", fd);
}

HOT_PATH int
channel_fd(void)
{
	return atomic_load(&chan_fd);
}

int
channel_fd_checked(void)
{
	int fd = atomic_load(&chan_fd);

	return is_our_channel(fd) ? fd : -1;
}

int
channel_relocate(int avoid)
{
	int old = atomic_load(&chan_fd), moved;

	if (old < 0 || !channel_owner())
		return -1;
	/* Not CLOEXEC: exec'd descendants act for the service too. */
	moved = (int)capshim_syscall(SYS_fcntl, old, F_DUPFD, avoid + 1);
	if (moved < 0) {
		channel_disable("the lineage channel could not be moved");
		return -1;
	}
	atomic_store(&chan_fd, moved);
	raw_close(old);
	capshim_debug("channel moved from fd %d to %d", old, moved);
	return moved;
}

int
channel_refuse(void)
{
	if (!atomic_flag_test_and_set(&said_no_channel))
		capshim_log_always("no capwrap lineage channel (%s): "
				   "refusing abstract socket calls",
		    no_channel_reason);
	errno = EACCES;
	return -1;
}

/* Send req, with reply_end attached unless it is -1 (a one-way message). */
static int
send_request(int fd, const union wire_msg *req, int reply_end)
{
	return transport_send(fd, req, wire_size(req->h.type), &reply_end,
	    reply_end >= 0 ? 1 : 0, 0, &capshim_sysio);
}

/*
 * The reply: nothing cut, no longer than a message, and no descriptor
 * but those the reply says are attached (the reap page, then the claim
 * queue), or, where passed takes one, the socket of a WIRE_CONNECTED
 * (-1 there if none came).  The page and the queue are held above the
 * channel (one ownership check for both: each is a getpid()); the
 * numbers they came at are left in *done for the caller to close with
 * the reply socket.
 */
static int
receive_reply(int fd, union wire_msg *reply, int *passed,
    struct transport_msg *done)
{
	char buf[WIRE_MSG_MAX + 1];
	struct transport_msg in = { .data = buf, .size = sizeof(buf) };
	bool page, claims, owner;

	done->nfds = 0;
	if (transport_recv(fd, 0, 2, &in, &capshim_sysio) != TRANSPORT_MESSAGE)
		return -1;
	if (wire_decode(buf, in.len, reply) != 0 ||
	    reply->h.type != WIRE_REPLY) {
		transport_discard(&in, &capshim_sysio);
		return -1;
	}
	page = (reply->reply.flags & WIRE_REPLY_PAGE) != 0;
	claims = (reply->reply.flags & WIRE_REPLY_CLAIMS) != 0;
	if (passed != NULL)
		*passed = -1;
	if ((page || claims) && in.nfds == page + claims) {
		owner = channel_owner();
		if (page)
			reappage_take(in.fds[0], owner);
		if (claims)
			claims_take(in.fds[page], owner);
		memcpy(done->fds, in.fds, sizeof(done->fds));
		done->nfds = in.nfds;
		return 0;
	}
	if (!page && !claims && passed != NULL && in.nfds <= 1) {
		*passed = in.nfds == 1 ? in.fds[0] : -1;
		return 0;
	}
	if (in.nfds != 0 || page || claims) {
		transport_discard(&in, &capshim_sysio);
		return -1;
	}
	return 0;
}

/*
 * Close the reply socket and the numbers the attached descriptors came
 * at: all in one close_range() where they are consecutive, as they are
 * when the kernel put them at the lowest free numbers after the reply
 * socket's (the request's end, closed before the reply came, and the
 * next).  Otherwise, or where close_range() fails, one by one.
 */
static void
close_reply(int reply_fd, const struct transport_msg *done)
{
	int lo = reply_fd, hi = reply_fd;
	bool run = true;

	for (int i = 0; i < done->nfds; i++) {
		if (done->fds[i] == hi + 1)
			hi++;
		else if (done->fds[i] == lo - 1)
			lo--;
		else
			run = false;
	}
	if (run && hi > lo &&
	    capshim_syscall(SYS_close_range, (long)lo, (long)hi, 0L) == 0)
		return;
	raw_close(reply_fd);
	for (int i = 0; i < done->nfds; i++)
		raw_close(done->fds[i]);
}

/* Has the launcher's end of the channel closed? */
static bool
channel_hung_up(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLRDHUP };
	int n;

	do
		n = poll(&p, 1, 0);
	while (n < 0 && errno == EINTR);
	return n > 0 &&
	    (p.revents & (POLLHUP | POLLRDHUP | POLLERR | POLLNVAL));
}

/*
 * The channel, checked before a send: never into a socket of the
 * program's that took the number.  -1 (refused, errno EACCES) if there
 * is none.
 */
static int
channel_for_send(void)
{
	int fd = atomic_load(&chan_fd);

	if (fd >= 0 && is_our_channel(fd))
		return fd;
	if (fd >= 0)
		channel_disable("the lineage channel was closed");
	return channel_refuse();
}

/*
 * A request that got no answer fails closed.  Only a channel that is
 * gone (the launcher exited) is given up for good; a request the
 * launcher could not take (out of descriptors, say) must not cost the
 * service every later one.
 */
static int
request_failed(int fd)
{
	if (channel_hung_up(fd))
		channel_disable("the launcher is gone");
	errno = EACCES;
	return -1;
}

int
channel_call(const union wire_msg *req, union wire_msg *reply)
{
	return channel_call_fd(req, reply, NULL);
}

int
channel_call_fd(const union wire_msg *req, union wire_msg *reply, int *passed)
{
	struct transport_msg done = { .nfds = 0 };
	int fd = channel_for_send(), sv[2], rc, saved;

	if (fd < 0)
		return -1;
	if (capshim_syscall(SYS_socketpair, AF_UNIX,
		SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		saved = errno;
		capshim_log_always("unable to make a reply socket: %s",
		    strerror(saved));
		errno = EACCES;
		return -1;
	}
	rc = send_request(fd, req, sv[1]);
	saved = errno;
	raw_close(sv[1]);
	if (rc == 0)
		rc = receive_reply(sv[0], reply, passed, &done);
	close_reply(sv[0], &done);
	if (rc != 0) {
		capshim_debug("channel round trip failed: %s", strerror(saved));
		return request_failed(fd);
	}
	return 0;
}

int
channel_send(const union wire_msg *req)
{
	int fd = channel_for_send();

	if (fd < 0)
		return -1;
	return send_request(fd, req, -1) == 0 ? 0 : request_failed(fd);
}
