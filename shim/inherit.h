/*
 * Datagram sockets gated in an earlier image of this process (inherit.c).
 */
#ifndef CAPSHIM_INHERIT_H
#define CAPSHIM_INHERIT_H

/*
 * Set by the exec hooks in the environment of a new image when this one
 * holds gated datagram sockets; the new image then gates them again
 * (inherit_dgram_gates, at start-up).
 */
#define DGRAM_GATES_ENV "CAPWRAP_DGRAM_GATES"
void inherit_dgram_gates(void);

#endif
