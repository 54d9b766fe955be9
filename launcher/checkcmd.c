/*
 * capwrap check: everything `capwrap run` verifies before it starts
 * anything, and nothing more.
 */
#include <sys/stat.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "auditfile.h"
#include "daemonids.h"
#include "commands.h"
#include "exitcodes.h"
#include "servicespawn.h"
#include "target.h"
#include "wrapped.h"

int
check_targets(const struct policy *p)
{
	char path[PATH_MAX], why[PATH_MAX + 128];
	int rc = EXIT_OK;

	for (size_t i = 0; i < p->nservices; i++) {
		const struct policy_service *s = &p->services[i];

		if (spawn_resolve(s->argv[0], path, sizeof(path)) != 0) {
			fprintf(stderr,
			    "capwrap: %s:%u: service %s: unable to "
			    "find program %s: %s\n",
			    p->path, s->line, s->name, s->argv[0],
			    strerror(errno));
			rc = EXIT_NOINPUT;
			continue;
		}
		if (s->unprotected)
			continue;
		warn_wrapped(p, s);
		if (target_check(path, why, sizeof(why)) != 0) {
			fprintf(stderr,
			    "capwrap: %s:%u: service %s: %s; refusing "
			    "to run it unprotected (mark it `unprotected` to "
			    "run it without capwrap's gates)\n",
			    p->path, s->line, s->name, why);
			if (rc == EXIT_OK)
				rc = EXIT_REFUSED;
		}
	}
	return rc;
}

int
audit_refused(const struct policy *p, const char *override, const char *why)
{
	if (override != NULL)
		fprintf(stderr,
		    "capwrap: --audit: %s; refusing to write the "
		    "audit trail there\n",
		    why);
	else
		fprintf(stderr,
		    "capwrap: %s:%u:%u: audit: %s; refusing to write "
		    "the audit trail there\n",
		    p->path, p->audit_line, p->audit_col, why);
	return EXIT_POLICY;
}

int
check_audit(const struct policy *p, const char *override)
{
	const char *path = override != NULL ? override : p->audit_path;
	char why[PATH_MAX + 128];

	if (path == NULL || auditfile_check(path, why, sizeof(why)) == 0)
		return EXIT_OK;
	return audit_refused(p, override, why);
}

static int
cmd_check(int argc, char **argv)
{
	struct policy *p;
	int rc;

	rc = cli_parse_policy(&check_command, argc, argv, NULL, &p);
	if (rc != CLI_GO_ON)
		return rc;
	rc = check_targets(p);
	/* The hard limits are those of capwrap run's start, not known here. */
	if (daemon_check(p, false) != EXIT_OK && rc == EXIT_OK)
		rc = EXIT_POLICY;
	if (check_audit(p, NULL) != EXIT_OK && rc == EXIT_OK)
		rc = EXIT_POLICY;
	if (rc == EXIT_OK)
		printf("%s: OK\n", argv[optind]);
	policy_free(p);
	return rc;
}

static const struct option check_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_command check_command = {
	.name = "check",
	.synopsis = "capwrap check POLICY\n",
	.operand = "POLICY",
	.shortopts = ":h",
	.options = check_longopts,
	.main = cmd_check,
};
