/*
 * The channel transport over real socketpairs: a message with its
 * descriptors, credentials and pidfd arrives whole; anything cut, too
 * long or carrying more descriptors than taken is refused, and leaves
 * the receiver no descriptor it did not have before.
 */
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "pidfs.h"
#include "sysio.h"
#include "tap.h"
#include "transport.h"

/* Descriptors open in this process now. */
static int
open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own */
}

/* A channel: sv[0] reads with credentials, and pidfds where there are. */
static int
channel(int sv[2], int *passpidfd)
{
	int one = 1;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0 ||
	    setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) != 0)
		return -1;
	*passpidfd = setsockopt(sv[0], SOL_SOCKET, SO_PASSPIDFD, &one,
			 sizeof(one)) == 0;
	return 0;
}

static void
close_pair(int sv[2])
{
	close(sv[0]);
	close(sv[1]);
}

/* nfds copies of fd in one SCM_RIGHTS, past transport_send's limit. */
static int
send_many(int sock, int fd, int nfds, size_t len)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(16 * sizeof(int))];
	} control;
	char data[64] = "x";
	struct iovec iov = { .iov_base = data, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = CMSG_SPACE(nfds * sizeof(int)),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	memset(&control, 0, sizeof(control));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
	for (int i = 0; i < nfds; i++)
		memcpy(CMSG_DATA(cm) + i * sizeof(int), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == (ssize_t)len ? 0 : -1;
}

static void
test_round_trip(void)
{
	int sv[2], p[2], passpidfd, base, self;
	char buf[32], out[8] = "";
	struct transport_msg m = { .data = buf, .size = sizeof(buf) };

	if (channel(sv, &passpidfd) != 0 || pipe2(p, O_CLOEXEC) != 0) {
		tap_ok(0, "a socketpair and a pipe");
		return;
	}
	base = open_fds();
	tap_ok(transport_send(sv[1], "hello", 5, &p[1], 1, 0, &sysio_libc) == 0,
	    "a message with a descriptor is sent");
	tap_ok(transport_recv(sv[0], 0, 1, &m, &sysio_libc) ==
		TRANSPORT_MESSAGE,
	    "and received");
	tap_ok(m.len == 5 && memcmp(buf, "hello", 5) == 0, "whole");
	tap_ok(m.have_cred && m.cred.pid == getpid() && m.cred.uid == getuid(),
	    "with the sender's credentials");
	tap_ok(m.nfds == 1 && (fcntl(m.fds[0], F_GETFD) & FD_CLOEXEC),
	    "with its descriptor, close-on-exec");
	tap_ok(m.nfds == 1 && write(m.fds[0], "ok", 2) == 2 &&
		read(p[0], out, sizeof(out)) == 2 && memcmp(out, "ok", 2) == 0,
	    "the descriptor is the pipe's end");
	if (passpidfd) {
		int mine = (int)syscall(SYS_pidfd_open, getpid(), 0);

		tap_ok(m.pidfd >= 0 && mine >= 0 &&
			pidfs_inode(m.pidfd) == pidfs_inode(mine),
		    "with a pidfd of the sender");
		close(mine);
	} else
		tap_ok(m.pidfd == -1, "no pidfd where the kernel makes none");
	transport_discard(&m, &sysio_libc);
	tap_ok(m.nfds == 0 && m.pidfd == -1 && open_fds() == base,
	    "discarding it closes what it brought");
	self = open_fds();
	tap_ok(transport_send(sv[1], "y", 1, NULL, 0, 0, &sysio_libc) == 0 &&
		transport_recv(sv[0], 0, 1, &m, &sysio_libc) ==
		    TRANSPORT_MESSAGE &&
		m.nfds == 0 && m.len == 1,
	    "a message without descriptors");
	transport_discard(&m, &sysio_libc);
	tap_ok(open_fds() == self, "leaves nothing open");
	close(p[0]);
	close(p[1]);
	close_pair(sv);
}

static void
test_truncated_control(void)
{
	int sv[2], passpidfd, base;
	char buf[32];
	struct transport_msg m = { .data = buf, .size = sizeof(buf) };

	if (channel(sv, &passpidfd) != 0) {
		tap_ok(0, "a socketpair");
		return;
	}
	tap_ok(transport_send(sv[1], "x", 1, (int[8]){ 0 }, 8, 0,
		   &sysio_libc) == -1 &&
		errno == EINVAL,
	    "more descriptors than a message carries are not sent");
	base = open_fds();
	/* More than the control buffer holds: the kernel cuts it. */
	tap_ok(send_many(sv[1], sv[1], 12, 1) == 0, "12 descriptors sent raw");
	tap_ok(transport_recv(sv[0], 0, TRANSPORT_MAX_FDS, &m, &sysio_libc) ==
		TRANSPORT_REFUSED,
	    "control data cut short is refused");
	tap_ok(open_fds() == base && m.nfds == 0 && m.pidfd == -1,
	    "every descriptor it brought is closed");
	tap_ok(m.have_cred && m.cred.pid == getpid(),
	    "its sender is still named, for the report");
	close_pair(sv);
}

static void
test_too_many_fds(void)
{
	int sv[2], passpidfd, base, two[2];
	char buf[32];
	struct transport_msg m = { .data = buf, .size = sizeof(buf) };

	if (channel(sv, &passpidfd) != 0) {
		tap_ok(0, "a socketpair");
		return;
	}
	two[0] = two[1] = sv[1];
	base = open_fds();
	tap_ok(transport_send(sv[1], "x", 1, two, 2, 0, &sysio_libc) == 0 &&
		transport_recv(sv[0], 0, 1, &m, &sysio_libc) ==
		    TRANSPORT_REFUSED,
	    "two descriptors where one is taken: refused");
	tap_ok(open_fds() == base, "both closed");
	tap_ok(transport_send(sv[1], "x", 1, two, 1, 0, &sysio_libc) == 0 &&
		transport_recv(sv[0], 0, 0, &m, &sysio_libc) ==
		    TRANSPORT_REFUSED,
	    "a descriptor where none is taken: refused");
	tap_ok(open_fds() == base, "and closed");
	tap_ok(send_many(sv[1], sv[1], 4, 1) == 0 &&
		transport_recv(sv[0], 0, 1, &m, &sysio_libc) ==
		    TRANSPORT_REFUSED &&
		open_fds() == base,
	    "four where one is taken: refused, all closed");
	close_pair(sv);
}

static void
test_oversized(void)
{
	int sv[2], passpidfd, base;
	char buf[16], big[64];
	struct transport_msg m = { .data = buf, .size = sizeof(buf) };

	if (channel(sv, &passpidfd) != 0) {
		tap_ok(0, "a socketpair");
		return;
	}
	memset(big, 'a', sizeof(big));
	base = open_fds();
	tap_ok(transport_send(sv[1], big, sizeof(big), &sv[1], 1, 0,
		   &sysio_libc) == 0 &&
		transport_recv(sv[0], 0, 1, &m, &sysio_libc) ==
		    TRANSPORT_REFUSED,
	    "a message longer than the "
	    "buffer is refused (MSG_TRUNC)");
	tap_ok(open_fds() == base, "its descriptor closed");
	tap_ok(transport_send(sv[1], big, sizeof(buf), &sv[1], 1, 0,
		   &sysio_libc) == 0 &&
		transport_recv(sv[0], 0, 1, &m, &sysio_libc) ==
		    TRANSPORT_REFUSED,
	    "a message that fills the buffer is refused");
	tap_ok(open_fds() == base, "its descriptor closed");
	tap_ok(transport_send(sv[1], big, sizeof(buf) - 1, NULL, 0, 0,
		   &sysio_libc) == 0 &&
		transport_recv(sv[0], 0, 1, &m, &sysio_libc) ==
		    TRANSPORT_MESSAGE &&
		m.len == sizeof(buf) - 1,
	    "one byte shorter is taken");
	transport_discard(&m, &sysio_libc);
	close_pair(sv);
}

static void
test_empty_and_eof(void)
{
	int sv[2], passpidfd;
	char buf[16];
	struct transport_msg m = { .data = buf, .size = sizeof(buf) };

	if (channel(sv, &passpidfd) != 0) {
		tap_ok(0, "a socketpair");
		return;
	}
	tap_ok(transport_recv(sv[0], MSG_DONTWAIT, 1, &m, &sysio_libc) ==
		TRANSPORT_EMPTY,
	    "nothing queued: empty, not end of file");
	tap_ok(transport_send(sv[1], "", 0, NULL, 0, 0, &sysio_libc) == 0 &&
		transport_recv(sv[0], 0, 1, &m, &sysio_libc) ==
		    TRANSPORT_MESSAGE &&
		m.len == 0 && m.have_cred,
	    "an empty packet with credentials is a message, not end of file");
	transport_discard(&m, &sysio_libc);
	close(sv[1]);
	tap_ok(transport_recv(sv[0], 0, 1, &m, &sysio_libc) == TRANSPORT_EOF,
	    "the peer gone: end of file");
	close(sv[0]);
}

static void
test_cmsg_pidfd(void)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(2 * sizeof(int))];
	} c;
	struct cmsghdr *cm = &c.align;
	int v = 7, pidfd = 0;

	memset(&c, 0, sizeof(c));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_PIDFD;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &v, sizeof(v));
	tap_ok(transport_cmsg_pidfd(cm, &pidfd) && pidfd == 7,
	    "an SCM_PIDFD gives its pidfd");
	v = -ESRCH;
	memcpy(CMSG_DATA(cm), &v, sizeof(v));
	tap_ok(transport_cmsg_pidfd(cm, &pidfd) && pidfd == -1,
	    "a pidfd the kernel could not make reads as none");
	cm->cmsg_len = CMSG_LEN(2 * sizeof(int));
	tap_ok(!transport_cmsg_pidfd(cm, &pidfd), "a wrong length is not one");
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	cm->cmsg_type = SCM_RIGHTS;
	tap_ok(!transport_cmsg_pidfd(cm, &pidfd), "nor is SCM_RIGHTS");
	cm->cmsg_type = SCM_PIDFD;
	cm->cmsg_level = SOL_SOCKET + 1;
	tap_ok(!transport_cmsg_pidfd(cm, &pidfd), "nor another level");
}

int
main(void)
{
	test_round_trip();
	test_truncated_control();
	test_too_many_fds();
	test_oversized();
	test_empty_and_eof();
	test_cmsg_pidfd();
	return tap_done();
}
