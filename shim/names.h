/*
 * The virtual names behind minted addresses, as getsockname(2) and
 * getpeername(2) report them (names.c).
 */
#ifndef CAPSHIM_NAMES_H
#define CAPSHIM_NAMES_H

#include <sys/socket.h>
#include <sys/un.h>
#include <stdbool.h>

struct known_socket;

/*
 * Map a minted address this process knows (its own binds, its providers)
 * back to the virtual name, in place; anything else is left as it is.
 */
void virtual_address(struct sockaddr_un *, socklen_t *);

/*
 * Copy an address to a caller's buffer by the kernel's rule: what fits,
 * full length reported.
 */
void copy_address_out(struct sockaddr *dst, socklen_t *dstlen,
    const struct sockaddr_un *src, socklen_t srclen);

/*
 * The virtual name of a socket this process holds but did not bind in this
 * image (inherited across exec), asked of the launcher; true with *out
 * filled (and remembered) if the launcher knows it as this service's.
 */
bool recall_local_name(int fd, struct known_socket *out);

#endif
