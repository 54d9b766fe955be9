/*
 * The state of `capwrap run`'s supervisor, shared by supervise.c (the
 * loop) and supervisectl.c (what reload and the control socket read and
 * replace of it), and by nothing else.
 */
#ifndef CAPWRAP_RUNSTATE_H
#define CAPWRAP_RUNSTATE_H

#include <stdbool.h>
#include <stdint.h>

#include "loop.h"
#include "policy.h"
#include "service.h"
#include "startorder.h"

struct run_state {
	const struct policy *policy;
	struct service_rt *svc;
	size_t nsvc;
	int width;
	const struct policy_service *exit_with;
	const char *shim;
	int64_t grace_ms;
	int64_t kill_at;	/* -1: not stopping */
	int stop_signal;	/* a signal told us to stop */
	int64_t stop_signal_ms; /* when */
	int exit_code;		/* set once the outcome is known */
	bool outcome_known;
	bool notified_ready;
	bool exit_on_failed;
	struct watch signals;
	struct startorder order; /* the services not started yet */
};

extern struct run_state run;

#endif
