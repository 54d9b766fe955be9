/*
 * The directives but `service`, which opens the block and so belongs to
 * the grammar in parse.c.  Each is given the tokens of one line, t[0]
 * being the directive's own word, and reports through p->dg.
 */
#ifndef CAPWRAP_POLICY_DIRECTIVE_H
#define CAPWRAP_POLICY_DIRECTIVE_H

#include <stddef.h>

#include "diag.h"
#include "parse.h"

typedef void directive_fn(struct parser *, unsigned line,
    const struct lex_token *t, size_t n);

/* Inside a service block: they apply to the last service opened. */
directive_fn directive_exec, directive_provides, directive_dials,
    directive_unprotected, directive_restart;
directive_fn directive_allow;
/* daemon.c: what a daemon needs of its start. */
directive_fn directive_user, directive_group, directive_env,
    directive_directory, directive_limit, directive_stop_signal;

/* Reports a second one of a directive allowed once; true if it is. */
bool given_twice(struct parser *, unsigned line, const struct lex_token *t,
    unsigned first, const char *where);
/* Words follow the directive, none a brace; else reported, false. */
bool has_args(struct parser *, unsigned line, const struct lex_token *t,
    size_t n, const char *what, const char *where);
/* At the top level. */
directive_fn directive_external, directive_audit, directive_syslog;

#endif
