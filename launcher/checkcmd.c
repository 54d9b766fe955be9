/*
 * capwrap check: everything `capwrap run` verifies before it starts
 * anything, and nothing more.
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
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
			    "capwrap: %s:%u:%u: service %s: unable to "
			    "find program %s: %s\n",
			    p->path, s->exec_line, s->exec_col, s->name,
			    s->argv[0], strerror(errno));
			rc = EXIT_NOINPUT;
			continue;
		}
		if (s->unprotected)
			continue;
		warn_wrapped(p, s);
		switch (target_check(path, why, sizeof(why))) {
		case 0:
			continue;
		case TARGET_SUPERVISED:
			fprintf(stderr,
			    "capwrap: %s:%u:%u: service %s: note: %s; it runs "
			    "supervised through seccomp (capwrap-unotify)\n",
			    p->path, s->exec_line, s->exec_col, s->name, why);
			continue;
		default:
			fprintf(stderr,
			    "capwrap: %s:%u:%u: service %s: %s; refusing "
			    "to run it unprotected (mark it `unprotected` to "
			    "run it without capwrap's gates)\n",
			    p->path, s->exec_line, s->exec_col, s->name, why);
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

/*
 * auditfile_check holds the rules on who owns what; run then opens the
 * file for appending, creating it if missing.  That open must not fail
 * after check said OK: the file (if it exists) or its directory must be
 * writable by capwrap's effective uid.
 */
static int
audit_writable(const char *path, char *why, size_t whylen)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');

	if (faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) == 0)
		return 0;
	if (errno != ENOENT) {
		snprintf(why, whylen, "%s is not writable by uid %u: %s", path,
		    (unsigned)geteuid(), strerror(errno));
		return -1;
	}
	if (slash == NULL)
		(void)strlcpy(dir, ".", sizeof(dir));
	else
		snprintf(dir, sizeof(dir), "%.*s",
		    slash == path ? 1 : (int)(slash - path), path);
	if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) == 0)
		return 0;
	snprintf(why, whylen, "directory %s is not writable by uid %u: %s", dir,
	    (unsigned)geteuid(), strerror(errno));
	return -1;
}

/* Policy warnings as check prints them: "capwrap: FILE:LINE:COL: ...". */
static void
report_warning(void *ctx, const struct policy_diag *d)
{
	(void)ctx;
	fprintf(stderr, "capwrap: %s:%u:%u: %s\n", d->file, d->line, d->col,
	    d->message);
}

int
check_audit(const struct policy *p, const char *override)
{
	const char *path = override != NULL ? override : p->audit_path;
	char why[PATH_MAX + 128];

	if (path == NULL ||
	    (auditfile_check(path, why, sizeof(why)) == 0 &&
		audit_writable(path, why, sizeof(why)) == 0))
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
	policy_warnings(p, report_warning, NULL);
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
