/*
 * bench-calls [COUNT]
 * The price on this machine of each system call the gates and the broker
 * make, one after another COUNT times (default 20000), as
 * "METRIC call_NAME nanoseconds ns".  Multiplying these by the calls each
 * path makes (strace -c shows them) accounts for the CPU time the
 * wrapped figures add.  Run raw: it measures the kernel, not capwrap.
 * The last two are whole round trips to another process over a channel,
 * with a socketpair or a pipe for the reply.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/netlink.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "compat.h"
#include "unixdiag.h"

static long count = 20000;

/* Everything one measurement needs. */
static struct {
	int listener, client, pidfd, diag, channel;
	struct sockaddr_un addr;
	socklen_t addr_len;
	ino_t listener_ino;
} s;

static void
call_getpid(void)
{
	(void)syscall(SYS_getpid);
}

static void
call_so_domain(void)
{
	int v;
	socklen_t l = sizeof(v);

	(void)getsockopt(s.client, SOL_SOCKET, SO_DOMAIN, &v, &l);
}

static void
call_so_type(void)
{
	int v;
	socklen_t l = sizeof(v);

	(void)getsockopt(s.client, SOL_SOCKET, SO_TYPE, &v, &l);
}

static void
call_fcntl_getfl(void)
{
	(void)fcntl(s.client, F_GETFL);
}

static void
call_sigmask_pair(void)
{
	sigset_t all, old;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void
call_getsockname(void)
{
	struct sockaddr_un sun;
	socklen_t l = sizeof(sun);

	(void)getsockname(s.listener, (struct sockaddr *)&sun, &l);
}

static void
call_so_peercred(void)
{
	struct ucred c;
	socklen_t l = sizeof(c);

	(void)getsockopt(s.client, SOL_SOCKET, SO_PEERCRED, &c, &l);
}

static void
call_so_peerpidfd_close(void)
{
	int fd = -1;
	socklen_t l = sizeof(fd);

	if (getsockopt(s.client, SOL_SOCKET, SO_PEERPIDFD, &fd, &l) == 0)
		close(fd);
}

static void
call_fstatfs(void)
{
	struct statfs f;

	(void)fstatfs(s.pidfd, &f);
}

static void
call_fstat(void)
{
	struct stat st;

	(void)fstat(s.pidfd, &st);
}

static void
call_pidfd_signal(void)
{
	(void)syscall(SYS_pidfd_send_signal, s.pidfd, 0, NULL, 0);
}

/* What the check of a kept pidfd asks (shim/pidkeep.c). */
static void
call_pidfd_get_info(void)
{
	bench_pidfd_get_info(s.pidfd);
}

static void
call_reply_socketpair(void)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0) {
		close(sv[0]);
		close(sv[1]);
	}
}

/* The alternative to the reply socketpair: a pipe (docs/PERFORMANCE.md). */
static void
call_reply_pipe(void)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) == 0) {
		close(p[0]);
		close(p[1]);
	}
}

/*
 * A whole channel round trip, as the shim makes one, with either kind of
 * reply descriptor: the request carries the write end by SCM_RIGHTS, an
 * answerer process (the launcher's part) writes a reply on it and closes
 * it.  This one crosses processes, so it also pays the wake-ups.
 */
enum { REQUEST_SIZE = 124, REPLY_SIZE = 160 };

static void
send_with_fd(int sock, int fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	char req[REQUEST_SIZE] = { 0 };
	struct iovec iov = { .iov_base = req, .iov_len = sizeof(req) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	memset(&control, 0, sizeof(control));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) != (ssize_t)sizeof(req))
		bench_die("sendmsg");
}

/*
 * The answerer: until EOF, reply to each request on the descriptor it carries.
 */
static void
answer_requests(int sock)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	char req[REQUEST_SIZE], reply[REPLY_SIZE] = { 0 };
	struct iovec iov = { .iov_base = req, .iov_len = sizeof(req) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct stat st;
	int fd;

	for (;;) {
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) <= 0 ||
		    CMSG_FIRSTHDR(&msg) == NULL)
			_exit(0);
		memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
		if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode))
			(void)send(fd, reply, sizeof(reply),
			    MSG_NOSIGNAL | MSG_DONTWAIT);
		else
			(void)!write(fd, reply, sizeof(reply));
		close(fd);
	}
}

static void
round_trip(bool pipe_reply)
{
	char reply[REPLY_SIZE + 1];
	int r[2];

	if (pipe_reply ?
		pipe2(r, O_CLOEXEC) :
		socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, r))
		bench_die("reply descriptor");
	send_with_fd(s.channel, r[1]);
	close(r[1]);
	if (read(r[0], reply, sizeof(reply)) != REPLY_SIZE)
		bench_die("reply");
	close(r[0]);
}

static void
call_rtt_reply_socketpair(void)
{
	round_trip(false);
}

static void
call_rtt_reply_pipe(void)
{
	round_trip(true);
}

static void
call_netlink_open_close(void)
{
	close(socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
}

/* One sock_diag lookup of a unix socket by inode, on an open socket. */
static ssize_t
diag_io(int fd, void *buf, size_t len, int send_it)
{
	return send_it ? send(fd, buf, len, 0) : recv(fd, buf, len, 0);
}

/* The launcher's and the shim's own query (common/unixdiag.c). */
static void
call_sock_diag_lookup(void)
{
	(void)unixdiag_exists(s.diag, s.listener_ino, diag_io);
}

static void
call_proc_stat(void)
{
	char buf[1024];
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		(void)!read(fd, buf, sizeof(buf));
		close(fd);
	}
}

/* A whole raw connection in one thread, for scale. */
static void
call_connect_accept(void)
{
	int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), a;

	if (connect(c, (struct sockaddr *)&s.addr, s.addr_len) == 0 &&
	    (a = accept4(s.listener, NULL, NULL, SOCK_CLOEXEC)) >= 0)
		close(a);
	close(c);
}

static void
measure(const char *name, void (*fn)(void))
{
	char metric[64];
	uint64_t t0;

	for (long i = 0; i < count / 10; i++)
		fn();
	t0 = bench_now_ns();
	for (long i = 0; i < count; i++)
		fn();
	snprintf(metric, sizeof(metric), "call_%s", name);
	bench_metric(metric, (double)(bench_now_ns() - t0) / (double)count,
	    "ns");
}

int
main(int argc, char **argv)
{
	const sa_family_t family = AF_UNIX;
	struct stat st;
	pid_t answerer;
	socklen_t l;
	int sv[2];

	if (argc > 2) {
		fprintf(stderr, "usage: bench-calls [COUNT]\n");
		return 2;
	}
	if (argc == 2)
		count = bench_count(argv[1], 10, 100000000);
	s.listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	s.addr_len = sizeof(s.addr);
	if (s.listener < 0 ||
	    bind(s.listener, (const struct sockaddr *)&family,
		sizeof(family)) != 0 ||
	    listen(s.listener, 64) != 0 ||
	    getsockname(s.listener, (struct sockaddr *)&s.addr, &s.addr_len) !=
		0 ||
	    fstat(s.listener, &st) != 0)
		bench_die("listener");
	s.listener_ino = st.st_ino;
	s.client = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s.client < 0 ||
	    connect(s.client, (struct sockaddr *)&s.addr, s.addr_len) != 0)
		bench_die("connect");
	l = sizeof(s.pidfd);
	if (getsockopt(s.client, SOL_SOCKET, SO_PEERPIDFD, &s.pidfd, &l) != 0)
		bench_die("SO_PEERPIDFD");
	s.diag = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
	    NETLINK_SOCK_DIAG);
	if (s.diag < 0)
		bench_die("sock_diag socket");

	measure("getpid", call_getpid);
	measure("so_domain", call_so_domain);
	measure("so_type", call_so_type);
	measure("fcntl_getfl", call_fcntl_getfl);
	measure("sigmask_pair", call_sigmask_pair);
	measure("getsockname", call_getsockname);
	measure("so_peercred", call_so_peercred);
	measure("so_peerpidfd_close", call_so_peerpidfd_close);
	measure("fstatfs_pidfd", call_fstatfs);
	measure("fstat_pidfd", call_fstat);
	measure("pidfd_signal0", call_pidfd_signal);
	measure("pidfd_get_info", call_pidfd_get_info);
	measure("reply_socketpair", call_reply_socketpair);
	measure("reply_pipe", call_reply_pipe);
	measure("netlink_open_close", call_netlink_open_close);
	measure("sock_diag_lookup", call_sock_diag_lookup);
	measure("proc_stat_read", call_proc_stat);
	measure("raw_conn_accept", call_connect_accept);

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		bench_die("channel");
	if ((answerer = fork()) < 0)
		bench_die("fork");
	if (answerer == 0) {
		close(sv[0]);
		answer_requests(sv[1]);
	}
	close(sv[1]);
	s.channel = sv[0];
	measure("rtt_reply_socketpair", call_rtt_reply_socketpair);
	measure("rtt_reply_pipe", call_rtt_reply_pipe);
	close(s.channel);
	(void)waitpid(answerer, NULL, 0);
	return 0;
}
