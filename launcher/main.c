/*
 * capwrap: retrofit object-capability security onto programs that meet
 * over abstract Unix socket names.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "exitcodes.h"

static const struct cli_command *const commands[] = {
	&run_command,
	&check_command,
	&graph_command,
	&audit_command,
	&status_command,
	&kill_command,
	&restart_command,
	&reload_command,
	&probe_command,
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* Every command's own synopsis, one under the other. */
static void
usage(FILE *f)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "%s%s", i == 0 ? "usage: " : "       ",
		    commands[i]->synopsis);
	fprintf(f, "       capwrap --help | --version\n");
}

int
main(int argc, char **argv)
{
	/* Nothing of whoever started us leaks into the services: fds 3 and up
	 * go. */
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
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i]->name) == 0)
			return commands[i]->main(argc - 1, argv + 1);
	if (argv[1][0] == '-')
		fprintf(stderr,
		    "capwrap: unknown option %s (the command comes "
		    "first)\n",
		    argv[1]);
	else
		fprintf(stderr, "capwrap: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
