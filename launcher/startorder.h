/*
 * The start order of `capwrap run`, from the policy alone: a service
 * starts once every service it dials has registered its names, and the
 * services of a dial cycle (a strongly connected component of the dial
 * graph) start together, once everything they dial outside the cycle has.
 * Pure: which services have registered is handed in, nothing is started.
 */
#ifndef CAPWRAP_STARTORDER_H
#define CAPWRAP_STARTORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

/* What startorder_waits_for returns for a service that may start now. */
#define STARTORDER_NONE SIZE_MAX

struct startorder {
	const struct policy *policy;
	size_t *cycle; /* per service: its component (its cycle, or itself) */
	bool *pending; /* not started yet */
	bool *told;    /* its wait for a provider that exited was told */
	/* Room for the caller: registered services, a list of services. */
	bool *registered;
	size_t *turn;
};

/*
 * The components of policy's dial graph; every service pending.  Returns 0,
 * or -1 if out of memory.
 */
int startorder_init(struct startorder *, const struct policy *);
void startorder_free(struct startorder *);

/* Whether services a and b are in one dial cycle (start together). */
bool startorder_together(const struct startorder *, size_t a, size_t b);

/*
 * The first service (policy order) that service i, or any service of its
 * cycle, dials outside the cycle and that has not registered its names
 * (registered[k] false); STARTORDER_NONE if there is none: it may start.
 */
size_t startorder_waits_for(const struct startorder *, size_t i,
    const bool *registered);

/*
 * The pending services that may start now, into out (room for every
 * service), in policy order; each is no longer pending.  A whole cycle
 * comes out at once.  Returns how many.
 */
size_t startorder_take(struct startorder *, const bool *registered,
    size_t *out);

/*
 * The pending services that wait for provider (it exited without having
 * registered its names) and were not told of yet, into out; each is told
 * of from now on.  Returns how many.
 */
size_t startorder_waiting_on(struct startorder *, size_t provider,
    const bool *registered, size_t *out);

/*
 * The pending services not told of yet, into out; each is told of from
 * now on.  Returns how many.
 */
size_t startorder_untold(struct startorder *, size_t *out);

/* Whether any service was never started. */
bool startorder_any_pending(const struct startorder *);

#endif
