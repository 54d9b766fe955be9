/*
 * Reload: the policy file read again and applied to the running
 * topology, with the least disturbance.  See reload.h for how services
 * keep their indexes.
 */
#include <sys/timerfd.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auditfile.h"
#include "auditwrite.h"
#include "broker.h"
#include "commands.h"
#include "exitcodes.h"
#include "loop.h"
#include "registry.h"
#include "reload.h"
#include "service.h"
#include "servicespawn.h"
#include "supervise.h"

/* A stop not over a second after its KILL is sent KILL again. */
#define KILL_AGAIN_MS 1000

struct slot {
	int64_t kill_at;  /* -1: not being stopped */
	bool start_after; /* start once every process is gone */
};

static struct reload_config cfg;
static struct slot *slots;
static size_t nslots;
/*
 * Every policy a reload replaced.  They stay until the run ends: the
 * output prefixes, audit records and requests deferred to the end of a
 * turn hold pointers to their names and paths.  A policy is small.
 */
static struct policy **retired;
static size_t nretired;
static struct policy *current; /* NULL: the original is in force */
static struct watch timer = { .fd = -1 };
static int width; /* of the output prefix of services started here */

static void on_timer(struct watch *, uint32_t);

static int
grow_slots(size_t n)
{
	struct slot *s;

	if (n <= nslots)
		return 0;
	if ((s = reallocarray(slots, n, sizeof(*s))) == NULL)
		return -1;
	for (; nslots < n; nslots++)
		s[nslots] = (struct slot){ .kill_at = -1 };
	slots = s;
	return 0;
}

int
reload_init(const struct reload_config *c)
{
	size_t n;

	const struct policy *p;

	cfg = *c;
	(void)supervise_services(&n, &p);
	for (size_t i = 0; i < n; i++)
		if ((int)strlen(p->services[i].name) > width)
			width = (int)strlen(p->services[i].name);
	timer.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	timer.fn = on_timer;
	if (timer.fd < 0 || loop_add(&timer) != 0 || grow_slots(n) != 0)
		return -1;
	return 0;
}

/* Wake on_timer at the earliest deadline of the slots (0: at once). */
static void
arm_timer(void)
{
	int64_t next = -1;
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };

	for (size_t i = 0; i < nslots; i++) {
		if (slots[i].kill_at >= 0 &&
		    (next < 0 || slots[i].kill_at < next))
			next = slots[i].kill_at;
	}
	if (next >= 0) {
		/* Zero would disarm the timer: the earliest is 1 ns. */
		its.it_value.tv_sec = next / 1000;
		its.it_value.tv_nsec = (next % 1000) * 1000000 + 1;
	}
	(void)timerfd_settime(timer.fd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* Begin stopping service i: TERM now, KILL when the grace is over. */
static void
stop_slot(size_t i, bool then_start)
{
	size_t n;
	struct service_rt *s = supervise_services(&n, NULL) + i;

	s->restart_at = then_start ? INT64_MAX : -1;
	slots[i].start_after = then_start;
	if (!service_is_running(s)) {
		slots[i].kill_at = loop_now_ms();
		arm_timer();
		return;
	}
	service_signal(s, SIGTERM);
	if (slots[i].kill_at < 0)
		slots[i].kill_at = loop_now_ms() + cfg.grace_ms;
	arm_timer();
}

static void
start_slot(size_t i, struct service_rt *s)
{
	slots[i].start_after = false;
	slots[i].kill_at = -1;
	/* Not started yet: the start order starts it when its turn comes. */
	if (supervise_stopping() || supervise_pending(i))
		return;
	s->restart_at = -1;
	if (service_start(s, i, cfg.shim, width) != 0)
		fprintf(stderr, "capwrap: %s: not started\n", s->ps->name);
}

/* Stops that are over start again; stops past their grace are forced. */
static void
on_timer(struct watch *w, uint32_t events)
{
	uint64_t ticks;
	int64_t now = loop_now_ms();
	size_t n;
	struct service_rt *svc = supervise_services(&n, NULL);

	(void)events;
	(void)read(w->fd, &ticks, sizeof(ticks));
	for (size_t i = 0; i < nslots && i < n; i++) {
		if (slots[i].kill_at < 0)
			continue;
		if (!service_is_running(&svc[i])) {
			if (slots[i].start_after)
				start_slot(i, &svc[i]);
			slots[i].kill_at = -1;
		} else if (now >= slots[i].kill_at) {
			service_signal(&svc[i], SIGKILL);
			slots[i].kill_at = now + KILL_AGAIN_MS;
		}
	}
	arm_timer();
}

void
reload_service_ended(size_t i)
{
	/* on_timer starts it, after the supervisor has done with its end. */
	if (i < nslots && slots[i].kill_at >= 0) {
		slots[i].kill_at = 0;
		arm_timer();
	}
}

bool
reload_is_stopping(size_t i)
{
	return i < nslots && slots[i].kill_at >= 0;
}

bool
reload_is_removed(size_t i)
{
	size_t n;
	const struct policy *p;

	(void)supervise_services(&n, &p);
	return i < n && p->services[i].argc == 0;
}

int
reload_restart_service(size_t i)
{
	if (reload_is_removed(i))
		return -1;
	size_t n;
	const struct policy *p;

	(void)supervise_services(&n, &p);
	fprintf(stderr, "capwrap: %s: restarting on request\n",
	    p->services[i].name);
	stop_slot(i, true);
	return 0;
}

void
reload_applied(void)
{
	/*
	 * The broker decides every new request with the new policy from
	 * here on.  Capabilities that shims already hold are not asked
	 * about again: revoking them (a new epoch the shims check) is to be
	 * called from here.
	 */
}

struct policy *
reload_finish(struct policy *original)
{
	struct policy *in_force = current != NULL ? current : original;

	for (size_t i = 0; i < nretired; i++)
		policy_free(retired[i]);
	free(retired);
	free(slots);
	if (timer.fd >= 0) {
		loop_del(&timer);
		close(timer.fd);
	}
	return in_force;
}

/* --- applying a new policy ------------------------------------------------ */

/* To stderr, and to the client of `capwrap reload` if there is one. */
static void
say(FILE *client, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (client == NULL)
		return;
	va_start(ap, fmt);
	vfprintf(client, fmt, ap);
	va_end(ap);
}

static void
report_both(void *ctx, const struct policy_diag *d)
{
	policy_report_to_stream(stderr, d);
	if (ctx != NULL)
		policy_report_to_stream(ctx, d);
}

/* The new policy read and checked, or NULL with the errors told. */
static struct policy *
read_policy(FILE *client)
{
	size_t nerrors = 0;
	struct policy *nw;
	const char *audit;
	char why[PATH_MAX + 128] = "";

	nw = policy_parse_file(cfg.policy_path, report_both, client, &nerrors);
	if (nw == NULL) {
		say(client,
		    "capwrap: reload: %s: %zu error%s; the running "
		    "policy is kept\n",
		    cfg.policy_path, nerrors, nerrors == 1 ? "" : "s");
		return NULL;
	}
	audit = cfg.audit_override ? cfg.audit_override : nw->audit_path;
	if (check_targets(nw) != EXIT_OK ||
	    (audit != NULL && auditfile_check(audit, why, sizeof(why)) != 0)) {
		if (audit != NULL && why[0] != '\0')
			say(client, "capwrap: reload: audit file %s: %s\n",
			    audit, why);
		say(client,
		    "capwrap: reload: %s refused (see the launcher's "
		    "messages); the running policy is kept\n",
		    cfg.policy_path);
		policy_free(nw);
		return NULL;
	}
	return nw;
}

/* The program a (re)started service runs, resolved as the exec will. */
static int
resolve_program(struct service_rt *s)
{
	char path[PATH_MAX];
	char *p;

	if (spawn_resolve(s->ps->argv[0], path, sizeof(path)) != 0)
		(void)strlcpy(path, s->ps->argv[0], sizeof(path));
	if ((p = strdup(path)) == NULL)
		return -1;
	free(s->program);
	s->program = p;
	return 0;
}

struct tally {
	size_t kept, restarted, stopped, started;
};

/* Each service as the new policy has it, against the old definition. */
static void
apply_services(const struct policy *old, const struct policy *nw,
    struct tally *t)
{
	size_t n;
	struct service_rt *svc = supervise_services(&n, NULL);

	for (size_t i = 0; i < nw->nservices; i++) {
		const struct policy_service *was = i < old->nservices ?
		    &old->services[i] :
		    NULL;
		bool removed = nw->services[i].argc == 0;

		if (was != NULL && was->argc == 0 && removed)
			continue;
		if (removed) {
			stop_slot(i, false);
			t->stopped++;
			continue;
		}
		if (was != NULL && reload_same_run(was, &nw->services[i]) &&
		    reload_keeps_dials(nw, was, &nw->services[i])) {
			t->kept++;
			continue;
		}
		/* Its registrations name the old program's sockets. */
		registry_forget_service(i);
		if (resolve_program(&svc[i]) != 0)
			fprintf(stderr, "capwrap: %s: out of memory\n",
			    nw->services[i].name);
		if (was != NULL && was->argc > 0) {
			stop_slot(i, true);
			t->restarted++;
		} else {
			start_slot(i, &svc[i]);
			t->started++;
		}
	}
}

/* The audit file opened again: log rotation moves the old one away. */
static void
reopen_audit(const struct policy *nw, FILE *client)
{
	const char *path = cfg.audit_override ? cfg.audit_override :
						nw->audit_path;
	char why[PATH_MAX + 128];

	if (audit_reopen(path, cfg.to_syslog || nw->audit_syslog, why,
		sizeof(why)) != 0)
		say(client,
		    "capwrap: reload: audit file %s: %s; refusals go to "
		    "stderr only\n",
		    path, why);
}

/*
 * Watches of the services' output pipes point into the array of their
 * states: moved with it, each is watched again at its new place.
 */
static void
rewatch_outputs(struct service_rt *svc, size_t n, bool add)
{
	for (size_t i = 0; i < n; i++) {
		struct output *o[2] = { &svc[i].out, &svc[i].err };

		for (size_t k = 0; k < 2; k++) {
			if (!o[k]->open)
				continue;
			if (!add) {
				loop_del(&o[k]->watch);
				continue;
			}
			o[k]->watch.ctx = o[k];
			(void)loop_add(&o[k]->watch);
		}
	}
}

/* The supervisor's states, grown to p's services, each pointing into p. */
static int
adopt(const struct policy *p)
{
	size_t n;
	struct service_rt *svc = supervise_services(&n, NULL);

	if (p->nservices > n) {
		rewatch_outputs(svc, n, false);
		svc = reallocarray(svc, p->nservices, sizeof(*svc));
		rewatch_outputs(svc != NULL ? svc :
					      supervise_services(&n, NULL),
		    n, true);
		if (svc == NULL)
			return -1;
		memset(svc + n, 0, (p->nservices - n) * sizeof(*svc));
		for (size_t i = n; i < p->nservices; i++)
			svc[i].restart_at = -1;
	}
	for (size_t i = 0; i < p->nservices; i++) {
		int len = (int)strlen(p->services[i].name);

		if (service_adopt(&svc[i], &p->services[i]) != 0)
			return -1;
		width = len > width ? len : width;
	}
	return supervise_replace(p, svc, p->nservices, width);
}

int
reload_policy(FILE *client)
{
	struct policy *old, *nw;
	size_t n;
	struct tally t = { 0 };
	struct policy **r;

	(void)supervise_services(&n, (const struct policy **)&old);
	if (supervise_stopping()) {
		say(client, "capwrap: reload: stopping; nothing reloaded\n");
		return EXIT_TEMPFAIL;
	}
	if ((nw = read_policy(client)) == NULL)
		return EXIT_POLICY;
	r = reallocarray(retired, nretired + 1, sizeof(*r));
	if (r != NULL)
		retired = r;
	if (r == NULL || reload_arrange(nw, old) != 0 ||
	    grow_slots(nw->nservices) != 0 || broker_set_policy(nw) != 0 ||
	    adopt(nw) != 0) {
		/* The broker may have grown: it still decides with old. */
		(void)broker_set_policy(old);
		policy_free(nw);
		say(client,
		    "capwrap: reload: out of memory; the running "
		    "policy is kept\n");
		return EXIT_SYSTEM;
	}
	retired[nretired++] = old;
	current = nw;
	apply_services(old, nw, &t);
	supervise_start_due();
	reopen_audit(nw, client);
	reload_applied();
	say(client,
	    "capwrap: reloaded %s: %zu unchanged, %zu restarted, %zu "
	    "stopped, %zu started\n",
	    cfg.policy_path, t.kept, t.restarted, t.stopped, t.started);
	return EXIT_OK;
}
