/*
 * The OnlyMyPeers decision, shared by the accept gate and the datagram
 * receive gate: is this process one the launcher granted a capability
 * to this service?
 */
#ifndef CAPSHIM_ADMIT_H
#define CAPSHIM_ADMIT_H

#include <sys/un.h>
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
/* identified: false when the kernel's credentials for it were incomplete. */
bool admit_datagram(const struct peer_identity *, bool identified,
    const struct wire_name *name, const uint8_t *from, size_t from_len);

/*
 * A stream or seqpacket listener, named for admit_known_peer(): its
 * minted address (leading NUL included), the first len bytes of
 * sun->sun_path, packed in a number; 0 for an address that cannot be
 * (then no peer is known on it).
 */
uint64_t admit_listener_key(const struct sockaddr_un *sun, size_t len);

/* To be read before an accept: the peers remembered so far. */
uint64_t admit_horizon(void);

/*
 * Is the peer of a connection accepted on listener a process admitted
 * there before and remembered (admit_remember_peer) by an accept that
 * ended before horizon was read, still alive?  Costs SO_PEERCRED and
 * one PIDFD_GET_INFO.  *peer gets its pid, uid and pidfs inode on a yes.
 */
bool admit_known_peer(int fd, uint64_t listener, uint64_t horizon,
    struct peer_identity *peer);

/* Was the process with this pidfs inode admitted before, here? */
bool admit_seen(uint64_t pidfs_ino);

/*
 * After admit_peer() said yes: remember the peer on listener, with its
 * pidfd (consumed), for admit_known_peer().
 */
void admit_remember_peer(uint64_t listener, int fd, struct peer_identity *,
    int pidfd);

#endif
