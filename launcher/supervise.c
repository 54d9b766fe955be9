#include <sys/signalfd.h>
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
#include "fsreport.h"
#include "loop.h"
#include "notify.h"
#include "request.h"
#include "orphans.h"
#include "reappage.h"
#include "runsignals.h"
#include "reload.h"
#include "runstate.h"
#include "service.h"
#include "servicespawn.h"
#include "startorder.h"
#include "supervise.h"

#define MAX_CHILDREN 4096

struct run_state run;

/*
 * Services still running or due to restart: the loop goes on while any.
 * And while a service not started yet may still see a provider register:
 * a process of some lineage holds its channel (a daemon not adopted).
 */
static size_t
active_count(void)
{
	size_t n = 0;
	bool pending = startorder_any_pending(&run.order);

	for (size_t i = 0; i < run.nsvc; i++)
		n += service_is_running(&run.svc[i]) ||
		    run.svc[i].restart_at >= 0 ||
		    (pending && broker_channel(i)->watch.fd >= 0);
	return n;
}

/* Adopted children that belong to no service are still of the topology. */
static void
signal_strays(int sig)
{
	pid_t kids[MAX_CHILDREN];
	ssize_t n = orphans_children(kids, MAX_CHILDREN);

	for (ssize_t i = 0; i < n && i < MAX_CHILDREN; i++) {
		bool main = false;

		for (size_t k = 0; k < run.nsvc && !main; k++)
			main = run.svc[k].main_alive &&
			    run.svc[k].pid == kids[i];
		if (!main)
			(void)kill(kids[i], sig);
	}
}

static void
signal_services(int sig)
{
	for (size_t i = 0; i < run.nsvc; i++)
		service_signal(&run.svc[i], sig);
	signal_strays(sig);
}

/* Begin an orderly stop: TERM now, KILL when the grace period is over. */
static void
stop_all(void)
{
	if (run.kill_at >= 0)
		return;
	notify_send("STOPPING=1");
	for (size_t i = 0; i < run.nsvc; i++) {
		run.svc[i].restart_at = -1;
		service_stop(&run.svc[i]);
	}
	signal_strays(SIGTERM);
	run.kill_at = loop_now_ms() + run.grace_ms;
}

static void
settle(int code)
{
	if (!run.outcome_known) {
		run.exit_code = code;
		run.outcome_known = true;
	}
}

/* STATUS= for the service manager, after READY=1 (and with it). */
static void
send_status(const char *lead)
{
	size_t running = 0, failed = 0;

	if (!run.notified_ready)
		return;
	for (size_t i = 0; i < run.nsvc; i++) {
		running += service_is_running(&run.svc[i]);
		failed += run.svc[i].failed;
	}
	notify_status(lead, running, failed);
}

/* READY=1 once every protected provider has registered a name. */
static void
check_ready(void)
{
	size_t waiting = 0;

	if (run.notified_ready || run.kill_at >= 0)
		return;
	for (size_t i = 0; i < run.nsvc; i++) {
		const struct policy_service *ps = run.svc[i].ps;

		if (ps->nprovides > 0 && !ps->unprotected && !run.svc[i].ready)
			waiting++;
	}
	if (waiting > 0)
		return;
	run.notified_ready = true;
	send_status("READY=1\n");
}

/* Start the services whose turn has come (startorder.h). */
static void
start_due(void)
{
	if (run.kill_at >= 0)
		return;
	if (service_start_due(run.svc, &run.order, run.shim, run.width) != 0) {
		settle(EXIT_SYSTEM);
		stop_all();
	}
}

static void
on_registered(size_t service)
{
	run.svc[service].ready = true;
	fsreport_registered(&run.svc[service]);
	check_ready();
	start_due();
}

static void
on_granted(size_t service)
{
	fsreport_granted(&run.svc[service]);
}

/* The main process and every daemon it left are gone. */
static void
service_finished(struct service_rt *s)
{
	size_t i = (size_t)(s - run.svc);
	int64_t now = loop_now_ms();

	output_drain(&s->out);
	output_drain(&s->err);
	service_describe_exit(s);
	/* Its names and the grants to it go; a new instance registers anew. */
	broker_forget_service(i);
	s->ready = false;
	if (run.kill_at < 0)
		service_tell_waiting(run.svc, &run.order, i);
	if (run.exit_with == s->ps) {
		settle(service_status_code(s));
		stop_all();
		return;
	}
	if (run.kill_at >= 0)
		return;
	if (!service_wants_restart(s) || service_plan_restart(s, now) != 0)
		send_status("");
	if (s->failed && run.exit_on_failed) {
		settle(EXIT_SERVICE_FAILED);
		stop_all();
	}
}

static void
reap(void)
{
	bool *ended = calloc(run.nsvc ? run.nsvc : 1, sizeof(*ended));
	int status;
	pid_t pid;

	/* Each child is announced on the reap page before it is reaped. */
	while ((pid = reappage_reap(&status)) > 0) {
		for (size_t i = 0; i < run.nsvc; i++) {
			struct service_rt *s = &run.svc[i];

			if (s->main_alive && s->pid == pid) {
				s->main_alive = false;
				s->status = status;
				if (ended != NULL)
					ended[i] = true;
				break;
			}
			if (service_has_daemon(s, pid)) {
				service_forget_daemon(s, pid);
				if (ended != NULL)
					ended[i] = true;
				break;
			}
		}
		/* Anything else was an orphan of no service's lineage. */
	}
	if (ended == NULL)
		return;
	/* Reaping re-parents the grandchildren: look for them now. */
	service_adopt_daemons(run.svc, run.nsvc, ended, run.kill_at >= 0);
	for (size_t i = 0; i < run.nsvc; i++)
		if (ended[i] && !service_is_running(&run.svc[i]))
			service_finished(&run.svc[i]);
	free(ended);
}

/* The first request to stop: TERM to every service, KILL after --grace. */
static void
stop_by_signal(int sig)
{
	run.stop_signal = sig;
	run.stop_signal_ms = loop_now_ms();
	fprintf(stderr, "capwrap: %s: stopping all services\n", strsignal(sig));
	settle(128 + sig);
	stop_all();
}

/*
 * A further request: no more grace, unless it came within a second of the
 * first.  Those are one request delivered twice, as timeout(1) does (to
 * the process group and to the process), and the services keep the grace
 * period it meant to give them.
 */
static void
stop_again(int sig)
{
	if (loop_now_ms() - run.stop_signal_ms < 1000)
		return;
	fprintf(stderr, "capwrap: %s again: killing all services\n",
	    strsignal(sig));
	signal_services(SIGKILL);
}

/* The signals that would end the launcher by default (runsignals.h). */
static void
other_signal(int sig)
{
	switch (runsig_action(sig)) {
	case RUNSIG_STOP:
		if (run.stop_signal != 0)
			stop_again(sig);
		else
			stop_by_signal(sig);
		break;
	case RUNSIG_IGNORE:
		fprintf(stderr, "capwrap: signal %d (%s) ignored\n", sig,
		    strsignal(sig));
		break;
	case RUNSIG_OTHER:
		break;
	}
}

static void
on_signal(struct watch *w, uint32_t events)
{
	struct signalfd_siginfo si;

	while (read(w->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			reap();
			break;
		case SIGHUP:
			(void)reload_policy(NULL); /* reload, not stop */
			break;
		case SIGINT:
		case SIGTERM:
			if (run.stop_signal != 0) {
				/* Asked again: see stop_again. */
				stop_again((int)si.ssi_signo);
				break;
			}
			stop_by_signal((int)si.ssi_signo);
			break;
		default:
			other_signal((int)si.ssi_signo);
			break;
		}
	}
}

static void
on_unprotectable(size_t service, pid_t pid)
{
	fprintf(stderr,
	    "capwrap: %s: pid %d: socket calls are interposed "
	    "ahead of libcapshim.so (by the program or a library it loads); "
	    "refusing to run the service unprotected\n",
	    run.policy->services[service].name, (int)pid);
	service_signal(&run.svc[service], SIGKILL);
	settle(EXIT_REFUSED);
	stop_all();
}

static int
setup_signals(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	runsig_fill(&set);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		return -1;
	run.signals = (struct watch){ .fd = fd, .fn = on_signal };
	return loop_add(&run.signals);
}

/* Restarts that are due; returns the next one's time, or -1. */
static int64_t
restart_due(int64_t now)
{
	int64_t next = -1;

	for (size_t i = 0; i < run.nsvc; i++) {
		struct service_rt *s = &run.svc[i];

		if (s->restart_at < 0)
			continue;
		if (s->restart_at <= now) {
			if (service_start(s, i, run.shim, run.width) != 0) {
				s->restart_at = -1;
				settle(EXIT_SYSTEM);
				stop_all();
			}
			continue;
		}
		if (next < 0 || s->restart_at < next)
			next = s->restart_at;
	}
	return next;
}

/* Each service's state, and the order they start in. */
static int
setup_services(const struct policy *policy)
{
	if (startorder_init(&run.order, policy) != 0 ||
	    (run.svc = service_init_all(policy, &run.width)) == NULL) {
		fprintf(stderr, "capwrap: out of memory\n");
		return EXIT_SYSTEM;
	}
	run.nsvc = policy->nservices;
	return EXIT_OK;
}

int
supervise_setup(const struct supervise_config *cfg)
{
	struct broker_hooks hooks = {
		.unprotectable = on_unprotectable,
		.registered = on_registered,
		.granted = on_granted,
	};

	run.policy = cfg->policy;
	run.exit_with = cfg->exit_with;
	run.shim = cfg->shim;
	run.grace_ms = cfg->grace_ms;
	run.exit_on_failed = cfg->exit_on_failed;
	run.kill_at = -1;
	/* Without a reap page, shims check every peer in full. */
	(void)reappage_init();
	if (loop_init() != 0 || setup_signals() != 0 ||
	    broker_init(cfg->policy, cfg->dial_timeout_ms, &hooks) != 0) {
		fprintf(stderr, "capwrap: unable to set up: %s\n",
		    strerror(errno));
		return EXIT_SYSTEM;
	}
	return setup_services(cfg->policy);
}

/* Until every service is gone: restarts, the grace period, the loop. */
static void
supervise_loop(void)
{
	while (active_count() > 0) {
		int64_t now = loop_now_ms();
		int64_t next = loop_earliest(broker_expire(now),
		    restart_due(now));

		if (run.kill_at >= 0) {
			if (loop_now_ms() >= run.kill_at) {
				signal_services(SIGKILL);
				run.kill_at = loop_now_ms() + 1000;
			}
			next = loop_earliest(next, run.kill_at);
		}
		if (active_count() == 0)
			break;
		if (loop_run_once(next) != 0) {
			fprintf(stderr, "capwrap: event loop: %s\n",
			    strerror(errno));
			signal_services(SIGKILL);
			settle(EXIT_SYSTEM);
			break;
		}
	}
}

int
supervise(void)
{
	start_due();
	check_ready();
	supervise_loop();
	service_tell_never_started(run.svc, &run.order);
	/* Whatever the services left behind does not outlive the topology. */
	signal_strays(SIGTERM);
	if (run.kill_at < 0)
		notify_send("STOPPING=1");
	for (size_t i = 0; i < run.nsvc; i++) {
		output_drain(&run.svc[i].out);
		output_drain(&run.svc[i].err);
		output_close(&run.svc[i].out);
		output_close(&run.svc[i].err);
		free(run.svc[i].daemons);
	}
	if (!run.outcome_known) {
		settle(EXIT_OK);
		for (size_t i = 0; i < run.nsvc; i++)
			if (service_status_code(&run.svc[i]) != 0 ||
			    run.svc[i].failed || run.order.pending[i])
				run.exit_code = EXIT_SERVICE_FAILED;
	}
	return run.exit_code;
}

void
supervise_free(void)
{
	for (size_t i = 0; i < run.nsvc; i++)
		service_free(&run.svc[i]);
	free(run.svc);
	run.svc = NULL;
	run.nsvc = 0;
	startorder_free(&run.order);
}

/* --- for reload.c, status.c and ctlserve.c ------------------------------ */

bool
supervise_pending(size_t i)
{
	return run.order.pending[i];
}

void
supervise_start_due(void)
{
	start_due();
}
