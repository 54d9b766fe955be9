#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "exitcodes.h"

void
cli_usage(const struct cli_command *cmd, FILE *f)
{
	fprintf(f, "usage: %s", cmd->synopsis);
}

/*
 * What getopt_long (with opterr = 0 and ":" leading the short options)
 * returned c for: an unknown option or a missing argument.
 */
static void
option_error(const char *command, int argc, char **argv, int c)
{
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";

	if (c == ':') {
		/* A long option's name is in argv; a short one's in optopt. */
		if (strncmp(arg, "--", 2) == 0)
			fprintf(stderr,
			    "capwrap %s: option %.*s needs an "
			    "argument\n",
			    command, (int)strcspn(arg, "="), arg);
		else
			fprintf(stderr,
			    "capwrap %s: option -%c needs an "
			    "argument\n",
			    command, optopt);
	} else if (optopt != 0)
		fprintf(stderr, "capwrap %s: unknown option -%c\n", command,
		    optopt);
	else
		fprintf(stderr, "capwrap %s: unknown option %.*s\n", command,
		    (int)strcspn(arg, "="), arg);
}

/*
 * After getopt: as many operands as the command takes (one unless it says
 * otherwise), or say what is wrong.
 */
static bool
one_operand(const struct cli_command *cmd, int argc)
{
	int n = argc - optind;

	if (cmd->max_operands > 0) {
		if (n >= (int)cmd->min_operands && n <= (int)cmd->max_operands)
			return true;
		fprintf(stderr, "capwrap %s: %s operands (%s)\n", cmd->name,
		    n < (int)cmd->min_operands ? "missing" : "too many",
		    cmd->operand);
		return false;
	}
	if (n == 1)
		return true;
	if (argc == optind)
		fprintf(stderr, "capwrap %s: missing %s\n", cmd->name,
		    cmd->operand);
	else
		fprintf(stderr, "capwrap %s: one %s only\n", cmd->name,
		    cmd->operand);
	return false;
}

int
cli_parse(const struct cli_command *cmd, int argc, char **argv, void *ctx)
{
	int c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, cmd->shortopts, cmd->options,
		    NULL)) != -1) {
		if (c == 'h') {
			cli_usage(cmd, stdout);
			return EXIT_OK;
		}
		if (c == ':' || c == '?' || cmd->option == NULL) {
			option_error(cmd->name, argc, argv, c);
			cli_usage(cmd, stderr);
			return EXIT_USAGE;
		}
		if ((rc = cmd->option(ctx, c, optarg)) != CLI_GO_ON)
			return rc;
	}
	if (!one_operand(cmd, argc)) {
		cli_usage(cmd, stderr);
		return EXIT_USAGE;
	}
	return CLI_GO_ON;
}

/*
 * Parse a policy, reporting every error on stderr.  Returns EXIT_OK with
 * *out set, EXIT_NOINPUT if the file cannot be read, EXIT_POLICY if it is
 * invalid.
 */
static int
load_policy(const char *path, struct policy **out)
{
	size_t nerrors = 0;
	struct stat st;
	int fd;

	/* Open it as the parser will, so the error names the real cause. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 ||
	    fstat(fd, &st) != 0 || (S_ISDIR(st.st_mode) && (errno = EISDIR))) {
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
cli_parse_policy(const struct cli_command *cmd, int argc, char **argv,
    void *ctx, struct policy **out)
{
	int rc;

	if ((rc = cli_parse(cmd, argc, argv, ctx)) != CLI_GO_ON)
		return rc;
	if ((rc = load_policy(argv[optind], out)) != EXIT_OK)
		return rc;
	return CLI_GO_ON;
}
