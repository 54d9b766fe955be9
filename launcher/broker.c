#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "broker.h"
#include "compat.h"
#include "image.h"
#include "loop.h"
#include "procinfo.h"
#include "registry.h"
#include "sockdiag.h"
#include "sysio.h"
#include "transport.h"
#include "wire.h"

/* Dials that may wait for their provider at once. */
#define PENDING_PER_PROCESS	64
#define PENDING_PER_SERVICE	1024

struct channel {
	size_t		service;
	struct watch	watch;
	bool		caught_up;	/* read by this turn's catch-up */
};

static const struct policy *pol;
static int64_t dial_timeout;
static struct broker_hooks hooks;
static struct channel *channels;
static bool passpidfd = true;

/* What arrived with one request. */
struct request {
	struct channel	*chan;
	const char	*service;	/* name of the channel's service */
	pid_t		 pid;		/* kernel-verified sender */
	struct proc	*proc;		/* its record; NULL for a CLAIM read after it exited */
	uint64_t	 sender_ino;	/* the sender's pidfs inode, 0 if unknown */
	int		 reply_fd;	/* -1 for a CLAIM, which has no answer */
	bool		 caught_up;	/* an ADMIT judged after a catch-up (see `deferred`) */
	union wire_msg	 msg;
};

/*
 * A refusal at a provider's gate (WIRE_ADMIT) is decided only once the
 * requests queued on its dialers' channels have been read: a forked
 * child's claim (WIRE_CLAIM) is queued before the connection it covers
 * is made, so it must be read before that connection is judged.  An
 * ADMIT the launcher would refuse waits here until the end of the loop's
 * turn (broker_expire); then the channels of the services that dial the
 * providers concerned are read, each once (at most CATCH_UP_MAX
 * requests), and the ADMITs are judged.  Only a connector named by its
 * pidfs inode waits: claims are made only where the kernel has pidfs.  ADMITs read by a catch-up wait for
 * the next turn, so the work of a turn is bounded, whatever a service
 * floods its channel with.  Past DEFERRED_MAX waiting, an ADMIT is
 * judged at once.
 */
#define CATCH_UP_MAX	1024	/* more than a channel's queue holds */
#define DEFERRED_MAX	1024
static struct request *deferred;
static size_t ndeferred, deferred_cap;

static void on_channel(struct watch *, uint32_t);

int
broker_init(const struct policy *p, int64_t timeout_ms,
    const struct broker_hooks *h)
{
	pol = p;
	dial_timeout = timeout_ms;
	hooks = *h;
	channels = calloc(p->nservices ? p->nservices : 1, sizeof(*channels));
	if (channels == NULL)
		return -1;
	for (size_t i = 0; i < p->nservices; i++)
		channels[i] = (struct channel){ .service = i,
		    .watch = { .fd = -1, .fn = on_channel } };
	registry_init(p->nservices);
	return 0;
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

/* --- replies ------------------------------------------------------------ */

static void
send_reply(int fd, const union wire_msg *m)
{
	/* A one-way request (WIRE_CLAIM) has no reply socket. */
	if (fd < 0)
		return;
	/* A dead asker is no error: its reply socket just has no reader. */
	(void)transport_send(fd, m, sizeof(m->reply), NULL, 0, MSG_DONTWAIT,
	    &sysio_libc);
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

/* Audit a refusal of name (bytes, len long) and answer error. */
static void
deny_bytes(const struct request *rq, const char *gate, const uint8_t *name,
    size_t len, pid_t peer_pid, long long peer_uid, int error,
    const char *reason)
{
	struct audit_event ev = {
		.gate = gate,
		.service = rq->service,
		.name = name,
		.name_len = len,
		.name_is_path = strcmp(gate, "exec") == 0,
		.pid = rq->pid,
		.peer_pid = peer_pid,
		.peer_uid = peer_uid,
		.reason = reason,
	};

	audit_deny(&ev);
	reply_verdict(rq->reply_fd, WIRE_DENY, error);
}

static void
deny(const struct request *rq, const char *gate, const struct wire_name *name,
    pid_t peer_pid, long long peer_uid, int error, const char *reason)
{
	deny_bytes(rq, gate, name->bytes, name->len, peer_pid, peer_uid, error,
	    reason);
}

/* --- liveness of a registration ------------------------------------------ */

/*
 * A registration counts while its process lives, and, where check_socket
 * asks for it, while its socket is open.  Binds check the socket, so a
 * closed one frees its name; dials do not (the query costs more than the
 * rest of a grant): a grant to a closed socket meets ECONNREFUSED at the
 * minted address, or a peer the client's check refuses.
 */
static struct registration *
live_registration(const uint8_t *name, size_t len, bool check_socket)
{
	struct registration *r = registry_lookup(name, len);

	if (r == NULL)
		return NULL;
	if (registry_proc_gone(r->owner))
		return NULL;	/* released with its owner */
	if (check_socket && sockdiag_unix_exists(r->sock_ino) == 0) {
		registry_unregister(r);
		return NULL;
	}
	return r;
}

/* --- the requests ----------------------------------------------------------- */

static void
handle_bind(const struct request *rq)
{
	const struct wire_bind *b = &rq->msg.bind;
	const struct policy_service *self = &pol->services[rq->chan->service];
	char reason[256];

	if (policy_is_external(pol, b->name.bytes, b->name.len)) {
		reply_verdict(rq->reply_fd, WIRE_EXTERNAL, 0);
		return;
	}
	if (!policy_service_provides(self, b->name.bytes, b->name.len)) {
		snprintf(reason, sizeof(reason),
		    "service %s does not provide this name", self->name);
		deny(rq, "bind", &b->name, 0, -1, EACCES, reason);
		return;
	}
	if (live_registration(b->name.bytes, b->name.len, true) != NULL) {
		/* Like the kernel for a name in use; not a policy refusal. */
		reply_verdict(rq->reply_fd, WIRE_DENY, EADDRINUSE);
		return;
	}
	reply_verdict(rq->reply_fd, WIRE_ALLOW, 0);
}

static void
answer_pending(struct pending_dial *d)
{
	struct registration *r = live_registration(d->name.bytes, d->name.len, false);

	if (r == NULL || !r->dialable) {
		reply_verdict(d->reply_fd, WIRE_DENY, ECONNREFUSED);
		return;
	}
	d->proc->granted[r->service] = true;
	reply_grant(d->reply_fd, r);
}

static void
handle_listen(const struct request *rq)
{
	const struct wire_listen *l = &rq->msg.listen;
	const struct policy_service *self = &pol->services[rq->chan->service];
	struct registration reg, *old;

	if (!policy_service_provides(self, l->name.bytes, l->name.len)) {
		deny(rq, "bind", &l->name, 0, -1, EACCES,
		    "socket registered for a name the service does not provide");
		return;
	}
	/*
	 * What the shim claims is checked against the kernel: the socket
	 * must exist and be bound at the address it names, so a registration
	 * can never point clients (or the datagram answer rule) at a socket
	 * of somebody else's.  A kernel without sock_diag cannot say; the
	 * claim then stands on the channel's authority alone.  A query that
	 * failed here (out of descriptors, say) is no yes: refused.
	 */
	switch (sockdiag_unix_bound_at(l->sock_ino, l->addr, l->addr_len)) {
	case 1:
	case SOCKDIAG_UNSUPPORTED:
		break;
	case SOCKDIAG_FAILED:
		deny(rq, "bind", &l->name, 0, -1, EACCES,
		    "the registered socket could not be looked up");
		return;
	default:
		deny(rq, "bind", &l->name, 0, -1, EACCES,
		    "the registered socket is not bound at the address claimed");
		return;
	}
	old = live_registration(l->name.bytes, l->name.len, true);
	if (old != NULL && old->sock_ino != l->sock_ino) {
		reply_verdict(rq->reply_fd, WIRE_DENY, EADDRINUSE);
		return;
	}
	memset(&reg, 0, sizeof(reg));
	reg.name.len = l->name.len;
	memcpy(reg.name.bytes, l->name.bytes, l->name.len);
	reg.service = rq->chan->service;
	reg.owner = rq->proc;
	reg.socktype = l->socktype;
	reg.addr_len = l->addr_len;
	memcpy(reg.addr, l->addr, l->addr_len);
	/* The requester itself may have just died: it registers nothing. */
	if (rq->proc->dead) {
		reply_verdict(rq->reply_fd, WIRE_DENY, ESRCH);
		return;
	}
	reg.sock_ino = l->sock_ino;
	reg.dialable = l->state == WIRE_LISTENING;
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
	registry_take_pending(l->name.bytes, l->name.len, answer_pending);
	if (hooks.registered != NULL)
		hooks.registered(rq->chan->service);
}

/*
 * The virtual name behind a minted address, for a shim that did not see
 * the bind itself (an image exec'd since, or the other end of a
 * connection).  Names are not capabilities: this grants nothing.
 */
static void
handle_nameof(const struct request *rq)
{
	const struct wire_nameof *q = &rq->msg.nameof;
	const struct registration *r = registry_lookup_addr(q->addr,
	    q->addr_len);
	union wire_msg m;

	if (r != NULL && sockdiag_unix_exists(r->sock_ino) != 0) {
		wire_init(&m, WIRE_REPLY);
		m.reply.verdict = r->service == rq->chan->service ?
		    WIRE_NAME_LOCAL : WIRE_NAME_REMOTE;
		m.reply.addr_len = (uint16_t)(1 + r->name.len);
		memcpy(m.reply.addr + 1, r->name.bytes, r->name.len);
		send_reply(rq->reply_fd, &m);
		return;
	}
	reply_verdict(rq->reply_fd, WIRE_DENY, ENOENT);
}

/*
 * The provider the requester may dial for name, or NULL: a refusal is
 * audited and answered, an external name or an unprotected provider
 * (which binds its fixed name itself) is answered WIRE_EXTERNAL.
 */
static const struct policy_service *
dialable_provider(const struct request *rq, const struct wire_name *name)
{
	const struct policy_service *self = &pol->services[rq->chan->service];
	const struct policy_service *provider;
	char reason[256];

	if (policy_is_external(pol, name->bytes, name->len)) {
		reply_verdict(rq->reply_fd, WIRE_EXTERNAL, 0);
		return NULL;
	}
	provider = policy_provider(pol, name->bytes, name->len);
	if (provider == NULL) {
		deny(rq, "connect", name, 0, -1, EACCES,
		    "no service provides this name and it is not external");
		return NULL;
	}
	if (!policy_service_dials(pol, self, provider)) {
		snprintf(reason, sizeof(reason),
		    "service %s does not dial service %s", self->name,
		    provider->name);
		deny(rq, "connect", name, 0, -1, EACCES, reason);
		return NULL;
	}
	if (provider->unprotected) {
		reply_verdict(rq->reply_fd, WIRE_EXTERNAL, 0);
		return NULL;
	}
	return provider;
}

static void
handle_dial(const struct request *rq)
{
	const struct wire_dial *d = &rq->msg.dial;
	struct registration *r;
	struct pending_dial wait;

	if (dialable_provider(rq, &d->name) == NULL)
		return;
	/* A datagram grant is only checked by the shim at its own sends. */
	r = live_registration(d->name.bytes, d->name.len,
	    d->socktype == WIRE_SOCK_DGRAM);
	if (rq->proc->dead) {
		reply_verdict(rq->reply_fd, WIRE_DENY, ESRCH);
		return;
	}
	if (r != NULL && r->dialable) {
		rq->proc->granted[r->service] = true;
		reply_grant(rq->reply_fd, r);
		return;
	}
	/*
	 * No listener yet: as the kernel would say, unless we may wait.  Each
	 * wait holds a descriptor here until the provider comes, so one
	 * process, or one service, may only hold so many: past that it is
	 * told what the kernel would say, and the launcher keeps serving.
	 */
	if ((d->flags & WIRE_DIAL_NOWAIT) || dial_timeout <= 0 ||
	    registry_count_pending(rq->proc, 0) >= PENDING_PER_PROCESS ||
	    registry_count_pending(NULL, rq->chan->service) >= PENDING_PER_SERVICE) {
		reply_verdict(rq->reply_fd, WIRE_DENY, ECONNREFUSED);
		return;
	}
	memset(&wait, 0, sizeof(wait));
	wait.reply_fd = rq->reply_fd;
	wait.service = rq->chan->service;
	wait.proc = rq->proc;
	wait.name.len = d->name.len;
	memcpy(wait.name.bytes, d->name.bytes, d->name.len);
	wait.deadline_ms = loop_now_ms() + dial_timeout;
	if (registry_add_pending(&wait) == NULL)
		reply_verdict(rq->reply_fd, WIRE_DENY, ECONNREFUSED);
}

/*
 * A forked child takes up a capability its parent holds.  Granted as a
 * DIAL of the name would grant it, with no answer: the child does not
 * wait.  A claim read after its sender exited still counts, by pidfs
 * inode, for what that process did before (its connection may be queued
 * at the provider's gate).
 */
static void
handle_claim(const struct request *rq)
{
	const struct policy_service *provider =
	    dialable_provider(rq, &rq->msg.claim.name);
	size_t service;

	if (provider == NULL)
		return;
	service = policy_service_index(pol, provider);
	if (rq->proc != NULL)
		rq->proc->granted[service] = true;
	else
		registry_grant_exited(rq->sender_ino, service);
}

/*
 * A datagram answer may come from any process that holds a provider's
 * socket: socat's `fork` mode answers from a short-lived child that never
 * spoke to us.  An abstract address belongs to one socket at a time, so
 * a datagram from a provider's registered address, while that very
 * socket still exists, was sent from the provider's socket.  It is
 * admitted where the asking process holds a capability to that provider.
 */
static bool
from_granted_provider(const struct request *rq, const struct wire_admit *a)
{
	const struct registration *r;

	if (a->socktype != WIRE_SOCK_DGRAM || a->from_len == 0)
		return false;
	r = registry_lookup_addr(a->from, a->from_len);
	return r != NULL && r->socktype == WIRE_SOCK_DGRAM &&
	    rq->proc->granted[r->service] &&
	    sockdiag_unix_exists(r->sock_ino) == 1;
}

static bool defer(const struct request *);

/*
 * The gate refused a peer it had been told to refuse less than a second
 * before, without asking (shim/admit.c), and tells us for the audit.
 * The reason is the usual one unless the peer has been granted since.
 */
static void
remembered_refusal(const struct request *rq)
{
	const struct wire_admit *a = &rq->msg.admit;
	size_t self = rq->chan->service;
	struct proc *peer = registry_find_proc(a->peer_pid);
	char reason[256];

	if (peer != NULL && !registry_proc_gone(peer) &&
	    peer->pidfs_ino == a->peer_ino && peer->granted[self])
		snprintf(reason, sizeof(reason), "pid %d was refused less than "
		    "a second ago, before its grant, and the gate remembered it",
		    (int)a->peer_pid);
	else
		snprintf(reason, sizeof(reason),
		    "pid %d holds no capability to service %s",
		    (int)a->peer_pid, pol->services[self].name);
	deny(rq, "accept", &a->name, a->peer_pid, a->peer_uid, ECONNABORTED,
	    reason);
}

static void
handle_admit(const struct request *rq)
{
	const struct wire_admit *a = &rq->msg.admit;
	size_t self = rq->chan->service;
	bool impostor = false;
	struct proc *peer;
	char reason[256];

	if (a->peer_pid == 0) {
		deny(rq, "accept", &a->name, 0, a->peer_uid, ECONNABORTED,
		    "peer credentials unavailable (another pid namespace)");
		return;
	}
	/*
	 * Without pidfs an exited connector cannot be told apart from a
	 * process that took its pid since and holds a grant: refused.
	 */
	if (a->flags & WIRE_ADMIT_EXITED) {
		deny(rq, "accept", &a->name, a->peer_pid, a->peer_uid,
		    ECONNABORTED, "the peer has exited, and without pidfs it "
		    "cannot be told from a process that reused its pid");
		return;
	}
	/*
	 * A datagram whose kernel credentials were cut (MSG_CTRUNC: a sender
	 * that attaches descriptors can push the pidfd out) names a pid that
	 * may have been reused: never judged by that pid.
	 */
	if (a->flags & WIRE_ADMIT_REMEMBERED) {
		remembered_refusal(rq);
		return;
	}
	if (a->flags & WIRE_ADMIT_UNIDENTIFIED) {
		deny(rq, "accept", &a->name, a->peer_pid, a->peer_uid,
		    ECONNABORTED, "the sender's credentials were cut short or "
		    "came without its pidfd");
		return;
	}
	peer = registry_find_proc(a->peer_pid);
	if (peer != NULL && registry_proc_gone(peer))
		peer = NULL;
	/*
	 * Where the kernel has pidfs the process on record has an inode, and
	 * so does every live connector: a question without one is not about
	 * the process on record, whose pid it may have taken.
	 */
	if (peer != NULL && peer->pidfs_ino != 0 && a->peer_ino == 0) {
		deny(rq, "accept", &a->name, a->peer_pid, a->peer_uid,
		    ECONNABORTED, "the peer's pidfs inode is unknown on a "
		    "kernel that has pidfs");
		return;
	}
	/*
	 * Same pid, another process: the pidfs inodes tell them apart, and
	 * so does a uid other than the one on record.  The connector may be
	 * one that exited after its pid was taken by the process on record,
	 * or one that took the pid of a process that held a grant; either
	 * way the record is not the connector's.
	 */
	if (peer != NULL && (a->peer_uid != peer->uid || (a->peer_ino != 0 &&
	    peer->pidfs_ino != 0 && a->peer_ino != peer->pidfs_ino))) {
		impostor = peer->granted[self];
		peer = NULL;
	}
	/*
	 * An answer from a provider's socket is admitted for what it is, a
	 * datagram from that socket: the shim must not take its sender for
	 * a process granted anything.
	 */
	if ((peer == NULL || !peer->granted[self]) &&
	    from_granted_provider(rq, a)) {
		reply_verdict(rq->reply_fd, WIRE_ALLOW_ONCE, 0);
		return;
	}
	/* Made by a granted process that has exited since: still its own. */
	if (peer == NULL &&
	    registry_granted_before_exit(a->peer_ino, self)) {
		reply_verdict(rq->reply_fd, WIRE_ALLOW_ONCE, 0);
		return;
	}
	/* Not granted, as far as we have read: first read the rest. */
	if ((peer == NULL || !peer->granted[self]) && a->peer_ino != 0 &&
	    !rq->caught_up && defer(rq))
		return;
	if (impostor) {
		deny(rq, "accept", &a->name, a->peer_pid, a->peer_uid,
		    ECONNABORTED, "peer reuses the pid of a process that held "
		    "a capability");
		return;
	}
	if (peer == NULL || !peer->granted[self]) {
		snprintf(reason, sizeof(reason),
		    "pid %d holds no capability to service %s", (int)a->peer_pid,
		    pol->services[self].name);
		deny(rq, "accept", &a->name, a->peer_pid, a->peer_uid,
		    ECONNABORTED, reason);
		return;
	}
	reply_verdict(rq->reply_fd, WIRE_ALLOW, 0);
}

static void
handle_report(const struct request *rq)
{
	const struct wire_report *r = &rq->msg.report;
	const char *why;

	switch (r->reason) {
	case WIRE_REPORT_PEER_MISMATCH:
		why = "the process at the provider's address is not the one "
		    "the capability names";
		break;
	case WIRE_REPORT_PEER_DEAD:
		why = "the provider the capability names has exited";
		break;
	default:
		why = "the peer's credentials are unavailable";
		break;
	}
	deny(rq, "connect", &r->name, r->peer_pid,
	    r->peer_pid ? (long long)r->peer_uid : -1,
	    ECONNREFUSED, why);
}

/*
 * The shim refused an exec: the record names the image, not a socket.
 * The answer only tells the shim the record is written.
 */
static void
handle_exec(const struct request *rq)
{
	const struct wire_exec *e = &rq->msg.exec;
	char reason[192];

	snprintf(reason, sizeof(reason), "%s%s", image_reason(e->reason),
	    e->flags & WIRE_EXEC_TRUNCATED ? " (path cut short)" : "");
	deny_bytes(rq, "exec", e->path, e->path_len, 0, -1, EACCES, reason);
}

static void
handle_hello(const struct request *rq)
{
	reply_verdict(rq->reply_fd, WIRE_ALLOW, 0);
	if (rq->msg.hello.status == WIRE_HELLO_INTERPOSED &&
	    hooks.unprotectable != NULL)
		hooks.unprotectable(rq->chan->service, rq->proc->pid);
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
	char buf[WIRE_MSG_MAX + 1];
	struct transport_msg in = { .data = buf, .size = sizeof(buf) };
	enum transport_result got;
	int type;
	socklen_t len = sizeof(type);
	bool bad;

	got = transport_recv(c->watch.fd, MSG_DONTWAIT, 1, &in, &sysio_libc);
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
	    (rq->msg.h.type == WIRE_CLAIM && in.pidfd < 0);
	/* The reply end must be what the shim makes: a seqpacket socket. */
	if (!bad && in.nfds == 1 &&
	    (getsockopt(in.fds[0], SOL_SOCKET, SO_TYPE, &type, &len) != 0 ||
	    type != SOCK_SEQPACKET))
		bad = true;
	if (bad) {
		fprintf(stderr, "capwrap: %s: malformed channel message from "
		    "pid %d dropped\n", pol->services[c->service].name,
		    (int)in.cred.pid);
		transport_discard(&in, &sysio_libc);
		return RECEIVE_DROPPED;
	}
	rq->chan = c;
	rq->service = pol->services[c->service].name;
	rq->caught_up = false;
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

static void
dispatch(const struct request *rq)
{
	switch (rq->msg.h.type) {
	case WIRE_BIND:		handle_bind(rq);	break;
	case WIRE_LISTEN:	handle_listen(rq);	break;
	case WIRE_DIAL:		handle_dial(rq);	break;
	case WIRE_ADMIT:	handle_admit(rq);	break;
	case WIRE_REPORT:	handle_report(rq);	break;
	case WIRE_HELLO:	handle_hello(rq);	break;
	case WIRE_NAMEOF:	handle_nameof(rq);	break;
	case WIRE_CLAIM:	handle_claim(rq);	break;
	case WIRE_EXEC:		handle_exec(rq);	break;
	}
}

/* Handle up to max requests of a channel, until it is empty or closed. */
static void
read_channel(struct channel *c, int max)
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
			dispatch(&rq);
			break;
		case RECEIVE_DROPPED:
			break;
		}
	}
}

/* False when too many wait already: the caller judges it now. */
static bool
defer(const struct request *rq)
{
	if (ndeferred == DEFERRED_MAX)
		return false;
	if (ndeferred == deferred_cap) {
		size_t ncap = deferred_cap ? deferred_cap * 2 : 16;
		struct request *d = reallocarray(deferred, ncap, sizeof(*d));

		if (d == NULL)
			return false;
		deferred = d;
		deferred_cap = ncap;
	}
	deferred[ndeferred] = *rq;
	/* Its asker's record may be freed before the turn ends: found again then. */
	deferred[ndeferred].proc = NULL;
	ndeferred++;
	return true;
}

/*
 * Read what the services that dial `service` have queued, each channel
 * once a turn (see `deferred`).
 */
static void
catch_up(size_t service)
{
	const struct policy_service *provider = &pol->services[service];

	for (size_t i = 0; i < pol->nservices; i++) {
		struct channel *c = &channels[i];

		if (!c->caught_up && c->watch.fd >= 0 &&
		    policy_service_dials(pol, &pol->services[i], provider)) {
			c->caught_up = true;
			read_channel(c, CATCH_UP_MAX);
		}
	}
}

/* Judge the ADMITs that waited for this turn's end (see `deferred`). */
static void
settle_deferred(void)
{
	struct request *batch = deferred;
	size_t n = ndeferred;

	if (n == 0)
		return;
	deferred = NULL;
	ndeferred = deferred_cap = 0;
	for (size_t i = 0; i < pol->nservices; i++)
		channels[i].caught_up = false;
	for (size_t i = 0; i < n; i++)
		catch_up(batch[i].chan->service);
	for (size_t i = 0; i < n; i++) {
		struct request *rq = &batch[i];

		/*
		 * An asker that has exited since needs no answer; nor does
		 * the process that may have taken its pid since.
		 */
		rq->proc = registry_find_proc(rq->pid);
		if (rq->proc == NULL || registry_proc_gone(rq->proc) ||
		    rq->proc->pidfs_ino != rq->sender_ino) {
			close(rq->reply_fd);
			continue;
		}
		rq->caught_up = true;
		handle_admit(rq);
	}
	free(batch);
}

static void
on_channel(struct watch *w, uint32_t events)
{
	/* Bounded, so one busy service cannot starve the others. */
	read_channel(w->ctx, 64);
}

int64_t
broker_expire(int64_t now_ms)
{
	int64_t dials, summaries;

	settle_deferred();
	dials = registry_expire_pending(now_ms, answer_pending);
	summaries = audit_expire(now_ms);
	/* ADMITs a catch-up read wait for the next turn, at once. */
	if (ndeferred > 0)
		return now_ms;
	if (dials < 0 || (summaries >= 0 && summaries < dials))
		return summaries;
	return dials;
}
