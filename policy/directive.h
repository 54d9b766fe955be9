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
/* At the top level. */
directive_fn directive_external, directive_audit, directive_syslog;

#endif
