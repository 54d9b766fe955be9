/*
 * The target's memory and descriptors.  Every read is followed by a
 * check that the notification is still pending: its thread is then still
 * stopped in the call, so the process read is the one that made it and
 * not another that took its pid (seccomp_unotify(2)).  What was read is
 * copied here and only the copy is used: the program's other threads
 * may change the original meanwhile.
 */
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <errno.h>
#include <stdio.h>
#include <linux/seccomp.h>
#include <unistd.h>

#include "compat.h"
#include "unotify.h"

bool
target_valid(const struct target *t)
{
	uint64_t id = t->id;

	return ioctl(t->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

int
tmem_read(const struct target *t, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };

	if (len == 0)
		return 0;
	if (process_vm_readv(t->pid, &local, 1, &remote, 1, 0) !=
	    (ssize_t)len) {
		errno = EFAULT;
		return -1;
	}
	if (!target_valid(t)) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

int
tmem_write(const struct target *t, uint64_t addr, const void *buf, size_t len)
{
	struct iovec local = { (void *)buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };

	if (len == 0)
		return 0;
	if (!target_valid(t)) {
		errno = ENOENT;
		return -1;
	}
	if (process_vm_writev(t->pid, &local, 1, &remote, 1, 0) !=
	    (ssize_t)len) {
		errno = EFAULT;
		return -1;
	}
	return 0;
}

/*
 * A pidfd of the notifying thread's process.  The notification names a
 * thread, not always its group's leader: PIDFD_THREAD (Linux 6.9) opens
 * the thread itself; before it, the thread's group is read from /proc.
 */
static int
open_pidfd(pid_t tid)
{
	char path[64], line[128];
	long tgid = -1;
	FILE *f;
	int fd = (int)syscall(SYS_pidfd_open, tid, COMPAT_PIDFD_THREAD);

	if (fd >= 0 || errno != EINVAL)
		return fd;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Tgid: %ld", &tgid) == 1)
			break;
	fclose(f);
	if (tgid <= 0) {
		errno = ESRCH;
		return -1;
	}
	return (int)syscall(SYS_pidfd_open, (pid_t)tgid, 0);
}

int
target_fd(struct target *t, int fd)
{
	int dup;

	if (t->pidfd < 0) {
		t->pidfd = open_pidfd(t->pid);
		if (t->pidfd < 0)
			return -1;
		/* The pidfd names the notifying process, not a successor. */
		if (!target_valid(t)) {
			errno = ENOENT;
			return -1;
		}
	}
	dup = (int)syscall(SYS_pidfd_getfd, t->pidfd, fd, 0);
	if (dup < 0)
		return -1;
	if (!target_valid(t)) {
		close(dup);
		errno = ENOENT;
		return -1;
	}
	return dup;
}

bool
answer_send(const struct target *t, const struct answer *a)
{
	struct seccomp_notif_resp resp = { .id = t->id };

	if (a->addfd >= 0) {
		struct seccomp_notif_addfd add = {
			.id = t->id,
			.flags = a->setfd >= 0 ? SECCOMP_ADDFD_FLAG_SETFD :
						 SECCOMP_ADDFD_FLAG_SEND,
			.srcfd = (uint32_t)a->addfd,
			.newfd = a->setfd >= 0 ? (uint32_t)a->setfd : 0,
			.newfd_flags = a->addfd_flags,
		};

		if (ioctl(t->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add) < 0)
			return false;
		if (a->setfd < 0)
			return true;
	}
	if (a->cont)
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	else if (a->error != 0)
		resp.error = -a->error;
	else
		resp.val = a->val;
	return ioctl(t->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0;
}
