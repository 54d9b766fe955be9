/*
 * This process's pid, cached on a page the kernel zeroes in a child made
 * by fork() (MADV_WIPEONFORK, Linux 4.14): the child finds the cache
 * empty and asks getpid() once.  held_capability() compares it with the
 * pid a capability was granted to on every dial, so the cache saves a
 * system call per connection.
 *
 * A child that shares this memory is not made by fork() and finds its
 * parent's pid here: a child of vfork(), of clone(CLONE_VM) without
 * CLONE_THREAD, of posix_spawn().  So:
 *   - vfork() is fork() here, as POSIX allows (the child's writes to
 *     memory were never defined to reach the parent);
 *   - clone() with CLONE_VM and without CLONE_THREAD turns the cache off
 *     for good in this process, before the child runs: from then on
 *     self_pid() is getpid();
 *   - posix_spawn() (and system(), popen()) runs no hook in its child
 *     between the clone and the exec, and the new image has a new cache.
 * A child made by a clone system call the shim does not see (a raw
 * syscall, inline assembly) takes its parent's pid for its own and
 * dials with its parent's capability without claiming it: the
 * provider's gate then finds a peer the launcher granted nothing and
 * refuses it (docs/SECURITY.md, "Forked workers and what the gates
 * keep").  A wrong cache fails closed.
 */
#include <sys/mman.h>
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <unistd.h>

#include "debug.h"
#include "hotpath.h"
#include "pidns.h"
#include "real.h"
#include "selfpid.h"

struct pid_page {
	atomic_int pid; /* 0: not known in this process yet */
};

/* The page, NULL until made; MAP_FAILED where it cannot be had. */
static _Atomic(struct pid_page *) page EARLY_DATA;
/* Set before a clone(CLONE_VM) child runs; in memory fork copies. */
static atomic_bool cache_off EARLY_DATA;

static pid_t (*real_fork)(void) EARLY_DATA;
static int (*real_clone)(int (*)(void *), void *, int, void *, ...) EARLY_DATA;

void
selfpid_init(void)
{
	real_fork = (pid_t(*)(void))real_next("fork", NULL);
	real_clone = (int (*)(int (*)(void *), void *, int, void *,
	    ...))real_next("clone", (void *)clone);
}

/* The page, made at the first call: a process that never dials has none. */
static struct pid_page *
pid_page(void)
{
	struct pid_page *p = atomic_load_explicit(&page, memory_order_acquire);
	struct pid_page *none = NULL;

	if (p != NULL)
		return p;
	p = mmap(NULL, (size_t)sysconf(_SC_PAGESIZE), PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED &&
	    madvise(p, (size_t)sysconf(_SC_PAGESIZE), MADV_WIPEONFORK) != 0) {
		/* Before Linux 4.14: a cache a child would inherit. */
		(void)munmap(p, (size_t)sysconf(_SC_PAGESIZE));
		p = MAP_FAILED;
	}
	if (!atomic_compare_exchange_strong_explicit(&page, &none, p,
		memory_order_acq_rel, memory_order_acquire)) {
		/* Another thread made one first. */
		if (p != MAP_FAILED)
			(void)munmap(p, (size_t)sysconf(_SC_PAGESIZE));
		p = none;
	}
	return p;
}

/*
 * The first few calls of an image ask getpid(): a process that dials a
 * few times pays no mapping and no page fault for the cache.
 */
#define UNCACHED_CALLS 8
static atomic_uint calls EARLY_DATA;

HOT_PATH pid_t
self_pid(void)
{
	struct pid_page *p;
	pid_t pid;

	if (atomic_load_explicit(&cache_off, memory_order_acquire) ||
	    (atomic_load_explicit(&page, memory_order_relaxed) == NULL &&
		atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed) <
		    UNCACHED_CALLS))
		return getpid();
	p = pid_page();
	if (p == MAP_FAILED)
		return getpid();
	pid = atomic_load_explicit(&p->pid, memory_order_relaxed);
	if (pid == 0) {
		pid = getpid();
		atomic_store_explicit(&p->pid, pid, memory_order_relaxed);
	}
	return pid;
}

/*
 * vfork() is fork(): a vfork() child would share the cache and take its
 * parent's pid for its own.  POSIX lets vfork() be fork(); the parent
 * no longer waits for the child's exec, which no correct program could
 * tell apart.
 */
pid_t
vfork(void)
{
	if (real_fork == NULL) {
		errno = ENOSYS;
		return -1;
	}
	return real_fork();
}

HOT_PATH bool
selfpid_memory_shared(void)
{
	return atomic_load_explicit(&cache_off, memory_order_acquire);
}

/*
 * libc's clone(): a child sharing this memory but not this pid turns the
 * cache off for the whole process before it runs (both see the flag).
 * The three optional arguments are passed on as they came: libc's clone
 * reads each only when a flag asks for it.
 */
int
clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
	va_list ap;
	void *parent_tid, *tls, *child_tid;

	va_start(ap, arg);
	parent_tid = va_arg(ap, void *);
	tls = va_arg(ap, void *);
	child_tid = va_arg(ap, void *);
	va_end(ap);
	if (flags & CLONE_NEWPID)
		pidns_children_elsewhere();
	if ((flags & CLONE_VM) && !(flags & CLONE_THREAD)) {
		atomic_store_explicit(&cache_off, true, memory_order_seq_cst);
		capshim_debug("clone(CLONE_VM): the pid cache and the "
			      "per-thread copies are off");
	}
	if (real_clone == NULL) {
		errno = ENOSYS;
		return -1;
	}
	return real_clone(fn, stack, flags, arg, parent_tid, tls, child_tid);
}
