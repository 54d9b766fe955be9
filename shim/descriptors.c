/*
 * close(2), close_range(2), closefrom(3), dup2(2), dup3(2): programs that
 * daemonise close every descriptor they did not open, or dup2 onto any
 * number.  The lineage channel survives all of them: closing it is
 * refused with EBADF (as for a descriptor that is not open; never EINTR,
 * which programs retry forever), ranges are split around it, and a dup2
 * onto its number first moves it out of the way.
 */
#include <sys/syscall.h>
#include <errno.h>
#include <limits.h>
#include <unistd.h>

#include "channel.h"
#include "compat.h"
#include "descriptors.h"
#include "held.h"
#include "hotpath.h"
#include "keptfloor.h"
#include "pidkeep.h"
#include "rawsys.h"
#include "real.h"
#include "standin.h"

atomic_int kept_floor EARLY_DATA = INT_MAX;

/*
 * What the shim keeps at descriptors first..last (kept pidfds, stand-ins,
 * the reap page, the claim queue) goes with them.
 */
static void
forget_fds(unsigned first, unsigned last)
{
	if (kept_floor_above(last))
		return;
	pidkeep_forget(first, last);
	standin_forget(first, last);
	held_forget(first, last);
}

/*
 * A dup onto newfd closes what was there: the channel first moves out of
 * the way, and what the shim kept there is forgotten.
 */
static void
clear_dup_target(int oldfd, int newfd)
{
	if (newfd >= 0 && newfd == channel_fd() && oldfd != newfd)
		(void)channel_relocate(newfd);
	if (newfd >= 0 && oldfd != newfd)
		forget_fds((unsigned)newfd, (unsigned)newfd);
}

HOT_PATH int
guard_close(int fd)
{
	if (fd >= 0 && fd == channel_fd()) {
		errno = EBADF;
		return -1;
	}
	if (fd >= 0)
		forget_fds((unsigned)fd, (unsigned)fd);
	if (!real_ready())
		return (int)capshim_syscall(SYS_close, (long)fd);
	return real.close(fd);
}

static int
raw_close_range(unsigned first, unsigned last, int flags)
{
	return (int)capshim_syscall(SYS_close_range, (long)first, (long)last,
	    (long)flags);
}

int
guard_close_range(unsigned first, unsigned last, int flags)
{
	int ch = channel_fd();

	if (!(flags & CLOSE_RANGE_CLOEXEC))
		forget_fds(first, last);
	if (ch < 0 || (unsigned)ch < first || (unsigned)ch > last ||
	    first > last)
		return raw_close_range(first, last, flags);
	/* CLOSE_RANGE_UNSHARE on the first part unshares for the second too. */
	if ((unsigned)ch > first &&
	    raw_close_range(first, (unsigned)ch - 1, flags) != 0)
		return -1;
	if ((unsigned)ch < last)
		return raw_close_range((unsigned)ch + 1, last,
		    flags & ~(int)CLOSE_RANGE_UNSHARE);
	return 0;
}

int
guard_dup2(int oldfd, int newfd)
{
	clear_dup_target(oldfd, newfd);
	if (!real_ready())
		return (
		    int)capshim_syscall(SYS_dup3, (long)oldfd, (long)newfd, 0L);
	return real.dup2(oldfd, newfd);
}

int
guard_dup3(int oldfd, int newfd, int flags)
{
	clear_dup_target(oldfd, newfd);
	if (!real_ready())
		return (int)capshim_syscall(SYS_dup3, (long)oldfd, (long)newfd,
		    (long)flags);
	return real.dup3(oldfd, newfd, flags);
}

HOT_PATH int
close(int fd)
{
	return guard_close(fd);
}

int
close_range(unsigned first, unsigned last, int flags)
{
	return guard_close_range(first, last, flags);
}

/*
 * glibc's closefrom() calls its internal close_range, which no hook sees,
 * and falls back to closing what /proc/self/fd lists: both are redone
 * here around the channel.
 */
void
closefrom(int lowfd)
{
	int ch = channel_fd();
	long max;

	if (lowfd < 0)
		lowfd = 0;
	if (guard_close_range((unsigned)lowfd, UINT_MAX, 0) == 0)
		return;
	max = sysconf(_SC_OPEN_MAX);
	for (long fd = lowfd; fd < max && fd <= INT_MAX; fd++)
		if (fd != ch)
			(void)capshim_syscall(SYS_close, fd);
}

int
dup2(int oldfd, int newfd)
{
	return guard_dup2(oldfd, newfd);
}

int
dup3(int oldfd, int newfd, int flags)
{
	return guard_dup3(oldfd, newfd, flags);
}
