/*
 * Abstract AF_UNIX addresses, and what the kernel says of a socket
 * (addr.c).
 */
#ifndef CAPSHIM_ADDR_H
#define CAPSHIM_ADDR_H

#include <sys/socket.h>
#include <sys/un.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

/*
 * An abstract AF_UNIX address: the name bytes after the leading NUL, in
 * their matching form (common/absname.h), and the NULs the program padded
 * them with.  name points into the caller's address, so name + len + nuls
 * bytes are exactly what the program gave.
 */
struct abstract_addr {
	const uint8_t *name;
	size_t len;
	size_t nuls;
};

/*
 * True if addr/len is an abstract address the gates must see: AF_UNIX,
 * a leading NUL and any name after it, the empty one included (only a
 * bare sa_family_t asks for autobind), within sizeof(sockaddr_un).
 * Anything else (paths, other families, malformed lengths) is the
 * kernel's to accept or refuse.
 */
bool abstract_addr_of(const struct sockaddr *addr, socklen_t len,
    struct abstract_addr *out);

/* The name of an address for the wire, its padding counted. */
void abstract_wire_name(const struct abstract_addr *, struct wire_name *);

/* The sockaddr for an address (leading NUL included); its length. */
socklen_t minted_sockaddr(struct sockaddr_un *out, const uint8_t *addr,
    size_t len);

/* True if the kernel minted this name by autobind: five hex digits. */
bool is_autobind_name(const uint8_t *name, size_t len);

/* The same of an address: five hex digits and no padding. */
bool is_autobind_addr(const struct abstract_addr *);

/*
 * What the kernel says of a socket.  SOCKET_UNKNOWN when it would not say
 * (a seccomp filter or a security module refusing getsockopt): the socket
 * may be an AF_UNIX one, so a gate refuses its abstract address with
 * refuse_unknown_socket() instead of passing it to the kernel.
 */
#define SOCKET_UNKNOWN (-1)

/* The wire socket type of an AF_UNIX socket; 0 if fd is not one. */
int unix_socktype(int fd);

/*
 * The two halves of unix_socktype(): the wire socket type of any socket
 * (0 for other types), and 1 if the socket is AF_UNIX, 0 if not.
 */
int socket_wire_type(int fd);
int unix_family(int fd);

/* EACCES, with one line on stderr the first time. */
int refuse_unknown_socket(void);

#endif
