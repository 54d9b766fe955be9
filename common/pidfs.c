#include <sys/stat.h>
#include <sys/statfs.h>
#include <stdatomic.h>

#include "compat.h"
#include "hotpath.h"
#include "pidfs.h"

/* Relaxed: every thread that asks computes the same answer. */
static atomic_int pidfs EARLY_DATA; /* 0 not yet, 1 yes, -1 no */

bool
pidfs_detect(int pidfd)
{
	int k = atomic_load_explicit(&pidfs, memory_order_relaxed);
	struct statfs sfs;

	/* A pidfd fstatfs cannot read tells nothing of the kernel. */
	if (k == 0 && fstatfs(pidfd, &sfs) == 0) {
		k = sfs.f_type == PIDFS_MAGIC ? 1 : -1;
		atomic_store_explicit(&pidfs, k, memory_order_relaxed);
	}
	return k > 0;
}

int
pidfs_known(void)
{
	return atomic_load_explicit(&pidfs, memory_order_relaxed);
}

void
pidfs_assume(void)
{
	atomic_store_explicit(&pidfs, 1, memory_order_relaxed);
}

uint64_t
pidfs_inode(int pidfd)
{
	struct stat st;

	if (!pidfs_detect(pidfd) || fstat(pidfd, &st) != 0)
		return 0;
	return st.st_ino;
}
