/*
 * capwrap: retrofit object-capability security onto programs that meet
 * over abstract Unix socket names.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "exitcodes.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: capwrap run POLICY [--audit FILE] [--syslog] "
	    "[--exit-with SERVICE]\n"
	    "                   [--dial-timeout SECONDS] [--grace SECONDS]\n"
	    "       capwrap check POLICY\n"
	    "       capwrap graph POLICY [--audit FILE]\n"
	    "       capwrap audit FILE [--json] [--follow]\n"
	    "       capwrap --help | --version\n");
}

bool
one_operand(const char *command, const char *what, int argc)
{
	if (argc - optind == 1)
		return true;
	if (argc == optind)
		fprintf(stderr, "capwrap %s: missing %s\n", command, what);
	else
		fprintf(stderr, "capwrap %s: one %s only\n", command, what);
	return false;
}

void
option_error(const char *command, int argc, char **argv, int c)
{
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";

	if (c == ':') {
		/* A long option's name is in argv; a short one's in optopt. */
		if (strncmp(arg, "--", 2) == 0)
			fprintf(stderr, "capwrap %s: option %.*s needs an "
			    "argument\n", command, (int)strcspn(arg, "="), arg);
		else
			fprintf(stderr, "capwrap %s: option -%c needs an "
			    "argument\n", command, optopt);
	} else if (optopt != 0)
		fprintf(stderr, "capwrap %s: unknown option -%c\n", command,
		    optopt);
	else
		fprintf(stderr, "capwrap %s: unknown option %.*s\n", command,
		    (int)strcspn(arg, "="), arg);
}

int
main(int argc, char **argv)
{
	static const struct {
		const char	*name;
		int		(*fn)(int, char **);
	} commands[] = {
		{ "run", cmd_run },
		{ "check", cmd_check },
		{ "graph", cmd_graph },
		{ "audit", cmd_audit },
	};

	/* Nothing of whoever started us leaks into the services: fds 3 and up go. */
	closefrom(3);

	if (argc < 2) {
		fprintf(stderr, "capwrap: missing command\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("capwrap %s\n", PACKAGE_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	if (argv[1][0] == '-')
		fprintf(stderr, "capwrap: unknown option %s (the command comes "
		    "first)\n", argv[1]);
	else
		fprintf(stderr, "capwrap: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
