/*
 * capwrap run: start every service of a policy under the shim, broker
 * their channels, supervise them (supervise.c), and stop them all
 * together.  Here: the command line, the checks made before anything is
 * started, the set-up of the launcher itself, and the teardown.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auditwrite.h"
#include "daemonids.h"
#include "commands.h"
#include "control.h"
#include "exitcodes.h"
#include "notify.h"
#include "output.h"
#include "probecmd.h"
#include "reload.h"
#include "servicespawn.h"
#include "shimpath.h"
#include "sink.h"
#include "supervise.h"

struct run_options {
	const char *audit_path; /* --audit */
	const char *exit_with;	/* --exit-with */
	const char *name;	/* --name: of the control socket */
	bool to_syslog;		/* --syslog */
	bool exit_on_failed;	/* --exit-on-failed */
	bool timestamps;	/* --timestamps */
	int64_t dial_timeout_ms;
	int64_t grace_ms;
};

/* Seconds as a whole number within [min, max], in milliseconds. */
static int
parse_seconds(const char *opt, const char *arg, long long min, long long max,
    int64_t *out)
{
	const char *errstr;
	long long v = strtonum(arg, min, max, &errstr);

	if (errstr != NULL) {
		fprintf(stderr,
		    "capwrap run: %s %s: %s (%lld to %lld seconds)\n", opt, arg,
		    errstr, min, max);
		return -1;
	}
	*out = v * 1000;
	return 0;
}

static int
run_option(void *ctx, int c, const char *arg)
{
	struct run_options *o = ctx;

	switch (c) {
	case 'a':
		o->audit_path = arg;
		break;
	case 's':
		o->to_syslog = true;
		break;
	case 'x':
		o->exit_with = arg;
		break;
	case 'F':
		o->exit_on_failed = true;
		break;
	case 'T':
		o->timestamps = true;
		break;
	case 'n':
		o->name = arg;
		break;
	case 't':
		if (parse_seconds("--dial-timeout", arg, 0, 3600,
			&o->dial_timeout_ms) != 0)
			return EXIT_USAGE;
		break;
	case 'g':
		if (parse_seconds("--grace", arg, 0, 3600, &o->grace_ms) != 0)
			return EXIT_USAGE;
		break;
	}
	return CLI_GO_ON;
}

/*
 * Everything that can refuse the topology before anything starts; the
 * audit trail is opened last.  Fills cfg's exit_with and shim.
 */
static int
preflight(const struct policy *policy, const struct run_options *o,
    const char *policy_path, struct supervise_config *cfg)
{
	static char shim[PATH_MAX];
	char why[PATH_MAX + 128];
	int rc;

	if (o->exit_with != NULL &&
	    (cfg->exit_with = policy_find_service(policy, o->exit_with)) ==
		NULL) {
		fprintf(stderr,
		    "capwrap run: --exit-with %s: no such service "
		    "in %s\n",
		    o->exit_with, policy_path);
		return EXIT_USAGE;
	}
	rc = check_targets(policy);
	if (rc == EXIT_OK)
		rc = daemon_check(policy, true);
	if (rc == EXIT_OK)
		rc = check_audit(policy, o->audit_path);
	if (rc != EXIT_OK)
		return rc;
	if (shim_path(shim, sizeof(shim)) != 0) {
		fprintf(stderr,
		    "capwrap: unable to find libcapshim.so (looked "
		    "beside capwrap and in %s)\n",
		    CAPWRAP_PKGLIBDIR);
		return EXIT_SYSTEM;
	}
	cfg->shim = shim;
	if ((rc = probe_summary()) != EXIT_OK)
		return rc;
	if (audit_open(o->audit_path != NULL ? o->audit_path :
					       policy->audit_path,
		why, sizeof(why)) != 0)
		return audit_refused(policy, o->audit_path, why);
	if (policy->audit_syslog || o->to_syslog)
		audit_enable_syslog();
	return EXIT_OK;
}

/*
 * Many services each hold pidfds and pipes here: use the whole hard limit.
 * The services start with the soft limit capwrap was started with (unless
 * their policy sets one): many programs still use select(), which breaks
 * above 1024 descriptors, and so systemd keeps 1024 as the soft limit.
 */
static void
raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	spawn_keep_fd_limit(rl.rlim_cur);
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* The launcher's own process, before the first service is started. */
static void
setup_launcher(void)
{
	/* Whoever reads our output must not be able to stop the loop. */
	sink_init(STDOUT_FILENO);
	sink_init(STDERR_FILENO);
	sink_take_stderr();
	/* Before any fork: the services must not inherit NOTIFY_SOCKET. */
	(void)notify_init();

	raise_fd_limit();
	/* Orphans of services come to us, not to init, and are reaped here. */
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
}

static int
cmd_run(int argc, char **argv)
{
	struct run_options o = { .dial_timeout_ms = 10000, .grace_ms = 5000 };
	struct supervise_config cfg = { .exit_with = NULL };
	struct reload_config rl = { .policy_path = NULL };
	struct policy *policy;
	int rc;

	rc = cli_parse_policy(&run_command, argc, argv, &o, &policy);
	if (rc != CLI_GO_ON)
		return rc;
	rc = preflight(policy, &o, argv[optind], &cfg);
	if (rc != EXIT_OK) {
		policy_free(policy);
		return rc;
	}
	setup_launcher();
	cfg.policy = policy;
	cfg.grace_ms = o.grace_ms;
	cfg.dial_timeout_ms = o.dial_timeout_ms;
	cfg.exit_on_failed = o.exit_on_failed;
	output_timestamps(o.timestamps);
	rl = (struct reload_config){ .audit_override = o.audit_path,
		.to_syslog = o.to_syslog,
		.shim = cfg.shim,
		.grace_ms = o.grace_ms };
	if ((rc = supervise_setup(&cfg)) != EXIT_OK ||
	    (rc = control_start(policy, o.name, &rl)) != EXIT_OK)
		return rc;
	rc = supervise();
	control_close();
	sink_finish();
	notify_close();
	audit_close();
	policy = reload_finish(policy);
	supervise_free();
	policy_free(policy);
	return rc;
}

static const struct option run_longopts[] = {
	{ "audit", required_argument, NULL, 'a' },
	{ "syslog", no_argument, NULL, 's' },
	{ "exit-with", required_argument, NULL, 'x' },
	{ "exit-on-failed", no_argument, NULL, 'F' },
	{ "timestamps", no_argument, NULL, 'T' },
	{ "dial-timeout", required_argument, NULL, 't' },
	{ "grace", required_argument, NULL, 'g' },
	{ "name", required_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_command run_command = {
	.name = "run",
	.synopsis =
	    "capwrap run POLICY [--audit FILE] [--syslog] "
	    "[--exit-with SERVICE]\n"
	    "                   [--dial-timeout SECONDS] [--grace SECONDS]\n"
	    "                   [--exit-on-failed] [--timestamps] [--name NAME]\n",
	.operand = "POLICY",
	.shortopts = ":h",
	.options = run_longopts,
	.option = run_option,
	.main = cmd_run,
};
