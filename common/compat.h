/*
 * Kernel constants newer than the headers of the oldest system capwrap
 * builds on (Debian 12: Linux 6.1 headers, glibc 2.36).  Each is the
 * kernel's own number, defined here only where the headers lack it, so
 * that a newer system's definition always wins.  The one place for them:
 * a file that needs one includes this header, and defines none itself.
 */
#ifndef CAPWRAP_COMPAT_H
#define CAPWRAP_COMPAT_H

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdint.h>

/* Linux 5.1. */
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

/* Linux 5.3. */
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* Linux 5.9. */
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif

/* Linux 5.11. */
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/*
 * Linux 6.5: a pidfd of the sender with every message (SO_PASSPIDFD,
 * arriving as SCM_PIDFD), and of the peer of a connected socket.
 */
#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76
#endif
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif
#ifndef SCM_PIDFD
#define SCM_PIDFD 0x04
#endif

/* Linux 6.9: pidfds on a file system of their own, an inode per process. */
#ifndef PIDFS_MAGIC
#define PIDFS_MAGIC 0x50494446
#endif

/*
 * Linux 6.13: what a pidfd names, asked with an ioctl.  Under a name of
 * capwrap's own, so that it never clashes with newer headers' struct
 * pidfd_info; the kernel takes a prefix of the structure it knows.
 */
struct compat_pidfd_info {
	uint64_t mask;
	uint64_t cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid;
	uint32_t suid, sgid, fsuid, fsgid, spare0[1];
};
#define COMPAT_PIDFD_GET_INFO _IOWR(0xFF, 11, struct compat_pidfd_info)
#define COMPAT_PIDFD_INFO_PID 1ULL

/* pidfd_open of a thread rather than a thread-group leader (6.9). */
#define COMPAT_PIDFD_THREAD O_EXCL

/* Linux 5.1: io_uring, the same numbers on every architecture but alpha. */
#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup 425
#endif
#ifndef SYS_io_uring_enter
#define SYS_io_uring_enter 426
#endif
#ifndef SYS_io_uring_register
#define SYS_io_uring_register 427
#endif

/* Linux 4.14: a filter's verdict that kills the whole process. */
#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif
/* Linux 5.0: user notification, and the filter flag that asks for it. */
#ifndef SECCOMP_RET_USER_NOTIF
#define SECCOMP_RET_USER_NOTIF 0x7fc00000U
#endif
#ifndef SECCOMP_GET_NOTIF_SIZES
#define SECCOMP_GET_NOTIF_SIZES 3
#endif
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
/* Linux 5.7. */
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif
/* Linux 5.19. */
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* Linux 5.13: Landlock, and how to ask for its ABI version. */
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif
#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif
/*
 * Linux 6.12 (Landlock ABI 6): scopes, a field of the ruleset attributes
 * that Debian 12's struct landlock_ruleset_attr lacks.
 */
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#endif
#ifndef LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#endif
#define COMPAT_LANDLOCK_ABI_SCOPES 6
/* Linux 5.13: entering a Landlock domain. */
#ifndef SYS_landlock_restrict_self
#define SYS_landlock_restrict_self 446
#endif
/*
 * Linux 6.15 (Landlock ABI 7): which denials the kernel logs to the audit
 * subsystem.  By default only those of the image that entered the domain;
 * NEW_EXEC_ON logs those of the images exec'd under it too.
 */
#ifndef LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON
#define LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON (1U << 1)
#endif
#define COMPAT_LANDLOCK_ABI_LOG 7
/* The ruleset attributes as of ABI 6, under a name of capwrap's own. */
struct compat_landlock_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net; /* ABI 4 */
	uint64_t scoped;	     /* ABI 6 */
};

/* Linux 6.6: io_uring switched off system-wide (0 on, 1 restricted, 2 off). */
#define COMPAT_IO_URING_DISABLED_PATH "/proc/sys/kernel/io_uring_disabled"

#endif
