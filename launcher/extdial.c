/*
 * The launcher connects for the service, so the provider of an external
 * name sees the launcher's credentials on the connection (SO_PEERCRED):
 * its pid, and its user and groups.  These are the service's own unless
 * its policy sets `user` or `group`; a service that does is refused
 * here, never given a connection that speaks as someone it is not.
 *
 * The connect never waits: a full backlog would otherwise freeze the
 * launcher, and every service with it.  The service gets EAGAIN, as its
 * own non-blocking connect would; a blocking program gets it too, and
 * since a connect(2) of a Unix socket never returns EINPROGRESS there is
 * nothing else to wait for.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "domain.h"
#include "extdial.h"
#include "sysio.h"
#include "transport.h"
#include "verdict.h"

void
extdial_as_dial(const union wire_msg *in, union wire_msg *dial)
{
	wire_init(dial, WIRE_DIAL);
	dial->dial.socktype = in->extdial.socktype;
	dial->dial.flags = WIRE_DIAL_NOWAIT;
	dial->dial.name = in->extdial.name;
}

/* A socket of the dial's type connected to its name, or -1 (errno). */
static int
connect_name(const struct wire_dial *d)
{
	static const int types[] = { [WIRE_SOCK_STREAM] = SOCK_STREAM,
		[WIRE_SOCK_SEQPACKET] = SOCK_SEQPACKET,
		[WIRE_SOCK_DGRAM] = SOCK_DGRAM };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
	    d->name.len + d->name.nuls);
	int fd, err;

	/* The padding NULs are part of the address the program dialed. */
	memcpy(sun.sun_path + 1, d->name.bytes, d->name.len);
	fd = socket(AF_UNIX, types[d->socktype] | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0)
		return -1;
	while (connect(fd, (struct sockaddr *)&sun, len) != 0) {
		if (errno == EINTR)
			continue;
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/* Answer: the socket attached, or the error; the reply end closed. */
static void
answer(int reply_fd, int sock, int error)
{
	union wire_msg m;

	wire_init(&m, WIRE_REPLY);
	m.reply.verdict = sock >= 0 ? WIRE_CONNECTED : WIRE_DENY;
	m.reply.error = sock >= 0 ? 0 : error;
	/* A dead asker is no error: its reply socket just has no reader. */
	(void)transport_send(reply_fd, &m, sizeof(m.reply), &sock,
	    sock >= 0 ? 1 : 0, MSG_DONTWAIT, &sysio_libc);
	close(reply_fd);
	if (sock >= 0)
		close(sock);
}

/*
 * Why the launcher does not dial for this service, or NULL.  A service
 * outside the domain dials external names itself.  One with a `user` or
 * `group` would speak, through the launcher's connection, as someone it
 * is not.  A datagram socket can be connected again, or send to any
 * name, and the kernel scopes a socket by its maker: one of the
 * launcher's would take the service past the fence; a stream or
 * seqpacket socket, once connected, reaches its peer only.
 */
static const char *
refusal(const struct policy_service *ps, uint16_t socktype)
{
	if (ps->allow_host_sockets || !domain_available())
		return "is outside the Landlock domain: it dials external "
		       "names itself";
	if (ps->user != NULL || ps->group != NULL)
		return "runs as its own user or group: the launcher does not "
		       "dial external names for it (allow host-sockets)";
	if (socktype == WIRE_SOCK_DGRAM)
		return "is in the Landlock domain: the launcher does not "
		       "connect datagram sockets for it (allow host-sockets)";
	return NULL;
}

bool
extdial_carry_out(const struct request *rq, const struct policy *pol,
    struct verdict *v)
{
	const struct policy_service *ps = &pol->services[rq->chan->service];
	const struct wire_name *name = &rq->msg.dial.name;
	char why[VERDICT_REASON_MAX];
	const char *refused;
	int sock;

	if (v->kind == VERDICT_DENY)
		return false;
	if (v->kind != VERDICT_ANSWER || v->answer != WIRE_EXTERNAL) {
		/* Provided in the topology now: a dial of its own. */
		answer(rq->reply_fd, -1, ECONNREFUSED);
		return true;
	}
	if ((refused = refusal(ps, rq->msg.dial.socktype)) != NULL) {
		snprintf(why, sizeof(why), "service %s %s", ps->name, refused);
		verdict_refuse_because(v, "connect", name, EACCES, why);
		return false;
	}
	sock = connect_name(&rq->msg.dial);
	answer(rq->reply_fd, sock, sock >= 0 ? 0 : errno);
	return true;
}
