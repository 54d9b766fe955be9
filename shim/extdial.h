/*
 * External names dialed through the launcher (extdial.c).
 */
#ifndef CAPSHIM_EXTDIAL_H
#define CAPSHIM_EXTDIAL_H

struct abstract_addr;

/*
 * Have the launcher connect a socket of type (WIRE_SOCK_*) to the
 * external name, and put it in place of fd, which keeps its number, its
 * O_NONBLOCK and the rest of its status flags, and its close-on-exec
 * flag.  For a service in the topology's Landlock domain, whose own
 * connect to a socket made outside it the kernel refuses (EPERM).
 * Returns 0, or -1 with errno: the launcher's refusal (EACCES), the
 * connect's error as the launcher met it (EAGAIN on a full backlog,
 * ECONNREFUSED ...), or EACCES when there is no channel.
 */
int extdial_connect(int fd, int type, const struct abstract_addr *name);

#endif
