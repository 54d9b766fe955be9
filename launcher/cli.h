/*
 * What every command of capwrap shares on its command line: the options
 * read by one getopt_long loop from a table, --help, the messages for an
 * unknown option or a missing argument, the one operand, and the policy
 * loaded with every error reported.
 */
#ifndef CAPWRAP_CLI_H
#define CAPWRAP_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "policy.h"

/* Returned by cli_parse and the option handlers: the command goes on. */
#define CLI_GO_ON (-1)

/*
 * A command's option (never 'h', which is --help): CLI_GO_ON, or the exit
 * status to end the command with, its message already written.
 */
typedef int cli_option_fn(void *ctx, int c, const char *arg);

struct cli_command {
	const char *name; /* as typed after capwrap */
	/*
	 * The synopsis, without "usage: ": one line, or more, each further
	 * one indented to sit under the first.
	 */
	const char *synopsis;
	const char *operand; /* what the one operand is */
	/*
	 * Commands of more operands (or none): how many at least and at
	 * most, operand then naming them all.  0 and 0: exactly one.
	 */
	unsigned min_operands, max_operands;
	const char *shortopts;	      /* ":h" at least */
	const struct option *options; /* --help among them */
	cli_option_fn *option;	      /* NULL: no option but --help */
	int (*main)(int argc, char **argv);
};

extern const struct cli_command run_command, check_command, graph_command,
    audit_command, status_command, kill_command, restart_command,
    reload_command;
extern const struct cli_command probe_command;

/*
 * Read the options of argv into ctx, then check for the one operand,
 * which is then argv[optind] (or as many as the command takes).  Returns
 * CLI_GO_ON, or the exit status to end with: EXIT_OK after --help, EXIT_USAGE
 * with the message and the usage on stderr, or what an option handler returned.
 */
int cli_parse(const struct cli_command *, int argc, char **argv, void *ctx);

/*
 * cli_parse, then the policy the operand names, parsed with every error
 * reported on stderr.  Returns CLI_GO_ON with *out set, or the exit
 * status to end with: EXIT_NOINPUT if the file cannot be read,
 * EXIT_POLICY if it is invalid.
 */
int cli_parse_policy(const struct cli_command *, int argc, char **argv,
    void *ctx, struct policy **out);

/* "usage: " and the command's synopsis. */
void cli_usage(const struct cli_command *, FILE *);

#endif
