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
 * keeps the full checks; each new image asks for it with its first
 * dial or admission.
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stddef.h>

#include "debug.h"
#include "rawsys.h"
#include "reappage.h"
#include "wire.h"

#define PAGE_BYTES 4096

static _Atomic(const void *) page;

bool
reappage_have(void)
{
	return atomic_load_explicit(&page, memory_order_relaxed) != NULL;
}

void
reappage_take(int fd)
{
	const struct wire_reap_page *p;
	const void *none = NULL;
	struct stat st;

	if (reappage_have() || fstat(fd, &st) != 0 || st.st_size != PAGE_BYTES)
		goto out;
	p = mmap(NULL, PAGE_BYTES, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto out;
	if (p->magic != WIRE_REAP_MAGIC ||
	    !atomic_compare_exchange_strong(&page, &none, (const void *)p))
		(void)munmap((void *)p, PAGE_BYTES);
	else
		capshim_debug("reap page mapped");
out:
	(void)capshim_syscall(SYS_close, (long)fd);
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

bool
reappage_epoch(uint64_t *epoch)
{
	const char *p = atomic_load_explicit(&page, memory_order_acquire);

	if (p == NULL)
		return false;
	*epoch =
	    atomic_load_explicit((const _Atomic uint64_t *)(const void *)(p +
				     offsetof(struct wire_reap_page, epoch)),
		memory_order_acquire);
	return launcher_lives(p);
}
