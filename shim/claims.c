/*
 * The claim queue: a socketpair of the service's that the launcher reads
 * only before a provider's gate would refuse (launcher/claimqueue.c).
 * Its end comes with a grant that asked for it while this image had
 * none; the shim holds it close-on-exec above the channel, out of the way
 * of programs (channel_hold), so a forked child has it and a new image
 * asks again.  As with the channel, its identity is checked before each
 * send: a program may close the number with a raw system call and reuse
 * it, and a claim must never go to its socket.  A queue the program
 * closes or dup2s over, or found gone, is forgotten, and the next grant
 * brings it again.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <stdatomic.h>
#include <stdint.h>

#include "channel.h"
#include "claims.h"
#include "rawsys.h"
#include "transport.h"

static atomic_int claims_fd = -1;
/* Every grant attaches the same socket: either thread's identity does. */
static _Atomic uint64_t claims_dev, claims_ino;

bool
claims_have(void)
{
	return atomic_load(&claims_fd) >= 0;
}

void
claims_take(int fd, bool owner)
{
	int high = -1, none = -1;
	struct stat st;

	/*
	 * Not in a vfork() child, which shares its parent's memory but not
	 * its descriptors: what it took would name nothing in the parent.
	 */
	if (!claims_have() && owner && fstat(fd, &st) == 0 &&
	    S_ISSOCK(st.st_mode))
		high = channel_hold(fd);
	if (high < 0)
		return;
	atomic_store(&claims_dev, (uint64_t)st.st_dev);
	atomic_store(&claims_ino, (uint64_t)st.st_ino);
	/* Two threads' first grants may both bring it: one is kept. */
	if (!atomic_compare_exchange_strong(&claims_fd, &none, high))
		(void)capshim_syscall(SYS_close, high);
}

void
claims_forget(unsigned first, unsigned last)
{
	int fd = atomic_load(&claims_fd);

	if (fd >= 0 && (unsigned)fd >= first && (unsigned)fd <= last &&
	    channel_owner())
		(void)atomic_compare_exchange_strong(&claims_fd, &fd, -1);
}

int
claims_send(const union wire_msg *claim)
{
	int fd = atomic_load(&claims_fd);
	struct stat st;

	if (fd < 0)
		return -1;
	/* Not ours any more: let go, not closed, it is the program's. */
	if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode) ||
	    (uint64_t)st.st_dev != atomic_load(&claims_dev) ||
	    (uint64_t)st.st_ino != atomic_load(&claims_ino)) {
		if (channel_owner())
			(void)atomic_compare_exchange_strong(&claims_fd, &fd,
			    -1);
		return -1;
	}
	return transport_send(fd, claim, wire_size(claim->h.type), NULL, 0,
	    MSG_DONTWAIT, &capshim_sysio);
}
