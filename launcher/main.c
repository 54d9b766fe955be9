/*
 * capwrap: retrofit object-capability security onto programs that meet
 * over abstract Unix socket names.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "exitcodes.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: capwrap run [--audit FILE] [--exit-with SERVICE] "
	    "[--dial-timeout SECONDS] [--grace SECONDS] POLICY\n"
	    "       capwrap check POLICY\n"
	    "       capwrap --help | --version\n");
}

int
main(int argc, char **argv)
{
	/* Nothing of whoever started us leaks into the services: fds 3 and up go. */
	closefrom(3);

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("capwrap %s\n", PACKAGE_VERSION);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	fprintf(stderr, "capwrap: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
