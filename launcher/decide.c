#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "absname.h"
#include "decide.h"
#include "verdict.h"
#include "image.h"
#include "sockdiag.h"

/*
 * A refused name that reads like a provided one up to a NUL byte: a
 * program that passed a length past its name's end, or a policy that
 * spells a NUL inside a name.  Trailing NULs never get here: they are
 * padding, and match (common/absname.h).  The hint is appended to the
 * reason; only `only`'s names are looked at if it is not NULL.
 */
static void
hint_near_name(struct verdict *v, const struct policy *pol,
    const struct policy_service *only, const struct wire_name *name)
{
	char text[POLICY_NAME_TEXT_MAX];
	size_t at = strlen(v->reason);

	for (size_t i = 0; i < pol->nservices; i++) {
		const struct policy_service *s = &pol->services[i];

		if (only != NULL && s != only)
			continue;
		for (size_t j = 0; j < s->nprovides; j++) {
			const struct policy_name *n = &s->provides[j];

			if (!absname_differs_past_nul(name->bytes, name->len,
				n->bytes, n->len))
				continue;
			snprintf(v->reason + at, sizeof(v->reason) - at,
			    " (it differs from %s, which %s provides, only "
			    "after a NUL byte: names match byte for byte, "
			    "only trailing NULs are padding)",
			    policy_name_text(n->bytes, n->len, text), s->name);
			return;
		}
	}
}

static void
decide_bind(const struct ask *q, const struct facts *f, struct verdict *v)
{
	const struct wire_bind *b = &q->msg->bind;
	const struct policy_service *self = &q->pol->services[q->self];

	if (policy_is_external(q->pol, b->name.bytes, b->name.len)) {
		verdict_answer(v, WIRE_EXTERNAL);
		return;
	}
	if (!policy_service_provides(self, b->name.bytes, b->name.len)) {
		verdict_refuse(v, "bind", &b->name, 0, -1, EACCES);
		snprintf(v->reason, sizeof(v->reason),
		    "service %s does not provide this name", self->name);
		hint_near_name(v, q->pol, self, &b->name);
		return;
	}
	if (!(f->known & FACT_NAME_OPEN))
		verdict_ask(v, FACT_NAME_OPEN);
	else if (f->reg != NULL)
		/* Like the kernel for a name in use; not a policy refusal. */
		verdict_fail(v, EADDRINUSE);
	else
		verdict_answer(v, WIRE_ALLOW);
}

/* What a LISTEN registers; owner is the caller's to fill. */
static void
registration_of(const struct ask *q, struct registration *reg)
{
	const struct wire_listen *l = &q->msg->listen;

	memset(reg, 0, sizeof(*reg));
	reg->name.len = l->name.len;
	memcpy(reg->name.bytes, l->name.bytes, l->name.len);
	reg->service = q->self;
	reg->socktype = l->socktype;
	reg->addr_len = l->addr_len;
	memcpy(reg->addr, l->addr, l->addr_len);
	reg->sock_ino = l->sock_ino;
	reg->dialable = l->state == WIRE_LISTENING;
}

/*
 * What the shim claims is checked against the kernel (FACT_BOUND): the
 * socket must exist and be bound at the address it names, so a
 * registration can never point clients (or the datagram answer rule) at
 * a socket of somebody else's.  A kernel without sock_diag cannot say;
 * the claim then stands on the channel's authority alone.  A query that
 * failed (out of descriptors, say) is no yes: refused.
 */
static void
decide_listen(const struct ask *q, const struct facts *f, struct verdict *v)
{
	const struct wire_listen *l = &q->msg->listen;
	const struct policy_service *self = &q->pol->services[q->self];

	if (!policy_service_provides(self, l->name.bytes, l->name.len))
		verdict_refuse_because(v, "bind", &l->name, EACCES,
		    "socket registered "
		    "for a name the service does not provide");
	else if (!(f->known & FACT_BOUND))
		verdict_ask(v, FACT_BOUND);
	else if (f->bound == SOCKDIAG_FAILED)
		verdict_refuse_because(v, "bind", &l->name, EACCES,
		    "the registered socket could not be looked up");
	else if (f->bound != 1 && f->bound != SOCKDIAG_UNSUPPORTED) {
		/*
		 * A service told to stop may be gone, its socket with it,
		 * before its registration is read: a death, not a claim on a
		 * socket elsewhere, and nothing to record.
		 */
		if (f->asker_gone || f->asker_stopping)
			verdict_fail(v, ESRCH);
		else
			verdict_refuse_because(v, "bind", &l->name, EACCES,
			    "the registered "
			    "socket is not bound at the address claimed");
	} else if (!(f->known & FACT_NAME_OPEN))
		verdict_ask(v, FACT_NAME_OPEN);
	else if (f->reg != NULL && f->reg->sock_ino != l->sock_ino)
		verdict_fail(v, EADDRINUSE);
	else if (f->asker_gone)
		/* The requester may have just died: it registers nothing. */
		verdict_fail(v, ESRCH);
	else {
		v->kind = VERDICT_REGISTER;
		registration_of(q, &v->reg_new);
	}
}

/*
 * The virtual name behind a minted address, for a shim that did not see
 * the bind itself (an image exec'd since, or the other end of a
 * connection).  Names are not capabilities: this grants nothing.  A
 * socket the kernel could not be asked about counts as open.
 */
static void
decide_nameof(const struct ask *q, const struct facts *f, struct verdict *v)
{
	if (!(f->known & FACT_AT_ADDR))
		verdict_ask(v, FACT_AT_ADDR);
	else if (f->at_addr == NULL || !f->at_addr_open)
		verdict_fail(v, ENOENT);
	else {
		v->kind = VERDICT_NAME;
		v->answer = f->at_addr->service == q->self ? WIRE_NAME_LOCAL :
							     WIRE_NAME_REMOTE;
		v->reg = f->at_addr;
	}
}

/*
 * The provider the requester may dial for name, or NULL with the
 * verdict made: a refusal, or WIRE_EXTERNAL for an external name or an
 * unprotected provider (which binds its fixed name itself).
 */
static const struct policy_service *
dialable_provider(const struct ask *q, const struct wire_name *name,
    struct verdict *v)
{
	const struct policy_service *self = &q->pol->services[q->self];
	const struct policy_service *provider;

	if (policy_is_external(q->pol, name->bytes, name->len)) {
		verdict_answer(v, WIRE_EXTERNAL);
		return NULL;
	}
	provider = policy_provider(q->pol, name->bytes, name->len);
	if (provider == NULL) {
		verdict_refuse_because(v, "connect", name, EACCES,
		    "no service provides this name and it is not external");
		hint_near_name(v, q->pol, NULL, name);
		return NULL;
	}
	if (!policy_service_dials(q->pol, self, provider)) {
		verdict_refuse(v, "connect", name, 0, -1, EACCES);
		snprintf(v->reason, sizeof(v->reason),
		    "service %s does not dial service %s", self->name,
		    provider->name);
		return NULL;
	}
	if (provider->unprotected) {
		verdict_answer(v, WIRE_EXTERNAL);
		return NULL;
	}
	return provider;
}

static void
grant(struct verdict *v, size_t service, const struct registration *r)
{
	v->kind = VERDICT_GRANT;
	v->grant = service;
	v->reg = r;
}

/*
 * A datagram grant is only checked by the shim at its own sends: the
 * registration of a dial is looked up with its socket checked for
 * datagrams only.  Binds check the socket, so a closed one frees its
 * name; stream dials do not (the query costs more than the rest of a
 * grant): a grant to a closed socket meets ECONNREFUSED at the minted
 * address, or a peer the client's check refuses.
 */
static void
decide_dial(const struct ask *q, const struct facts *f, struct verdict *v)
{
	const struct wire_dial *d = &q->msg->dial;
	unsigned name_fact = d->socktype == WIRE_SOCK_DGRAM ? FACT_NAME_OPEN :
							      FACT_NAME_HELD;

	if (dialable_provider(q, &d->name, v) == NULL)
		return;
	if (!(f->known & name_fact))
		verdict_ask(v, name_fact);
	else if (f->asker_gone)
		verdict_fail(v, ESRCH);
	else if (f->reg != NULL && f->reg->dialable)
		grant(v, f->reg->service, f->reg);
	/*
	 * No listener yet: as the kernel would say, unless we may wait.  Each
	 * wait holds a descriptor until the provider comes, so one process,
	 * or one service, may only hold so many: past that it is told what
	 * the kernel would say, and the launcher keeps serving.
	 */
	else if ((d->flags & WIRE_DIAL_NOWAIT) ||
	    q->limits->dial_timeout_ms <= 0)
		verdict_fail(v, ECONNREFUSED);
	else if (!(f->known & FACT_PENDING))
		verdict_ask(v, FACT_PENDING);
	else if (f->pending_proc >= q->limits->pending_per_process ||
	    f->pending_service >= q->limits->pending_per_service)
		verdict_fail(v, ECONNREFUSED);
	else
		v->kind = VERDICT_WAIT;
}

void
decide_waited(const struct registration *r, struct verdict *v)
{
	memset(v, 0, sizeof(*v));
	if (r == NULL || !r->dialable)
		verdict_fail(v, ECONNREFUSED);
	else
		grant(v, r->service, r);
}

/*
 * A forked child takes up a capability its parent holds.  Granted as a
 * DIAL of the name would grant it, with no answer: the child does not
 * wait.
 */
static void
decide_claim(const struct ask *q, struct verdict *v)
{
	const struct policy_service *provider = dialable_provider(q,
	    &q->msg->claim.name, v);

	if (provider != NULL)
		grant(v, policy_service_index(q->pol, provider), NULL);
}

static void
decide_report(const struct ask *q, struct verdict *v)
{
	const struct wire_report *r = &q->msg->report;
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
	verdict_refuse(v, "connect", &r->name, r->peer_pid,
	    r->peer_pid ? (long long)r->peer_uid : -1, ECONNREFUSED);
	strlcpy(v->reason, why, sizeof(v->reason));
}

/*
 * The shim refused an exec: the record names the image, not a socket.
 * The answer only tells the shim the record is written.
 */
static void
decide_exec(const struct ask *q, struct verdict *v)
{
	const struct wire_exec *e = &q->msg->exec;

	v->kind = VERDICT_DENY;
	v->error = EACCES;
	v->gate = "exec";
	v->name = e->path;
	v->name_len = e->path_len;
	v->peer_pid = 0;
	v->peer_uid = -1;
	snprintf(v->reason, sizeof(v->reason), "%s%s", image_reason(e->reason),
	    e->flags & WIRE_EXEC_TRUNCATED ? " (path cut short)" : "");
}

static void
decide_hello(const struct ask *q, struct verdict *v)
{
	verdict_answer(v, WIRE_ALLOW);
	v->unprotectable = q->msg->hello.status == WIRE_HELLO_INTERPOSED;
}

void
decide(const struct ask *q, const struct facts *f, struct verdict *v)
{
	memset(v, 0, sizeof(*v));
	switch (q->msg->h.type) {
	case WIRE_BIND:
		decide_bind(q, f, v);
		break;
	case WIRE_LISTEN:
		decide_listen(q, f, v);
		break;
	case WIRE_DIAL:
		decide_dial(q, f, v);
		break;
	case WIRE_ADMIT:
		decide_admit(q, f, v);
		break;
	case WIRE_REPORT:
		decide_report(q, v);
		break;
	case WIRE_HELLO:
		decide_hello(q, v);
		break;
	case WIRE_NAMEOF:
		decide_nameof(q, f, v);
		break;
	case WIRE_CLAIM:
		decide_claim(q, v);
		break;
	case WIRE_EXEC:
		decide_exec(q, v);
		break;
	}
}
