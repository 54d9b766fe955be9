/*
 * ax-landlock CHECK ARG...: an attacker that dials abstract sockets past
 * the shim, by raw system calls no hook sees.  Each CHECK prints one line
 * "CHECK: ANSWER", the answer being "ok" or the errno's name:
 *
 *   dial NAME    socket(AF_UNIX, SOCK_STREAM) and connect to @NAME
 *   dgram NAME   socket(AF_UNIX, SOCK_DGRAM) and sendto @NAME
 *   child NAME   dial, in a forked child
 *   exec NAME    dial, in the image this process execs (as "execed")
 *   kill PID     kill(PID, 0)
 *   serve NAME   bind @NAME and listen ("serve: ok"), then accept
 *                and close connections until killed
 *   dserve NAME  bind a datagram socket to @NAME ("dserve: ok"), then
 *                print "got N" for each datagram of N bytes
 *   extdial NAME ask the launcher on the channel to connect a stream
 *                socket to @NAME (WIRE_EXTDIAL), whatever the shim
 *                would do: "extdial: connected", or the errno refused
 *
 * exec ends the list.  The calls go by the syscall instruction itself:
 * the shim hooks syscall(3) too.
 */
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "axchan.h"
#include "rawtrap.h"
#include "wire.h"

#ifndef RAWTRAP
#error "ax-landlock: no raw system calls for this architecture"
#endif

/* A system call by the instruction: -1 with errno, as syscall(2). */
#define RAW(n, a, b, c, d, e, f) \
	raw(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

static long
raw(long n, long a, long b, long c, long d, long e, long f)
{
	long rc = rawtrap(n, a, b, c, d, e, f);

	if (rc < 0 && rc > -4096) {
		errno = (int)-rc;
		return -1;
	}
	return rc;
}

static void
answer(const char *check, long rc)
{
	if (rc >= 0)
		printf("%s: ok\n", check);
	else
		printf("%s: %s\n", check, strerrorname_np(errno));
	fflush(stdout);
}

static socklen_t
address(const char *name, struct sockaddr_un *sun)
{
	size_t n = strlen(name);

	if (n >= sizeof(sun->sun_path)) {
		fprintf(stderr, "ax-landlock: name too long\n");
		exit(2);
	}
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path + 1, name, n);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

static long
raw_socket(int type)
{
	return RAW(SYS_socket, AF_UNIX, type | SOCK_CLOEXEC, 0, 0, 0, 0);
}

static long
dial(const char *name, int type)
{
	struct sockaddr_un sun;
	socklen_t len = address(name, &sun);
	long fd = raw_socket(type), rc;

	if (fd < 0)
		return -1;
	if (type == SOCK_DGRAM)
		rc = RAW(SYS_sendto, fd, "x", 1, 0, &sun, len);
	else
		rc = RAW(SYS_connect, fd, &sun, len, 0, 0, 0);
	if (rc < 0) {
		int err = errno;

		close((int)fd);
		errno = err;
		return -1;
	}
	close((int)fd);
	return 0;
}

static void
child(const char *name)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		answer("child", dial(name, SOCK_STREAM));
		_exit(0);
	}
	if (pid < 0)
		answer("child", -1);
	else
		(void)waitpid(pid, &st, 0);
}

static void
serve(const char *check, const char *name, int type)
{
	struct sockaddr_un sun;
	socklen_t len = address(name, &sun);
	long fd = raw_socket(type), c;
	char buf[256];

	if (fd < 0 || RAW(SYS_bind, fd, &sun, len, 0, 0, 0) != 0 ||
	    (type == SOCK_STREAM && RAW(SYS_listen, fd, 16, 0, 0, 0, 0) != 0)) {
		answer(check, -1);
		exit(1);
	}
	answer(check, 0);
	for (;;) {
		if (type == SOCK_STREAM) {
			if ((c = RAW(SYS_accept4, fd, 0, 0, 0, 0, 0)) >= 0)
				close((int)c);
		} else if ((c = RAW(SYS_recvfrom, fd, buf, sizeof(buf), 0, 0,
				0)) >= 0) {
			printf("got %ld\n", c);
			fflush(stdout);
		}
	}
}

/* The launcher's answer to an EXTDIAL of name: 0 connected, or -1. */
static long
extdial(const char *name)
{
	const char *env = getenv(WIRE_CHANNEL_ENV);
	union wire_msg m, r;
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &r, .iov_len = sizeof(r) };
	struct msghdr mh = { .msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf) };
	int sv[2];
	ssize_t n;

	if (env == NULL ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		errno = EBADF;
		return -1;
	}
	wire_init(&m, WIRE_EXTDIAL);
	m.extdial.socktype = WIRE_SOCK_STREAM;
	(void)wire_set_name(&m.extdial.name, name, strlen(name));
	if (ax_send(atoi(env), &m, sizeof(m.extdial), &sv[1], 1) != 0)
		return -1;
	close(sv[1]);
	n = recvmsg(sv[0], &mh, 0);
	close(sv[0]);
	if (n <= 0 || wire_decode(&r, (size_t)n, &r) != 0) {
		errno = EPROTO;
		return -1;
	}
	if (r.reply.verdict == WIRE_CONNECTED && mh.msg_controllen > 0)
		return 0;
	errno = r.reply.verdict == WIRE_DENY ? r.reply.error : EPROTO;
	return -1;
}

int
main(int argc, char **argv)
{
	for (int i = 1; i + 1 < argc; i += 2) {
		const char *c = argv[i], *arg = argv[i + 1];

		if (strcmp(c, "dial") == 0 || strcmp(c, "execed") == 0)
			answer(c, dial(arg, SOCK_STREAM));
		else if (strcmp(c, "dgram") == 0)
			answer(c, dial(arg, SOCK_DGRAM));
		else if (strcmp(c, "child") == 0)
			child(arg);
		else if (strcmp(c, "exec") == 0) {
			execl("/proc/self/exe", argv[0], "execed", arg,
			    (char *)NULL);
			answer("exec", -1);
		} else if (strcmp(c, "kill") == 0)
			answer(c, RAW(SYS_kill, atoi(arg), 0, 0, 0, 0, 0));
		else if (strcmp(c, "serve") == 0)
			serve(c, arg, SOCK_STREAM);
		else if (strcmp(c, "extdial") == 0) {
			long rc = extdial(arg);

			if (rc == 0)
				printf("extdial: connected\n"), fflush(stdout);
			else
				answer(c, rc);
		} else if (strcmp(c, "dserve") == 0)
			serve(c, arg, SOCK_DGRAM);
		else {
			fprintf(stderr, "ax-landlock: unknown check %s\n", c);
			return 2;
		}
	}
	return 0;
}
