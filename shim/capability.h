/*
 * Capabilities to dial a name (capability.c).
 */
#ifndef CAPSHIM_CAPABILITY_H
#define CAPSHIM_CAPABILITY_H

#include <stdbool.h>
#include <stdint.h>

struct abstract_addr;
struct known_socket;

/*
 * Ask the launcher for a capability to dial name, for this process, whose
 * pid the caller read (getpid()) as self.  Returns 1 granted (cap filled),
 * 0 when the name is external (use it as it is), -1 refused (errno set:
 * EACCES, ECONNREFUSED).
 */
int ask_capability(int fd, int socktype, const struct abstract_addr *name,
    pid_t self, struct known_socket *cap);

/*
 * The capability this process holds for name and socktype (0: any type),
 * without a round trip: granted to it, or inherited from the process it
 * was forked from and claimed now (WIRE_CLAIM).  False if there is none,
 * or the claim could not be sent (then errno is EACCES).
 */
bool held_capability(uint16_t socktype, const struct abstract_addr *name,
    struct known_socket *cap);

#endif
