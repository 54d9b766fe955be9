/*
 * The topology's Landlock domain: one spawner thread, restricted once,
 * from which the services are started, so that all of them and all their
 * descendants share the one domain.  Its scope keeps them from dialing
 * any abstract socket made outside the topology (Linux 6.12, Landlock
 * ABI 6), and from signalling any process outside it, while the
 * launcher's main thread, outside the domain, still reaches both.
 */
#ifndef CAPWRAP_DOMAIN_H
#define CAPWRAP_DOMAIN_H

#include <stdbool.h>

/* Whether this kernel can scope abstract sockets (kernel.h). */
bool domain_available(void);

/*
 * Run fn(arg) on the spawner thread, inside the domain, and return once
 * it has returned.  The first call starts the thread and enters the
 * domain.  Returns 0, or -1 with errno when there is no domain (the
 * thread or the restriction failed; every later call fails the same way).
 * Not for more than one thread of the launcher at a time.
 */
int domain_run(void (*fn)(void *), void *arg);

#endif
