/*
 * The directives, one function each, called by parse.c with the tokens of
 * one line (t[0] is the directive).  Each checks its own arguments and
 * records what it can even after an error, so that one bad word does not
 * hide the errors of its neighbours, nor cause false ones later (a service
 * whose `exec` line was wrong still counts as having one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "internal.h"
#include "diag.h"
#include "lex.h"
#include "parse.h"

/* Braces are never arguments: they must be quoted to be passed on. */
static bool
args_are_words(struct parser *p, unsigned line, const struct lex_token *t,
    size_t n, const char *directive)
{
	size_t	 i;
	char	 what[64];

	for (i = 1; i < n; i++) {
		if (t[i].kind == LEX_WORD)
			continue;
		snprintf(what, sizeof(what), "'%s' (quote it as an argument)",
		    directive);
		diag_add(p->dg, line, t[i].col, "unexpected '%s' in %s",
		    t[i].kind == LEX_OPEN ? "{" : "}", what);
		return false;
	}
	return true;
}

void
directive_exec(struct parser *p, unsigned line, const struct lex_token *t,
    size_t n)
{
	size_t			 idx = p->pol->nservices - 1, i;
	struct policy_service	*svc = &p->pol->services[idx];
	struct svc_state	*s = &p->svc[idx];
	char			 label[LABEL_BUF];

	if (s->exec_line != 0) {
		diag_add(p->dg, line, t[0].col,
		    "'exec' given twice in %s (first at line %u)",
		    CUR_LABEL(p, label), s->exec_line);
		return;
	}
	s->exec_line = line;
	if (n < 2) {
		diag_add(p->dg, line, t[0].col,
		    "missing command after 'exec' in %s", CUR_LABEL(p, label));
		return;
	}
	if (!args_are_words(p, line, t, n, "exec"))
		return;
	if ((svc->argv = calloc(n, sizeof(*svc->argv))) == NULL) {
		p->nomem = true;
		return;
	}
	for (i = 1; i < n; i++) {
		if (t[i].bad)
			continue;
		if (t[i].has_nul) {
			diag_add(p->dg, line, t[i].col, "NUL byte in an exec "
			    "word: argv strings cannot hold NUL");
			continue;
		}
		if (i == 1 && t[i].len == 0)
			diag_add(p->dg, line, t[i].col,
			    "empty command name after 'exec'");
		if ((svc->argv[svc->argc] = strdup((const char *)t[i].bytes)) ==
		    NULL) {
			p->nomem = true;
			return;
		}
		svc->argc++;
	}
}

/* A word that names an abstract socket: "@" and 1..107 bytes of any kind. */
static bool
parse_name(struct parser *p, unsigned line, const struct lex_token *t,
    struct policy_name *name)
{
	char	 q[QUOTE_BUF];

	if (t->bad)
		return false;
	if (t->len == 0 || t->bytes[0] != '@') {
		diag_add(p->dg, line, t->col, "expected an abstract name such "
		    "as @db, found '%s'", quote_bytes(q, t->bytes, t->len));
		return false;
	}
	if (t->len == 1) {
		diag_add(p->dg, line, t->col, "empty abstract name '@'");
		return false;
	}
	if (t->len - 1 > POLICY_NAME_MAX) {
		diag_add(p->dg, line, t->col, "abstract name is %zu bytes "
		    "long, the limit is %d", t->len - 1, POLICY_NAME_MAX);
		return false;
	}
	name->len = t->len - 1;
	memcpy(name->bytes, t->bytes + 1, name->len);
	return true;
}

/* Appends to a list of names and its parallel list of positions. */
static void
push_name(struct parser *p, struct policy_name **names, size_t *n,
    struct name_pos **pos, size_t *cap, const struct policy_name *name,
    unsigned line, unsigned col)
{
	if (*n == *cap) {
		size_t			 ncap = *cap ? *cap * 2 : 4;
		struct policy_name	*nn;
		struct name_pos		*np;

		if ((nn = reallocarray(*names, ncap, sizeof(*nn))) == NULL) {
			p->nomem = true;
			return;
		}
		*names = nn;
		if ((np = reallocarray(*pos, ncap, sizeof(*np))) == NULL) {
			p->nomem = true;
			return;
		}
		*pos = np;
		*cap = ncap;
	}
	(*names)[*n] = *name;
	(*pos)[*n].line = line;
	(*pos)[*n].col = col;
	(*pos)[*n].seq = p->seq++;
	(*n)++;
}

void
directive_provides(struct parser *p, unsigned line, const struct lex_token *t,
    size_t n)
{
	size_t			 idx = p->pol->nservices - 1, i;
	struct policy_service	*svc = &p->pol->services[idx];
	struct svc_state	*s = &p->svc[idx];
	struct policy_name	 name;
	char			 label[LABEL_BUF];

	if (n < 2) {
		diag_add(p->dg, line, t[0].col,
		    "missing abstract name after 'provides' in %s",
		    CUR_LABEL(p, label));
		return;
	}
	if (!args_are_words(p, line, t, n, "provides"))
		return;
	for (i = 1; i < n && !p->nomem; i++)
		if (parse_name(p, line, &t[i], &name))
			push_name(p, &svc->provides, &svc->nprovides,
			    &s->provides_at, &s->provides_cap, &name, line,
			    t[i].col);
}

void
directive_dials(struct parser *p, unsigned line, const struct lex_token *t,
    size_t n)
{
	struct svc_state	*s = &p->svc[p->pol->nservices - 1];
	struct dial_ref		*d;
	size_t			 i;
	char			 label[LABEL_BUF], q[QUOTE_BUF];

	if (n < 2) {
		diag_add(p->dg, line, t[0].col,
		    "missing service name after 'dials' in %s",
		    CUR_LABEL(p, label));
		return;
	}
	if (!args_are_words(p, line, t, n, "dials"))
		return;
	for (i = 1; i < n; i++) {
		if (t[i].bad)
			continue;
		if (t[i].len > 0 && t[i].bytes[0] == '@') {
			diag_add(p->dg, line, t[i].col, "'dials' takes service "
			    "names, not abstract names such as '%s'",
			    quote_bytes(q, t[i].bytes, t[i].len));
			continue;
		}
		if (s->ndials == s->dials_cap) {
			size_t	 ncap = s->dials_cap ? s->dials_cap * 2 : 4;

			if ((d = reallocarray(s->dials, ncap,
			    sizeof(*d))) == NULL) {
				p->nomem = true;
				return;
			}
			s->dials = d;
			s->dials_cap = ncap;
		}
		d = &s->dials[s->ndials];
		if ((d->word = malloc(t[i].len + 1)) == NULL) {
			p->nomem = true;
			return;
		}
		memcpy(d->word, t[i].bytes, t[i].len + 1);
		d->len = t[i].len;
		d->line = line;
		d->col = t[i].col;
		s->ndials++;
	}
}

void
directive_unprotected(struct parser *p, unsigned line,
    const struct lex_token *t, size_t n)
{
	size_t		 idx = p->pol->nservices - 1;
	char		 label[LABEL_BUF];

	if (p->svc[idx].unprotected_line != 0)
		diag_add(p->dg, line, t[0].col,
		    "'unprotected' given twice in %s (first at line %u)",
		    CUR_LABEL(p, label), p->svc[idx].unprotected_line);
	else if (n > 1)
		unexpected(p, line, &t[1], "'unprotected'");
	else {
		p->svc[idx].unprotected_line = line;
		p->pol->services[idx].unprotected = true;
	}
}

void
directive_restart(struct parser *p, unsigned line, const struct lex_token *t,
    size_t n)
{
	size_t			 idx = p->pol->nservices - 1;
	struct policy_service	*svc = &p->pol->services[idx];
	char			 label[LABEL_BUF], q[QUOTE_BUF];

	if (p->svc[idx].restart_line != 0) {
		diag_add(p->dg, line, t[0].col,
		    "'restart' given twice in %s (first at line %u)",
		    CUR_LABEL(p, label), p->svc[idx].restart_line);
		return;
	}
	p->svc[idx].restart_line = line;
	if (n < 2) {
		diag_add(p->dg, line, t[0].col, "missing value after 'restart' "
		    "in %s: no, on-failure or always", CUR_LABEL(p, label));
		return;
	}
	if (!args_are_words(p, line, t, n, "restart") || t[1].bad)
		return;
	if (is_word(&t[1], "no"))
		svc->restart = POLICY_RESTART_NO;
	else if (is_word(&t[1], "on-failure"))
		svc->restart = POLICY_RESTART_ON_FAILURE;
	else if (is_word(&t[1], "always"))
		svc->restart = POLICY_RESTART_ALWAYS;
	else {
		diag_add(p->dg, line, t[1].col, "unknown restart value '%s' "
		    "in %s: use no, on-failure or always",
		    quote_bytes(q, t[1].bytes, t[1].len), CUR_LABEL(p, label));
		return;
	}
	if (n > 2)
		unexpected(p, line, &t[2], "the restart value");
}

void
directive_external(struct parser *p, unsigned line, const struct lex_token *t,
    size_t n)
{
	struct policy		*pol = p->pol;
	struct policy_name	 name;
	size_t			 i;

	if (n < 2) {
		diag_add(p->dg, line, t[0].col,
		    "missing abstract name after 'external'");
		return;
	}
	if (!args_are_words(p, line, t, n, "external"))
		return;
	for (i = 1; i < n && !p->nomem; i++)
		if (parse_name(p, line, &t[i], &name))
			push_name(p, &pol->externals, &pol->nexternals,
			    &p->external_at, &p->external_cap, &name, line,
			    t[i].col);
}

void
directive_audit(struct parser *p, unsigned line, const struct lex_token *t,
    size_t n, const char *filename)
{
	if (p->audit_line != 0) {
		diag_add(p->dg, line, t[0].col,
		    "'audit' given twice (first at line %u)", p->audit_line);
		return;
	}
	p->audit_line = line;
	if (n < 2) {
		diag_add(p->dg, line, t[0].col, "missing path after 'audit'");
		return;
	}
	if (!args_are_words(p, line, t, n, "audit") || t[1].bad)
		return;
	if (t[1].has_nul) {
		diag_add(p->dg, line, t[1].col, "NUL byte in the audit path");
		return;
	}
	if (t[1].len == 0) {
		diag_add(p->dg, line, t[1].col, "empty audit path");
		return;
	}
	if (n > 2) {
		unexpected(p, line, &t[2], "the audit path");
		return;
	}
	if ((p->pol->audit_path = resolve_against(filename,
	    (const char *)t[1].bytes)) == NULL)
		p->nomem = true;
	p->pol->audit_line = line;
	p->pol->audit_col = t[1].col;
}

void
directive_syslog(struct parser *p, unsigned line, const struct lex_token *t,
    size_t n)
{
	if (p->syslog_line != 0)
		diag_add(p->dg, line, t[0].col,
		    "'syslog' given twice (first at line %u)", p->syslog_line);
	else if (n > 1)
		unexpected(p, line, &t[1], "'syslog'");
	else {
		p->syslog_line = line;
		p->pol->audit_syslog = true;
	}
}
