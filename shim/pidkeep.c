#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>

#include "channel.h"
#include "compat.h"
#include "hotpath.h"
#include "keptfloor.h"
#include "pidkeep.h"
#include "rawsys.h"
#include "reappage.h"

/*
 * A few slots, read and written without a lock: the close hooks that
 * clear them may run in a signal handler.  fd_plus_one is 0 for a free
 * slot, -1 while one is being filled; a slot's inode is written before
 * its descriptor is published.  Each use has slots of its own, so that
 * the peers a busy server knows cannot take every slot from the
 * providers it dials; a pidfd kept for one use serves the other too.
 */
#define KEEP_SLOTS KEPT_PIDFDS_MAX
#define SLOTS_PER_USE (KEEP_SLOTS / 2)
static struct {
	atomic_int fd_plus_one;
	_Atomic uint64_t ino;
	/*
	 * For a child of the launcher: its pid, and 1 + the reap epoch read
	 * before it was seen alive with that pid (0: none), under version,
	 * odd while they are written.
	 */
	atomic_uint version;
	atomic_int pid;
	_Atomic uint64_t epoch_plus_one;
} slots[KEEP_SLOTS] EARLY_DATA;

/* The first slot of a use's share. */
static int
first_slot(enum pidkeep_use use)
{
	return use == PIDKEEP_PEER ? SLOTS_PER_USE : 0;
}

/* 0 not known yet, 1 the kernel answers PIDFD_GET_INFO, -1 it does not. */
static atomic_int info_supported EARLY_DATA;

/*
 * The slot this thread's last find returned, looked at first by the next
 * find and epoch check: a connection's check then reads one slot, not a
 * scan of all of them (a peer's are the second half).  Only a hint.
 */
static _Thread_local int last_slot __attribute__((tls_model("initial-exec")));

/* The descriptor slot i keeps for pidfs_ino, or -1. */
static int
slot_fd(int i, uint64_t pidfs_ino)
{
	int fd = atomic_load_explicit(&slots[i].fd_plus_one,
		     memory_order_acquire) -
	    1;

	return fd >= 0 &&
		atomic_load_explicit(&slots[i].ino, memory_order_relaxed) ==
		    pidfs_ino ?
	    fd :
	    -1;
}

HOT_PATH int
pidkeep_find(uint64_t pidfs_ino)
{
	int fd;

	if (pidfs_ino == 0)
		return -1;
	if ((fd = slot_fd(last_slot, pidfs_ino)) >= 0)
		return fd;
	for (int i = 0; i < KEEP_SLOTS; i++)
		if ((fd = slot_fd(i, pidfs_ino)) >= 0) {
			last_slot = i;
			return fd;
		}
	return -1;
}

/*
 * Free the slot that keeps fd, if any, for pidfs_ino (0: whatever it
 * keeps there); the descriptor is not closed.  By inode where it is
 * known, so that a slot another thread has since filled at the same
 * number is left alone.
 */
static bool
release_slot(int fd, uint64_t pidfs_ino)
{
	for (int i = 0; i < KEEP_SLOTS; i++) {
		int want = fd + 1;

		if ((pidfs_ino == 0 ||
			atomic_load_explicit(&slots[i].ino,
			    memory_order_relaxed) == pidfs_ino) &&
		    atomic_compare_exchange_strong(&slots[i].fd_plus_one, &want,
			0))
			return true;
	}
	return false;
}

/*
 * Is fd still the pidfd kept for pidfs_ino?  A program can close a
 * number past every hook (glibc's fclose() closes with a call of its
 * own, a static helper with the instruction itself) and open a file of
 * its own there: a slot is then stale, and what it names is the
 * program's.
 */
static bool
still_kept_pidfd(int fd, uint64_t pidfs_ino)
{
	struct statfs sfs;
	struct stat st;

	return fstatfs(fd, &sfs) == 0 && sfs.f_type == PIDFS_MAGIC &&
	    fstat(fd, &st) == 0 && (uint64_t)st.st_ino == pidfs_ino;
}

/* Let fd's slot go, and close fd only if it still is the kept pidfd. */
static void
let_go(int fd, uint64_t pidfs_ino)
{
	bool ours = still_kept_pidfd(fd, pidfs_ino);

	if (release_slot(fd, pidfs_ino) && ours)
		(void)capshim_syscall(SYS_close, (long)fd);
}

/*
 * The pid the pidfd kept at fd for pidfs_ino names, 0 if none: the
 * process has been reaped (then its pid may be anybody's), or fd is no
 * pidfd now (the program's, whatever it answers).  Either way the slot
 * is let go, and the next full check keeps another.  Not a process out
 * of this pid namespace's sight (EREMOTE): that answer stays the same,
 * and keeping another would only repeat it.
 */
HOT_PATH static pid_t
kept_pid(int fd, uint64_t pidfs_ino)
{
	struct compat_pidfd_info info = { .mask = COMPAT_PIDFD_INFO_PID };
	int saved = errno;
	pid_t pid = 0;

	if (capshim_syscall(SYS_ioctl, (long)fd, (long)COMPAT_PIDFD_GET_INFO,
		&info) == 0)
		pid = (pid_t)info.pid;
	else if (errno != EREMOTE && channel_owner())
		let_go(fd, pidfs_ino);
	errno = saved;
	return pid;
}

/* Slot i keeps fd for pidfs_ino and pid, seen alive in epoch now. */
HOT_PATH static bool
slot_unreaped(int i, int fd, uint64_t pidfs_ino, pid_t pid, uint64_t now)
{
	unsigned v = atomic_load_explicit(&slots[i].version,
	    memory_order_acquire);
	bool same;

	if (v & 1)
		return false;
	same = atomic_load_explicit(&slots[i].fd_plus_one,
		   memory_order_relaxed) == fd + 1 &&
	    atomic_load_explicit(&slots[i].ino, memory_order_relaxed) ==
		pidfs_ino &&
	    atomic_load_explicit(&slots[i].pid, memory_order_relaxed) == pid &&
	    atomic_load_explicit(&slots[i].epoch_plus_one,
		memory_order_relaxed) == now + 1;
	atomic_thread_fence(memory_order_acquire);
	return same &&
	    atomic_load_explicit(&slots[i].version, memory_order_relaxed) == v;
}

/*
 * Without a call: the slot of fd names the launcher's child pidfs_ino
 * with this pid, seen alive after an epoch that is still the epoch now
 * (reappage.c).  Read after the caller's SO_PEERCRED.
 */
static bool
unreaped_by_epoch(int fd, uint64_t pidfs_ino, pid_t pid)
{
	uint64_t now;

	if (!reappage_epoch(&now))
		return false;
	if (slot_unreaped(last_slot, fd, pidfs_ino, pid, now))
		return true;
	for (int i = 0; i < KEEP_SLOTS; i++)
		if (slot_unreaped(i, fd, pidfs_ino, pid, now))
			return true;
	return false;
}

/*
 * The slot that keeps fd for the launcher's child pidfs_ino with this
 * pid, and its version (even), read as one; -1 if there is none.
 */
static int
reaped_slot(int fd, uint64_t pidfs_ino, pid_t pid, unsigned *version)
{
	for (int i = 0; i < KEEP_SLOTS; i++) {
		unsigned v = atomic_load_explicit(&slots[i].version,
		    memory_order_acquire);
		bool same = !(v & 1) &&
		    atomic_load_explicit(&slots[i].fd_plus_one,
			memory_order_relaxed) == fd + 1 &&
		    atomic_load_explicit(&slots[i].ino, memory_order_relaxed) ==
			pidfs_ino &&
		    atomic_load_explicit(&slots[i].pid, memory_order_relaxed) ==
			pid;

		atomic_thread_fence(memory_order_acquire);
		if (same &&
		    atomic_load_explicit(&slots[i].version,
			memory_order_relaxed) == v) {
			*version = v;
			return i;
		}
	}
	return -1;
}

/*
 * Record epoch in slot i, read before the process was seen unreaped
 * with its pid, unless the slot changed since it was read at version v
 * (every take moves the version): the epoch then belongs to the
 * process the slot names.
 */
static void
rearm(int i, unsigned v, uint64_t epoch)
{
	if (!atomic_compare_exchange_strong_explicit(&slots[i].version, &v,
		v + 1, memory_order_acq_rel, memory_order_relaxed))
		return;
	atomic_store_explicit(&slots[i].epoch_plus_one, epoch + 1,
	    memory_order_relaxed);
	atomic_store_explicit(&slots[i].version, v + 2, memory_order_release);
}

HOT_PATH bool
pidkeep_alive(int fd, uint64_t pidfs_ino, pid_t pid)
{
	uint64_t epoch;
	unsigned v = 0;
	int slot;
	bool armable;

	if (pid <= 0)
		return false;
	if (unreaped_by_epoch(fd, pidfs_ino, pid))
		return true;
	/* The epoch moved, or none was read: read it before the kernel is
	 * asked, and record it if the answer holds. */
	slot = reaped_slot(fd, pidfs_ino, pid, &v);
	armable = slot >= 0 && reappage_epoch(&epoch);
	/*
	 * Still ours after the answer: had another thread let the number
	 * go meanwhile, the answer could be about a descriptor the program
	 * opened since.
	 */
	if (kept_pid(fd, pidfs_ino) != pid || pidkeep_find(pidfs_ino) != fd)
		return false;
	if (armable)
		rearm(slot, v, epoch);
	return true;
}

int
pidkeep_info_known(void)
{
	return atomic_load_explicit(&info_supported, memory_order_relaxed);
}

void
pidkeep_info_seen(int err)
{
	/*
	 * A pidfd of a process out of this pid namespace's sight answers
	 * EREMOTE, a reaped one ESRCH: the kernel has the call for both.
	 */
	if (err == 0 || err == ESRCH || err == EREMOTE)
		atomic_store_explicit(&info_supported, 1, memory_order_relaxed);
	else if (err == ENOTTY || err == EINVAL)
		atomic_store_explicit(&info_supported, -1,
		    memory_order_relaxed);
}

/*
 * Does this kernel answer PIDFD_GET_INFO?  Asked of the first pidfd kept,
 * unless the peer check's liveness question already asked it.
 */
static bool
info_here(int pidfd)
{
	struct compat_pidfd_info info = { .mask = COMPAT_PIDFD_INFO_PID };
	int k = pidkeep_info_known();
	int saved = errno;

	if (k == 0) {
		pidkeep_info_seen(capshim_syscall(SYS_ioctl, (long)pidfd,
				      (long)COMPAT_PIDFD_GET_INFO, &info) == 0 ?
			0 :
			errno);
		/* Another answer (EINTR, say) is asked again next time. */
		k = pidkeep_info_known();
	}
	errno = saved;
	return k > 0;
}

static bool
take_slot(int fd, uint64_t pidfs_ino, enum pidkeep_use use, pid_t pid,
    uint64_t epoch_plus_one)
{
	kept_floor_lower(fd);
	for (int i = first_slot(use); i < first_slot(use) + SLOTS_PER_USE;
	     i++) {
		int free_slot = 0;

		if (atomic_compare_exchange_strong(&slots[i].fd_plus_one,
			&free_slot, -1)) {
			/* Ours alone until published: fd_plus_one is -1. */
			unsigned v = atomic_load_explicit(&slots[i].version,
			    memory_order_relaxed);

			atomic_store_explicit(&slots[i].version, v + 1,
			    memory_order_relaxed);
			atomic_thread_fence(memory_order_release);
			atomic_store_explicit(&slots[i].ino, pidfs_ino,
			    memory_order_relaxed);
			atomic_store_explicit(&slots[i].pid, pid,
			    memory_order_relaxed);
			atomic_store_explicit(&slots[i].epoch_plus_one,
			    epoch_plus_one, memory_order_relaxed);
			atomic_store_explicit(&slots[i].version, v + 2,
			    memory_order_release);
			atomic_store_explicit(&slots[i].fd_plus_one, fd + 1,
			    memory_order_release);
			return true;
		}
	}
	return false;
}

void
pidkeep_drop(uint64_t pidfs_ino, enum pidkeep_use use)
{
	if (pidkeep_find(pidfs_ino) < 0 || !channel_owner())
		return;
	/* Two threads' first dials may each have kept one. */
	for (int i = first_slot(use); i < first_slot(use) + SLOTS_PER_USE;
	     i++) {
		int fd = atomic_load_explicit(&slots[i].fd_plus_one,
			     memory_order_acquire) -
		    1;

		if (fd >= 0 &&
		    atomic_load_explicit(&slots[i].ino, memory_order_relaxed) ==
			pidfs_ino)
			let_go(fd, pidfs_ino);
	}
}

/*
 * 1 + the reap epoch read before pidfd was seen to name a process not
 * reaped, with pid reaped_pid; 0 if the launcher does not reap it, or
 * there is no epoch to read.
 */
static uint64_t
epoch_seen_alive(int pidfd, pid_t reaped_pid)
{
	struct compat_pidfd_info info = { .mask = COMPAT_PIDFD_INFO_PID };
	uint64_t epoch;

	if (reaped_pid <= 0 || !reappage_epoch(&epoch) ||
	    capshim_syscall(SYS_ioctl, (long)pidfd, (long)COMPAT_PIDFD_GET_INFO,
		&info) != 0 ||
	    (pid_t)info.pid != reaped_pid)
		return 0;
	return epoch + 1;
}

void
pidkeep_add(int pidfd, uint64_t pidfs_ino, enum pidkeep_use use,
    pid_t reaped_pid)
{
	int base = channel_fd() + 1, high = -1, saved = errno;
	uint64_t epoch = 0;

	/*
	 * Kept above the channel, out of the way of programs that count on
	 * low numbers; without room there (a low descriptor limit), or on a
	 * kernel that cannot check a kept pidfd in one call, nothing is kept.
	 * Nor in a vfork child: the slots are its parent's, the descriptor
	 * would be its own.
	 */
	if (pidfs_ino != 0 && base > 0 && pidkeep_find(pidfs_ino) < 0 &&
	    info_here(pidfd) && channel_owner())
		high = (int)capshim_syscall(SYS_fcntl, (long)pidfd,
		    (long)F_DUPFD_CLOEXEC, (long)base);
	(void)capshim_syscall(SYS_close, (long)pidfd);
	if (high >= 0)
		epoch = epoch_seen_alive(high, reaped_pid);
	if (high >= 0 && !take_slot(high, pidfs_ino, use, reaped_pid, epoch)) {
		/* Full: the pidfds of processes that have died make room. */
		for (int i = first_slot(use);
		     i < first_slot(use) + SLOTS_PER_USE; i++) {
			int fd = atomic_load(&slots[i].fd_plus_one) - 1;

			if (fd >= 0)
				(void)kept_pid(fd, atomic_load(&slots[i].ino));
		}
		if (!take_slot(high, pidfs_ino, use, reaped_pid, epoch))
			(void)capshim_syscall(SYS_close, (long)high);
	}
	errno = saved;
}

HOT_PATH void
pidkeep_forget(unsigned first, unsigned last)
{
	/*
	 * A vfork child shares the slots with its parent but closes only in
	 * its own descriptor table: the parent's descriptors stay open, so
	 * the slots stay.  Kept pidfds are rare, so the pid is asked only
	 * when one is in the range.
	 */
	for (int i = 0; i < KEEP_SLOTS; i++) {
		int fd = atomic_load(&slots[i].fd_plus_one) - 1;

		if (fd >= 0 && (unsigned)fd >= first && (unsigned)fd <= last &&
		    channel_owner())
			(void)release_slot(fd, 0);
	}
}
