/*
 * The filter a supervised program runs under.  The calls that name or
 * take a Unix socket's peer go to the supervisor: bind, connect, listen,
 * accept, accept4, sendmsg and sendmmsg (whose destination is in memory
 * the filter cannot read), and sendto with a destination.  Everything
 * else runs untouched, at the kernel's speed.
 *
 * Another architecture's calls (ia32 through int 0x80 on x86_64) kill
 * the process, as the io_uring fence's do (common/kernel.c says why), and
 * so do the x32 ABI's: capwrap starts no x32 image, and x32's sendmsg
 * and sendmmsg are not the x86_64 numbers with a bit set.
 */
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <unistd.h>

#include "compat.h"
#include "kernel.h"
#include "unotify.h"

#ifdef KERNEL_FILTER_ARCH
#define ARG_LO(n) (offsetof(struct seccomp_data, args) + 8 * (n))
#define ARG_HI(n) (ARG_LO(n) + 4)
#define NOTIFY BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF)
#define ALLOW BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

static const struct sock_filter filter[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, KERNEL_FILTER_ARCH, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#ifdef __x86_64__
	/* x32: its sendmsg and sendmmsg have numbers of their own. */
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x40000000, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
#endif
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_bind, 8, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_connect, 7, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_listen, 6, 0),
#ifdef SYS_accept
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_accept, 5, 0),
#else
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_accept4, 5, 0),
#endif
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_accept4, 4, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_sendmsg, 3, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_sendmmsg, 2, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_sendto, 2, 0),
	ALLOW,
	NOTIFY,
	/* sendto: only with a destination (its fifth argument). */
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(4)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0),
	NOTIFY,
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_HI(4)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
	ALLOW,
	NOTIFY,
};

int
filter_install(void)
{
	struct sock_fprog prog = {
		.len = sizeof(filter) / sizeof(filter[0]),
		.filter = (struct sock_filter *)filter,
	};
	long fd;

	/* Without CAP_SYS_ADMIN, only a thread that gains nothing by exec. */
	fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	    SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (fd < 0 && errno == EACCES) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
			return -1;
		fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		    SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	}
	return (int)fd;
}
#else
int
filter_install(void)
{
	errno = ENOSYS;
	return -1;
}
#endif
