/*
 * The broker: the launcher's end of every lineage channel.  It answers
 * the shims' requests from the policy and the registry, grants
 * capabilities, and audits every refusal.
 */
#ifndef CAPWRAP_BROKER_H
#define CAPWRAP_BROKER_H

#include <sys/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

struct broker_hooks {
	/* A process of service could not be protected (interposed calls). */
	void (*unprotectable)(size_t service, pid_t pid);
	/* A provider of service registered a name. */
	void (*registered)(size_t service);
	/* A client was granted a capability to a name of service. */
	void (*granted)(size_t service);
};

int broker_init(const struct policy *, int64_t dial_timeout_ms,
    const struct broker_hooks *);

/*
 * Decide with this policy from now on (a reload): its services keep the
 * indexes they had, new ones come after.  -1 if out of memory.
 */
int broker_set_policy(const struct policy *);

/*
 * Make a channel for service: returns the end the service inherits and
 * keeps the launcher's end.  -1 on failure (errno set).
 */
int broker_open_channel(size_t service);

/* The launcher's end of a service's channel closes with its last holder. */
void broker_close_channel(size_t service);

/* A service is restarting: its names and the grants to it are revoked. */
void broker_forget_service(size_t service);

/*
 * Whether every name service provides is registered now, by it, and
 * dialable (listening, or a bound datagram socket): its dialers may start.
 */
bool broker_names_registered(size_t service);

/*
 * Once per turn of the event loop: judge the refusals that waited for a
 * catch-up, answer dials whose wait has run out, write audit summaries
 * that are due.  Returns the next deadline, now_ms when more waits, or -1.
 */
int64_t broker_expire(int64_t now_ms);

#endif
