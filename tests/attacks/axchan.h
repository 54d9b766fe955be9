/*
 * What the attackers that speak the lineage channel share: sending raw
 * packets on it, with whatever descriptors they choose to attach.
 */
#ifndef AXCHAN_H
#define AXCHAN_H

#include <stddef.h>

/*
 * Send len bytes of buf on the channel descriptor chan, with the nfds
 * descriptors fds as SCM_RIGHTS (none if nfds is 0; at most 4).
 * Returns 0 if all of it was sent, -1 otherwise.
 */
int ax_send(int chan, const void *buf, size_t len, const int *fds, int nfds);

#endif
