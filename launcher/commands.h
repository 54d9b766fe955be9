/*
 * What more than one command does: the checks `capwrap check` makes and
 * `capwrap run` makes before it starts anything (checkcmd.c).
 */
#ifndef CAPWRAP_COMMANDS_H
#define CAPWRAP_COMMANDS_H

#include "cli.h"
#include "policy.h"

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
int audit_refused(const struct policy *, const char *override, const char *why);

#endif
