#include <sys/socket.h>
#include <sys/un.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fslisten.h"

/* The kernel's TCP_LISTEN, which Unix sockets share as their state. */
#define UNIX_LISTEN_STATE 10

static int
send_dump(int fd)
{
	struct {
		struct nlmsghdr nh;
		struct unix_diag_req req;
	} msg;

	memset(&msg, 0, sizeof(msg));
	msg.nh.nlmsg_len = sizeof(msg);
	msg.nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	msg.req.sdiag_family = AF_UNIX;
	msg.req.udiag_states = 1U << UNIX_LISTEN_STATE;
	msg.req.udiag_show = UDIAG_SHOW_NAME;
	return send(fd, &msg, sizeof(msg), 0) == (ssize_t)sizeof(msg) ? 0 : -1;
}

/*
 * The path of one answer into path, or 0: unbound, or abstract (a
 * leading NUL, which the shim gates).  The kernel gives the bytes as
 * bound, with or without a terminating NUL.
 */
static size_t
answer_path(const struct nlmsghdr *nh, char *path, size_t size)
{
	const struct unix_diag_msg *m = NLMSG_DATA(nh);
	size_t room = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*m));
	const struct rtattr *a = (const struct rtattr *)(m + 1);

	for (; RTA_OK(a, room); a = RTA_NEXT(a, room)) {
		const char *name = RTA_DATA(a);
		size_t len = RTA_PAYLOAD(a);

		if (a->rta_type != UNIX_DIAG_NAME || len == 0 ||
		    name[0] == '\0')
			continue;
		len = strnlen(name, len);
		if (len >= size)
			return 0;
		memcpy(path, name, len);
		path[len] = '\0';
		return len;
	}
	return 0;
}

struct each {
	void (*fn)(void *ctx, uint64_t ino, const char *path);
	void *ctx;
};

/* Hand over the listeners of one datagram; 1 at the dump's end, -1 on error. */
static int
take_answers(const struct nlmsghdr *nh, size_t n, const struct each *e)
{
	/* sun_path is 108 bytes: no bound path is longer. */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];

	for (; NLMSG_OK(nh, n); nh = NLMSG_NEXT(nh, n)) {
		const struct unix_diag_msg *m = NLMSG_DATA(nh);

		if (nh->nlmsg_type == NLMSG_DONE)
			return 1;
		if (nh->nlmsg_type == NLMSG_ERROR ||
		    nh->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
			return -1;
		if (m->udiag_state == UNIX_LISTEN_STATE &&
		    answer_path(nh, path, sizeof(path)) > 0)
			e->fn(e->ctx, m->udiag_ino, path);
	}
	return 0;
}

int
fslisten_each(void (*fn)(void *ctx, uint64_t ino, const char *path), void *ctx)
{
	union {
		struct nlmsghdr nh;
		char buf[32768];
	} resp;
	struct each e = { fn, ctx };
	int fd, done = 0;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0 || send_dump(fd) != 0)
		done = -1;
	while (done == 0) {
		ssize_t n = recv(fd, &resp, sizeof(resp), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0)
			done = take_answers(&resp.nh, (size_t)n, &e);
		else
			done = -1;
		/* A garbled or empty answer: errno tells nothing of it. */
		if (done < 0 && n >= 0)
			errno = EPROTO;
	}
	if (fd >= 0) {
		int saved = errno;

		close(fd);
		errno = saved;
	}
	return done < 0 ? -1 : 0;
}

static void
children_of(const char *task, pid_t *pids, size_t *n, size_t max)
{
	char path[PATH_MAX];
	long long pid;
	FILE *f;

	if ((size_t)snprintf(path, sizeof(path), "%s/children", task) >=
		sizeof(path) ||
	    (f = fopen(path, "re")) == NULL)
		return;
	while (*n < max && fscanf(f, "%lld", &pid) == 1)
		if (pid > 0 && pid <= INT32_MAX)
			pids[(*n)++] = (pid_t)pid;
	fclose(f);
}

/* The children of every thread of pid, appended. */
static void
children_of_tasks(pid_t pid, pid_t *pids, size_t *n, size_t max)
{
	char dirpath[64], task[PATH_MAX];
	struct dirent *d;
	DIR *dir;

	snprintf(dirpath, sizeof(dirpath), "/proc/%d/task", (int)pid);
	if ((dir = opendir(dirpath)) == NULL)
		return;
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(task, sizeof(task), "%s/%s", dirpath,
			d->d_name) >= sizeof(task))
			continue;
		children_of(task, pids, n, max);
	}
	closedir(dir);
}

void
fslisten_descendants(pid_t pid, pid_t *pids, size_t *n, size_t max)
{
	size_t first = *n;

	/* Breadth first: each pid found is read in turn for its own. */
	children_of_tasks(pid, pids, n, max);
	for (size_t at = first; at < *n && *n < max; at++)
		children_of_tasks(pids[at], pids, n, max);
}

void
fslisten_sockets(pid_t pid, void (*fn)(void *ctx, uint64_t ino), void *ctx)
{
	char dirpath[64], path[PATH_MAX], link[64];
	unsigned long long ino;
	struct dirent *d;
	DIR *dir;

	snprintf(dirpath, sizeof(dirpath), "/proc/%d/fd", (int)pid);
	if ((dir = opendir(dirpath)) == NULL)
		return;
	while ((d = readdir(dir)) != NULL) {
		ssize_t n;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dirpath, d->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (sscanf(link, "socket:[%llu]", &ino) == 1)
			fn(ctx, ino);
	}
	closedir(dir);
}
