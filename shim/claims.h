/*
 * The service's claim queue (common/wire.h, WIRE_REPLY_CLAIMS): where
 * this process and its forked children send their claims, so that a
 * claim wakes no one.
 */
#ifndef CAPSHIM_CLAIMS_H
#define CAPSHIM_CLAIMS_H

#include <stdbool.h>

#include "wire.h"

/* Whether this image holds the queue (else a grant should bring it). */
bool claims_have(void);
/*
 * Keep a copy of fd, the queue's end a grant brought, if wanted; owner:
 * channel_owner().  fd itself is left for the caller to close.
 */
void claims_take(int fd, bool owner);
/*
 * Queue a claim without waiting.  -1 if there is no queue, it is no
 * longer ours, or it is full: the caller claims on the channel instead.
 */
int claims_send(const union wire_msg *claim);

#endif
