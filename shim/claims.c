/*
 * The claim queue: a socketpair of the service's that the launcher reads
 * only before a provider's gate would refuse (launcher/claimqueue.c).
 * Its end comes with this image's first grant; it is kept close-on-exec
 * above the channel, out of the way of programs, so a forked child has
 * it and a new image asks again.  As with the channel, its identity is
 * checked before each send: a program may close the number with a raw
 * system call and reuse it, and a claim must never go to its socket.
 * A queue the program closes or dup2s over, or found gone, is forgotten,
 * and the next grant brings it again.
 */
#include <sys/stat.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <sys/socket.h>

#include "channel.h"
#include "claims.h"
#include "rawsys.h"
#include "transport.h"

static atomic_int claims_fd = -1;
static dev_t claims_dev;
static ino_t claims_ino;

bool
claims_have(void)
{
	return atomic_load(&claims_fd) >= 0;
}

void
claims_take(int fd)
{
	struct stat st;
	int high;

	/*
	 * A vfork() child shares its parent's memory but not its
	 * descriptors: what it took would name nothing in the parent.
	 */
	if (claims_have() || !channel_owner()) {
		(void)capshim_syscall(SYS_close, fd);
		return;
	}
	high = (int)capshim_syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC,
	    channel_fd() + 1);
	(void)capshim_syscall(SYS_close, fd);
	if (high < 0)
		return;
	if (fstat(high, &st) != 0) {
		(void)capshim_syscall(SYS_close, high);
		return;
	}
	claims_dev = st.st_dev;
	claims_ino = st.st_ino;
	atomic_store(&claims_fd, high);
}

void
claims_forget(unsigned first, unsigned last)
{
	int fd = atomic_load(&claims_fd);

	if (fd >= 0 && (unsigned)fd >= first && (unsigned)fd <= last &&
	    channel_owner())
		atomic_store(&claims_fd, -1);
}

int
claims_send(const union wire_msg *claim)
{
	int fd = atomic_load(&claims_fd);
	struct stat st;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode) ||
	    st.st_dev != claims_dev || st.st_ino != claims_ino) {
		if (channel_owner())
			atomic_store(&claims_fd, -1);
		return -1;
	}
	return transport_send(fd, claim, wire_size(claim->h.type), NULL, 0,
	    MSG_DONTWAIT, &capshim_sysio);
}
