/*
 * hx-addr server NAME
 * hx-addr client NAME [SELF]
 * hx-addr inherit NAME listening|bound
 * Programs that look at their own addresses.  The server checks, as
 * systemd's sd_is_socket_unix() does, that getsockname() on its
 * listener reports exactly "\0NAME" (length and bytes), and on dup(),
 * dup2() and F_DUPFD copies of it, and with every short buffer size
 * (the kernel copies what fits and reports the full length); then it
 * accepts one connection and prints the address accept() filled in and
 * the names of the accepted socket.  The client (bound first to SELF if
 * given) connects and checks getpeername() the same way.  Prints "ok
 * WHAT" or "FAIL WHAT: ..." lines, then "checks N failed N".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "hx.h"

typedef int name_call(int, struct sockaddr *, socklen_t *);

static int checks, failed;

static void
result(bool good, const char *what, const char *detail)
{
	checks++;
	if (good)
		fx_say("ok %s", what);
	else {
		failed++;
		fx_say("FAIL %s: %s", what, detail);
	}
}

/* An address as @escaped-bytes, or "(unnamed)" for a family-only one. */
static void
show(char *out, size_t size, const struct sockaddr_un *sun, socklen_t len)
{
	const size_t off = offsetof(struct sockaddr_un, sun_path);
	size_t n = 0;

	if (len <= off) {
		snprintf(out, size, "(unnamed len=%u)", (unsigned)len);
		return;
	}
	n += (size_t)snprintf(out, size, "%s", sun->sun_path[0] ? "" : "@");
	for (size_t i = sun->sun_path[0] ? 0 : 1; i < len - off && n + 5 < size;
	     i++) {
		unsigned char c = (unsigned char)sun->sun_path[i];

		n += (size_t)snprintf(out + n, size - n,
		    c > 32 && c < 127 ? "%c" : "\\x%02x", c);
	}
}

/*
 * call on fd must report want/wantlen: with a full buffer, and with
 * every shorter one (what fits copied, the rest untouched, full length).
 */
static void
check_name(name_call *call, const char *callname, int fd, const char *label,
    const struct sockaddr_un *want, socklen_t wantlen)
{
	unsigned char buf[sizeof(struct sockaddr_un) + 16];
	char what[200], detail[400], got[300];
	socklen_t len;

	for (socklen_t size = 0; size <= sizeof(struct sockaddr_un); size++) {
		bool good;

		memset(buf, 0xa5, sizeof(buf));
		len = size;
		if (call(fd, (struct sockaddr *)buf, &len) != 0) {
			snprintf(what, sizeof(what), "%s %s size %u", callname,
			    label, (unsigned)size);
			result(false, what, hx_errname(errno));
			return;
		}
		size_t copied = size < wantlen ? size : wantlen;
		good = len == wantlen && memcmp(buf, want, copied) == 0;
		for (size_t i = copied; i < sizeof(buf); i++)
			if (buf[i] != 0xa5)
				good = false;
		if (!good || size == sizeof(struct sockaddr_un)) {
			snprintf(what, sizeof(what), "%s %s size %u", callname,
			    label, (unsigned)size);
			show(got, sizeof(got), (struct sockaddr_un *)buf,
			    len < size ? len : size);
			snprintf(detail, sizeof(detail),
			    "length %u (want %u), "
			    "bytes %s",
			    (unsigned)len, (unsigned)wantlen, got);
			result(good, what, detail);
			if (!good)
				return;
		}
	}
}

/* sd_is_socket_unix(fd, SOCK_STREAM, 1, "\0NAME", len) as systemd does it. */
static void
sd_style(int fd, const struct sockaddr_un *want, socklen_t wantlen)
{
	union {
		struct sockaddr sa;
		struct sockaddr_un un;
		char pad[200];
	} u;
	socklen_t l = sizeof(u), optlen;
	int type = 0, accepting = 0;
	bool good;

	optlen = sizeof(type);
	good = getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &optlen) == 0 &&
	    type == SOCK_STREAM;
	optlen = sizeof(accepting);
	good = good &&
	    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &optlen) ==
		0 &&
	    accepting == 1;
	memset(&u, 0, sizeof(u));
	good = good && getsockname(fd, &u.sa, &l) == 0 &&
	    l >= sizeof(sa_family_t) && u.un.sun_family == AF_UNIX &&
	    l == wantlen &&
	    memcmp(u.un.sun_path, want->sun_path,
		wantlen - offsetof(struct sockaddr_un, sun_path)) == 0;
	result(good, "sd_is_socket_unix",
	    "the listener is not what it was bound as");
}

static int serve(int, const struct sockaddr_un *, socklen_t);

static int
server(const char *name)
{
	struct sockaddr_un sun;
	socklen_t len = fx_abstract(&sun, name);
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, len) != 0)
		fx_refused("bind");
	check_name(getsockname, "getsockname", fd, "bound", &sun, len);
	if (listen(fd, 8) != 0)
		fx_refused("listen");
	check_name(getsockname, "getsockname", fd, "listener", &sun, len);
	check_name(getsockname, "getsockname", dup(fd), "dup", &sun, len);
	check_name(getsockname, "getsockname", dup2(fd, 50), "dup2", &sun, len);
	check_name(getsockname, "getsockname", fcntl(fd, F_DUPFD_CLOEXEC, 60),
	    "F_DUPFD", &sun, len);
	sd_style(fd, &sun, len);
	sd_style(50, &sun, len);
	return serve(fd, &sun, len);
}

/* Accept one connection on fd, show its addresses, answer it. */
static int
serve(int fd, const struct sockaddr_un *name, socklen_t len)
{
	struct sockaddr_un from;
	socklen_t fromlen;
	char buf[512], reply[600], shown[300];
	int cfd;

	fx_say("listening pid=%d", (int)getpid());

	fromlen = sizeof(from);
	memset(&from, 0, sizeof(from));
	do
		cfd = accept(fd, (struct sockaddr *)&from, &fromlen);
	while (cfd < 0 && (errno == ECONNABORTED || errno == EINTR));
	if (cfd < 0)
		fx_refused("accept");
	show(shown, sizeof(shown), &from, fromlen);
	fx_say("accept addr %s", shown);
	/* The kernel names an accepted socket after its listener. */
	check_name(getsockname, "getsockname", cfd, "accepted", name, len);
	fromlen = sizeof(from);
	if (getpeername(cfd, (struct sockaddr *)&from, &fromlen) == 0) {
		show(shown, sizeof(shown), &from, fromlen);
		fx_say("peer addr %s", shown);
	}
	if (hx_read_line(cfd, buf, sizeof(buf)) > 0) {
		snprintf(reply, sizeof(reply), "echo %s\n", buf);
		(void)!write(cfd, reply, strlen(reply));
	}
	fx_say("checks %d failed %d", checks, failed);
	return failed ? FX_IO : FX_OK;
}

/*
 * hx-addr inherit NAME listening|bound: bind NAME (and listen), then
 * exec hx-addr inherited, which finds the socket at the same number, as
 * a server re-exec'ing itself or started by a socket activator does.
 */
static int
inherit(const char *name, const char *mode)
{
	struct sockaddr_un sun;
	socklen_t len = fx_abstract(&sun, name);
	char num[16],
	    *argv[] = { "hx-addr", "inherited", (char *)name, num, (char *)mode,
		    NULL };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, len) != 0)
		fx_refused("bind");
	if (strcmp(mode, "listening") == 0 && listen(fd, 8) != 0)
		fx_refused("listen");
	snprintf(num, sizeof(num), "%d", fd);
	execv("/proc/self/exe", argv);
	fx_refused("execv");
}

static int
inherited(const char *name, int fd, const char *mode)
{
	struct sockaddr_un sun;
	socklen_t len = fx_abstract(&sun, name);

	if (strcmp(mode, "bound") == 0 && listen(fd, 8) != 0)
		fx_refused("listen");
	check_name(getsockname, "getsockname", fd, "inherited", &sun, len);
	sd_style(fd, &sun, len);
	return serve(fd, &sun, len);
}

static int
client(const char *name, const char *self)
{
	struct sockaddr_un sun, me;
	struct sockaddr_un unnamed = { .sun_family = AF_UNIX };
	socklen_t len = fx_abstract(&sun, name), melen = sizeof(sa_family_t);
	char buf[600];
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (self != NULL) {
		melen = fx_abstract(&me, self);
		if (bind(fd, (struct sockaddr *)&me, melen) != 0)
			fx_refused("bind");
	} else
		me = unnamed;
	if (connect(fd, (struct sockaddr *)&sun, len) != 0)
		fx_refused("connect");
	check_name(getpeername, "getpeername", fd, "connected", &sun, len);
	check_name(getpeername, "getpeername", dup(fd), "dup", &sun, len);
	check_name(getsockname, "getsockname", fd, "connected", &me, melen);
	(void)!write(fd, "names\n", 6);
	if (hx_read_line(fd, buf, sizeof(buf)) > 0)
		fx_say("reply %s", buf);
	fx_say("checks %d failed %d", checks, failed);
	return failed ? FX_IO : FX_OK;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "server") == 0)
		return server(argv[2]);
	if (argc == 4 && strcmp(argv[1], "inherit") == 0)
		return inherit(argv[2], argv[3]);
	if (argc == 5 && strcmp(argv[1], "inherited") == 0)
		return inherited(argv[2], atoi(argv[3]), argv[4]);
	if ((argc == 3 || argc == 4) && strcmp(argv[1], "client") == 0)
		return client(argv[2], argc == 4 ? argv[3] : NULL);
	fprintf(stderr,
	    "usage: hx-addr server NAME | client NAME [SELF] | "
	    "inherit NAME listening|bound\n");
	return FX_USAGE;
}
