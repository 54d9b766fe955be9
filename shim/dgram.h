/*
 * Datagram destinations and the datagram sockets under the receive
 * gate (dgram.c).
 */
#ifndef CAPSHIM_DGRAM_H
#define CAPSHIM_DGRAM_H

#include <sys/socket.h>
#include <sys/un.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct abstract_addr;
struct peer_identity;
struct wire_stamp;

/*
 * The minted address a datagram to an abstract name goes to, through a
 * capability (cached or asked for).  Returns 1 with *out filled, 0 when
 * the name is external (send as given), -1 refused with errno set.
 */
int dgram_destination(int fd, const struct abstract_addr *name,
    struct sockaddr_un *out, socklen_t *out_len);

/*
 * Put a datagram socket under the receive gate: SO_PASSCRED (and
 * SO_PASSPIDFD where the kernel has it) so every datagram carries its
 * sender, checked by recv.c.  Also makes the kernel autobind an unbound
 * sender on its first send, so that its peer has an address to answer.
 * Returns 0, or -1 (errno set) when the gate could not be recorded: the
 * caller then refuses, since the socket would receive unchecked.
 */
int gate_dgram_socket(int fd);
/* Did the kernel take SO_PASSPIDFD, so that every datagram brings a pidfd? */
bool dgram_passes_pidfd(void);

/*
 * The same for a socket inherited across exec, which the earlier image
 * had gated: its SO_PASSCRED is the shim's, not the program's, so the
 * program is not handed credentials it never asked for.
 */
int gate_inherited_dgram_socket(int fd);

/*
 * Does a datagram destination's stamp still hold: a capability's provider,
 * or an admitted sender an answer goes back to, still there and the same
 * process (and, for a provider, the very socket it registered)?
 */
bool dgram_stamp_holds(const struct wire_stamp *);

/* Remember an admitted sender's address: answers to it skip the dial. */
void dgram_allow_reply(const uint8_t *addr, size_t len,
    const struct peer_identity *sender);

#endif
