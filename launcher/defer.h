/*
 * What the broker's answers wait for: a refusal at a provider's gate
 * waits for the requests its dialers have queued (a catch-up), a dial
 * waits for its provider to listen.  broker_expire() (broker.h) judges
 * and answers them.
 */
#ifndef CAPWRAP_DEFER_H
#define CAPWRAP_DEFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "request.h"

void defer_init(const struct policy *, int64_t dial_timeout_ms);

/* Judge an ADMIT at the end of the turn; false when too many wait already. */
bool defer_admit(const struct request *);

/*
 * Read the claim queues of the services that dial service: an ADMIT at
 * its gate is about to be judged without waiting (too many wait).
 */
void defer_read_claims(size_t service);

/* Let a dial wait for its provider; false if it cannot. */
bool defer_dial(const struct request *);

#endif
