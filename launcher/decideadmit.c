/*
 * The decisions of a provider's accept gate (WIRE_ADMIT): was this peer
 * granted a capability to the provider, and is it the process on record?
 * Pure, as the rest of decide.c: facts in, a verdict out.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "decide.h"
#include "verdict.h"

/* Refused at the provider's gate: the connection is aborted. */
static void
refuse_peer(struct verdict *v, const struct wire_admit *a)
{
	verdict_refuse(v, "accept", &a->name, a->peer_pid, a->peer_uid,
	    ECONNABORTED);
}

static void
refuse_ungranted(const struct ask *q, struct verdict *v)
{
	const struct wire_admit *a = &q->msg->admit;

	refuse_peer(v, a);
	snprintf(v->reason, sizeof(v->reason),
	    "pid %d holds no capability to service %s", (int)a->peer_pid,
	    q->pol->services[q->self].name);
}

/*
 * The gate refused a peer it had been told to refuse less than a second
 * before, without asking (shim/admit.c), and tells us for the audit.
 * The reason is the usual one unless the peer has been granted since.
 */
static void
decide_remembered(const struct ask *q, const struct facts *f, struct verdict *v)
{
	const struct wire_admit *a = &q->msg->admit;
	const struct peer_facts *peer = &f->peer;

	if (!(f->known & FACT_PEER)) {
		verdict_ask(v, FACT_PEER);
		return;
	}
	if (peer->live && peer->pidfs_ino == a->peer_ino && peer->granted) {
		refuse_peer(v, a);
		snprintf(v->reason, sizeof(v->reason),
		    "pid %d was refused "
		    "less than a second ago, before its grant, and the gate "
		    "remembered it",
		    (int)a->peer_pid);
	} else
		refuse_ungranted(q, v);
}

/*
 * The refusals made from the ADMIT alone; false if there is none.
 * Without pidfs an exited connector cannot be told apart from a process
 * that took its pid since and holds a grant: refused.  A datagram whose
 * kernel credentials were cut (MSG_CTRUNC: a sender that attaches
 * descriptors can push the pidfd out) names a pid that may have been
 * reused: never judged by that pid.
 */
static bool
refused_unidentified(const struct ask *q, const struct facts *f,
    struct verdict *v)
{
	const struct wire_admit *a = &q->msg->admit;

	if (a->peer_pid == 0) {
		verdict_refuse(v, "accept", &a->name, 0, a->peer_uid,
		    ECONNABORTED);
		strlcpy(v->reason,
		    "peer credentials unavailable (another pid "
		    "namespace)",
		    sizeof(v->reason));
	} else if (a->flags & WIRE_ADMIT_EXITED) {
		refuse_peer(v, a);
		strlcpy(v->reason,
		    "the peer has exited, and without pidfs it "
		    "cannot be told from a process that reused its pid",
		    sizeof(v->reason));
	} else if (a->flags & WIRE_ADMIT_REMEMBERED)
		decide_remembered(q, f, v);
	else if (a->flags & WIRE_ADMIT_UNIDENTIFIED) {
		refuse_peer(v, a);
		strlcpy(v->reason,
		    "the sender's credentials were cut short or "
		    "came without its pidfd",
		    sizeof(v->reason));
	} else
		return false;
	return true;
}

/*
 * Same pid, another process: the pidfs inodes tell them apart, and so
 * does a uid other than the one on record.  The connector may be one
 * that exited after its pid was taken by the process on record, or one
 * that took the pid of a process that held a grant; either way the
 * record is not the connector's.
 */
static bool
another_process(const struct wire_admit *a, const struct peer_facts *peer)
{
	return a->peer_uid != peer->uid ||
	    (a->peer_ino != 0 && peer->pidfs_ino != 0 &&
		a->peer_ino != peer->pidfs_ino);
}

/* Past the refusals of refused_unidentified(), and knowing the peer. */
static void
decide_admit_peer(const struct ask *q, const struct facts *f, struct verdict *v)
{
	const struct wire_admit *a = &q->msg->admit;
	bool live = f->peer.live, impostor = false, granted, answered;

	if (live && another_process(a, &f->peer)) {
		impostor = f->peer.granted;
		live = false;
	}
	granted = live && f->peer.granted;
	/*
	 * An answer from a provider's socket is admitted for what it is, a
	 * datagram from that socket: the shim must not take its sender for
	 * a process granted anything.
	 */
	answered = !granted && a->socktype == WIRE_SOCK_DGRAM &&
	    a->from_len != 0;
	if (answered && !(f->known & FACT_FROM_PROVIDER))
		verdict_ask(v, FACT_FROM_PROVIDER);
	else if (answered && f->from_provider)
		verdict_answer(v, WIRE_ALLOW_ONCE);
	/* Made by a granted process that has exited since: still its own. */
	else if (!live && !(f->known & FACT_EXITED_GRANT))
		verdict_ask(v, FACT_EXITED_GRANT);
	else if (!live && f->exited_grant)
		verdict_answer(v, WIRE_ALLOW_ONCE);
	/* Not granted, as far as we have read: first read the rest. */
	else if (!granted && a->peer_ino != 0 && f->may_defer)
		v->kind = VERDICT_DEFER;
	else if (impostor) {
		refuse_peer(v, a);
		strlcpy(v->reason,
		    "peer reuses the pid of a process that held "
		    "a capability",
		    sizeof(v->reason));
	} else if (!granted)
		refuse_ungranted(q, v);
	else
		verdict_answer(v, WIRE_ALLOW);
}

/*
 * A connection or datagram at a provider's gate.  Where the kernel has
 * pidfs the process on record has an inode, and so does every live
 * connector: a question without one is not about the process on record,
 * whose pid it may have taken.
 */
void
decide_admit(const struct ask *q, const struct facts *f, struct verdict *v)
{
	const struct wire_admit *a = &q->msg->admit;

	if (refused_unidentified(q, f, v))
		return;
	if (!(f->known & FACT_PEER))
		verdict_ask(v, FACT_PEER);
	else if (f->peer.live && f->peer.pidfs_ino != 0 && a->peer_ino == 0) {
		refuse_peer(v, a);
		strlcpy(v->reason,
		    "the peer's pidfs inode is unknown on a "
		    "kernel that has pidfs",
		    sizeof(v->reason));
	} else
		decide_admit_peer(q, f, v);
}
