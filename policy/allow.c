/*
 * `allow WHAT` inside a service block: a fence the service is started
 * without.  `allow io_uring`: not fenced from io_uring
 * (launcher/servicespawn.c); `allow host-sockets`: started outside the
 * topology's Landlock domain (launcher/domain.h).  One word a line, so
 * that each reads the same wherever it is written.
 */
#include <stdio.h>
#include <string.h>

#include "policy.h"
#include "internal.h"
#include "diag.h"
#include "parse.h"
#include "directive.h"

void
directive_allow(struct parser *p, unsigned line, const struct lex_token *t,
    size_t n)
{
	size_t idx = p->pol->nservices - 1;
	struct policy_service *ps = &p->pol->services[idx];
	char label[LABEL_BUF], q[QUOTE_BUF];
	unsigned *seen;
	bool uring;

	if (n < 2) {
		diag_add(p->dg, line, t[0].col,
		    "missing what to allow after 'allow' in %s: io_uring or "
		    "host-sockets",
		    CUR_LABEL(p, label));
		return;
	}
	/* Words only: has_args reports a brace. */
	if (!has_args(p, line, t, n, "", NULL) || t[1].bad)
		return;
	uring = is_word(&t[1], "io_uring");
	if (!uring && !is_word(&t[1], "host-sockets")) {
		diag_add(p->dg, line, t[1].col,
		    "unknown 'allow' value '%s' in %s: use io_uring or "
		    "host-sockets",
		    quote_bytes(q, t[1].bytes, t[1].len), CUR_LABEL(p, label));
		return;
	}
	seen = uring ? &p->svc[idx].allow_io_uring_line :
		       &ps->host_sockets_line;
	snprintf(q, sizeof(q), "'allow %s'",
	    uring ? "io_uring" : "host-sockets");
	if (n > 2)
		diag_unexpected(p->dg, line, &t[2], q);
	else if (*seen != 0)
		diag_add(p->dg, line, t[0].col,
		    "%s given twice in %s (first at line %u)", q,
		    CUR_LABEL(p, label), *seen);
	else if (uring) {
		*seen = line;
		ps->allow_io_uring = true;
	} else {
		*seen = line;
		ps->allow_host_sockets = true;
		ps->host_sockets_col = t[0].col;
	}
}
