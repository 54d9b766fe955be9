/*
 * capwrap run: start every service of a policy under the shim, broker
 * their channels, supervise them (restarts with backoff, daemons that
 * outlive their main process), report readiness, and stop them all
 * together.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "sink.h"
#include "broker.h"
#include "commands.h"
#include "exitcodes.h"
#include "loop.h"
#include "notify.h"
#include "orphans.h"
#include "output.h"
#include "policy.h"
#include "shimpath.h"
#include "servicespawn.h"
#include "target.h"

/* Restart backoff: doubling from the first delay to the cap, reset after a good run. */
#define BACKOFF_FIRST_MS	100
#define BACKOFF_MAX_MS		30000
#define BACKOFF_RESET_MS	10000

#define MAX_CHILDREN		4096

struct service_rt {
	const struct policy_service	*ps;
	char				*program;	/* argv[0] resolved along PATH */
	pid_t				 pid;		/* the main process */
	bool				 main_alive;
	uint64_t			 channel_ino;	/* its end of the channel; 0: none */
	pid_t				*daemons;	/* adopted processes that hold it */
	size_t				 ndaemons;
	int				 status;	/* the main process's wait status */
	bool				 ready;		/* registered since it started */
	int64_t				 started_ms;
	int64_t				 backoff_ms;
	int64_t				 restart_at;	/* -1: no restart due */
	struct output			 out, err;
};

static struct {
	const struct policy	*policy;
	struct service_rt	*svc;
	size_t			 nsvc;
	int			 width;
	const struct policy_service *exit_with;
	char			 shim[PATH_MAX];
	int64_t			 grace_ms;
	int64_t			 kill_at;	/* -1: not stopping */
	int			 stop_signal;	/* a signal told us to stop */
	int			 exit_code;	/* set once the outcome is known */
	bool			 outcome_known;
	bool			 notified_ready;
	struct watch		 signals;
} run;

static bool
is_running(const struct service_rt *s)
{
	return s->main_alive || s->ndaemons > 0;
}

/* Services still running or due to restart: the loop goes on while any. */
static size_t
active_count(void)
{
	size_t n = 0;

	for (size_t i = 0; i < run.nsvc; i++)
		n += is_running(&run.svc[i]) || run.svc[i].restart_at >= 0;
	return n;
}

/*
 * Every process a service is made of: the main process's group, and each
 * adopted daemon on its own (it may have left the group with setsid).
 */
static void
signal_service(struct service_rt *s, int sig)
{
	if (s->main_alive)
		(void)kill(-s->pid, sig);
	for (size_t k = 0; k < s->ndaemons; k++)
		(void)kill(s->daemons[k], sig);
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
			main = run.svc[k].main_alive && run.svc[k].pid == kids[i];
		if (!main)
			(void)kill(kids[i], sig);
	}
}

static void
signal_services(int sig)
{
	for (size_t i = 0; i < run.nsvc; i++)
		signal_service(&run.svc[i], sig);
	signal_strays(sig);
}

/* Begin an orderly stop: TERM now, KILL when the grace period is over. */
static void
stop_all(void)
{
	if (run.kill_at >= 0)
		return;
	notify_send("STOPPING=1");
	for (size_t i = 0; i < run.nsvc; i++)
		run.svc[i].restart_at = -1;
	signal_services(SIGTERM);
	run.kill_at = loop_now_ms() + run.grace_ms;
}

static int
status_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return EXIT_SERVICE_FAILED;
}

static void
settle(int code)
{
	if (!run.outcome_known) {
		run.exit_code = code;
		run.outcome_known = true;
	}
}

/* READY=1 once every protected provider has registered a name. */
static void
check_ready(void)
{
	size_t waiting = 0;
	char status[128];

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
	snprintf(status, sizeof(status), "READY=1\nSTATUS=%zu service%s "
	    "running", run.nsvc, run.nsvc == 1 ? "" : "s");
	notify_send(status);
}

static void
on_registered(size_t service)
{
	run.svc[service].ready = true;
	check_ready();
}

static void
describe_exit(const struct service_rt *s, const char *what)
{
	int st = s->status;

	if (WIFEXITED(st))
		fprintf(stderr, "capwrap: %s%s exited with status %d\n",
		    s->ps->name, what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		fprintf(stderr, "capwrap: %s%s killed by signal %d (%s)\n",
		    s->ps->name, what, WTERMSIG(st), strsignal(WTERMSIG(st)));
}

static bool
wants_restart(const struct service_rt *s)
{
	switch (s->ps->restart) {
	case POLICY_RESTART_ALWAYS:
		return true;
	case POLICY_RESTART_ON_FAILURE:
		return status_code(s->status) != 0;
	default:
		return false;
	}
}

/* The main process and every daemon it left are gone. */
static void
service_finished(struct service_rt *s)
{
	size_t i = (size_t)(s - run.svc);
	int64_t now = loop_now_ms();

	output_drain(&s->out);
	output_drain(&s->err);
	describe_exit(s, "");
	/* Its names and the grants to it go; a new instance registers anew. */
	broker_forget_service(i);
	s->ready = false;
	if (run.exit_with == s->ps) {
		settle(status_code(s->status));
		stop_all();
		return;
	}
	if (run.kill_at >= 0 || !wants_restart(s))
		return;
	if (now - s->started_ms >= BACKOFF_RESET_MS)
		s->backoff_ms = BACKOFF_FIRST_MS;
	s->restart_at = now + s->backoff_ms;
	fprintf(stderr, "capwrap: %s: restarting in %lld ms\n", s->ps->name,
	    (long long)s->backoff_ms);
	s->backoff_ms *= 2;
	if (s->backoff_ms > BACKOFF_MAX_MS)
		s->backoff_ms = BACKOFF_MAX_MS;
}

static bool
is_daemon_of(const struct service_rt *s, pid_t pid)
{
	for (size_t k = 0; k < s->ndaemons; k++)
		if (s->daemons[k] == pid)
			return true;
	return false;
}

static void
forget_daemon(struct service_rt *s, pid_t pid)
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
static void
adopt_daemons(const bool *ended)
{
	pid_t kids[MAX_CHILDREN];
	ssize_t n = orphans_children(kids, MAX_CHILDREN);

	for (ssize_t i = 0; i < n && i < MAX_CHILDREN; i++) {
		for (size_t k = 0; k < run.nsvc; k++) {
			struct service_rt *s = &run.svc[k];
			pid_t *d;

			if (!ended[k] || s->main_alive || s->channel_ino == 0 ||
			    is_daemon_of(s, kids[i]) ||
			    !orphans_holds_socket(kids[i], s->channel_ino))
				continue;
			d = reallocarray(s->daemons, s->ndaemons + 1,
			    sizeof(*d));
			if (d == NULL)
				continue;
			s->daemons = d;
			s->daemons[s->ndaemons++] = kids[i];
			/*
			 * While stopping, every process of the service has
			 * been signalled and is waited for anyway: no notice.
			 * Most found here then are the main process's own
			 * children still dying of the very signal that ended
			 * it, and whether the kernel let them finish before
			 * it was reaped is a matter of scheduling.
			 */
			if (run.kill_at >= 0) {
				(void)kill(kids[i], SIGTERM);
				break;
			}
			fprintf(stderr, "capwrap: %s: pid %d holds the service's "
			    "channel after its main process exited; the "
			    "service runs until it exits\n", s->ps->name,
			    (int)kids[i]);
			break;
		}
	}
}

static void
reap(void)
{
	bool *ended = calloc(run.nsvc ? run.nsvc : 1, sizeof(*ended));
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (size_t i = 0; i < run.nsvc; i++) {
			struct service_rt *s = &run.svc[i];

			if (s->main_alive && s->pid == pid) {
				s->main_alive = false;
				s->status = status;
				if (ended != NULL)
					ended[i] = true;
				break;
			}
			if (is_daemon_of(s, pid)) {
				forget_daemon(s, pid);
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
	adopt_daemons(ended);
	for (size_t i = 0; i < run.nsvc; i++)
		if (ended[i] && !is_running(&run.svc[i]))
			service_finished(&run.svc[i]);
	free(ended);
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
		case SIGINT:
		case SIGTERM:
		case SIGHUP:
			if (run.stop_signal != 0) {
				/* Asked twice: no more grace. */
				signal_services(SIGKILL);
				break;
			}
			run.stop_signal = (int)si.ssi_signo;
			fprintf(stderr, "capwrap: %s: stopping all services\n",
			    strsignal((int)si.ssi_signo));
			settle(128 + (int)si.ssi_signo);
			stop_all();
			break;
		}
	}
}

static void
on_unprotectable(size_t service, pid_t pid)
{
	fprintf(stderr, "capwrap: %s: pid %d: socket calls are interposed "
	    "ahead of libcapshim.so (by the program or a library it loads); "
	    "refusing to run the service unprotected\n",
	    run.policy->services[service].name, (int)pid);
	signal_service(&run.svc[service], SIGKILL);
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
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		return -1;
	run.signals = (struct watch){ .fd = fd, .fn = on_signal };
	return loop_add(&run.signals);
}

/* Many services each hold pidfds and pipes here: use the whole hard limit. */
static void
raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* https://no-color.org: a NO_COLOR that is set and not empty turns colour off. */
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

static int
start_service(size_t i)
{
	struct service_rt *s = &run.svc[i];
	struct spawn_request rq = {
		.service = s->ps,
		.program = s->program,
		.shim_path = s->ps->unprotected ? NULL : run.shim,
		.channel_fd = -1,
	};
	static const char *const colors[] = {
		"\033[36m", "\033[33m", "\033[32m", "\033[35m", "\033[34m",
		"\033[31m",
	};
	const char *color = colors[i % 6];
	char err[PATH_MAX + 128];
	struct stat st;

	/* A restart: what the last instance wrote is out, its pipes go. */
	output_drain(&s->out);
	output_drain(&s->err);
	output_close(&s->out);
	output_close(&s->err);
	rq.stdout_fd = output_open(&s->out, s->ps->name, run.width,
	    STDOUT_FILENO, use_color(STDOUT_FILENO) ? color : NULL);
	rq.stderr_fd = output_open(&s->err, s->ps->name, run.width,
	    STDERR_FILENO, use_color(STDERR_FILENO) ? color : NULL);
	if (rq.stdout_fd < 0 || rq.stderr_fd < 0) {
		fprintf(stderr, "capwrap: %s: unable to make output pipes: %s\n",
		    s->ps->name, strerror(errno));
		return -1;
	}
	s->channel_ino = 0;
	if (!s->ps->unprotected) {
		if ((rq.channel_fd = broker_open_channel(i)) < 0) {
			fprintf(stderr, "capwrap: %s: unable to make its "
			    "channel: %s\n", s->ps->name, strerror(errno));
			return -1;
		}
		if (fstat(rq.channel_fd, &st) == 0)
			s->channel_ino = (uint64_t)st.st_ino;
	}
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
	return 0;
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
			if (start_service(i) != 0) {
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

static void
usage_run(FILE *f)
{
	fprintf(f, "usage: capwrap run POLICY [--audit FILE] [--syslog] "
	    "[--exit-with SERVICE]\n"
	    "                   [--dial-timeout SECONDS] [--grace SECONDS]\n");
}

/* Seconds as a whole number within [min, max], in milliseconds. */
static int
parse_seconds(const char *opt, const char *arg, long long min, long long max,
    int64_t *out)
{
	const char *errstr;
	long long v = strtonum(arg, min, max, &errstr);

	if (errstr != NULL) {
		fprintf(stderr, "capwrap run: %s %s: %s (%lld to %lld seconds)\n",
		    opt, arg, errstr, min, max);
		return -1;
	}
	*out = v * 1000;
	return 0;
}

static int64_t
earliest(int64_t a, int64_t b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

int
cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "audit", required_argument, NULL, 'a' },
		{ "syslog", no_argument, NULL, 's' },
		{ "exit-with", required_argument, NULL, 'x' },
		{ "dial-timeout", required_argument, NULL, 't' },
		{ "grace", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *audit_path = NULL, *exit_with = NULL;
	int64_t dial_timeout = 10000;
	struct broker_hooks hooks = {
		.unprotectable = on_unprotectable,
		.registered = on_registered,
	};
	struct policy *policy;
	bool to_syslog = false;
	char path[PATH_MAX], why[PATH_MAX + 128];
	int c, rc;

	run.grace_ms = 5000;
	run.kill_at = -1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			audit_path = optarg;
			break;
		case 's':
			to_syslog = true;
			break;
		case 'x':
			exit_with = optarg;
			break;
		case 't':
			if (parse_seconds("--dial-timeout", optarg, 0, 3600,
			    &dial_timeout) != 0)
				return EXIT_USAGE;
			break;
		case 'g':
			if (parse_seconds("--grace", optarg, 0, 3600,
			    &run.grace_ms) != 0)
				return EXIT_USAGE;
			break;
		case 'h':
			usage_run(stdout);
			return EXIT_OK;
		default:
			option_error("run", argc, argv, c);
			usage_run(stderr);
			return EXIT_USAGE;
		}
	}
	if (!one_operand("run", "POLICY", argc)) {
		usage_run(stderr);
		return EXIT_USAGE;
	}

	rc = load_policy(argv[optind], &policy);
	if (rc != EXIT_OK)
		return rc;
	run.policy = policy;
	if (exit_with != NULL &&
	    (run.exit_with = policy_find_service(policy, exit_with)) == NULL) {
		fprintf(stderr, "capwrap run: --exit-with %s: no such service "
		    "in %s\n", exit_with, argv[optind]);
		policy_free(policy);
		return EXIT_USAGE;
	}
	rc = check_targets(policy);
	if (rc == EXIT_OK)
		rc = check_audit(policy, audit_path);
	if (rc != EXIT_OK) {
		policy_free(policy);
		return rc;
	}
	if (shim_path(run.shim, sizeof(run.shim)) != 0) {
		fprintf(stderr, "capwrap: unable to find libcapshim.so (looked "
		    "beside capwrap and in %s)\n", CAPWRAP_PKGLIBDIR);
		policy_free(policy);
		return EXIT_SYSTEM;
	}
	if (audit_open(audit_path != NULL ? audit_path : policy->audit_path,
	    why, sizeof(why)) != 0) {
		rc = audit_refused(policy, audit_path, why);
		policy_free(policy);
		return rc;
	}
	if (policy->audit_syslog || to_syslog)
		audit_enable_syslog();
	/* Whoever reads our output must not be able to stop the loop. */
	sink_init(STDOUT_FILENO);
	sink_init(STDERR_FILENO);
	/* Before any fork: the services must not inherit NOTIFY_SOCKET. */
	(void)notify_init();

	raise_fd_limit();
	/* Orphans of services come to us, not to init, and are reaped here. */
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (loop_init() != 0 || setup_signals() != 0 ||
	    broker_init(policy, dial_timeout, &hooks) != 0) {
		fprintf(stderr, "capwrap: unable to set up: %s\n", strerror(errno));
		return EXIT_SYSTEM;
	}

	run.nsvc = policy->nservices;
	run.svc = calloc(run.nsvc, sizeof(*run.svc));
	if (run.svc == NULL) {
		fprintf(stderr, "capwrap: out of memory\n");
		return EXIT_SYSTEM;
	}
	for (size_t i = 0; i < run.nsvc; i++) {
		int len = (int)strlen(policy->services[i].name);

		run.svc[i].ps = &policy->services[i];
		run.svc[i].restart_at = -1;
		run.svc[i].backoff_ms = BACKOFF_FIRST_MS;
		if (spawn_resolve(run.svc[i].ps->argv[0], path, sizeof(path)) != 0)
			(void)strlcpy(path, run.svc[i].ps->argv[0], sizeof(path));
		if ((run.svc[i].program = strdup(path)) == NULL) {
			fprintf(stderr, "capwrap: out of memory\n");
			return EXIT_SYSTEM;
		}
		if (len > run.width)
			run.width = len;
	}
	for (size_t i = 0; i < run.nsvc; i++) {
		if (start_service(i) != 0) {
			settle(EXIT_SYSTEM);
			stop_all();
			break;
		}
	}
	check_ready();

	while (active_count() > 0) {
		int64_t now = loop_now_ms();
		int64_t next = earliest(broker_expire(now), restart_due(now));

		if (run.kill_at >= 0) {
			if (loop_now_ms() >= run.kill_at) {
				signal_services(SIGKILL);
				run.kill_at = loop_now_ms() + 1000;
			}
			next = earliest(next, run.kill_at);
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
			if (status_code(run.svc[i].status) != 0)
				run.exit_code = EXIT_SERVICE_FAILED;
	}
	notify_close();
	audit_close();
	for (size_t i = 0; i < run.nsvc; i++)
		free(run.svc[i].program);
	free(run.svc);
	policy_free(policy);
	return run.exit_code;
}
