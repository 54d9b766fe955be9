/*
 * hx-epoll et NAME GO
 *	A non-blocking listener under edge-triggered epoll.  Prints
 *	"listening pid=N", waits for the file GO, makes one epoll_wait and
 *	accepts until the kernel says EAGAIN, as event loops do: every
 *	connection queued before that one wake-up must come out of it.
 *	Prints "accepted LINE" per connection, then "accept: ERRNO" and
 *	"wake-up accepted N".
 * hx-epoll abort NAME GO
 *	A blocking listener: after GO, poll() for a pending connection,
 *	then accept(): prints "poll: N", "accept: ERRNO" (OK if it returned
 *	a connection) and, for a connection, "addrlen: N", what a read
 *	returns ("read: N" or "read: ERRNO") and what a send does ("send:
 *	N" or "send: ERRNO").
 * hx-epoll slow NAME GO
 *	A listener that calls listen() twice (backlog 16, then 0, as a
 *	server changing its backlog on reload does), accepts nothing until
 *	GO exists, then answers every connection queued ("served N").
 * hx-epoll fill NAME GO
 *	Non-blocking connects to NAME until the full backlog says EAGAIN,
 *	then create GO and retry until a connect succeeds; every connection
 *	made must be answered.  Prints "queued N then EAGAIN" and
 *	"answered N of N".
 * hx-epoll accept4 NAME PATH
 *	Compare accept4() on a gated listener (NAME) with accept4() on an
 *	ungated one (the filesystem PATH): every combination of SOCK_CLOEXEC,
 *	SOCK_NONBLOCK and a NULL or real address, each peer a forked child.
 *	Prints one "gated ..." and one "plain ..." line per case with what
 *	the call returned, then "same" or "DIFFERENT" for the cases with
 *	both or neither of addr and addrlen, and "addr without addrlen:
 *	same" or "...: DIFFERENT" for a NULL addrlen with a real addr.
 */
#include <sys/epoll.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "hx.h"

static int
listener(const struct sockaddr_un *sun, socklen_t len, int flags)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | flags, 0);

	if (fd < 0 || bind(fd, (const struct sockaddr *)sun, len) != 0)
		fx_refused("bind");
	if (listen(fd, 16) != 0)
		fx_refused("listen");
	return fd;
}

static void
answer(int cfd, const char *prefix)
{
	char buf[512], reply[600];
	int fl = fcntl(cfd, F_GETFL);

	(void)fcntl(cfd, F_SETFL, fl & ~O_NONBLOCK);
	if (hx_read_line(cfd, buf, sizeof(buf)) > 0) {
		if (prefix != NULL)
			fx_say("%s %s", prefix, buf);
		snprintf(reply, sizeof(reply), "echo %s\n", buf);
		(void)!write(cfd, reply, strlen(reply));
	}
	(void)fcntl(cfd, F_SETFL, fl);
}

static int
edge_triggered(const char *name, const char *go)
{
	struct sockaddr_un sun;
	socklen_t len = fx_abstract(&sun, name);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET }, got[4];
	int lfd = listener(&sun, len, SOCK_NONBLOCK), ep, n, count = 0;

	ep = epoll_create1(EPOLL_CLOEXEC);
	ev.data.fd = lfd;
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) != 0)
		fx_refused("epoll");
	fx_say("listening pid=%d", (int)getpid());
	hx_wait_file(go);
	n = epoll_wait(ep, got, 4, 10000);
	fx_say("epoll_wait: %d", n);
	for (;;) {
		int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (cfd < 0) {
			fx_say("accept: %s", hx_errname(errno));
			if (errno == EAGAIN)
				break;
			if (errno == ECONNABORTED || errno == EINTR)
				continue;
			return FX_REFUSED;
		}
		answer(cfd, "accepted");
		close(cfd);
		count++;
	}
	fx_say("wake-up accepted %d", count);
	/* Nothing was stranded: the next edge-triggered wait finds nothing. */
	fx_say("next epoll_wait: %d", epoll_wait(ep, got, 4, 0));
	return FX_OK;
}

static int
abort_after_poll(const char *name, const char *go)
{
	struct sockaddr_un sun;
	socklen_t len = fx_abstract(&sun, name);
	int lfd = listener(&sun, len, 0), cfd;
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	struct sockaddr_un from;
	socklen_t fromlen = sizeof(from);
	char buf[64];
	ssize_t n;

	fx_say("listening pid=%d", (int)getpid());
	hx_wait_file(go);
	fx_say("poll: %d", poll(&p, 1, 10000));
	cfd = accept(lfd, (struct sockaddr *)&from, &fromlen);
	fx_say("accept: %s", hx_errname(cfd < 0 ? errno : 0));
	if (cfd < 0)
		return FX_OK;
	fx_say("addrlen: %d", (int)fromlen);
	n = read(cfd, buf, sizeof(buf));
	if (n < 0)
		fx_say("read: %s", hx_errname(errno));
	else
		fx_say("read: %zd", n);
	n = send(cfd, "x", 1, MSG_NOSIGNAL);
	if (n < 0)
		fx_say("send: %s", hx_errname(errno));
	else
		fx_say("send: %zd", n);
	return FX_OK;
}

/*
 * A child dials (through the shim, or the plain path) and waits for the answer.
 */
static pid_t
peer(const struct sockaddr_un *sun, socklen_t len, const char *name)
{
	char reply[600];
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	if (name != NULL)
		_exit(hx_dial(name, "gated", reply, sizeof(reply)) ? 1 : 0);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(fd, (const struct sockaddr *)sun, len) != 0)
		_exit(1);
	(void)!write(fd, "plain\n", 6);
	_exit(hx_read_line(fd, reply, sizeof(reply)) > 0 ? 0 : 1);
}

static void
one_accept(char *out, size_t size, int lfd, pid_t child, int flags,
    int addrmode)
{
	struct sockaddr_un from;
	socklen_t fromlen = sizeof(from);
	struct sockaddr *ap = addrmode ? (struct sockaddr *)&from : NULL;
	socklen_t *lp = addrmode == 1 ? &fromlen : NULL;
	int cfd, e, status;

	memset(&from, 0xa5, sizeof(from));
	cfd = accept4(lfd, ap, lp, flags);
	e = errno;
	if (cfd < 0)
		snprintf(out, size, "error %s", hx_errname(e));
	else {
		snprintf(out, size,
		    "cloexec=%d nonblock=%d addrlen=%d family=%d",
		    (fcntl(cfd, F_GETFD) & FD_CLOEXEC) != 0,
		    (fcntl(cfd, F_GETFL) & O_NONBLOCK) != 0,
		    addrmode == 1 ? (int)fromlen : -1,
		    addrmode == 1 ? (int)from.sun_family : -1);
		answer(cfd, NULL);
		close(cfd);
	}
	if (child > 0)
		waitpid(child, &status, 0);
}

static int
compare_accept4(const char *name, const char *path)
{
	static const int flagset[] = { 0, SOCK_CLOEXEC, SOCK_NONBLOCK,
		SOCK_CLOEXEC | SOCK_NONBLOCK, 0x1 };
	struct sockaddr_un gsun, psun;
	socklen_t glen = fx_abstract(&gsun, name), plen;
	int gated, plain, differ[3] = { 0, 0, 0 };
	char g[200], p[200];

	memset(&psun, 0, sizeof(psun));
	psun.sun_family = AF_UNIX;
	snprintf(psun.sun_path, sizeof(psun.sun_path), "%s", path);
	plen = (socklen_t)sizeof(psun);
	gated = listener(&gsun, glen, 0);
	plain = listener(&psun, plen, 0);
	fx_say("listening pid=%d", (int)getpid());
	/* addrmode 0: addr and addrlen NULL; 1: both given; 2: addr only. */
	for (int addrmode = 0; addrmode < 3; addrmode++) {
		for (size_t i = 0; i < sizeof(flagset) / sizeof(flagset[0]);
		     i++) {
			int fl = flagset[i];

			/* Bad flags fail before any connection is taken. */
			bool bad = fl == 0x1;

			one_accept(g, sizeof(g), gated,
			    bad ? -1 : peer(&gsun, glen, name), fl, addrmode);
			one_accept(p, sizeof(p), plain,
			    bad ? -1 : peer(&psun, plen, NULL), fl, addrmode);
			fx_say("gated flags=%#x addr=%d %s", fl, addrmode, g);
			fx_say("plain flags=%#x addr=%d %s", fl, addrmode, p);
			if (strcmp(g, p) != 0)
				differ[addrmode]++;
		}
	}
	fx_say("%s", differ[0] + differ[1] ? "DIFFERENT" : "same");
	fx_say("addr without addrlen: %s", differ[2] ? "DIFFERENT" : "same");
	return differ[0] + differ[1] ? FX_IO : FX_OK;
}

static int
slow(const char *name, const char *go)
{
	struct sockaddr_un sun;
	socklen_t len = fx_abstract(&sun, name);
	int lfd = listener(&sun, len, 0), served = 0;

	if (listen(lfd, 0) != 0)
		fx_refused("listen");
	fx_say("listening pid=%d", (int)getpid());
	hx_wait_file(go);
	for (;;) {
		int cfd = accept(lfd, NULL, NULL);

		if (cfd < 0) {
			if (errno == ECONNABORTED || errno == EINTR)
				continue;
			fx_refused("accept");
		}
		answer(cfd, NULL);
		close(cfd);
		fx_say("served %d", ++served);
	}
}

static int
fill(const char *name, const char *go)
{
	struct sockaddr_un sun;
	socklen_t len = fx_abstract(&sun, name);
	int fds[16], n = 0, answered = 0;
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	FILE *f;

	for (;;) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

		if (connect(fd, (struct sockaddr *)&sun, len) == 0) {
			fds[n++] = fd;
			if (n == 8) {
				fx_say("FAIL no EAGAIN after %d connects", n);
				return FX_IO;
			}
			continue;
		}
		if (errno != EAGAIN) {
			fx_say("FAIL connect: %s", hx_errname(errno));
			return FX_IO;
		}
		close(fd);
		break;
	}
	fx_say("queued %d then EAGAIN", n);
	f = fopen(go, "w");
	if (f != NULL)
		fclose(f);
	/* The server drains its queue: a later connect gets through. */
	for (;;) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

		if (connect(fd, (struct sockaddr *)&sun, len) == 0) {
			fds[n++] = fd;
			break;
		}
		if (errno != EAGAIN) {
			fx_say("FAIL later connect: %s", hx_errname(errno));
			return FX_IO;
		}
		close(fd);
		nanosleep(&ts, NULL);
	}
	for (int i = 0; i < n; i++) {
		char buf[600];

		(void)fcntl(fds[i], F_SETFL, 0);
		(void)!write(fds[i], "queued\n", 7);
		if (hx_read_line(fds[i], buf, sizeof(buf)) > 0 &&
		    strcmp(buf, "echo queued") == 0)
			answered++;
	}
	fx_say("answered %d of %d", answered, n);
	return answered == n ? FX_OK : FX_IO;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "et") == 0)
		return edge_triggered(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "abort") == 0)
		return abort_after_poll(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "slow") == 0)
		return slow(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "fill") == 0)
		return fill(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "accept4") == 0)
		return compare_accept4(argv[2], argv[3]);
	fprintf(stderr, "usage: hx-epoll et|abort|accept4 NAME GO|PATH\n");
	return FX_USAGE;
}
