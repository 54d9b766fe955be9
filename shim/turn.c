#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <unistd.h>

#include "hotpath.h"
#include "real.h"
#include "turn.h"
#include "wire.h"

/*
 * Initial-exec, as the shim's other thread-locals: the shim is loaded at
 * start-up, and the general model costs a __tls_get_addr call at every
 * admitted accept (turn_reset).
 */
static _Thread_local unsigned refusals_in_row
    __attribute__((tls_model("initial-exec")));
/* Wake-up connections queued and not yet accepted, by every thread. */
static atomic_int wakeups;

HOT_PATH void
turn_reset(void)
{
	refusals_in_row = 0;
}

/*
 * Queue a connection of our own on the listener: a non-blocking connect
 * to its address, and the connecting end closed at once.  False if it
 * could not be queued (the backlog is full: then the queue is not empty
 * and the drain goes on).
 */
static bool
queue_wakeup(int fd, int type)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	int s,
	    kind = type == WIRE_SOCK_SEQPACKET ? SOCK_SEQPACKET : SOCK_STREAM;
	bool queued;

	if (real.getsockname(fd, (struct sockaddr *)&sun, &len) != 0)
		return false;
	s = socket(AF_UNIX, kind | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		return false;
	atomic_fetch_add(&wakeups, 1);
	queued = real.connect(s, (struct sockaddr *)&sun, len) == 0;
	if (!queued)
		atomic_fetch_sub(&wakeups, 1);
	(void)real.close(s);
	return queued;
}

bool
turn_due(int fd, int type)
{
	int fl, saved = errno;

	if (++refusals_in_row < TURN_REFUSALS)
		return false;
	refusals_in_row = 0;
	fl = fcntl(fd, F_GETFL);
	errno = saved;
	/* A blocking listener returns one connection a call: it turns. */
	if (fl < 0 || !(fl & O_NONBLOCK))
		return false;
	return queue_wakeup(fd, type);
}

HOT_PATH bool
turn_is_wakeup(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int saved;
	bool ours;

	if (atomic_load_explicit(&wakeups, memory_order_relaxed) <= 0)
		return false;
	saved = errno;
	ours = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
	    cred.pid == getpid();
	errno = saved;
	if (ours)
		atomic_fetch_sub(&wakeups, 1);
	return ours;
}
