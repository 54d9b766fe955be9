/*
 * The reap page.  A pid cannot be taken by another process until the
 * process that held it is reaped, and a child of the launcher is reaped
 * by the launcher alone (its real parent; a tracer cannot reap it).  So
 * a shim that read the epoch, then saw such a process alive with its
 * pid, and later reads the same epoch, knows that process still holds
 * its pid, without asking the kernel (shim/reappage.c,
 * docs/SECURITY.md "Forked workers and what the gates keep").
 *
 * The page is a memfd: the launcher maps it writable, then seals it
 * against growing, shrinking and any later write or writable mapping
 * (F_SEAL_FUTURE_WRITE), and hands shims a descriptor opened read-only,
 * so no service can move the epoch.  The launcher holds a robust,
 * process-shared mutex on the page for as long as it lives: when it
 * dies, even by SIGKILL, the kernel marks the mutex's owner dead as the
 * launcher's memory goes, before its children are handed to another
 * reaper, and shims stop trusting the epoch from then on.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "reappage.h"
#include "registry.h"
#include "wire.h"

#define PAGE_BYTES 4096

static struct wire_reap_page *page;
static int page_rdonly = -1;
static pid_t launcher_pid;

/*
 * The processes found to be the launcher's children, by pidfs inode
 * (no other process ever has one's inode).  A child stays the
 * launcher's until the launcher reaps it, so a yes is asked of the
 * kernel once, not at every grant and admission to it; a no is asked
 * again (an orphan may be handed to the launcher as its subreaper).
 * That the child was not reaped since is not this answer's to say: the
 * shim asks it after it reads the epoch (shim/pidkeep.c).
 */
#define KNOWN_CHILDREN 64
static uint64_t known_child[KNOWN_CHILDREN];
static unsigned next_known;

_Static_assert(WIRE_REAP_LOCK_OFFSET >= sizeof(struct wire_reap_page) &&
	WIRE_REAP_LOCK_OFFSET + sizeof(pthread_mutex_t) <= PAGE_BYTES,
    "the lock sits on the page, after the epoch");

/* The robust mutex the launcher holds while it lives. */
static int
hold_life_lock(void *at)
{
	pthread_mutexattr_t a;
	pthread_mutex_t *m = at;
	int rc;

	if (pthread_mutexattr_init(&a) != 0)
		return -1;
	rc = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED) != 0 ||
	    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST) != 0 ||
	    pthread_mutex_init(m, &a) != 0 || pthread_mutex_lock(m) != 0;
	pthread_mutexattr_destroy(&a);
	return rc ? -1 : 0;
}

int
reappage_init(void)
{
	char path[64];
	void *p;
	int fd = memfd_create("capwrap-reap", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0)
		return -1;
	if (ftruncate(fd, PAGE_BYTES) != 0)
		goto fail;
	p = mmap(NULL, PAGE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	page = p;
	page->magic = WIRE_REAP_MAGIC;
	launcher_pid = getpid();
	if (hold_life_lock((char *)p + WIRE_REAP_LOCK_OFFSET) != 0 ||
	    fcntl(fd, F_ADD_SEALS,
		F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_FUTURE_WRITE |
		    F_SEAL_SEAL) != 0)
		goto unmap;
	/* A description of its own, read-only: no writable mapping from it. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	page_rdonly = open(path, O_RDONLY | O_CLOEXEC);
	if (page_rdonly < 0)
		goto unmap;
	close(fd);
	return 0;
unmap:
	munmap(p, PAGE_BYTES);
	page = NULL;
fail:
	close(fd);
	return -1;
}

int
reappage_fd(void)
{
	return page_rdonly;
}

static bool
known_as_child(uint64_t pidfs_ino)
{
	for (size_t i = 0; pidfs_ino != 0 && i < KNOWN_CHILDREN; i++)
		if (known_child[i] == pidfs_ino)
			return true;
	return false;
}

bool
reappage_reaps(const struct proc *p)
{
	struct compat_pidfd_info info = { .mask = COMPAT_PIDFD_INFO_PID };

	if (page == NULL || p == NULL || p->dead || p->pidfd < 0)
		return false;
	if (known_as_child(p->pidfs_ino))
		return true;
	if (ioctl(p->pidfd, COMPAT_PIDFD_GET_INFO, &info) != 0 ||
	    (pid_t)info.pid != p->pid || (pid_t)info.ppid != launcher_pid)
		return false;
	if (p->pidfs_ino != 0)
		known_child[next_known++ % KNOWN_CHILDREN] = p->pidfs_ino;
	return true;
}

uint64_t
reappage_epoch_now(void)
{
	return page != NULL ?
	    atomic_load_explicit((_Atomic uint64_t *)&page->epoch,
		memory_order_relaxed) :
	    0;
}

pid_t
reappage_reap(int *status)
{
	siginfo_t si;

	/* Peek first: the epoch moves before the pid is let go. */
	memset(&si, 0, sizeof(si));
	if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) != 0)
		return -1;
	if (si.si_pid == 0)
		return 0;
	if (page != NULL) {
		uint64_t now =
		    atomic_fetch_add_explicit((_Atomic uint64_t *)&page->epoch,
			1, memory_order_release) +
		    1;

		atomic_store_explicit((_Atomic uint64_t *)&page->epoch_gray,
		    wire_reap_gray(now), memory_order_release);
	}
	return waitpid(si.si_pid, status, WNOHANG);
}
