/*
 * capwrap run: start every service of a policy under the shim, broker
 * their channels, supervise them, and stop them all together.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
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
#include "broker.h"
#include "commands.h"
#include "exitcodes.h"
#include "loop.h"
#include "output.h"
#include "policy.h"
#include "shimpath.h"
#include "spawn.h"
#include "target.h"

struct service_rt {
	const struct policy_service	*ps;
	char				 program[PATH_MAX];
	pid_t				 pid;
	bool				 running;
	int				 status;	/* wait status */
	struct output			 out, err;
};

static struct {
	const struct policy	*policy;
	struct service_rt	*svc;
	size_t			 nsvc;
	const struct policy_service *exit_with;
	char			 shim[PATH_MAX];
	int64_t			 grace_ms;
	int64_t			 kill_at;	/* -1: not stopping */
	int			 stop_signal;	/* a signal told us to stop */
	int			 exit_code;	/* set once the outcome is known */
	bool			 outcome_known;
	struct watch		 signals;
} run;

static size_t
running_count(void)
{
	size_t n = 0;

	for (size_t i = 0; i < run.nsvc; i++)
		n += run.svc[i].running;
	return n;
}

static void
signal_services(int sig)
{
	for (size_t i = 0; i < run.nsvc; i++)
		if (run.svc[i].running)
			(void)kill(-run.svc[i].pid, sig);
}

/* Begin an orderly stop: TERM now, KILL when the grace period is over. */
static void
stop_all(void)
{
	if (run.kill_at >= 0)
		return;
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

static void
service_exited(struct service_rt *s, int status)
{
	s->running = false;
	s->status = status;
	output_drain(&s->out);
	output_drain(&s->err);
	if (WIFEXITED(status))
		fprintf(stderr, "capwrap: %s exited with status %d\n",
		    s->ps->name, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		fprintf(stderr, "capwrap: %s killed by signal %d (%s)\n",
		    s->ps->name, WTERMSIG(status), strsignal(WTERMSIG(status)));
	broker_forget_service((size_t)(s - run.svc));
	if (run.exit_with == s->ps) {
		settle(status_code(status));
		stop_all();
	}
}

static void
reap(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (size_t i = 0; i < run.nsvc; i++) {
			if (run.svc[i].running && run.svc[i].pid == pid) {
				service_exited(&run.svc[i], status);
				break;
			}
		}
		/* Anything else was an orphan we adopted as subreaper. */
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
	fprintf(stderr, "capwrap: %s: pid %d: another library interposes socket "
	    "calls ahead of libcapshim.so; refusing to run the service "
	    "unprotected\n", run.policy->services[service].name, (int)pid);
	if (run.svc[service].running)
		(void)kill(-run.svc[service].pid, SIGKILL);
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

static int
start_service(size_t i, int width)
{
	struct service_rt *s = &run.svc[i];
	struct spawn_request rq = {
		.service = s->ps,
		.program = s->program,
		.shim_path = s->ps->unprotected ? NULL : run.shim,
		.channel_fd = -1,
	};
	char err[PATH_MAX + 128];
	bool tty = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	static const char *const colors[] = {
		"\033[36m", "\033[33m", "\033[32m", "\033[35m", "\033[34m",
		"\033[31m",
	};
	const char *color = tty ? colors[i % 6] : NULL;

	rq.stdout_fd = output_open(&s->out, s->ps->name, width, STDOUT_FILENO,
	    color);
	rq.stderr_fd = output_open(&s->err, s->ps->name, width, STDERR_FILENO,
	    color);
	if (rq.stdout_fd < 0 || rq.stderr_fd < 0) {
		fprintf(stderr, "capwrap: %s: unable to make output pipes: %s\n",
		    s->ps->name, strerror(errno));
		return -1;
	}
	if (!s->ps->unprotected && (rq.channel_fd = broker_open_channel(i)) < 0) {
		fprintf(stderr, "capwrap: %s: unable to make its channel: %s\n",
		    s->ps->name, strerror(errno));
		return -1;
	}
	s->pid = spawn_service(&rq, err, sizeof(err));
	close(rq.stdout_fd);
	close(rq.stderr_fd);
	if (rq.channel_fd >= 0)
		close(rq.channel_fd);
	if (s->pid < 0) {
		fprintf(stderr, "capwrap: %s: %s\n", s->ps->name, err);
		return -1;
	}
	s->running = true;
	return 0;
}

static void
usage_run(void)
{
	fprintf(stderr, "usage: capwrap run [--audit FILE] [--exit-with SERVICE] "
	    "[--dial-timeout SECONDS] [--grace SECONDS] POLICY\n");
}

/* Seconds as a whole number within [min, max], in milliseconds. */
static int
parse_seconds(const char *opt, const char *arg, long long min, long long max,
    int64_t *out)
{
	const char *errstr;
	long long v = strtonum(arg, min, max, &errstr);

	if (errstr != NULL) {
		fprintf(stderr, "capwrap: %s %s: %s (%lld to %lld seconds)\n",
		    opt, arg, errstr, min, max);
		return -1;
	}
	*out = v * 1000;
	return 0;
}

int
cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "audit", required_argument, NULL, 'a' },
		{ "exit-with", required_argument, NULL, 'x' },
		{ "dial-timeout", required_argument, NULL, 't' },
		{ "grace", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *audit_path = NULL, *exit_with = NULL;
	int64_t dial_timeout = 10000;
	struct broker_hooks hooks = { .unprotectable = on_unprotectable };
	struct policy *policy;
	int c, width = 0, rc;

	run.grace_ms = 5000;
	run.kill_at = -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			audit_path = optarg;
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
			usage_run();
			return EXIT_OK;
		default:
			usage_run();
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		usage_run();
		return EXIT_USAGE;
	}

	rc = load_policy(argv[optind], &policy);
	if (rc != EXIT_OK)
		return rc;
	run.policy = policy;
	if (exit_with != NULL &&
	    (run.exit_with = policy_find_service(policy, exit_with)) == NULL) {
		fprintf(stderr, "capwrap: --exit-with %s: no such service in %s\n",
		    exit_with, argv[optind]);
		return EXIT_USAGE;
	}
	rc = check_targets(policy);
	if (rc != EXIT_OK)
		return rc;
	if (shim_path(run.shim, sizeof(run.shim)) != 0) {
		fprintf(stderr, "capwrap: unable to find libcapshim.so (looked "
		    "beside capwrap and in %s)\n", CAPWRAP_PKGLIBDIR);
		return EXIT_SYSTEM;
	}
	if (audit_path == NULL)
		audit_path = policy->audit_path;
	if (audit_open(audit_path) != 0) {
		fprintf(stderr, "capwrap: unable to open audit file %s: %s\n",
		    audit_path, strerror(errno));
		return EXIT_NOINPUT;
	}
	if (policy->audit_syslog)
		audit_enable_syslog();

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
		(void)spawn_resolve(run.svc[i].ps->argv[0], run.svc[i].program,
		    sizeof(run.svc[i].program));
		if (len > width)
			width = len;
	}
	for (size_t i = 0; i < run.nsvc; i++) {
		if (start_service(i, width) != 0) {
			settle(EXIT_SYSTEM);
			stop_all();
			break;
		}
	}

	while (running_count() > 0) {
		int64_t next = broker_expire(loop_now_ms());

		if (run.kill_at >= 0) {
			if (loop_now_ms() >= run.kill_at) {
				signal_services(SIGKILL);
				run.kill_at = loop_now_ms() + 1000;
			}
			if (next < 0 || run.kill_at < next)
				next = run.kill_at;
		}
		if (loop_run_once(next) != 0) {
			fprintf(stderr, "capwrap: event loop: %s\n",
			    strerror(errno));
			signal_services(SIGKILL);
			settle(EXIT_SYSTEM);
			break;
		}
	}
	for (size_t i = 0; i < run.nsvc; i++) {
		output_drain(&run.svc[i].out);
		output_drain(&run.svc[i].err);
		output_close(&run.svc[i].out);
		output_close(&run.svc[i].err);
	}
	if (!run.outcome_known) {
		settle(EXIT_OK);
		for (size_t i = 0; i < run.nsvc; i++)
			if (status_code(run.svc[i].status) != 0)
				run.exit_code = EXIT_SERVICE_FAILED;
	}
	audit_close();
	free(run.svc);
	policy_free(policy);
	return run.exit_code;
}
