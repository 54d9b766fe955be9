#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "kernel.h"

#ifdef KERNEL_FILTER_ARCH
/*
 * The fence.  Any other architecture's calls (ia32 by int 0x80 on
 * x86_64, arm32 on arm64) kill the process: capwrap never starts such
 * an image (the shim is built for one architecture only and the exec
 * gate refuses an image it cannot enter), so a call of another ABI can
 * only be a way around the shim and past these numbers; and answering
 * ENOSYS to every call of a whole ABI would leave a process of that ABI
 * unable even to exit.  On x86_64 the x32 ABI shares the architecture
 * and its numbers carry __X32_SYSCALL_BIT: masking it off refuses its
 * variants of the three calls too.
 */
static const struct sock_filter fence_filter[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, KERNEL_FILTER_ARCH, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#ifdef __x86_64__
	BPF_STMT(BPF_ALU | BPF_AND | BPF_K, ~(uint32_t)0x40000000),
#endif
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_io_uring_setup, 3, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_io_uring_enter, 2, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_io_uring_register, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
};

int
kernel_fence_install(void)
{
	struct sock_fprog prog = {
		.len = sizeof(fence_filter) / sizeof(fence_filter[0]),
		.filter = (struct sock_filter *)fence_filter,
	};

	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0)
		return 0;
	/*
	 * Without CAP_SYS_ADMIN the kernel takes a filter only from a
	 * thread that can gain no privileges by exec: set-user-ID bits and
	 * file capabilities then grant nothing.
	 */
	if (errno != EACCES || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}
#else
int
kernel_fence_install(void)
{
	errno = ENOSYS;
	return -1;
}
#endif

static const char *const feature_names[KERNEL_NFEATURES] = {
	[KERNEL_PIDFS] = "pidfs",
	[KERNEL_PEERPIDFD] = "peerpidfd",
	[KERNEL_PIDFD_INFO] = "pidfd-info",
	[KERNEL_LANDLOCK] = "landlock",
	[KERNEL_SECCOMP] = "seccomp",
	[KERNEL_SECCOMP_NOTIF] = "seccomp-notif",
	[KERNEL_IO_URING] = "io_uring",
};

const char *
kernel_feature_name(enum kernel_feature f)
{
	return feature_names[f];
}

/* One name of the hook's list, of len bytes; false if unknown. */
static bool
force_off(struct kernel_info *k, const char *name, size_t len)
{
	for (int f = 0; f < KERNEL_NFEATURES; f++)
		if (strlen(feature_names[f]) == len &&
		    memcmp(feature_names[f], name, len) == 0) {
			k->forced_off[f] = true;
			return true;
		}
	return false;
}

/* CAPWRAP_PROBE_DISABLE into forced_off; all or nothing. */
static void
read_hook(struct kernel_info *k)
{
	const char *v = getenv("CAPWRAP_PROBE_DISABLE"), *p, *end;

	if (v == NULL || *v == '\0')
		return;
	for (p = v;; p = end + 1) {
		end = strchrnul(p, ',');
		if (!force_off(k, p, (size_t)(end - p))) {
			snprintf(k->hook_error, sizeof(k->hook_error),
			    "CAPWRAP_PROBE_DISABLE: unknown feature '%.*s' "
			    "(known: pidfs, peerpidfd, pidfd-info, landlock, "
			    "seccomp, seccomp-notif, io_uring)",
			    (int)(end - p > 32 ? 32 : end - p), p);
			memset(k->forced_off, 0, sizeof(k->forced_off));
			return;
		}
		if (*end == '\0')
			break;
	}
}

/* SO_PEERPIDFD on one end of a socketpair, the other end being us. */
static int
peer_pidfd(void)
{
	int sv[2], pidfd = -1;
	socklen_t len = sizeof(pidfd);

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return -1;
	if (getsockopt(sv[0], SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) != 0)
		pidfd = -1;
	close(sv[0]);
	close(sv[1]);
	return pidfd;
}

/*
 * SO_PEERPIDFD; then, of a pidfd of our own (that one, or pidfd_open's
 * where the kernel refused it), pidfs (its file system) and
 * PIDFD_GET_INFO (it names our pid).  pidfd_open only as a fallback:
 * valgrind, which checks the launcher in the tests, does not know it.
 */
static void
detect_pidfds(struct kernel_info *k)
{
	struct compat_pidfd_info info = { .mask = COMPAT_PIDFD_INFO_PID };
	struct statfs sfs;
	int fd = peer_pidfd();

	k->has[KERNEL_PEERPIDFD] = fd >= 0;
	if (fd < 0 && (fd = (int)syscall(SYS_pidfd_open, getpid(), 0)) < 0)
		return;
	k->has[KERNEL_PIDFS] = fstatfs(fd, &sfs) == 0 &&
	    sfs.f_type == PIDFS_MAGIC;
	if (ioctl(fd, COMPAT_PIDFD_GET_INFO, &info) == 0)
		k->has[KERNEL_PIDFD_INFO] = info.pid == (uint32_t)getpid();
	close(fd);
}

/* The Landlock ABI, and the scopes a ruleset of that kernel accepts. */
static void
detect_landlock(struct kernel_info *k)
{
	static const uint64_t scopes[] = { LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET,
		LANDLOCK_SCOPE_SIGNAL };
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);

	k->landlock_abi = abi > 0 ? (int)abi : 0;
	k->has[KERNEL_LANDLOCK] = abi > 0;
	if (abi < COMPAT_LANDLOCK_ABI_SCOPES)
		return;
	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		struct compat_landlock_ruleset_attr attr = {
			.scoped = scopes[i]
		};
		int fd = (int)syscall(SYS_landlock_create_ruleset, &attr,
		    sizeof(attr), 0);

		if (fd >= 0) {
			k->landlock_scopes |= scopes[i];
			close(fd);
		}
	}
}

static bool
action_available(uint32_t action)
{
	return syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
}

/* Install a filter that allows everything with flags; false if refused. */
static bool
filter_takes(unsigned long flags)
{
	static const struct sock_filter allow[] = {
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { 1, (struct sock_filter *)allow };
	long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);

	if (fd < 0)
		return false;
	if (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
		close((int)fd);
	return true;
}

/*
 * The exit status of a child that installs filters, which only a process
 * about to exit may do: 0x80 (it ran) with KERNEL_NOTIF_* and bit 0x40
 * when the fence made io_uring_setup fail with ENOSYS.
 */
static int
filter_child(void)
{
	int out = 0x80;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return 0;
	if (filter_takes(SECCOMP_FILTER_FLAG_NEW_LISTENER |
		SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH))
		out |= KERNEL_NOTIF_TSYNC_ESRCH;
	if (filter_takes(SECCOMP_FILTER_FLAG_NEW_LISTENER |
		SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV))
		out |= KERNEL_NOTIF_WAIT_KILLABLE;
	if (kernel_fence_install() == 0 &&
	    syscall(SYS_io_uring_setup, 0, NULL) < 0 && errno == ENOSYS)
		out |= 0x40;
	return out;
}

/* Run filter_child in a child of ours; its status, or 0. */
static int
filters_in_child(void)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return 0;
	if (pid == 0)
		_exit(filter_child());
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 0;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 0;
}

static void
detect_seccomp(struct kernel_info *k)
{
	int st;

	/* EFAULT: the kernel reads filters (and found none at NULL). */
	k->has[KERNEL_SECCOMP] = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER,
				     NULL) < 0 &&
	    errno == EFAULT && action_available(SECCOMP_RET_ERRNO);
	if (!k->has[KERNEL_SECCOMP])
		return;
	k->has[KERNEL_SECCOMP_NOTIF] = action_available(
					   SECCOMP_RET_USER_NOTIF) &&
	    syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0,
		&(struct seccomp_notif_sizes){ 0 }) == 0;
	st = filters_in_child();
	if (k->has[KERNEL_SECCOMP_NOTIF])
		k->notif_flags = (unsigned)st &
		    (KERNEL_NOTIF_TSYNC_ESRCH | KERNEL_NOTIF_WAIT_KILLABLE);
	k->fence = (st & 0xc0) == 0xc0;
}

/* The sysctl, and what io_uring_setup answers for a ring of 0 entries. */
static void
detect_io_uring(struct kernel_info *k)
{
	char buf[16] = "";
	int fd = open(COMPAT_IO_URING_DISABLED_PATH, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	k->io_uring_disabled = -1;
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0 && buf[0] >= '0' && buf[0] <= '2')
			k->io_uring_disabled = buf[0] - '0';
	}
	/* EINVAL (or EFAULT): there, and ours to use; EPERM, ENOSYS: not. */
	k->io_uring_errno = syscall(SYS_io_uring_setup, 0, NULL) < 0 ? errno :
								       0;
	k->has[KERNEL_IO_URING] = k->io_uring_errno != EPERM &&
	    k->io_uring_errno != ENOSYS;
}

/* What the hook forces off reads as a kernel without it. */
static void
apply_hook(struct kernel_info *k)
{
	for (int f = 0; f < KERNEL_NFEATURES; f++)
		if (k->forced_off[f])
			k->has[f] = false;
	if (k->forced_off[KERNEL_LANDLOCK]) {
		k->landlock_abi = 0;
		k->landlock_scopes = 0;
	}
	if (k->forced_off[KERNEL_SECCOMP]) {
		k->has[KERNEL_SECCOMP_NOTIF] = false;
		k->fence = false;
	}
	if (!k->has[KERNEL_SECCOMP_NOTIF])
		k->notif_flags = 0;
	if (k->forced_off[KERNEL_IO_URING]) {
		k->io_uring_disabled = 2;
		k->io_uring_errno = EPERM;
	}
}

const struct kernel_info *
kernel_info(void)
{
	static struct kernel_info k;
	static bool done;
	struct utsname u;

	if (done)
		return &k;
	done = true;
	read_hook(&k);
	if (uname(&u) == 0)
		snprintf(k.release, sizeof(k.release), "%s", u.release);
	detect_pidfds(&k);
	/* Not asked when forced off: no system call valgrind does not know. */
	if (!k.forced_off[KERNEL_LANDLOCK])
		detect_landlock(&k);
	if (!k.forced_off[KERNEL_SECCOMP])
		detect_seccomp(&k);
	detect_io_uring(&k);
	apply_hook(&k);
	return &k;
}
