#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "broker.h"
#include "image.h"
#include "loop.h"
#include "procinfo.h"
#include "registry.h"
#include "sockdiag.h"
#include "wire.h"

#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76
#endif
#ifndef SCM_PIDFD
#define SCM_PIDFD 0x04
#endif

/* Dials that may wait for their provider at once. */
#define PENDING_PER_PROCESS	64
#define PENDING_PER_SERVICE	1024

/* At most this many descriptors are accepted with one message; more is malformed. */
#define MAX_RIGHTS 4


#include "decide.h"
#include "defer.h"
#include "request.h"

static const struct policy *pol;
static struct limits limits;
static struct broker_hooks hooks;
static struct channel *channels;
static bool passpidfd = true;

static void on_channel(struct watch *, uint32_t);

int
broker_init(const struct policy *p, int64_t timeout_ms,
    const struct broker_hooks *h)
{
	pol = p;
	limits = (struct limits){ .dial_timeout_ms = timeout_ms,
	    .pending_per_process = PENDING_PER_PROCESS,
	    .pending_per_service = PENDING_PER_SERVICE };
	hooks = *h;
	channels = calloc(p->nservices ? p->nservices : 1, sizeof(*channels));
	if (channels == NULL)
		return -1;
	for (size_t i = 0; i < p->nservices; i++)
		channels[i] = (struct channel){ .service = i,
		    .watch = { .fd = -1, .fn = on_channel } };
	registry_init(p->nservices);
	defer_init(p, timeout_ms);
	return 0;
}

bool
broker_has_passpidfd(void)
{
	return passpidfd;
}

int
broker_open_channel(size_t service)
{
	struct channel *c = &channels[service];
	int sv[2], one = 1;

	/* The service's end stays open across its execs; ours is private. */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0)
		return -1;
	if (fcntl(sv[0], F_SETFD, FD_CLOEXEC) != 0 ||
	    fcntl(sv[0], F_SETFL, O_NONBLOCK) != 0 ||
	    setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) != 0)
		goto fail;
	/* Pidfds name the sender exactly, even if it dies before we look. */
	if (passpidfd &&
	    setsockopt(sv[0], SOL_SOCKET, SO_PASSPIDFD, &one, sizeof(one)) != 0)
		passpidfd = false;
	broker_close_channel(service);
	c->watch.fd = sv[0];
	c->watch.ctx = c;
	if (loop_add(&c->watch) != 0)
		goto fail;
	return sv[1];
fail:
	close(sv[0]);
	close(sv[1]);
	c->watch.fd = -1;
	return -1;
}

void
broker_close_channel(size_t service)
{
	struct channel *c = &channels[service];

	if (c->watch.fd < 0)
		return;
	loop_del(&c->watch);
	close(c->watch.fd);
	c->watch.fd = -1;
}

void
broker_forget_service(size_t service)
{
	registry_forget_service(service);
}

struct channel *
broker_channel(size_t service)
{
	return &channels[service];
}

/* --- replies ------------------------------------------------------------ */

static void
send_reply(int fd, const union wire_msg *m)
{
	ssize_t n;

	/* A one-way request (WIRE_CLAIM) has no reply socket. */
	if (fd < 0)
		return;
	do
		n = send(fd, m, sizeof(m->reply), MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	/* A dead asker is no error: its reply socket just has no reader. */
	close(fd);
}

static void
reply_verdict(int fd, enum wire_verdict v, int error)
{
	union wire_msg m;

	wire_init(&m, WIRE_REPLY);
	m.reply.verdict = (uint16_t)v;
	m.reply.error = error;
	send_reply(fd, &m);
}

static void
reply_grant(int fd, const struct registration *r)
{
	union wire_msg m;

	wire_init(&m, WIRE_REPLY);
	m.reply.verdict = WIRE_GRANT;
	m.reply.stamp.pid = r->owner->pid;
	m.reply.stamp.uid = r->owner->uid;
	m.reply.stamp.pidfs_ino = r->owner->pidfs_ino;
	m.reply.stamp.start_time = r->owner->start_time;
	m.reply.stamp.sock_ino = r->sock_ino;
	m.reply.addr_len = r->addr_len;
	memcpy(m.reply.addr, r->addr, r->addr_len);
	send_reply(fd, &m);
}

/* The virtual name of a registration, for a NAMEOF. */
static void
reply_name(int fd, const struct verdict *v)
{
	union wire_msg m;

	wire_init(&m, WIRE_REPLY);
	m.reply.verdict = (uint16_t)v->answer;
	m.reply.addr_len = (uint16_t)(1 + v->reg->name.len);
	memcpy(m.reply.addr + 1, v->reg->name.bytes, v->reg->name.len);
	send_reply(fd, &m);
}

static void
audit_refusal(const struct request *rq, const struct verdict *v)
{
	struct audit_event ev = {
		.gate = v->gate,
		.service = rq->service,
		.name = v->name,
		.name_len = v->name_len,
		.name_is_path = strcmp(v->gate, "exec") == 0,
		.pid = rq->pid,
		.peer_pid = v->peer_pid,
		.peer_uid = v->peer_uid,
		.reason = v->reason,
	};

	audit_deny(&ev);
}

/* --- carrying a verdict out ---------------------------------------------- */

static void
grant(const struct request *rq, const struct verdict *v)
{
	/*
	 * A claim read after its sender exited still counts, by pidfs
	 * inode, for what that process did before (its connection may be
	 * queued at the provider's gate).
	 */
	if (rq->proc != NULL)
		rq->proc->granted[v->grant] = true;
	else
		registry_grant_exited(rq->sender_ino, v->grant);
	/* A claim is granted with no answer: the child does not wait. */
	if (v->reg != NULL)
		reply_grant(rq->reply_fd, v->reg);
}

void
broker_answer_waited(struct pending_dial *d)
{
	struct verdict v;

	decide_waited(live_registration(d->name.bytes, d->name.len, false),
	    &v);
	if (v.kind != VERDICT_GRANT) {
		reply_verdict(d->reply_fd, WIRE_DENY, v.error);
		return;
	}
	d->proc->granted[v.grant] = true;
	reply_grant(d->reply_fd, v.reg);
}

static void
register_listener(const struct request *rq, const struct verdict *v)
{
	struct registration reg = v->reg_new;

	reg.owner = rq->proc;
	/*
	 * The start time stamps capabilities for shims on kernels without
	 * pidfs; read once, while the registrant is known to be alive (it is
	 * waiting for this answer).
	 */
	if (rq->proc->start_time == 0)
		rq->proc->start_time = procinfo_start_time(rq->proc->pid);
	if (registry_register(&reg) == NULL) {
		reply_verdict(rq->reply_fd, WIRE_DENY, ENOMEM);
		return;
	}
	reply_verdict(rq->reply_fd, WIRE_ALLOW, 0);
	if (!reg.dialable)
		return;
	registry_take_pending(reg.name.bytes, reg.name.len,
	    broker_answer_waited);
	if (hooks.registered != NULL)
		hooks.registered(rq->chan->service);
}

static void
carry_out(const struct request *rq, const struct verdict *v)
{
	switch (v->kind) {
	case VERDICT_ANSWER:
		reply_verdict(rq->reply_fd, v->answer, 0);
		if (v->unprotectable && hooks.unprotectable != NULL)
			hooks.unprotectable(rq->chan->service, rq->proc->pid);
		break;
	case VERDICT_DENY:
		if (v->gate != NULL)
			audit_refusal(rq, v);
		reply_verdict(rq->reply_fd, WIRE_DENY, v->error);
		break;
	case VERDICT_GRANT:
		grant(rq, v);
		break;
	case VERDICT_NAME:
		reply_name(rq->reply_fd, v);
		break;
	case VERDICT_REGISTER:
		register_listener(rq, v);
		break;
	case VERDICT_WAIT:
		if (!defer_dial(rq))
			reply_verdict(rq->reply_fd, WIRE_DENY, ECONNREFUSED);
		break;
	case VERDICT_ASK:
	case VERDICT_DEFER:
		break;
	}
}

void
broker_judge(const struct request *rq)
{
	struct ask q = { .pol = pol, .limits = &limits,
	    .self = rq->chan->service, .msg = &rq->msg };
	struct facts f = { .may_defer = !rq->caught_up };
	struct verdict v;

	for (;;) {
		/* Read again each time: a fact's query may bury the asker. */
		f.asker_gone = rq->proc != NULL && rq->proc->dead;
		decide(&q, &f, &v);
		if (v.kind == VERDICT_ASK) {
			gather_facts(rq, v.need, &f);
			continue;
		}
		if (v.kind != VERDICT_DEFER)
			break;
		if (defer_admit(rq))
			return;
		/* Too many wait already: judged now. */
		f.may_defer = false;
	}
	carry_out(rq, &v);
}

/* --- receiving ------------------------------------------------------------- */

enum receive_result {
	RECEIVE_EOF = -1,	/* every holder of the service's end is gone */
	RECEIVE_EMPTY,		/* nothing more to read now */
	RECEIVE_REQUEST,	/* *rq is filled */
	RECEIVE_DROPPED,	/* malformed: dropped, all it carried closed */
};

/* A claim, and a refusal the gate remembered, are not answered. */
static bool
one_way(const union wire_msg *m)
{
	return m->h.type == WIRE_CLAIM || (m->h.type == WIRE_ADMIT &&
	    (m->admit.flags & WIRE_ADMIT_REMEMBERED));
}

/* Read one request and its ancillary data. */
static enum receive_result
receive(struct channel *c, struct request *rq)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct ucred)) +
		    CMSG_SPACE(sizeof(int)) +
		    CMSG_SPACE(MAX_RIGHTS * sizeof(int))];
	} control;
	char buf[WIRE_MSG_MAX + 1];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof(control.buf),
	};
	struct ucred cred = { .pid = 0 };
	int fds[MAX_RIGHTS], nfds = 0, pidfd = -1;
	bool have_cred = false, bad = false;
	ssize_t n;

	do
		n = recvmsg(c->watch.fd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? RECEIVE_EMPTY : RECEIVE_EOF;
	/*
	 * A seqpacket socket reads 0 both at end of file and for an empty
	 * packet; only the packet carries credentials (SO_PASSCRED).  An
	 * empty packet is malformed, and must not close the channel.
	 */
	if (n == 0 && msg.msg_controllen == 0)
		return RECEIVE_EOF;

	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm != NULL;
	    cm = CMSG_NXTHDR(&msg, cm)) {
		size_t payload = cm->cmsg_len - CMSG_LEN(0);

		if (cm->cmsg_level != SOL_SOCKET) {
			bad = true;
		} else if (cm->cmsg_type == SCM_CREDENTIALS &&
		    payload == sizeof(cred)) {
			memcpy(&cred, CMSG_DATA(cm), sizeof(cred));
			have_cred = true;
		} else if (cm->cmsg_type == SCM_PIDFD && payload == sizeof(int) &&
		    pidfd < 0) {
			/* A negative value is the errno of a pidfd not made. */
			memcpy(&pidfd, CMSG_DATA(cm), sizeof(int));
		} else if (cm->cmsg_type == SCM_RIGHTS) {
			size_t k = payload / sizeof(int);

			for (size_t i = 0; i < k; i++) {
				int fd;

				memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
				    sizeof(int));
				if (nfds < MAX_RIGHTS)
					fds[nfds++] = fd;
				else
					close(fd);
			}
			if (k != 1)
				bad = true;
		} else
			bad = true;
	}
	/*
	 * A claim carries no reply socket; every other request exactly one.
	 * A claim is not answered, so its sender may be gone, its pid taken
	 * by another process, by the time it is read: only the pidfd the
	 * kernel attached (SO_PASSPIDFD) tells whose it was.
	 */
	if ((msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || !have_cred ||
	    cred.pid <= 0 || wire_decode(buf, (size_t)n, &rq->msg) != 0 ||
	    rq->msg.h.type == WIRE_REPLY ||
	    nfds != (one_way(&rq->msg) ? 0 : 1) ||
	    (rq->msg.h.type == WIRE_CLAIM && pidfd < 0))
		bad = true;
	if (!bad && nfds == 1) {
		int type;
		socklen_t len = sizeof(type);

		/* The reply end must be what the shim makes: a seqpacket socket. */
		if (getsockopt(fds[0], SOL_SOCKET, SO_TYPE, &type, &len) != 0 ||
		    type != SOCK_SEQPACKET)
			bad = true;
	}
	if (bad) {
		fprintf(stderr, "capwrap: %s: malformed channel message from "
		    "pid %d dropped\n", pol->services[c->service].name,
		    (int)cred.pid);
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
		if (pidfd >= 0)
			close(pidfd);
		return RECEIVE_DROPPED;
	}
	rq->chan = c;
	rq->service = pol->services[c->service].name;
	rq->caught_up = false;
	rq->pid = cred.pid;
	rq->reply_fd = nfds == 1 ? fds[0] : -1;
	rq->proc = registry_proc(cred.pid, cred.uid, pidfd, &rq->sender_ino);
	if (rq->proc != NULL)
		rq->sender_ino = rq->proc->pidfs_ino;
	/*
	 * A sender already gone asked for nothing anyone can use, but what
	 * it claimed covers the connection it may have left queued.
	 */
	if (rq->proc == NULL && rq->msg.h.type != WIRE_CLAIM) {
		if (rq->reply_fd >= 0)
			close(rq->reply_fd);
		return RECEIVE_DROPPED;
	}
	return RECEIVE_REQUEST;
}

void
broker_read_channel(struct channel *c, int max)
{
	struct request rq;

	for (int i = 0; i < max; i++) {
		switch (receive(c, &rq)) {
		case RECEIVE_EMPTY:
			return;
		case RECEIVE_EOF:
			broker_close_channel(c->service);
			return;
		case RECEIVE_REQUEST:
			broker_judge(&rq);
			break;
		case RECEIVE_DROPPED:
			break;
		}
	}
}

static void
on_channel(struct watch *w, uint32_t events)
{
	/* Bounded, so one busy service cannot starve the others. */
	broker_read_channel(w->ctx, 64);
}
