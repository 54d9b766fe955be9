/*
 * The launcher's reap page (common/wire.h, struct wire_reap_page;
 * launcher/reappage.c).  The launcher adds one to the epoch before it
 * reaps any child.  A process keeps its pid until it is reaped, and a
 * child of the launcher is reaped by the launcher alone while the
 * launcher lives, so: if the epoch read before a check that found such
 * a process alive with pid P is the epoch read now, the process still
 * holds P, and a peer with pid P in SO_PEERCRED is that process
 * (pidkeep.c).  That replaces a PIDFD_GET_INFO per connection.
 *
 * The launcher holds a robust mutex on the page while it lives.  When it
 * dies the kernel marks that mutex's owner dead before it hands the
 * launcher's children to another reaper, which bumps no epoch: from
 * then on reappage_epoch() says nothing, and every check is the full
 * one.  The page is mapped read-only from a read-only descriptor of a
 * sealed memfd: no process of a service can write it.  An image that
 * has none (the launcher could not make it, or did not send it yet)
 * keeps the full checks and asks for it with its first dial or
 * admission; an image exec'd by a process that held it takes it up from
 * its environment (held.c).
 *
 * Mapped when it is first wanted a few times, not when it comes: the
 * mapping, its page fault and its unmapping at exit cost a new image's
 * first dial more than the reads of a handful of connections it would
 * spare (each an fstat() and a pread() of the page's first bytes).  The
 * descriptor is held (held.c) before and after, for the images this
 * process execs: what is read or mapped is the file that came from the
 * launcher, checked by the identity it came with, never one the program
 * put at that number since.
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/futex.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stddef.h>

#include "channel.h"
#include "debug.h"
#include "held.h"
#include "hotpath.h"
#include "rawsys.h"
#include "reappage.h"
#include "wire.h"

#define PAGE_BYTES 4096
/* Wanted this often before it is mapped: a new image's first few
 * connections (each kept check wants it once or twice). */
#define MAP_AFTER 8

static _Atomic(const void *) page EARLY_DATA;
static atomic_uint wanted EARLY_DATA;

bool
reappage_have(void)
{
	return atomic_load_explicit(&page, memory_order_relaxed) != NULL ||
	    held_have(HELD_PAGE);
}

/* Map the page from fd, unless one is mapped already. */
static void
map_page(int fd)
{
	const void *p, *none = NULL;

	p = mmap(NULL, PAGE_BYTES, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return;
	if (((const struct wire_reap_page *)p)->magic != WIRE_REAP_MAGIC ||
	    !atomic_compare_exchange_strong(&page, &none, p))
		(void)munmap((void *)p, PAGE_BYTES);
	else
		capshim_debug("reap page mapped");
}

/*
 * Held, or mapped at once where no number can hold it; not in a vfork
 * child (owner false), whose descriptors are not its parent's.  fd is
 * left open: the caller closes it.
 */
void
reappage_take(int fd, bool owner)
{
	struct stat st;

	if (reappage_have() || !owner || fstat(fd, &st) != 0 ||
	    !S_ISREG(st.st_mode) || st.st_size != PAGE_BYTES)
		return;
	if (!held_take(HELD_PAGE, fd, &st, owner))
		map_page(fd);
}

/* The seals the launcher's memfd has (launcher/reappage.c). */
#define PAGE_SEALS \
	(F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_FUTURE_WRITE | F_SEAL_SEAL)

/*
 * Map the held descriptor, once it has been wanted MAP_AFTER times; the
 * page, or NULL.  Only a page-sized file sealed as the launcher seals
 * it is mapped: one that could shrink under the mapping would fault.
 * One that cannot be mapped is let go, not closed: a descriptor taken up
 * from the environment may be the program's (held.c).
 */
static const void *
map_held(void)
{
	struct stat st;
	int fd, seals;

	/* The counter first: channel_owner() asks getpid(). */
	if (!held_have(HELD_PAGE) ||
	    atomic_fetch_add_explicit(&wanted, 1, memory_order_relaxed) + 1 <
		MAP_AFTER ||
	    !channel_owner() || (fd = held_checked(HELD_PAGE, &st)) < 0)
		return NULL;
	seals = (int)capshim_syscall(SYS_fcntl, (long)fd, (long)F_GET_SEALS);
	if (st.st_size == PAGE_BYTES && seals >= 0 &&
	    (seals & PAGE_SEALS) == PAGE_SEALS)
		map_page(fd);
	if (atomic_load_explicit(&page, memory_order_acquire) == NULL)
		(void)atomic_compare_exchange_strong(&held_files[HELD_PAGE].fd,
		    &fd, -1);
	return atomic_load_explicit(&page, memory_order_acquire);
}

/* Does the launcher that writes the page live?  Its robust mutex says. */
static bool
launcher_lives(const char *p)
{
	/* The mutex's lock word, glibc's __data.__lock: the owner's tid. */
	unsigned word =
	    atomic_load_explicit((const _Atomic unsigned *)(const void *)(p +
				     WIRE_REAP_LOCK_OFFSET),
		memory_order_acquire);

	return (word & FUTEX_TID_MASK) != 0 && !(word & FUTEX_OWNER_DIED);
}

/*
 * The epoch read with one pread() of the held descriptor, while the page
 * is not mapped: a new image's first dials.  The descriptor must still
 * be the file that came (held_checked(), one fstat), and what is read
 * counts only if it is a reap page whose launcher lives.  The epoch is
 * read in Gray code: the kernel's copy is not one load.
 */
static bool
read_held(uint64_t *epoch)
{
	union {
		struct wire_reap_page page;
		char bytes[WIRE_REAP_LOCK_OFFSET + sizeof(unsigned)];
	} buf;
	int fd = held_checked(HELD_PAGE, NULL);

	if (fd < 0 ||
	    capshim_syscall(SYS_pread64, (long)fd, buf.bytes, sizeof(buf.bytes),
		0L) != (long)sizeof(buf.bytes) ||
	    buf.page.magic != WIRE_REAP_MAGIC)
		return false;
	*epoch = wire_reap_ungray(buf.page.epoch_gray);
	return launcher_lives(buf.bytes);
}

HOT_PATH bool
reappage_epoch(uint64_t *epoch)
{
	const char *p = atomic_load_explicit(&page, memory_order_acquire);

	if (p == NULL && (p = map_held()) == NULL)
		return read_held(epoch);
	*epoch =
	    atomic_load_explicit((const _Atomic uint64_t *)(const void *)(p +
				     offsetof(struct wire_reap_page, epoch)),
		memory_order_acquire);
	return launcher_lives(p);
}
