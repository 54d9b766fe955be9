/*
 * One service of `capwrap run` as the supervisor sees it: its main
 * process, the daemons it left holding its channel, its restart backoff
 * and its output pipes; how one is started and how its end is told.
 */
#ifndef CAPWRAP_SERVICE_H
#define CAPWRAP_SERVICE_H

#include <sys/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output.h"
#include "policy.h"
#include "startorder.h"

struct service_rt {
	const struct policy_service *ps;
	char *program; /* argv[0] resolved along PATH */
	pid_t pid;     /* the main process */
	bool main_alive;
	uint64_t channel_ino; /* its end of the channel; 0: none */
	pid_t *daemons;	      /* adopted processes that hold it */
	size_t ndaemons;
	int status; /* the main process's wait status */
	bool ready; /* registered since it started */
	int64_t started_ms;
	int64_t backoff_ms;
	int64_t restart_at; /* -1: no restart due */
	int64_t *starts;    /* the last start_burst start times, a ring */
	size_t starts_cap;  /* the ring's size: the start_burst it was made for
			     */
	size_t nstarts;	    /* how many it holds */
	size_t next_start;  /* where the next goes: the oldest, once full */
	bool failed;	    /* over its start limit: never restarted again */
	struct output out, err;
};

/*
 * The state of a service not started yet, its program resolved along
 * PATH.  Returns 0, or -1 if out of memory.
 */
int service_init(struct service_rt *, const struct policy_service *);
/*
 * Point s at its definition ps (a reloaded policy's), with a ring of
 * starts for its limit: a new limit starts a new count.  -1 if out of
 * memory, s unchanged.
 */
int service_adopt(struct service_rt *s, const struct policy_service *ps);
void service_free(struct service_rt *);
/*
 * service_init for each service of policy, widening *width to the longest
 * name.  Returns the array, or NULL if out of memory.
 */
struct service_rt *service_init_all(const struct policy *, int *width);

/*
 * Start (or restart) the service, the index-th of the policy: its output
 * pipes, prefixed and padded to width, its channel, then the process.
 * shim is libcapshim.so's path.  Returns 0, or -1 with a message on
 * stderr.
 */
int service_start(struct service_rt *, size_t index, const char *shim,
    int width);

/*
 * Start each service of svc whose turn has come in o (startorder.h): the
 * services it dials have registered their names.  Returns 0, or -1 with a
 * message on stderr when one could not be started.
 */
int service_start_due(struct service_rt *svc, struct startorder *o,
    const char *shim, int width);
/*
 * provider ended without its names registered: a line on stderr for each
 * service not started that waits for it, once a service.
 */
void service_tell_waiting(struct service_rt *svc, struct startorder *o,
    size_t provider);

/*
 * At the end of the run: a line on stderr for each service never started
 * and not told of yet, naming the service it waits for.
 */
void service_tell_never_started(struct service_rt *svc, struct startorder *o);

bool service_is_running(const struct service_rt *);
/* Its processes: the main process's group and each adopted daemon. */
void service_signal(struct service_rt *, int sig);
/* Asks every process of it to stop, with its policy's stop-signal. */
void service_stop(struct service_rt *);
/* The main process's wait status as an exit status (128+N: signal N). */
int service_status_code(const struct service_rt *);
/* Whether its restart policy wants it started again after it ended. */
bool service_wants_restart(const struct service_rt *);
/*
 * After an end that service_wants_restart: the time of the next start,
 * with backoff, and a line on stderr.  Returns 0, or -1 if that start
 * would go over the service's start limit: it is marked failed instead,
 * with a line on stderr, and never restarted.
 */
int service_plan_restart(struct service_rt *, int64_t now_ms);
/* "capwrap: NAME exited with status N" or "... killed by signal N". */
void service_describe_exit(const struct service_rt *);

/*
 * After reaping: claim the adopted children that still hold the channel of
 * a service whose lineage just lost a process (ended[k]) as daemons of it,
 * each told on stderr unless stopping (then signalled with SIGTERM).
 */
void service_adopt_daemons(struct service_rt *svc, size_t nsvc,
    const bool *ended, bool stopping);

bool service_has_daemon(const struct service_rt *, pid_t);
/* Count pid among its daemons; -1 if out of memory. */
int service_add_daemon(struct service_rt *, pid_t);
void service_forget_daemon(struct service_rt *, pid_t);

#endif
