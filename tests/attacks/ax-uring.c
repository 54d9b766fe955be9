/*
 * ax-uring CHECK...: an attacker that would go past the shim with
 * io_uring, whose operations never call the C library.  Each CHECK makes
 * raw system calls and prints one line "CHECK: ANSWER", the answer being
 * "fd" (a ring was made), "ok" or the errno's name:
 *
 *   setup     io_uring_setup for a ring of one entry
 *   enter     io_uring_enter on descriptor -1 (the kernel: EBADF)
 *   register  io_uring_register on descriptor -1 (the kernel: EBADF)
 *   x32       io_uring_setup by its x32 number (x86_64 only)
 *   ia32      getpid by int 0x80, the ia32 ABI (x86_64 only)
 *   child     setup, in a forked child
 *   exec      setup, in the image this process execs (as "execed")
 *   nnp       whether no_new_privs is set: "0" or "1"
 */
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"

struct uring_params {
	unsigned sq_entries, cq_entries, flags, sq_thread_cpu, sq_thread_idle;
	unsigned features, wq_fd, resv[3];
	unsigned sq_off[10], cq_off[10];
};

static void
answer(const char *check, long rc)
{
	if (rc >= 0)
		printf("%s: %s\n", check,
		    strcmp(check, "ia32") == 0 ? "ok" : "fd");
	else
		printf("%s: %s\n", check, strerrorname_np(errno));
	fflush(stdout);
}

static long
setup(long nr)
{
	struct uring_params p;

	memset(&p, 0, sizeof(p));
	return syscall(nr, 1, &p);
}

/* getpid by the ia32 entry point: its number there is 20. */
static long
ia32_getpid(void)
{
#if defined(__x86_64__)
	long rc = 20;

	__asm__ volatile("int $0x80" : "+a"(rc) : : "memory");
	if (rc < 0) {
		errno = (int)-rc;
		return -1;
	}
	return rc;
#else
	errno = ENOSYS;
	return -1;
#endif
}

static int
check(const char *self, const char *c)
{
	pid_t pid;
	int st;

	if (strcmp(c, "setup") == 0 || strcmp(c, "execed") == 0)
		answer(c, setup(SYS_io_uring_setup));
	else if (strcmp(c, "enter") == 0)
		answer(c, syscall(SYS_io_uring_enter, -1, 0, 0, 0, NULL, 0));
	else if (strcmp(c, "register") == 0)
		answer(c, syscall(SYS_io_uring_register, -1, 0, NULL, 0));
	else if (strcmp(c, "x32") == 0)
		answer(c, setup(0x40000000 | SYS_io_uring_setup));
	else if (strcmp(c, "ia32") == 0)
		answer(c, ia32_getpid());
	else if (strcmp(c, "child") == 0) {
		if ((pid = fork()) == 0) {
			answer(c, setup(SYS_io_uring_setup));
			_exit(0);
		}
		if (pid < 0 || waitpid(pid, &st, 0) != pid)
			return 1;
	} else if (strcmp(c, "exec") == 0) {
		execlp(self, self, "execed", (char *)NULL);
		answer(c, -1);
	} else if (strcmp(c, "nnp") == 0)
		printf("nnp: %d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	else {
		fprintf(stderr, "ax-uring: unknown check %s\n", c);
		return 2;
	}
	fflush(stdout);
	return 0;
}

int
main(int argc, char **argv)
{
	int rc = 0;

	for (int i = 1; i < argc && rc == 0; i++)
		rc = check(argv[0], argv[i]);
	return rc;
}
