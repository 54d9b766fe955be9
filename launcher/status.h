/*
 * What `capwrap status` shows of a running launcher: each service's
 * state, processes, uptime, restarts and last exit, its registrations,
 * the grants made to it and the refusals at its gates.  The broker counts
 * (status_note_*); control.c asks for the rendering.
 */
#ifndef CAPWRAP_STATUS_H
#define CAPWRAP_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Refusal kinds (gate and reason) counted apart a service; more: "other". */
#define STATUS_REFUSAL_KINDS 16

/* A capability was granted to a process of service. */
void status_note_grant(size_t service);
/* A refusal at service's gate, audited with this gate and reason. */
void status_note_refusal(size_t service, const char *gate, const char *reason);
/* An instance of service ended (main process and daemons gone). */
void status_note_end(size_t service);

/*
 * Every service of the policy in force, as text or as the JSON object
 * capwrap(1) documents; name is the control socket's.
 */
void status_render(FILE *, bool json, const char *name);
/* Its state word: starting, running, backoff, stopping, stopped, failed. */
const char *status_state(size_t service);

void status_free(void);

#endif
