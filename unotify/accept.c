/*
 * accept on a Unix socket, performed here: the shim's accept gate admits
 * or refuses the connection, and an admitted one (or the gate's
 * stand-in for a refused one) is installed in the program and returned
 * by the same ioctl, atomically (SECCOMP_ADDFD_FLAG_SEND).
 *
 * A blocking accept with nothing queued waits here, not in the kernel:
 * the program's thread stays in the call, interruptible by signals, until
 * the listener is readable (serve.c).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "unotify.h"

/* Connections accepted for a call that went away, by listener. */
#define MAX_KEPT 32
static struct {
	uint64_t listener;
	int fd;
} kept[MAX_KEPT];
static size_t nkept;

void
accept_keep(const struct answer *a)
{
	if (nkept == MAX_KEPT) {
		/* Full: the connection is lost, as on a crash of ours. */
		close(a->addfd);
		return;
	}
	kept[nkept].listener = a->listener;
	kept[nkept].fd = a->addfd;
	nkept++;
}

static int
take_kept(uint64_t listener)
{
	for (size_t i = 0; i < nkept; i++) {
		if (kept[i].listener == listener) {
			int fd = kept[i].fd;

			kept[i] = kept[--nkept];
			return fd;
		}
	}
	return -1;
}

/* The peer's address into the program's buffers, as accept(2) fills them. */
static int
give_address(const struct target *t, const uint64_t *args,
    const struct sockaddr_un *sun, socklen_t len)
{
	socklen_t room;

	if (args[1] == 0)
		return 0;
	if (tmem_read(t, args[2], &room, sizeof(room)) != 0)
		return errno;
	if ((int)room < 0)
		return EINVAL;
	if (tmem_write(t, args[1], sun, room < len ? room : len) != 0 ||
	    tmem_write(t, args[2], &len, sizeof(len)) != 0)
		return errno;
	return 0;
}

static bool
listening(int sock)
{
	int on = 0;
	socklen_t len = sizeof(on);

	return getsockopt(sock, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 &&
	    on != 0;
}

int
accept_call(struct target *t, const struct seccomp_notif *n, int sock,
    struct answer *ans, int *wait_fd)
{
	const uint64_t *args = (const uint64_t *)n->data.args;
	int flags = n->data.nr == SYS_accept4 ? (int)args[3] : 0;
	struct sockaddr_un from = { .sun_family = AF_UNIX };
	socklen_t fromlen = sizeof(sa_family_t);
	struct stat st;
	int conn, err;

	*ans = (struct answer){ .addfd = -1, .setfd = -1 };
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) {
		ans->error = EINVAL;
		return 0;
	}
	if (fstat(sock, &st) != 0) {
		ans->error = errno;
		return 0;
	}
	/* Not listening: the kernel's answer now, not a wait for nothing. */
	if (!listening(sock)) {
		ans->error = socket_type(sock) == SOCK_DGRAM ? EOPNOTSUPP :
							       EINVAL;
		return 0;
	}
	if ((conn = take_kept((uint64_t)st.st_ino)) < 0) {
		int fl = fcntl(sock, F_GETFL);
		struct pollfd p = { .fd = sock, .events = POLLIN };

		if (fl >= 0 && !(fl & O_NONBLOCK) && poll(&p, 1, 0) == 0) {
			*wait_fd = sock;
			return 1;
		}
		/* Through the shim's gate; the address as it reports it. */
		fromlen = sizeof(from);
		conn = accept4(sock, (struct sockaddr *)&from, &fromlen,
		    SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (conn < 0) {
			/* A blocking listener whose connection was taken. */
			if (errno == EAGAIN && fl >= 0 && !(fl & O_NONBLOCK)) {
				*wait_fd = sock;
				return 1;
			}
			ans->error = errno;
			return 0;
		}
	}
	/* O_NONBLOCK as the program asked for the new descriptor. */
	(void)fcntl(conn, F_SETFL, (flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0);
	if ((err = give_address(t, args, &from, fromlen)) != 0) {
		ans->addfd = conn;
		ans->listener = (uint64_t)st.st_ino;
		accept_keep(ans);
		*ans = (struct answer){ .error = err,
			.addfd = -1,
			.setfd = -1 };
		return 0;
	}
	ans->addfd = conn;
	ans->addfd_flags = (flags & SOCK_CLOEXEC) ? O_CLOEXEC : 0;
	ans->listener = (uint64_t)st.st_ino;
	return 0;
}
