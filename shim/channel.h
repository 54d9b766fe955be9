/*
 * The shim's end of the lineage channel.  The launcher hands each service
 * one end of a SOCK_SEQPACKET socketpair at a fixed descriptor and names
 * it in CAPWRAP_CHANNEL; every exec'd descendant inherits both.
 */
#ifndef CAPSHIM_CHANNEL_H
#define CAPSHIM_CHANNEL_H

#include <stdbool.h>

#include "sysio.h"
#include "wire.h"

/*
 * The shim's own system calls for common/ (procstat, transport): raw,
 * never through the hooks the shim puts on close(), read() and the rest.
 */
extern const struct sysio capshim_sysio;

/* Adopt the channel named by the environment; called by the constructor. */
void channel_init(void);

/* The channel's descriptor, or -1 when there is none (never, or lost). */
int channel_fd(void);

/*
 * The same, after checking that the descriptor still is the channel: a
 * vfork child may have dup2'd over it (in its own descriptor table),
 * and the image it execs must not take whatever is there for the channel.
 */
int channel_fd_checked(void);

/*
 * Move the channel to a free descriptor other than `avoid` (which the
 * program is about to dup2 over).  Returns the new number, or -1.
 */
int channel_relocate(int avoid);

/*
 * One round trip: send req, wait for the launcher's reply on a private
 * socketpair, decode it strictly into *reply.  Returns 0, or -1 with
 * errno EACCES when there is no working channel (after one line on
 * stderr, once per process).  Signals are retried, never returned.
 */
int channel_call(const union wire_msg *req, union wire_msg *reply);

/*
 * The same, for a reply that may carry one descriptor (WIRE_EXTDIAL's
 * socket): *passed gets it, close-on-exec, or -1 if none came.
 */
int channel_call_fd(const union wire_msg *req, union wire_msg *reply,
    int *passed);

/*
 * Send a one-way message (WIRE_CLAIM): no reply socket, no answer.
 * Returns 0 once it is queued on the channel, or -1 with errno EACCES.
 */
int channel_send(const union wire_msg *req);

/* Refuse: say once why there is no channel, set errno = EACCES, return -1. */
int channel_refuse(void);

/*
 * True in the process the shim's state belongs to; false in a vfork()
 * child, which shares its parent's memory and must not change it.
 */
bool channel_owner(void);
/* The same for pid, which the caller read with getpid() in this call. */
bool channel_owned_by(pid_t pid);

/* Mark the channel unusable: every later gate fails closed. */
void channel_disable(const char *why);

#endif
