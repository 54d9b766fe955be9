/*
 * A forked worker takes up the capability it inherited with one claim
 * (WIRE_CLAIM) it does not wait for.  Sent on the channel, that claim
 * wakes the launcher, which costs the worker more than the call itself
 * on a busy machine.  So a service's claims go to a second socketpair,
 * its claim queue, which the launcher never waits on: the claim stays
 * queued until a provider's gate would refuse a connection, and the
 * catch-up before that refusal (defer.c) reads it.  A claim is queued
 * before the connection it covers is made, so it is read in time.
 *
 * The launcher's end has SO_PASSCRED and SO_PASSPIDFD like the channel's:
 * the kernel names each claim's sender, also after it exited.  Only
 * claims are taken from the queue.  The service's end is kept here and
 * attached to a grant that asks for it (WIRE_DIAL_CLAIMS); a process
 * keeps it, so its forked workers have it, and the exec hooks hand it
 * on to the images it execs (shim/held.c).  A queue that is full, closed
 * by the program or missing makes the shim claim on the channel.
 */
#include <sys/socket.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "claimqueue.h"
#include "compat.h"
#include "sysio.h"
#include "transport.h"

/*
 * A claim is read late, often after its sender was reaped, and a claim
 * without the sender's pidfd is dropped.  Kernels before pidfs kept
 * what a reaped process left cannot make that pidfd (SCM_PIDFD fails):
 * there the shim claims on the channel, read while the sender lives.
 * Asked once at start-up, before the launcher has threads, of a vfork
 * child that sends a byte and exits, reaped before the byte is read
 * (waited for here: it is no one's peer, so no shim's kept check needs
 * the reap epoch moved for it).
 */
static bool pidfds_after_reap;

void
claimqueue_init(void)
{
	char buf[2];
	struct transport_msg in = { .data = buf, .size = sizeof(buf) };
	int sv[2], one = 1;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return;
	if (setsockopt(sv[0], SOL_SOCKET, SO_PASSPIDFD, &one, sizeof(one)) ==
		0 &&
	    (pid = vfork()) >= 0) {
		if (pid == 0) {
			(void)send(sv[1], "x", 1, MSG_NOSIGNAL);
			_exit(0);
		}
		if (waitpid(pid, NULL, 0) == pid &&
		    transport_recv(sv[0], MSG_DONTWAIT, 0, &in, &sysio_libc) ==
			TRANSPORT_MESSAGE) {
			pidfds_after_reap = in.pidfd >= 0;
			transport_discard(&in, &sysio_libc);
		}
	}
	close(sv[0]);
	close(sv[1]);
}

int
claimqueue_give(struct channel *c)
{
	int sv[2], one = 1;

	if (c->claims_give >= 0)
		return c->claims_give;
	if (!pidfds_after_reap)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return -1;
	if (fcntl(sv[0], F_SETFL, O_NONBLOCK) != 0 ||
	    setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) !=
		0 ||
	    setsockopt(sv[0], SOL_SOCKET, SO_PASSPIDFD, &one, sizeof(one)) !=
		0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	c->claims_fd = sv[0];
	c->claims_give = sv[1];
	return sv[1];
}

bool
claimqueue_read(struct channel *c, int max)
{
	return c->claims_fd < 0 || broker_read_fd(c, c->claims_fd, max);
}

/*
 * Read up to CLAIMS_DRAIN_MAX claims, so that what a service queued
 * before its channel closed is judged (a forged claim audited); what a
 * process still holding the queue sends past that is dropped, said once.
 */
#define CLAIMS_DRAIN_MAX (64 * CLAIMS_MAX)

void
claimqueue_drain(struct channel *c, const char *service)
{
	for (int n = 0; n < CLAIMS_DRAIN_MAX; n += CLAIMS_MAX)
		if (claimqueue_read(c, CLAIMS_MAX))
			return;
	fprintf(stderr,
	    "capwrap: %s: claims past %d on the claim queue dropped unread\n",
	    service, CLAIMS_DRAIN_MAX);
}

void
claimqueue_close(struct channel *c)
{
	if (c->claims_fd >= 0)
		close(c->claims_fd);
	if (c->claims_give >= 0)
		close(c->claims_give);
	c->claims_fd = c->claims_give = -1;
}
