/*
 * What this kernel offers capwrap: the one place that detects kernel
 * features, for `capwrap probe`, the summary line `capwrap run` starts
 * with, and the io_uring fence a service is started under.  Detection
 * asks the kernel, never the headers capwrap was built with.
 *
 * CAPWRAP_PROBE_DISABLE (a comma-separated list of the names in
 * kernel_feature_name) is a test hook: a feature it names is reported
 * missing, so that the tests can show what capwrap says, and does, on a
 * kernel without it; Landlock and seccomp it names are not even asked
 * of the kernel.  Only this file reads it.
 */
#ifndef CAPWRAP_KERNEL_H
#define CAPWRAP_KERNEL_H

#include <linux/audit.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The architecture whose system call numbers capwrap's seccomp filters
 * (the io_uring fence, unotify/filter.c) are written for; a build for
 * another one has no filter, and says so.
 */
#if defined(__x86_64__) && !defined(__ILP32__)
#define KERNEL_FILTER_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define KERNEL_FILTER_ARCH AUDIT_ARCH_AARCH64
#endif

enum kernel_feature {
	KERNEL_PIDFS,	      /* pidfd_open, fstatfs PIDFS_MAGIC (6.9) */
	KERNEL_PEERPIDFD,     /* SO_PEERPIDFD (6.5) */
	KERNEL_PIDFD_INFO,    /* PIDFD_GET_INFO (6.13) */
	KERNEL_LANDLOCK,      /* landlock_create_ruleset (5.13) */
	KERNEL_SECCOMP,	      /* seccomp filters (3.5) */
	KERNEL_SECCOMP_NOTIF, /* SECCOMP_RET_USER_NOTIF (5.0) */
	KERNEL_IO_URING,      /* io_uring, not disabled for us */
	KERNEL_NFEATURES
};

/* Filter flags of user notification, tested by installing a filter. */
#define KERNEL_NOTIF_TSYNC_ESRCH 0x1   /* 5.7 */
#define KERNEL_NOTIF_WAIT_KILLABLE 0x2 /* 5.19 */

struct kernel_info {
	bool has[KERNEL_NFEATURES];
	bool forced_off[KERNEL_NFEATURES]; /* by CAPWRAP_PROBE_DISABLE */
	int landlock_abi;		   /* 0: no Landlock */
	uint64_t landlock_scopes;	   /* LANDLOCK_SCOPE_* it accepts */
	unsigned notif_flags;		   /* KERNEL_NOTIF_* */
	/* /proc/sys/kernel/io_uring_disabled: -1 absent (before 6.6). */
	int io_uring_disabled;
	/* What io_uring_setup answers a call with no ring: an errno. */
	int io_uring_errno;
	/* The fence can be installed, and makes io_uring_setup ENOSYS. */
	bool fence;
	char release[65];     /* uname -r */
	char hook_error[160]; /* CAPWRAP_PROBE_DISABLE malformed: why */
};

/* The hook's name of a feature ("pidfs", "peerpidfd", ...). */
const char *kernel_feature_name(enum kernel_feature);

/*
 * Detect once per process; later calls return the same answers.  If
 * hook_error is not empty the hook was malformed and nothing was forced
 * off: the caller refuses to go on.
 */
const struct kernel_info *kernel_info(void);

/*
 * Install the io_uring fence on the calling thread: io_uring_setup,
 * io_uring_enter and io_uring_register fail with ENOSYS, for it and for
 * every process it becomes or starts.  Sets no_new_privs first only if
 * the kernel demands it (the caller lacks CAP_SYS_ADMIN).  Async-signal
 * safe and allocation-free, for a vfork() child.  Returns 0, or -1 with
 * errno (ENOSYS: no fence for this architecture).
 */
int kernel_fence_install(void);

#endif
