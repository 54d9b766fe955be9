/*
 * capwrap run's services from their start to the end of the topology:
 * restarts with backoff, daemons that outlive their main process,
 * readiness, and the orderly stop of them all together.
 */
#ifndef CAPWRAP_SUPERVISE_H
#define CAPWRAP_SUPERVISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

struct supervise_config {
	const struct policy *policy;
	const struct policy_service *exit_with; /* NULL: none */
	const char *shim;			/* libcapshim.so */
	int64_t grace_ms;			/* TERM to KILL */
	int64_t dial_timeout_ms;
	/* a service over its start limit ends the run (EXIT_SERVICE_FAILED) */
	bool exit_on_failed;
};

/*
 * The event loop, the signals that stop the topology, the broker and
 * every service's state (nothing is started yet).  Returns EXIT_OK, or
 * EXIT_SYSTEM with a message on stderr.
 */
int supervise_setup(const struct supervise_config *);
/*
 * Start every service and supervise them until none is left; then what
 * they left behind is stopped and their output written out.  Returns the
 * exit status of `capwrap run`.
 */
int supervise(void);
void supervise_free(void);

/* For reload.c, status.c and ctlserve.c. */
struct service_rt;
/* Every service's state, indexed as the policy in force (into *p). */
struct service_rt *supervise_services(size_t *n, const struct policy **p);
/* The topology is stopping: nothing is started any more. */
bool supervise_stopping(void);
/*
 * Supervise n services, svc, under p from now on (a reload); the old
 * array is the caller's to free.  The exit-with service is found again
 * by name; width is the new services' prefix width, if wider.  The
 * start order is made anew: a service that had not started yet still
 * waits, a new one waits its turn, a removed one waits no more.  -1 if
 * out of memory, nothing replaced.
 */
int supervise_replace(const struct policy *p, struct service_rt *svc, size_t n,
    int width);
/*
 * Whether service i has not had its first start yet: the start order
 * (startorder.h) starts it, once the services it dials have registered.
 */
bool supervise_pending(size_t i);
/* Start the services whose turn has come (after a reload). */
void supervise_start_due(void);

#endif
