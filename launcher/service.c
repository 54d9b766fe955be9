#include <sys/stat.h>
#include <sys/wait.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker.h"
#include "exitcodes.h"
#include "loop.h"
#include "orphans.h"
#include "service.h"
#include "target.h"
#include "servicespawn.h"
#include "startorder.h"

/*
 * Restart backoff: doubling from the first delay to the cap, reset after a
 * good run.
 */
#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS 30000
#define BACKOFF_RESET_MS 10000

/* As supervise.c's: the children of ours looked at in one pass. */
#define MAX_CHILDREN 4096

int
service_init(struct service_rt *s, const struct policy_service *ps)
{
	char path[PATH_MAX];

	s->restart_at = -1;
	s->backoff_ms = BACKOFF_FIRST_MS;
	if (spawn_resolve(ps->argv[0], path, sizeof(path)) != 0)
		(void)strlcpy(path, ps->argv[0], sizeof(path));
	if ((s->program = strdup(path)) == NULL)
		return -1;
	return service_adopt(s, ps);
}

int
service_adopt(struct service_rt *s, const struct policy_service *ps)
{
	size_t burst = ps->start_burst > 0 ? ps->start_burst : 1;

	if (s->starts == NULL || s->starts_cap != burst) {
		int64_t *ring = calloc(burst, sizeof(*ring));

		if (ring == NULL)
			return -1;
		free(s->starts);
		s->starts = ring;
		s->starts_cap = burst;
		s->nstarts = 0;
		s->next_start = 0;
	}
	s->ps = ps;
	return 0;
}

struct service_rt *
service_init_all(const struct policy *policy, int *width)
{
	struct service_rt *svc;
	size_t n = policy->nservices ? policy->nservices : 1;

	if ((svc = calloc(n, sizeof(*svc))) == NULL)
		return NULL;
	for (size_t i = 0; i < policy->nservices; i++) {
		int len = (int)strlen(policy->services[i].name);

		if (service_init(&svc[i], &policy->services[i]) != 0) {
			while (i-- > 0)
				service_free(&svc[i]);
			free(svc);
			return NULL;
		}
		if (len > *width)
			*width = len;
	}
	return svc;
}

void
service_free(struct service_rt *s)
{
	free(s->program);
	free(s->starts);
}

/* Whether a start at time at would be over the limit of starts. */
static bool
over_start_limit(const struct service_rt *s, int64_t at)
{
	if (s->ps->start_burst == 0 || s->nstarts < s->ps->start_burst)
		return false;
	/* Full: next_start holds the oldest of the last start_burst. */
	return at - s->starts[s->next_start] <
	    (int64_t)s->ps->start_window * 1000;
}

static void
record_start(struct service_rt *s, int64_t at)
{
	size_t burst = s->ps->start_burst > 0 ? s->ps->start_burst : 1;

	s->starts[s->next_start] = at;
	s->next_start = (s->next_start + 1) % burst;
	if (s->nstarts < burst)
		s->nstarts++;
}

int
service_plan_restart(struct service_rt *s, int64_t now)
{
	if (now - s->started_ms >= BACKOFF_RESET_MS)
		s->backoff_ms = BACKOFF_FIRST_MS;
	if (over_start_limit(s, now + s->backoff_ms)) {
		s->failed = true;
		fprintf(stderr,
		    "capwrap: %s: failed: started %u times within %u s, "
		    "not restarted again\n",
		    s->ps->name, s->ps->start_burst, s->ps->start_window);
		return -1;
	}
	s->restart_at = now + s->backoff_ms;
	fprintf(stderr, "capwrap: %s: restarting in %lld ms\n", s->ps->name,
	    (long long)s->backoff_ms);
	s->backoff_ms *= 2;
	if (s->backoff_ms > BACKOFF_MAX_MS)
		s->backoff_ms = BACKOFF_MAX_MS;
	return 0;
}

bool
service_is_running(const struct service_rt *s)
{
	return s->main_alive || s->ndaemons > 0;
}

/*
 * Every process a service is made of: the main process's group, and each
 * adopted daemon on its own (it may have left the group with setsid).
 */
void
service_signal(struct service_rt *s, int sig)
{
	if (s->main_alive)
		(void)kill(-s->pid, sig);
	for (size_t k = 0; k < s->ndaemons; k++)
		(void)kill(s->daemons[k], sig);
}

/* The signal that asks the service to stop: its policy's, TERM if none. */
void
service_stop(struct service_rt *s)
{
	service_signal(s,
	    s->ps->stop_signal != 0 ? s->ps->stop_signal : SIGTERM);
}

int
service_status_code(const struct service_rt *s)
{
	if (WIFEXITED(s->status))
		return WEXITSTATUS(s->status);
	if (WIFSIGNALED(s->status))
		return 128 + WTERMSIG(s->status);
	return EXIT_SERVICE_FAILED;
}

bool
service_wants_restart(const struct service_rt *s)
{
	switch (s->ps->restart) {
	case POLICY_RESTART_ALWAYS:
		return true;
	case POLICY_RESTART_ON_FAILURE:
		return service_status_code(s) != 0;
	default:
		return false;
	}
}

void
service_describe_exit(const struct service_rt *s)
{
	int st = s->status;

	if (WIFEXITED(st))
		fprintf(stderr, "capwrap: %s exited with status %d\n",
		    s->ps->name, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		fprintf(stderr, "capwrap: %s killed by signal %d (%s)\n",
		    s->ps->name, WTERMSIG(st), strsignal(WTERMSIG(st)));
}

bool
service_has_daemon(const struct service_rt *s, pid_t pid)
{
	for (size_t k = 0; k < s->ndaemons; k++)
		if (s->daemons[k] == pid)
			return true;
	return false;
}

int
service_add_daemon(struct service_rt *s, pid_t pid)
{
	pid_t *d = reallocarray(s->daemons, s->ndaemons + 1, sizeof(*d));

	if (d == NULL)
		return -1;
	s->daemons = d;
	s->daemons[s->ndaemons++] = pid;
	return 0;
}

void
service_forget_daemon(struct service_rt *s, pid_t pid)
{
	for (size_t k = 0; k < s->ndaemons; k++) {
		if (s->daemons[k] == pid) {
			s->daemons[k] = s->daemons[--s->ndaemons];
			return;
		}
	}
}

/*
 * Claim the adopted children that still hold a service's channel: they
 * are the service now that its main process is gone.  Only services whose
 * lineage just lost a process can gain any (reaping one re-parents its
 * children to us).
 */
void
service_adopt_daemons(struct service_rt *svc, size_t nsvc, const bool *ended,
    bool stopping)
{
	pid_t kids[MAX_CHILDREN];
	ssize_t n = orphans_children(kids, MAX_CHILDREN);

	for (ssize_t i = 0; i < n && i < MAX_CHILDREN; i++) {
		for (size_t k = 0; k < nsvc; k++) {
			struct service_rt *s = &svc[k];

			if (!ended[k] || s->main_alive || s->channel_ino == 0 ||
			    service_has_daemon(s, kids[i]) ||
			    !orphans_holds_socket(kids[i], s->channel_ino))
				continue;
			if (service_add_daemon(s, kids[i]) != 0)
				continue;
			/*
			 * While stopping, every process of the service has
			 * been signalled and is waited for anyway: no notice.
			 * Most found here then are the main process's own
			 * children still dying of the very signal that ended
			 * it, and whether the kernel let them finish before
			 * it was reaped is a matter of scheduling.
			 */
			if (stopping) {
				(void)kill(kids[i],
				    s->ps->stop_signal != 0 ?
					s->ps->stop_signal :
					SIGTERM);
				break;
			}
			fprintf(stderr,
			    "capwrap: %s: pid %d holds the service's "
			    "channel after its main process exited; the "
			    "service runs until it exits\n",
			    s->ps->name, (int)kids[i]);
			break;
		}
	}
}

/*
 * https://no-color.org: a NO_COLOR that is set and not empty turns colour off.
 */
static bool
use_color(int fd)
{
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");

	if (no != NULL && *no != '\0')
		return false;
	if (term != NULL && strcmp(term, "dumb") == 0)
		return false;
	return isatty(fd);
}

/*
 * Fresh output pipes into rq; what the last instance (of a restart)
 * wrote goes out first.
 */
static int
open_outputs(struct service_rt *s, size_t index, int width,
    struct spawn_request *rq)
{
	static const char *const colors[] = {
		"\033[36m",
		"\033[33m",
		"\033[32m",
		"\033[35m",
		"\033[34m",
		"\033[31m",
	};
	const char *color = colors[index % 6];

	output_drain(&s->out);
	output_drain(&s->err);
	output_close(&s->out);
	output_close(&s->err);
	rq->stdout_fd = output_open(&s->out, s->ps->name, width, STDOUT_FILENO,
	    use_color(STDOUT_FILENO) ? color : NULL);
	rq->stderr_fd = output_open(&s->err, s->ps->name, width, STDERR_FILENO,
	    use_color(STDERR_FILENO) ? color : NULL);
	if (rq->stdout_fd < 0 || rq->stderr_fd < 0) {
		fprintf(stderr,
		    "capwrap: %s: unable to make output pipes: "
		    "%s\n",
		    s->ps->name, strerror(errno));
		return -1;
	}
	return 0;
}

/* Its end of a new channel into rq, and the channel's inode into s. */
static int
open_channel(struct service_rt *s, size_t index, struct spawn_request *rq)
{
	struct stat st;

	s->channel_ino = 0;
	if (s->ps->unprotected)
		return 0;
	if ((rq->channel_fd = broker_open_channel(index)) < 0) {
		fprintf(stderr, "capwrap: %s: unable to make its channel: %s\n",
		    s->ps->name, strerror(errno));
		return -1;
	}
	if (fstat(rq->channel_fd, &st) == 0)
		s->channel_ino = (uint64_t)st.st_ino;
	return 0;
}

int
service_start(struct service_rt *s, size_t index, const char *shim, int width)
{
	struct spawn_request rq = {
		.service = s->ps,
		.program = s->program,
		.shim_path = s->ps->unprotected ? NULL : shim,
		.channel_fd = -1,
	};
	char err[PATH_MAX + 128];

	if (!s->ps->unprotected) {
		rq.unotify = target_supervisor();
		if (target_check(s->program, err, sizeof(err)) ==
		    TARGET_SUPERVISED)
			rq.supervisor = rq.unotify;
	}
	if (open_outputs(s, index, width, &rq) != 0 ||
	    open_channel(s, index, &rq) != 0)
		return -1;
	s->pid = spawn_service(&rq, err, sizeof(err));
	close(rq.stdout_fd);
	close(rq.stderr_fd);
	if (rq.channel_fd >= 0)
		close(rq.channel_fd);
	if (s->pid < 0) {
		fprintf(stderr, "capwrap: %s: %s\n", s->ps->name, err);
		s->pid = 0;
		return -1;
	}
	s->main_alive = true;
	s->ready = false;
	s->restart_at = -1;
	s->started_ms = loop_now_ms();
	record_start(s, s->started_ms);
	return 0;
}

/*
 * Which providers their dialers may count on now: a protected one once
 * its names are registered, an unprotected one (it never registers: it
 * has no shim) once it has been started.
 */
static void
fill_registered(const struct service_rt *svc, struct startorder *o)
{
	for (size_t i = 0; i < o->policy->nservices; i++)
		o->registered[i] = svc[i].ps->unprotected ?
		    !o->pending[i] :
		    broker_names_registered(i);
}

int
service_start_due(struct service_rt *svc, struct startorder *o,
    const char *shim, int width)
{
	size_t n;

	do {
		fill_registered(svc, o);
		n = startorder_take(o, o->registered, o->turn);
		for (size_t k = 0; k < n; k++)
			if (service_start(&svc[o->turn[k]], o->turn[k], shim,
				width) != 0)
				return -1;
	} while (n > 0); /* an unprotected one started may let others */
	return 0;
}

void
service_tell_waiting(struct service_rt *svc, struct startorder *o,
    size_t provider)
{
	size_t n;

	fill_registered(svc, o);
	n = startorder_waiting_on(o, provider, o->registered, o->turn);
	for (size_t k = 0; k < n; k++)
		fprintf(stderr,
		    "capwrap: %s: not started: waits for %s, which exited "
		    "without registering its names\n",
		    svc[o->turn[k]].ps->name, svc[provider].ps->name);
}

void
service_tell_never_started(struct service_rt *svc, struct startorder *o)
{
	size_t n;

	fill_registered(svc, o);
	n = startorder_untold(o, o->turn);
	for (size_t k = 0; k < n; k++) {
		size_t i = o->turn[k], p;

		p = startorder_waits_for(o, i, o->registered);
		if (p == STARTORDER_NONE) /* stopped before its turn came */
			fprintf(stderr, "capwrap: %s: not started\n",
			    svc[i].ps->name);
		else
			fprintf(stderr,
			    "capwrap: %s: not started: waits for %s\n",
			    svc[i].ps->name, svc[p].ps->name);
	}
}
