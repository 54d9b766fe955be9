/*
 * Reloading the policy of a running `capwrap run` (SIGHUP, capwrap
 * reload) and restarting one service (capwrap restart).  A service keeps
 * its index in every table of the launcher for the whole run: a reloaded
 * policy is arranged so that each service sits where it sat, a removed
 * one leaves an inert entry (no program, names or dials) that a later
 * reload may fill again, and new ones come after.
 */
#ifndef CAPWRAP_RELOAD_H
#define CAPWRAP_RELOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "policy.h"

struct reload_config {
	const char *policy_path;    /* absolute: read again on reload */
	const char *audit_override; /* --audit, or NULL */
	bool to_syslog;		    /* --syslog */
	const char *shim;	    /* libcapshim.so */
	int64_t grace_ms;	    /* --grace: TERM to KILL */
};

/* Once the supervisor is set up. -1 if out of memory. */
int reload_init(const struct reload_config *);

/*
 * Read the policy file again and apply it: unchanged services go on,
 * changed ones restart, removed ones stop, new ones start, the broker
 * decides with the new policy, the audit file is reopened.  A policy with
 * errors changes nothing.  What happens is written to stderr, and to
 * client too unless NULL.  Returns an exit status of capwrap(1).
 */
int reload_policy(FILE *client);

/*
 * Stop service i (TERM, KILL after the grace period) and start it again
 * once every process of it is gone; at once if none runs.
 */
int reload_restart_service(size_t i);

/* The reloaded policy took effect: what depends on the grants goes here. */
void reload_applied(void);

/* Service i was removed by a reload (an inert entry). */
bool reload_is_removed(size_t i);
/* Service i is being stopped by a reload or a restart. */
bool reload_is_stopping(size_t i);
/* Every process of service i is gone (from the broker's forget). */
void reload_service_ended(size_t i);

/*
 * At the end of the run: free every policy a reload replaced and return
 * the one in force, for the caller to free with original.
 */
struct policy *reload_finish(struct policy *original);

/* reloadarrange.c: whether two definitions run the same thing (else the
 * service restarts). */
bool reload_same_run(const struct policy_service *,
    const struct policy_service *);
/*
 * Whether the new definition (of the arranged policy nw: the same index
 * names the same service) still dials every service the old one dialed
 * and nw keeps.  A service that lost such an edge restarts: its processes
 * may hold capabilities along it, which only their end takes away.  An
 * edge to a removed service needs no restart: its processes are stopped.
 */
bool reload_keeps_dials(const struct policy *nw,
    const struct policy_service *was, const struct policy_service *now);
/*
 * Reorder nw's services so that each of old's keeps its index (a removed
 * one as an inert entry: its name, no program) and new ones come after;
 * dials follow.  -1 if out of memory, nw unchanged.
 */
int reload_arrange(struct policy *nw, const struct policy *old);

#endif
