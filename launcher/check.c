/*
 * capwrap check: everything `capwrap run` verifies before it starts
 * anything, and nothing more.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "exitcodes.h"
#include "spawn.h"
#include "target.h"

int
load_policy(const char *path, struct policy **out)
{
	size_t nerrors = 0;

	if (access(path, R_OK) != 0) {
		fprintf(stderr, "capwrap: unable to read %s: %s\n", path,
		    strerror(errno));
		return EXIT_NOINPUT;
	}
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
cmd_check(int argc, char **argv)
{
	struct policy *p;
	int rc;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: capwrap check POLICY\n");
		return argc == 2 && strcmp(argv[1], "--help") == 0 ?
		    EXIT_OK : EXIT_USAGE;
	}
	rc = load_policy(argv[1], &p);
	if (rc != EXIT_OK)
		return rc;
	rc = check_targets(p);
	if (rc == EXIT_OK)
		printf("%s: OK\n", argv[1]);
	policy_free(p);
	return rc;
}
