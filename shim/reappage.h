/*
 * The launcher's reap page, mapped read-only (reappage.c).
 */
#ifndef CAPSHIM_REAPPAGE_H
#define CAPSHIM_REAPPAGE_H

#include <stdbool.h>
#include <stdint.h>

/* Has this image the page?  If not, requests ask for it (*_PAGE). */
bool reappage_have(void);

/* Map the page from fd, a descriptor the launcher sent; fd is consumed. */
void reappage_take(int fd);

/*
 * The epoch now, an acquire load: false if there is no page, or the
 * launcher that wrote it is gone (then nothing may be concluded from it).
 */
bool reappage_epoch(uint64_t *epoch);

#endif
