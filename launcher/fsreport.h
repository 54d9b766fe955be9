/*
 * Filesystem sockets capwrap does not protect.  The shim gates abstract
 * names only: a provider that also listens on a path (Xvfb's
 * /tmp/.X11-unix/X0) serves whoever the file's mode lets in, wrapped or
 * not.  When a service registers a name, its processes' listening Unix
 * sockets bound to a path are looked up, and again at the first grant of
 * a capability to it; each path is told once on stderr and in an
 * "unprotected" audit record.
 */
#ifndef CAPWRAP_FSREPORT_H
#define CAPWRAP_FSREPORT_H

#include "service.h"

/* Paths told in one run at most; past them, one line says so. */
#define FSREPORT_MAX 64

/*
 * A process of s has registered a name: report the filesystem sockets
 * its processes (the main process, its descendants, its daemons) listen
 * on.  At most as many looks a start as the names s provides, so a
 * service that registers again and again does not make the launcher walk
 * /proc each time.
 */
void fsreport_registered(const struct service_rt *s);

/*
 * A client was granted a capability to s: one look more in this start,
 * at its first grant.  A program that binds its path after its abstract
 * name (Xvfb) has bound both by the time anyone is served.
 */
void fsreport_granted(const struct service_rt *s);

#endif
