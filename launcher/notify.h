/*
 * Readiness for a service manager: the sd_notify datagram protocol
 * (NOTIFY_SOCKET names an AF_UNIX datagram socket, a path or "@" and an
 * abstract name; each message is one datagram of KEY=VALUE lines).
 * Without NOTIFY_SOCKET every call does nothing.
 */
#ifndef CAPWRAP_NOTIFY_H
#define CAPWRAP_NOTIFY_H

#include <stddef.h>

/*
 * Take NOTIFY_SOCKET out of the environment, so the services do not
 * inherit it (the manager listens to capwrap, not to them).  Returns -1
 * with a message on stderr if it is set but unusable.
 */
int notify_init(void);
/* Send one message, such as "READY=1"; failures are reported once. */
void notify_send(const char *message);
void notify_close(void);

/*
 * STATUS= (after lead, e.g. "READY=1\n" or ""): the services running now,
 * and those over their start limit.
 */
void notify_status(const char *lead, size_t running, size_t failed);

#endif
