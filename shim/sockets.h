/*
 * What the shim knows of the abstract names in play in this process:
 * each virtual name and the minted address behind it, for the sockets
 * this process bound and for the providers it was granted.  Keyed by the
 * minted address, because every descriptor of a socket (dups, accepted
 * sockets, which report the listener's address) shares it.
 */
#ifndef CAPSHIM_SOCKETS_H
#define CAPSHIM_SOCKETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "wire.h"

/* Which socket an entry describes, so which of its fields mean anything. */
enum known_role {
	/* Bound to a virtual name here (gate_bind), or by an earlier image. */
	KNOWN_BOUND = 1,
	/* A provider's address, from a capability to dial it. */
	KNOWN_CAPABILITY,
	/* A datagram socket whose every datagram is checked: by inode. */
	KNOWN_DGRAM_GATE,
	/* An admitted datagram sender's address, to answer. */
	KNOWN_REPLY,
	/* A peer's address and the name it bound: naming only. */
	KNOWN_PEER,
};

/* One socket the shim knows of: its own, or another process's address. */
struct known_socket {
	enum known_role role;
	uint16_t socktype;
	uint64_t sock_ino;     /* BOUND: the bound socket */
	struct wire_name name; /* virtual name */
	uint16_t addr_len;     /* minted address, leading NUL included */
	uint8_t addr[WIRE_ADDR_MAX];
	/*
	 * CAPABILITY: the capability itself, usable again without a round
	 * trip by the process it was granted to.  A forked child is another
	 * process, which the launcher has granted nothing yet: it tells the
	 * launcher it holds the capability (WIRE_CLAIM) before its first use.
	 * REPLY: who sent from addr, so an answer goes to that process only.
	 */
	struct wire_stamp stamp;
	pid_t granted_to;
	/* DGRAM_GATE: the program had SO_PASSCRED on before the gate set it. */
	bool user_passcred;
};

void sockets_init(void);

/*
 * Remember a mapping; a newer one for the same address replaces the old.
 * False if it could not be kept (out of memory, called from a signal
 * handler that interrupted the table on the same thread, or in a vfork()
 * child, which shares its parent's table and changes nothing in it).
 */
bool sockets_remember(const struct known_socket *);
/*
 * The same for a capability granted in this call to cap->granted_to,
 * which the caller read with getpid(): not asked again.
 */
bool sockets_remember_granted(const struct known_socket *cap);

/* Look up by minted address (leading NUL included); true if found. */
bool sockets_by_addr(const uint8_t *addr, size_t len, struct known_socket *out);
/*
 * The name and socket type of the BOUND entry at a minted address, as
 * sockets_by_addr() finds it, without a copy of the whole entry where
 * the thread's last find is still current (every accept asks); false if
 * there is none.
 */
bool sockets_bound_name(const uint8_t *addr, size_t len, struct wire_name *name,
    int *type);

/* Look up a BOUND entry by socket inode; true if found. */
bool sockets_by_ino(uint64_t ino, struct known_socket *out);

/*
 * The capability held for a name and socket type (0: any type), granted
 * to this process or to the ancestor it was forked from: granted_to
 * tells which (held_capability() takes an inherited one up).
 */
bool sockets_capability(uint16_t socktype, const uint8_t *name, size_t len,
    struct known_socket *out);

/*
 * Drop the capabilities for a name, after its provider changed (not in a
 * vfork() child); self: getpid(), read by the caller in this call.
 */
void sockets_forget_capability(const uint8_t *name, size_t len, pid_t self);

/*
 * Datagram sockets under the receive gate, by inode.  The count lets the
 * receive hooks skip every check in the many processes that have none.
 */
bool sockets_gate_dgram(uint64_t ino, bool user_passcred);
bool sockets_dgram_gated(uint64_t ino, bool *user_passcred);
bool sockets_any_dgram_gates(void);

/* True if pid/pidfs_ino is the stamped provider of a capability we hold. */
bool sockets_is_provider(pid_t pid, uint64_t pidfs_ino);

#endif
