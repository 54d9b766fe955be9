#ifndef CAPWRAP_COMMANDS_H
#define CAPWRAP_COMMANDS_H

#include <stdbool.h>

#include "policy.h"

int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_audit(int argc, char **argv);

/*
 * Parse a policy, reporting every error on stderr.  Returns EXIT_OK with
 * *out set, EXIT_NOINPUT if the file cannot be read, EXIT_POLICY if it is
 * invalid.
 */
int load_policy(const char *path, struct policy **out);

/*
 * Every service's program must exist and be able to carry the shim
 * (unless the service is `unprotected`).  Reports each problem on stderr;
 * returns EXIT_OK, EXIT_NOINPUT (a program is missing) or EXIT_REFUSED.
 */
int check_targets(const struct policy *);

/*
 * The audit file (override, from --audit, else the policy's) must obey
 * the rules of auditfile.h.  Reports a breach on stderr and returns
 * EXIT_POLICY; EXIT_OK if it is fine or there is none.
 */
int check_audit(const struct policy *, const char *override);
/* Report why the audit file at path is refused; returns EXIT_POLICY. */
int audit_refused(const struct policy *, const char *override,
    const char *why);

/*
 * Report what getopt_long (with opterr = 0 and ":" leading the short
 * options) returned c for: an unknown option or a missing argument.
 */
void option_error(const char *command, int argc, char **argv, int c);

/* After getopt: exactly one operand (WHAT names it), or say what is wrong. */
bool one_operand(const char *command, const char *what, int argc);

#endif
