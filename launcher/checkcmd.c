/*
 * capwrap check: everything `capwrap run` verifies before it starts
 * anything, and nothing more.
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "auditfile.h"
#include "commands.h"
#include "exitcodes.h"
#include "servicespawn.h"
#include "target.h"
#include "wrapped.h"

int
load_policy(const char *path, struct policy **out)
{
	size_t nerrors = 0;

	struct stat st;
	int fd;

	/* Open it as the parser will, so the error names the real cause. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0 ||
	    (S_ISDIR(st.st_mode) && (errno = EISDIR))) {
		fprintf(stderr, "capwrap: unable to read %s: %s\n", path,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return EXIT_NOINPUT;
	}
	close(fd);
	*out = policy_parse_file(path, policy_report_to_stream, stderr,
	    &nerrors);
	if (*out == NULL) {
		fprintf(stderr, "capwrap: %s: %zu error%s\n", path, nerrors,
		    nerrors == 1 ? "" : "s");
		return EXIT_POLICY;
	}
	return EXIT_OK;
}

int
check_targets(const struct policy *p)
{
	char path[PATH_MAX], why[PATH_MAX + 128];
	int rc = EXIT_OK;

	for (size_t i = 0; i < p->nservices; i++) {
		const struct policy_service *s = &p->services[i];

		if (spawn_resolve(s->argv[0], path, sizeof(path)) != 0) {
			fprintf(stderr, "capwrap: %s:%u: service %s: unable to "
			    "find program %s: %s\n", p->path, s->line, s->name,
			    s->argv[0], strerror(errno));
			rc = EXIT_NOINPUT;
			continue;
		}
		if (s->unprotected)
			continue;
		warn_wrapped(p, s);
		if (target_check(path, why, sizeof(why)) != 0) {
			fprintf(stderr, "capwrap: %s:%u: service %s: %s; refusing "
			    "to run it unprotected (mark it `unprotected` to "
			    "run it without capwrap's gates)\n", p->path,
			    s->line, s->name, why);
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
		fprintf(stderr, "capwrap: --audit: %s; refusing to write the "
		    "audit trail there\n", why);
	else
		fprintf(stderr, "capwrap: %s:%u:%u: audit: %s; refusing to write "
		    "the audit trail there\n", p->path, p->audit_line,
		    p->audit_col, why);
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

static void
usage_check(FILE *f)
{
	fprintf(f, "usage: capwrap check POLICY\n");
}

int
cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct policy *p;
	int c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage_check(stdout);
			return EXIT_OK;
		default:
			option_error("check", argc, argv, c);
			usage_check(stderr);
			return EXIT_USAGE;
		}
	}
	if (!one_operand("check", "POLICY", argc)) {
		usage_check(stderr);
		return EXIT_USAGE;
	}
	rc = load_policy(argv[optind], &p);
	if (rc != EXIT_OK)
		return rc;
	rc = check_targets(p);
	if (check_audit(p, NULL) != EXIT_OK && rc == EXIT_OK)
		rc = EXIT_POLICY;
	if (rc == EXIT_OK)
		printf("%s: OK\n", argv[optind]);
	policy_free(p);
	return rc;
}
