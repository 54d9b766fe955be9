/*
 * Is this process in the launcher's pid namespace?  There the pid a stamp
 * names, the launcher's number for the provider, is the number
 * SO_PEERCRED gives this process for the same process, and peer.c may
 * compare the two.  In a namespace of the service's own, another process
 * may hold that number (tests/attacks/impostor.bats, "pid namespace").
 *
 * Asked of the channel at start-up: its peer is the launcher, which made
 * the socketpair, and SO_PEERCRED numbers it in the asker's namespace, 0
 * where it is out of sight.  A process's namespace is its parent's or one
 * made under it (unshare, clone and setns reach no other), so seeing the
 * launcher means sharing its namespace.
 *
 * The answer holds for the image that asked and for every process forked
 * from it, which share its namespace, until one of them asks for its
 * children to go elsewhere: unshare(CLONE_NEWPID), setns(), a clone with
 * CLONE_NEWPID, through the C library or syscall().  That process, and
 * every process forked from it afterwards (they inherit the mark), then
 * ask at every check: no pid number can tell them apart, since a child
 * in a namespace of its own may hold its parent's number there.  A call
 * made past the shim (an inline system call) is the program's own doing,
 * as for its other calls past the shim (docs/SECURITY.md).
 */
#include <sys/socket.h>
#include <sys/syscall.h>
#include <errno.h>
#include <sched.h>
#include <stdatomic.h>

#include "channel.h"
#include "hotpath.h"
#include "pidns.h"
#include "real.h"

static atomic_bool launchers EARLY_DATA;  /* the start-up's answer */
static atomic_bool may_differ EARLY_DATA; /* children may be elsewhere */

/* Does the channel's peer, the launcher, have a number here? */
static bool
sees_launcher(int channel)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int saved = errno, rc;

	rc = getsockopt(channel, SOL_SOCKET, SO_PEERCRED, &cred, &len);
	errno = saved;
	return rc == 0 && len == sizeof(cred) && cred.pid > 0;
}

void
pidns_init(int channel)
{
	atomic_store(&launchers, sees_launcher(channel));
}

HOT_PATH bool
pidns_launchers(void)
{
	int fd;

	if (!atomic_load_explicit(&may_differ, memory_order_acquire))
		return atomic_load_explicit(&launchers, memory_order_relaxed);
	return (fd = channel_fd_checked()) >= 0 && sees_launcher(fd);
}

void
pidns_children_elsewhere(void)
{
	atomic_store_explicit(&may_differ, true, memory_order_seq_cst);
}

void
pidns_watch_syscall(long number, const long a[6])
{
	switch (number) {
	case SYS_unshare:
		if (a[0] & CLONE_NEWPID)
			pidns_children_elsewhere();
		break;
	case SYS_clone:
#if defined(__s390__)
		/* s390 takes the stack first, then the flags. */
		if (a[1] & CLONE_NEWPID)
#else
		if (a[0] & CLONE_NEWPID)
#endif
			pidns_children_elsewhere();
		break;
	case SYS_setns:
		if (a[1] == 0 || (a[1] & CLONE_NEWPID))
			pidns_children_elsewhere();
		break;
#ifdef SYS_clone3
	case SYS_clone3:
		/* Its flags are behind a pointer the kernel, not the shim, may
		 * find bad: counted as asking. */
		pidns_children_elsewhere();
		break;
#endif
	}
}

/* The C library's own, found at the call (real_next()). */
int
unshare(int flags)
{
	int (*real_unshare)(
	    int) = (int (*)(int))real_next("unshare", (void *)unshare);

	if (flags & CLONE_NEWPID)
		pidns_children_elsewhere();
	if (real_unshare == NULL) {
		errno = ENOSYS;
		return -1;
	}
	return real_unshare(flags);
}

int
setns(int fd, int nstype)
{
	int (*real_setns)(int, int) = (int (*)(int, int))real_next("setns",
	    (void *)setns);

	/* 0: any type, a pid namespace's or a pidfd's among them. */
	if (nstype == 0 || (nstype & CLONE_NEWPID))
		pidns_children_elsewhere();
	if (real_setns == NULL) {
		errno = ENOSYS;
		return -1;
	}
	return real_setns(fd, nstype);
}
