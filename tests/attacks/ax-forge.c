/*
 * ax-forge NAME SQUATTER
 * A hostile wrapped service that attacks the lineage channel it holds
 * (CAPWRAP_CHANNEL).  It sends malformed requests: garbage, truncated,
 * oversized, empty, with the wrong or missing ancillary data, a reply
 * in place of a request.  For each one that handed the launcher a reply
 * socket it prints "CASE: no reply" if that socket was closed unanswered,
 * or "CASE: REPLY" if the launcher answered (it must not).
 *
 * Then it forges a capability for the abstract SQUATTER address (the
 * five hex digits of a listener outside the topology): as a reply-shaped
 * packet on a socketpair of its own, in a file, in its environment, and
 * dials SQUATTER, which it was never granted ("forged: connect: ERRNO").
 *
 * Last, it dials NAME the ordinary way, through the shim, and prints
 * "legit: reply LINE": the channel and the launcher still work.
 */
#include <sys/socket.h>
#include <errno.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <fcntl.h>
#include <stddef.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "axchan.h"
#include "fixture.h"
#include "wire.h"

static int chan = -1;

static int
send_raw(const void *buf, size_t len, const int *fds, int nfds)
{
	return ax_send(chan, buf, len, fds, nfds);
}

/* Was the reply end closed without an answer? */
static void
expect_no_reply(const char *what, int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[WIRE_MSG_MAX + 16];
	ssize_t n = -1;

	if (poll(&p, 1, 10000) > 0)
		n = read(fd, buf, sizeof(buf));
	if (n == 0)
		fx_say("%s: no reply", what);
	else if (n > 0)
		fx_say("%s: REPLY of %zd bytes", what, n);
	else
		fx_say("%s: no answer at all (%s)", what,
		    n < 0 && errno ? strerrorname_np(errno) : "timeout");
	close(fd);
}

/* One malformed request with a seqpacket reply end attached. */
static void
try_case(const char *what, const void *buf, size_t len)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		fx_say("%s: socketpair: %s", what, strerrorname_np(errno));
		return;
	}
	if (send_raw(buf, len, &sv[1], 1) != 0)
		fx_say("%s: send: %s", what, strerrorname_np(errno));
	close(sv[1]);
	expect_no_reply(what, sv[0]);
}

static void
dial_message(union wire_msg *m, const char *name)
{
	wire_init(m, WIRE_DIAL);
	m->dial.socktype = WIRE_SOCK_STREAM;
	(void)wire_set_name(&m->dial.name, name, strlen(name));
}

static void
attack_channel(const char *name)
{
	union wire_msg m;
	char big[WIRE_MSG_MAX + 64];
	unsigned char garbage[37];
	int sv[2], p[2], two[2];

	for (size_t i = 0; i < sizeof(garbage); i++)
		garbage[i] = (unsigned char)(i * 37 + 11);
	try_case("garbage", garbage, sizeof(garbage));

	dial_message(&m, name);
	try_case("truncated", &m, wire_size(WIRE_DIAL) - 1);
	try_case("header only", &m, sizeof(struct wire_header));

	memset(big, 0, sizeof(big));
	memcpy(big, &m, wire_size(WIRE_DIAL));
	try_case("oversized", big, sizeof(big));

	dial_message(&m, name);
	m.h.magic ^= 1;
	try_case("bad magic", &m, wire_size(WIRE_DIAL));

	dial_message(&m, name);
	m.h.version++;
	try_case("bad version", &m, wire_size(WIRE_DIAL));

	dial_message(&m, name);
	m.dial.reserved = 1;
	try_case("reserved set", &m, wire_size(WIRE_DIAL));

	dial_message(&m, name);
	m.dial.name.len = WIRE_NAME_MAX + 1;
	try_case("name too long", &m, wire_size(WIRE_DIAL));

	dial_message(&m, name);
	m.dial.name.bytes[WIRE_NAME_MAX - 1] = 'x';
	try_case("bytes past the name", &m, wire_size(WIRE_DIAL));

	/* A reply sent as a request: the launcher never takes orders. */
	wire_init(&m, WIRE_REPLY);
	m.reply.verdict = WIRE_GRANT;
	m.reply.stamp.pid = getpid();
	m.reply.addr_len = 6;
	memcpy(m.reply.addr, "\0abcde", 6);
	try_case("reply as request", &m, wire_size(WIRE_REPLY));

	/*
	 * A claim is one-way: one that hands over a reply socket is malformed.
	 */
	wire_init(&m, WIRE_CLAIM);
	m.claim.socktype = WIRE_SOCK_STREAM;
	(void)wire_set_name(&m.claim.name, name, strlen(name));
	try_case("claim with a reply socket", &m, wire_size(WIRE_CLAIM));

	/* A well-formed request with the wrong ancillary data. */
	dial_message(&m, name);
	if (send_raw(&m, wire_size(WIRE_DIAL), NULL, 0) != 0)
		fx_say("no reply socket: send: %s", strerrorname_np(errno));
	try_case("empty packet", "", 0);

	dial_message(&m, name);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0 &&
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, two) == 0) {
		int fds[2] = { sv[1], two[1] };

		(void)send_raw(&m, wire_size(WIRE_DIAL), fds, 2);
		close(sv[1]);
		close(two[1]);
		close(two[0]);
		expect_no_reply("two reply sockets", sv[0]);
	}

	if (pipe2(p, O_CLOEXEC) == 0) {
		(void)send_raw(&m, wire_size(WIRE_DIAL), &p[1], 1);
		close(p[1]);
		expect_no_reply("pipe as reply", p[0]);
	}

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0) {
		(void)send_raw(&m, wire_size(WIRE_DIAL), &sv[1], 1);
		close(sv[1]);
		expect_no_reply("stream as reply", sv[0]);
	}
}

/*
 * Capability-looking bytes everywhere but the channel: none of them may
 * let the shim dial an address the launcher never granted.
 */
static void
forge_capability(const char *squatter)
{
	union wire_msg m;
	struct sockaddr_un sun;
	socklen_t len;
	int sv[2], fd;
	FILE *f;

	wire_init(&m, WIRE_REPLY);
	m.reply.verdict = WIRE_GRANT;
	m.reply.stamp.pid = getpid();
	m.reply.stamp.uid = getuid();
	m.reply.addr_len = (uint16_t)(1 + strlen(squatter));
	memcpy(m.reply.addr + 1, squatter, strlen(squatter));
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0) {
		/*
		 * To itself, and read back: a packet that looks like a grant.
		 */
		(void)send(sv[0], &m, wire_size(WIRE_REPLY), 0);
		(void)recv(sv[1], &m, sizeof(m), 0);
		(void)send(sv[1], &m, wire_size(WIRE_REPLY), 0);
	}
	if ((f = fopen("forged-capability", "w")) != NULL) {
		fwrite(&m, wire_size(WIRE_REPLY), 1, f);
		fclose(f);
	}
	setenv("CAPWRAP_CAPABILITY", squatter, 1);
	setenv("CAPWRAP_GRANT", squatter, 1);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	len = fx_abstract(&sun, squatter);
	if (connect(fd, (struct sockaddr *)&sun, len) == 0) {
		fx_say("forged: connected");
		(void)!write(fd, "forged\n", 7);
	} else
		fx_say("forged: connect: %s", strerrorname_np(errno));
	close(fd);
}

/*
 * A registration for NAME (which this service provides) of a socket of
 * ours, claiming an address it is not bound at: the launcher checks the
 * claim with the kernel and refuses it.
 */
static int
forge_registration(const char *name)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	union wire_msg m, reply;
	struct stat st;
	sa_family_t family = AF_UNIX;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), sv[2];
	ssize_t n;

	/* A bare autobind: not an abstract name, so no gate sees it. */
	if (fd < 0 ||
	    bind(fd, (struct sockaddr *)&family, sizeof(family)) != 0 ||
	    listen(fd, 1) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sun, &len) != 0 ||
	    fstat(fd, &st) != 0)
		fx_refused("socket");
	wire_init(&m, WIRE_LISTEN);
	m.listen.socktype = WIRE_SOCK_STREAM;
	m.listen.state = WIRE_LISTENING;
	m.listen.sock_ino = st.st_ino;
	(void)wire_set_name(&m.listen.name, name, strlen(name));
	m.listen.addr_len = (uint16_t)(len -
	    offsetof(struct sockaddr_un, sun_path));
	memcpy(m.listen.addr, sun.sun_path, m.listen.addr_len);
	/* One byte off: an address this socket is not bound at. */
	m.listen.addr[1] = m.listen.addr[1] == 'f' ? 'e' : 'f';
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0 ||
	    send_raw(&m, wire_size(WIRE_LISTEN), &sv[1], 1) != 0)
		fx_refused("send");
	close(sv[1]);
	n = read(sv[0], &reply, sizeof(reply));
	if (n == (ssize_t)sizeof(reply.reply) &&
	    reply.reply.verdict == WIRE_DENY)
		fx_say("forged registration: denied %s",
		    strerrorname_np(reply.reply.error));
	else
		fx_say("forged registration: answered %zd bytes", n);
	return FX_OK;
}

int
main(int argc, char **argv)
{
	struct sockaddr_un sun;
	const char *v = getenv(WIRE_CHANNEL_ENV);
	char buf[512];
	socklen_t len;
	ssize_t n;
	int fd;

	if (v == NULL) {
		fprintf(stderr, "ax-forge: not wrapped: no %s\n",
		    WIRE_CHANNEL_ENV);
		return FX_USAGE;
	}
	chan = atoi(v);
	if (argc == 3 && strcmp(argv[1], "--register") == 0)
		return forge_registration(argv[2]);
	if (argc != 3) {
		fprintf(stderr,
		    "usage: ax-forge NAME SQUATTER | "
		    "ax-forge --register NAME\n");
		return FX_USAGE;
	}
	attack_channel(argv[1]);
	forge_capability(argv[2]);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	len = fx_abstract(&sun, argv[1]);
	if (connect(fd, (struct sockaddr *)&sun, len) != 0)
		fx_refused("legit: connect");
	(void)!write(fd, "legit\n", 6);
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0) {
		fx_say("legit: eof");
		return FX_IO;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fx_say("legit: reply %s", buf);
	return FX_OK;
}
