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
 * keeps it close-on-exec, so its forked workers have it and a new image
 * asks again.  A queue that is full, closed by the program or missing
 * makes the shim claim on the channel, as before.
 */
#include <sys/socket.h>
#include <fcntl.h>
#include <unistd.h>

#include "claimqueue.h"
#include "compat.h"

int
claimqueue_give(struct channel *c)
{
	int sv[2], one = 1;

	if (c->claims_give >= 0)
		return c->claims_give;
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

void
claimqueue_read(struct channel *c, int max)
{
	if (c->claims_fd >= 0)
		broker_read_fd(c, c->claims_fd, max);
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
