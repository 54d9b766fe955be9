/*
 * Whom the launcher says it reaps (launcher/reappage.c): its own
 * children, each asked of the kernel once and then known by pidfs inode;
 * never a process that is not its child, nor a record marked dead.
 */
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "reappage.h"
#include "registry.h"
#include "tap.h"

/* A record as the registry keeps it, for the live process pid. */
static int
record(struct proc *p, pid_t pid)
{
	struct stat st;

	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (p->pidfd < 0 || fstat(p->pidfd, &st) != 0)
		return -1;
	p->pidfs_ino = (uint64_t)st.st_ino;
	return 0;
}

/* A child that lives until its pipe closes. */
static pid_t
child(int *release)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p) != 0 || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		close(p[1]);
		_exit(read(p[0], &c, 1) == 0 ? 0 : 1);
	}
	close(p[0]);
	*release = p[1];
	return pid;
}

/* Does this kernel answer PIDFD_GET_INFO (Linux 6.13)? */
static int
has_info(int pidfd)
{
	struct compat_pidfd_info info = { .mask = COMPAT_PIDFD_INFO_PID };

	return ioctl(pidfd, COMPAT_PIDFD_GET_INFO, &info) == 0;
}

int
main(void)
{
	struct proc kid, again, parent, mixed;
	int release, status;
	pid_t pid;

	if (reappage_init() != 0 || (pid = child(&release)) < 0 ||
	    record(&kid, pid) != 0 || record(&parent, getppid()) != 0) {
		printf("1..0 # SKIP no reap page, fork or pidfd here\n");
		return 0;
	}
	if (!has_info(kid.pidfd)) {
		tap_ok(!reappage_reaps(&kid),
		    "without PIDFD_GET_INFO no process is said reaped here");
		return tap_done();
	}
	tap_ok(reappage_reaps(&kid), "a child is reaped here");
	tap_ok(reappage_reaps(&kid), "and still is, asked again");
	tap_ok(!reappage_reaps(&parent), "the parent is not");
	tap_ok(!reappage_reaps(&parent),
	    "nor is it, asked again (a no is not kept)");
	/* The child's pid with another process's pidfd and inode. */
	mixed = parent;
	mixed.pid = kid.pid;
	tap_ok(!reappage_reaps(&mixed),
	    "a record whose pidfd names another process is not");
	kid.dead = true;
	tap_ok(!reappage_reaps(&kid), "a record marked dead is not");
	close(release);
	if (waitpid(pid, &status, 0) != pid)
		return 1;
	/* A new child, asked of the kernel: the first one's answer is not its.
	 */
	if ((pid = child(&release)) < 0 || record(&again, pid) != 0)
		return 1;
	tap_ok(again.pidfs_ino != kid.pidfs_ino && reappage_reaps(&again),
	    "a new child, with an inode of its own, is reaped here");
	close(release);
	waitpid(pid, &status, 0);
	return tap_done();
}
