/*
 * The launcher's reap page, mapped read-only (reappage.c).
 */
#ifndef CAPSHIM_REAPPAGE_H
#define CAPSHIM_REAPPAGE_H

#include <stdbool.h>
#include <stdint.h>

/* Has this image the page?  If not, requests ask for it (*_PAGE). */
bool reappage_have(void);

/*
 * Hold a copy of fd, the page the launcher sent, to map when wanted;
 * owner: channel_owner().  fd itself is left for the caller to close.
 */
void reappage_take(int fd, bool owner);

/*
 * The epoch now, an acquire load: false if there is no page, or the
 * launcher that wrote it is gone (then nothing may be concluded from it).
 */
bool reappage_epoch(uint64_t *epoch);

#endif
