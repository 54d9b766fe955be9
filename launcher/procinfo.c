#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procinfo.h"
#include "procstat.h"

#ifndef PIDFS_MAGIC
#define PIDFS_MAGIC 0x50494446
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

int
procinfo_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

uint64_t
procinfo_pidfd_ino(int pidfd)
{
	/* The kernel's answer cannot change: asked of the first pidfd only. */
	static int pidfs;	/* 0 not yet, 1 yes, -1 no */
	struct statfs sfs;
	struct stat st;

	/* Before pidfs (Linux 6.9) every pidfd shares one anonymous inode. */
	if (pidfs == 0 && fstatfs(pidfd, &sfs) == 0)
		pidfs = sfs.f_type == PIDFS_MAGIC ? 1 : -1;
	if (pidfs <= 0 || fstat(pidfd, &st) != 0)
		return 0;
	return st.st_ino;
}

bool
procinfo_pidfd_exited(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	return poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP));
}

static ssize_t
read_file(const char *path, char *buf, size_t size)
{
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((size_t)total < size - 1 &&
	    (n = read(fd, buf + total, size - 1 - total)) > 0)
		total += n;
	close(fd);
	buf[total] = '\0';
	return total;
}

pid_t
procinfo_pidfd_pid(int pidfd)
{
	char path[64], buf[2048], *p;
	long pid;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	if (read_file(path, buf, sizeof(buf)) <= 0 ||
	    (p = strstr(buf, "\nPid:")) == NULL)
		return -1;
	pid = strtol(p + 5, NULL, 10);
	return pid > 0 ? (pid_t)pid : -1;
}

uint64_t
procinfo_start_time(pid_t pid)
{
	char path[64], buf[1024];
	uint64_t start;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((n = read_file(path, buf, sizeof(buf))) <= 0 ||
	    procstat_start_time(buf, (size_t)n, &start) != 0)
		return 0;
	return start;
}

void
procinfo_exe(pid_t pid, char *buf, size_t size)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	n = readlink(path, buf, size - 1);
	buf[n < 0 ? 0 : n] = '\0';
}

void
procinfo_cmdline(pid_t pid, char *buf, size_t size)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	n = read_file(path, buf, size);
	if (n <= 0) {
		buf[0] = '\0';
		return;
	}
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	while (n > 0 && buf[n - 1] == ' ')
		buf[--n] = '\0';
}

pid_t
procinfo_ppid(pid_t pid)
{
	char path[64], buf[4096], *p;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (read_file(path, buf, sizeof(buf)) <= 0 ||
	    (p = strstr(buf, "\nPPid:")) == NULL)
		return -1;
	return (pid_t)strtol(p + 6, NULL, 10);
}
