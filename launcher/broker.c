#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auditwrite.h"
#include "broker.h"
#include "brokerreply.h"
#include "claimqueue.h"
#include "compat.h"
#include "decide.h"
#include "defer.h"
#include "extdial.h"
#include "loop.h"
#include "procinfo.h"
#include "reappage.h"
#include "registry.h"
#include "reload.h"
#include "request.h"
#include "sockdiag.h"
#include "status.h"
#include "supervise.h"
#include "sysio.h"
#include "transport.h"
#include "wire.h"

/* Dials that may wait for their provider at once. */
#define PENDING_PER_PROCESS 64
#define PENDING_PER_SERVICE 1024

static const struct policy *pol;
static struct limits limits;
static struct broker_hooks hooks;
/*
 * One record a service, each allocated apart: a reload adds services, and
 * the event loop and the requests deferred to the end of a turn hold
 * pointers to a channel, which must not move.
 */
static struct channel **channels;
static size_t nchannels;
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
	registry_init(0);
	claimqueue_init();
	return broker_set_policy(p);
}

int
broker_set_policy(const struct policy *p)
{
	struct channel **c;

	if (p->nservices > nchannels) {
		c = reallocarray(channels, p->nservices, sizeof(*c));
		if (c == NULL)
			return -1;
		channels = c;
		for (; nchannels < p->nservices; nchannels++) {
			if ((c[nchannels] = calloc(1, sizeof(**c))) == NULL)
				return -1;
			*c[nchannels] = (struct channel){ .service = nchannels,
				.watch = { .fd = -1, .fn = on_channel },
				.claims_fd = -1,
				.claims_give = -1 };
		}
	}
	if (registry_resize(p->nservices) != 0)
		return -1;
	pol = p;
	defer_init(p, limits.dial_timeout_ms);
	return 0;
}

int
broker_open_channel(size_t service)
{
	struct channel *c = channels[service];
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
	struct channel *c = channels[service];

	claimqueue_drain(c, pol->services[service].name);
	claimqueue_close(c);
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
	status_note_end(service);
}

bool
broker_names_registered(size_t service)
{
	const struct policy_service *ps = &pol->services[service];

	for (size_t k = 0; k < ps->nprovides; k++) {
		const struct registration *r = live_registration(ps->provides[k]
								     .bytes,
		    ps->provides[k].len, false);

		if (r == NULL || !r->dialable || r->service != service)
			return false;
	}
	return true;
}

struct channel *
broker_channel(size_t service)
{
	return channels[service];
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
	status_note_refusal(rq->chan->service, v->gate, v->reason);
}

/* --- carrying a verdict out ---------------------------------------------- */

static void
grant(const struct request *rq, const struct verdict *v)
{
	unsigned flags = rq->msg.h.type == WIRE_DIAL ? rq->msg.dial.flags : 0;

	/*
	 * A claim read after its sender exited still counts, by pidfs
	 * inode, for what that process did before (its connection may be
	 * queued at the provider's gate).
	 */
	if (rq->proc != NULL)
		rq->proc->granted[v->grant] = true;
	else
		registry_grant_exited(rq->sender_ino, v->grant);
	status_note_grant(rq->chan->service);
	if (hooks.granted != NULL)
		hooks.granted(v->grant);
	/* A claim is granted with no answer: the child does not wait. */
	if (v->reg != NULL)
		reply_grant(rq->reply_fd, v->reg, flags & WIRE_DIAL_PAGE,
		    (flags & WIRE_DIAL_CLAIMS) ? claimqueue_give(rq->chan) :
						 -1);
}

void
broker_answer_waited(struct pending_dial *d)
{
	struct verdict v;

	decide_waited(live_registration(d->name.bytes, d->name.len, false), &v);
	if (v.kind != VERDICT_GRANT) {
		reply_verdict(d->reply_fd, WIRE_DENY, v.error);
		return;
	}
	d->proc->granted[v.grant] = true;
	status_note_grant(d->service);
	if (hooks.granted != NULL)
		hooks.granted(v.reg->service);
	/* Whether the dialer asked for the reap page and the claim queue is
	 * not kept with a waiting dial: it gets both, and closes what it has.
	 */
	reply_grant(d->reply_fd, v.reg, true,
	    claimqueue_give(channels[d->service]));
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
		if (rq->msg.h.type == WIRE_ADMIT && v->answer == WIRE_ALLOW) {
			reply_admitted(rq);
			break;
		}
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
	bool ext = rq->msg.h.type == WIRE_EXTDIAL;
	struct request dial;
	struct ask q = { .pol = pol,
		.limits = &limits,
		.self = rq->chan->service };
	struct facts f = { .may_defer = !rq->caught_up };
	struct verdict v;

	/* Decided as the dial it stands for (extdial.h). */
	if (ext) {
		dial = *rq;
		extdial_as_dial(&rq->msg, &dial.msg);
		rq = &dial;
	}
	q.msg = &rq->msg;

	for (;;) {
		/* Read again each time: a fact's query may bury the asker. */
		f.asker_gone = rq->proc != NULL && rq->proc->dead;
		f.asker_stopping = supervise_stopping() ||
		    reload_is_stopping(rq->chan->service);
		decide(&q, &f, &v);
		if (v.kind == VERDICT_ASK) {
			gather_facts(rq, v.need, &f);
			continue;
		}
		if (v.kind != VERDICT_DEFER)
			break;
		if (defer_admit(rq))
			return;
		/*
		 * Too many wait already: judged now, once the claims are
		 * read, on facts gathered again after them.
		 */
		defer_read_claims(rq->chan->service);
		f = (struct facts){ .may_defer = false };
	}
	if (ext && extdial_carry_out(rq, pol, &v))
		return;
	carry_out(rq, &v);
}

/* --- receiving ---------------------------------------------------------- */

enum receive_result {
	RECEIVE_EOF = -1, /* every holder of the service's end is gone */
	RECEIVE_EMPTY,	  /* nothing more to read now */
	RECEIVE_REQUEST,  /* *rq is filled */
	RECEIVE_DROPPED,  /* malformed: dropped, all it carried closed */
};

/* A claim, and a refusal the gate remembered, are not answered. */
static bool
one_way(const union wire_msg *m)
{
	return m->h.type == WIRE_CLAIM ||
	    (m->h.type == WIRE_ADMIT &&
		(m->admit.flags & WIRE_ADMIT_REMEMBERED));
}

/*
 * Read one request and its ancillary data from fd: c's channel, or its
 * claim queue, which carries claims alone.
 */
static enum receive_result
receive(struct channel *c, int fd, struct request *rq)
{
	char buf[WIRE_MSG_MAX + 1];
	struct transport_msg in = { .data = buf, .size = sizeof(buf) };
	enum transport_result got;
	int type;
	socklen_t len = sizeof(type);
	bool bad;

	got = transport_recv(fd, MSG_DONTWAIT, 1, &in, &sysio_libc);
	if (got == TRANSPORT_EMPTY || got == TRANSPORT_EOF)
		return got == TRANSPORT_EMPTY ? RECEIVE_EMPTY : RECEIVE_EOF;
	/*
	 * A claim carries no reply socket; every other request exactly one.
	 * A claim is not answered, so its sender may be gone, its pid taken
	 * by another process, by the time it is read: only the pidfd the
	 * kernel attached (SO_PASSPIDFD) tells whose it was.
	 */
	bad = got != TRANSPORT_MESSAGE || !in.have_cred || in.cred.pid <= 0 ||
	    wire_decode(buf, in.len, &rq->msg) != 0 ||
	    rq->msg.h.type == WIRE_REPLY ||
	    in.nfds != (one_way(&rq->msg) ? 0 : 1) ||
	    (rq->msg.h.type == WIRE_CLAIM && in.pidfd < 0) ||
	    (fd != c->watch.fd && rq->msg.h.type != WIRE_CLAIM);
	/* The reply end must be what the shim makes: a seqpacket socket. */
	if (!bad && in.nfds == 1 &&
	    (getsockopt(in.fds[0], SOL_SOCKET, SO_TYPE, &type, &len) != 0 ||
		type != SOCK_SEQPACKET))
		bad = true;
	if (bad) {
		fprintf(stderr,
		    "capwrap: %s: malformed %s message from pid %d dropped\n",
		    pol->services[c->service].name,
		    fd == c->watch.fd ? "channel" : "claim queue",
		    (int)in.cred.pid);
		transport_discard(&in, &sysio_libc);
		return RECEIVE_DROPPED;
	}
	rq->chan = c;
	rq->service = pol->services[c->service].name;
	rq->caught_up = false;
	rq->waited_claims = 0;
	rq->pid = in.cred.pid;
	rq->reply_fd = in.nfds == 1 ? in.fds[0] : -1;
	rq->proc = registry_proc(in.cred.pid, in.cred.uid, in.pidfd,
	    &rq->sender_ino);
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

bool
broker_read_fd(struct channel *c, int fd, int max)
{
	struct request rq;

	for (int i = 0; i < max; i++) {
		switch (receive(c, fd, &rq)) {
		case RECEIVE_EMPTY:
			return true;
		case RECEIVE_EOF:
			/* The launcher holds the queue's other end: never. */
			if (fd == c->watch.fd)
				broker_close_channel(c->service);
			return true;
		case RECEIVE_REQUEST:
			/*
			 * A claim on the channel: the queue was full or lost;
			 * what it holds is older, so it is read first.
			 */
			if (fd == c->watch.fd && rq.msg.h.type == WIRE_CLAIM)
				claimqueue_read(c, CLAIMS_MAX);
			broker_judge(&rq);
			break;
		case RECEIVE_DROPPED:
			break;
		}
	}
	return false;
}

void
broker_read_channel(struct channel *c, int max)
{
	broker_read_fd(c, c->watch.fd, max);
}

static void
on_channel(struct watch *w, uint32_t events)
{
	/* Bounded, so one busy service cannot starve the others. */
	broker_read_channel(w->ctx, 64);
}
