/*
 * The OnlyMyPeers decision, shared by the accept gate and the datagram
 * receive gate: is this process one the launcher granted a capability
 * to this service?
 */
#ifndef CAPSHIM_ADMIT_H
#define CAPSHIM_ADMIT_H

#include <stdbool.h>

#include "peer.h"
#include "wire.h"

/*
 * Ask the launcher (or recall an earlier yes).  fd is the accepted socket,
 * whose peer credentials are read only when the launcher must be asked.
 * name is the virtual name of the gated socket, for the audit record the
 * launcher writes on a no.
 */
bool admit_peer(int fd, struct peer_identity *, const struct wire_name *name,
    int socktype);

/*
 * The same for a datagram, whose sender's abstract address (leading NUL
 * included; len 0 if none) lets the launcher recognise answers sent from
 * a provider's own socket by whichever process holds it.
 */
bool admit_datagram(const struct peer_identity *, const struct wire_name *name,
    const uint8_t *from, size_t from_len);

#endif
