#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auditwrite.h"
#include "broker.h"
#include "claimqueue.h"
#include "defer.h"
#include "loop.h"
#include "registry.h"

static const struct policy *pol;
static int64_t dial_timeout;

/*
 * A refusal at a provider's gate (WIRE_ADMIT) is decided only once the
 * requests queued on its dialers' channels have been read: a forked
 * child's claim (WIRE_CLAIM) is queued before the connection it covers
 * is made, so it must be read before that connection is judged.  An
 * ADMIT the launcher would refuse waits here until the end of the loop's
 * turn (broker_expire); then the claim queues and the channels of the
 * services that dial the providers concerned are read, each once (at
 * most CLAIMS_MAX claims and CATCH_UP_MAX requests), and the ADMITs are
 * judged.  A claim queue holds what its sender's socket buffer holds, which
 * the service may raise: an ADMIT a catch-up left claims unread for waits
 * for the next one, up to WAIT_FOR_CLAIMS_MAX turns.  Only a connector named by
 * its pidfs inode waits: claims are made only where the kernel has pidfs.
 * ADMITs read by a catch-up wait for the next turn, so the work of a
 * turn is bounded, whatever a service floods its channel with.  Past
 * DEFERRED_MAX waiting, an ADMIT is judged at once, after the claim queues
 * of its provider's dialers are read (defer_read_claims).
 */
#define CATCH_UP_MAX 1024 /* more than a channel's queue holds */
#define DEFERRED_MAX 1024
/* Turns an ADMIT waits for claim queues read up to their bound. */
#define WAIT_FOR_CLAIMS_MAX 16
static struct request *deferred;
static size_t ndeferred, deferred_cap;

void
defer_init(const struct policy *p, int64_t dial_timeout_ms)
{
	pol = p;
	dial_timeout = dial_timeout_ms;
}

bool
defer_admit(const struct request *rq)
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
	/* Its asker's record may be freed before the turn ends: found again. */
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
		struct channel *c = broker_channel(i);

		if (!c->caught_up && c->watch.fd >= 0 &&
		    policy_service_dials(pol, &pol->services[i], provider)) {
			c->caught_up = true;
			c->claims_left = !claimqueue_read(c, CLAIMS_MAX);
			broker_read_channel(c, CATCH_UP_MAX);
		}
	}
}

/* Did this turn's catch-up leave claims unread for service's gate? */
static bool
claims_left(size_t service)
{
	const struct policy_service *provider = &pol->services[service];

	for (size_t i = 0; i < pol->nservices; i++)
		if (broker_channel(i)->claims_left &&
		    policy_service_dials(pol, &pol->services[i], provider))
			return true;
	return false;
}

void
defer_read_claims(size_t service)
{
	const struct policy_service *provider = &pol->services[service];

	for (size_t i = 0; i < pol->nservices; i++)
		if (policy_service_dials(pol, &pol->services[i], provider))
			(void)claimqueue_read(broker_channel(i), CLAIMS_MAX);
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
		broker_channel(i)->caught_up = broker_channel(i)
						   ->claims_left = false;
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
		/*
		 * A claim queue read up to its bound may still hold this
		 * connection's claim: the ADMIT waits for the next turn's
		 * catch-up, a few times at most, before it is refused.
		 */
		rq->caught_up = !claims_left(rq->chan->service) ||
		    rq->waited_claims == WAIT_FOR_CLAIMS_MAX;
		if (!rq->caught_up)
			rq->waited_claims++;
		broker_judge(rq);
	}
	free(batch);
}

bool
defer_dial(const struct request *rq)
{
	const struct wire_dial *d = &rq->msg.dial;
	struct pending_dial wait;

	memset(&wait, 0, sizeof(wait));
	wait.reply_fd = rq->reply_fd;
	wait.service = rq->chan->service;
	wait.proc = rq->proc;
	wait.name.len = d->name.len;
	memcpy(wait.name.bytes, d->name.bytes, d->name.len);
	wait.deadline_ms = loop_now_ms() + dial_timeout;
	return registry_add_pending(&wait) != NULL;
}

int64_t
broker_expire(int64_t now_ms)
{
	int64_t dials, summaries;

	settle_deferred();
	dials = registry_expire_pending(now_ms, broker_answer_waited);
	summaries = audit_expire(now_ms);
	/* ADMITs a catch-up read wait for the next turn, at once. */
	if (ndeferred > 0)
		return now_ms;
	if (dials < 0 || (summaries >= 0 && summaries < dials))
		return summaries;
	return dials;
}
