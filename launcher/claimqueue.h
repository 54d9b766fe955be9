/*
 * A service's claim queue (claimqueue.c): where its forked workers'
 * claims (WIRE_CLAIM) wait, unread, until a provider's gate needs them.
 */
#ifndef CAPWRAP_CLAIMQUEUE_H
#define CAPWRAP_CLAIMQUEUE_H

#include "request.h"

/* Learn once whether the kernel lets claims be read late (claimqueue.c). */
void claimqueue_init(void);

/*
 * The service's end of c's claim queue, to attach to a grant; made at
 * the first call.  -1 if there is none (no pidfds on this kernel, out of
 * descriptors): the shim then claims on the channel.
 */
int claimqueue_give(struct channel *c);
/*
 * Read up to max claims queued on c (anything else is dropped as
 * malformed).  True if it read all there was.
 */
bool claimqueue_read(struct channel *c, int max);
/* Read what is queued, bounded: the channel of c's service is closing. */
void claimqueue_drain(struct channel *c, const char *service);
/* Close both ends: the service's channel has closed. */
void claimqueue_close(struct channel *c);

#endif
