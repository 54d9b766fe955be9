#include <string.h>

#include "decide.h"
#include "registry.h"
#include "request.h"
#include "sockdiag.h"

/*
 * A registration counts while its process lives, and, where check_socket
 * asks for it, while its socket is open.  Binds check the socket, so a
 * closed one frees its name; dials do not (the query costs more than the
 * rest of a grant): a grant to a closed socket meets ECONNREFUSED at the
 * minted address, or a peer the client's check refuses.
 */
struct registration *
live_registration(const uint8_t *name, size_t len, bool check_socket)
{
	struct registration *r = registry_lookup(name, len);

	if (r == NULL)
		return NULL;
	if (registry_proc_gone(r->owner))
		return NULL; /* released with its owner */
	if (check_socket && sockdiag_unix_exists(r->sock_ino) == 0) {
		registry_unregister(r);
		return NULL;
	}
	return r;
}

/* The name a BIND, LISTEN or DIAL is about. */
static const struct wire_name *
request_name(const union wire_msg *m)
{
	switch (m->h.type) {
	case WIRE_BIND:
		return &m->bind.name;
	case WIRE_LISTEN:
		return &m->listen.name;
	default:
		return &m->dial.name;
	}
}

/* The process on record for an ADMIT's peer pid, if it lives. */
static void
peer_facts(const struct request *rq, struct peer_facts *pf)
{
	struct proc *peer = registry_find_proc(rq->msg.admit.peer_pid);

	memset(pf, 0, sizeof(*pf));
	if (peer == NULL || registry_proc_gone(peer))
		return;
	pf->live = true;
	pf->uid = peer->uid;
	pf->pidfs_ino = peer->pidfs_ino;
	pf->granted = peer->granted[rq->chan->service];
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
from_granted_provider(const struct request *rq)
{
	const struct wire_admit *a = &rq->msg.admit;
	const struct registration *r = registry_lookup_addr(a->from,
	    a->from_len);

	return r != NULL && r->socktype == WIRE_SOCK_DGRAM &&
	    rq->proc->granted[r->service] &&
	    sockdiag_unix_exists(r->sock_ino) == 1;
}

void
gather_facts(const struct request *rq, unsigned need, struct facts *f)
{
	const union wire_msg *m = &rq->msg;
	size_t self = rq->chan->service;

	if (need & (FACT_NAME_OPEN | FACT_NAME_HELD))
		f->reg = live_registration(request_name(m)->bytes,
		    request_name(m)->len, need & FACT_NAME_OPEN);
	if (need & FACT_BOUND)
		f->bound = sockdiag_unix_bound_at(m->listen.sock_ino,
		    m->listen.addr, m->listen.addr_len);
	if (need & FACT_PENDING) {
		f->pending_proc = registry_count_pending(rq->proc, 0);
		f->pending_service = registry_count_pending(NULL, self);
	}
	if (need & FACT_PEER)
		peer_facts(rq, &f->peer);
	if (need & FACT_FROM_PROVIDER)
		f->from_provider = from_granted_provider(rq);
	if (need & FACT_EXITED_GRANT)
		f->exited_grant =
		    registry_granted_before_exit(m->admit.peer_ino, self);
	if (need & FACT_AT_ADDR) {
		f->at_addr = registry_lookup_addr(m->nameof.addr,
		    m->nameof.addr_len);
		f->at_addr_open = f->at_addr != NULL &&
		    sockdiag_unix_exists(f->at_addr->sock_ino) != 0;
	}
	f->known |= need;
}
