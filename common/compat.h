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

#endif
