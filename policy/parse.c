/*
 * The grammar, one line at a time.  Every directive ends at the end of its
 * line, so a line is also the unit of error recovery: after a syntax error
 * the rest of the line is dropped and the next line is read in the same
 * state (inside or outside a block), so that one mistake yields one message
 * and every mistake in the file is reported.  A malformed `service` line
 * still opens its block, since the lines that follow are most likely its
 * body; reading them as top-level directives would bury the one real error
 * under a screenful of false ones.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "internal.h"
#include "diag.h"
#include "lex.h"
#include "parse.h"

bool
is_word(const struct lex_token *t, const char *kw)
{
	size_t	 len = strlen(kw);

	return t->kind == LEX_WORD && !t->bad && t->len == len &&
	    memcmp(t->bytes, kw, len) == 0;
}

const char *
tok_text(const struct lex_token *t, char buf[QUOTE_BUF])
{
	if (t->kind == LEX_OPEN)
		return "{";
	if (t->kind == LEX_CLOSE)
		return "}";
	return quote_bytes(buf, t->bytes, t->len);
}

void
unexpected(struct parser *p, unsigned line, const struct lex_token *t,
    const char *after)
{
	char	 q[QUOTE_BUF];

	diag_add(p->dg, line, t->col, "unexpected '%s' after %s",
	    tok_text(t, q), after);
}

const char *
service_label(const struct parser *p, size_t idx, char *buf, size_t bufsz)
{
	const char	*name = p->pol->services[idx].name;
	char		 q[QUOTE_BUF];

	if (name != NULL)
		snprintf(buf, bufsz, "service '%s'",
		    quote_bytes(q, (const uint8_t *)name, strlen(name)));
	else
		snprintf(buf, bufsz, "the service at line %u",
		    p->svc[idx].line);
	return buf;
}

static size_t
new_service(struct parser *p, unsigned line, unsigned col)
{
	struct policy	*pol = p->pol;
	size_t		 idx = pol->nservices;

	if (idx == p->svc_cap) {
		size_t			 ncap = p->svc_cap ? p->svc_cap * 2 : 8;
		struct policy_service	*ns;
		struct svc_state	*nst;

		/* Both arrays grow in step; the cap moves once both did. */
		if ((ns = reallocarray(pol->services, ncap,
		    sizeof(*ns))) == NULL) {
			p->nomem = true;
			return SIZE_MAX;
		}
		pol->services = ns;
		if ((nst = reallocarray(p->svc, ncap, sizeof(*nst))) == NULL) {
			p->nomem = true;
			return SIZE_MAX;
		}
		p->svc = nst;
		p->svc_cap = ncap;
	}
	memset(&pol->services[idx], 0, sizeof(pol->services[idx]));
	memset(&p->svc[idx], 0, sizeof(p->svc[idx]));
	pol->services[idx].line = p->svc[idx].line = line;
	pol->services[idx].col = p->svc[idx].col = col;
	pol->nservices++;
	return idx;
}

static bool
valid_service_name(const uint8_t *s, size_t len)
{
	size_t	 i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		uint8_t	 c = s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    c == '_')
			continue;
		if (i > 0 && ((c >= '0' && c <= '9') || c == '.' || c == '-'))
			continue;
		return false;
	}
	return true;
}

static void
set_service_name(struct parser *p, size_t idx, unsigned line,
    const struct lex_token *t)
{
	struct svc_state	*s = &p->svc[idx];
	char			 q[QUOTE_BUF];

	s->name_line = line;
	s->name_col = t->col;
	if (t->bad || t->has_nul) {
		if (t->has_nul && !t->bad)
			diag_add(p->dg, line, t->col,
			    "invalid service name '%s': use letters, digits, "
			    "'_', '.' and '-', starting with a letter or '_'",
			    quote_bytes(q, t->bytes, t->len));
		p->names_unsure = true;
		return;
	}
	if (!valid_service_name(t->bytes, t->len))
		diag_add(p->dg, line, t->col,
		    "invalid service name '%s': use letters, digits, "
		    "'_', '.' and '-', starting with a letter or '_'",
		    quote_bytes(q, t->bytes, t->len));
	else if (t->len > POLICY_SERVICE_NAME_MAX)
		diag_add(p->dg, line, t->col,
		    "service name '%s' is longer than %d bytes",
		    quote_bytes(q, t->bytes, t->len), POLICY_SERVICE_NAME_MAX);
	else
		s->name_ok = true;
	/* Kept even when invalid, so that `dials` of it is not an error too. */
	if ((p->pol->services[idx].name = strdup((const char *)t->bytes)) ==
	    NULL)
		p->nomem = true;
}

static void
directive_service(struct parser *p, unsigned line, const struct lex_token *t,
    size_t n)
{
	size_t	 idx, i, j;
	bool	 suspect = false;
	char	 q[QUOTE_BUF];

	if ((idx = new_service(p, line, t[0].col)) == SIZE_MAX)
		return;
	p->in_block = true;

	i = 1;
	if (n < 2 || t[1].kind != LEX_WORD) {
		diag_add(p->dg, line, t[0].col,
		    "missing service name after 'service'");
		p->names_unsure = true;
	} else {
		set_service_name(p, idx, line, &t[1]);
		i = 2;
	}

	/* A word the lexer choked on: its message is the one that counts. */
	for (j = 1; j < n; j++)
		if (t[j].kind == LEX_WORD && t[j].bad)
			suspect = true;

	if (i >= n) {
		if (i == 2 && !suspect)
			diag_add(p->dg, line, t[1].endcol,
			    "missing '{' after 'service %s'",
			    quote_bytes(q, t[1].bytes, t[1].len));
		/* Tolerate the brace alone on the next line: reported here. */
		p->brace_pending = true;
		return;
	}
	if (t[i].kind != LEX_OPEN) {
		if (!suspect)
			diag_add(p->dg, line, t[i].col,
			    "expected '{' after the service name, found '%s'",
			    tok_text(&t[i], q));
		for (j = i; j < n && t[j].kind != LEX_OPEN; j++)
			;
		p->brace_pending = j == n;
	} else if (i + 1 < n) {
		if (!suspect)
			unexpected(p, line, &t[i + 1], "'{'");
	} else
		return;

	/* `service x { ... }` on one line: closed, but not worth judging. */
	if (n > i && t[n - 1].kind == LEX_CLOSE) {
		p->in_block = false;
		p->svc[idx].broken = true;
	}
}

static bool
is_block_directive(const struct lex_token *t)
{
	return is_word(t, "exec") || is_word(t, "provides") ||
	    is_word(t, "dials") || is_word(t, "unprotected") ||
	    is_word(t, "restart");
}

static bool
is_top_directive(const struct lex_token *t)
{
	return is_word(t, "service") || is_word(t, "external") ||
	    is_word(t, "audit") || is_word(t, "syslog");
}

static void
top_line(struct parser *p, const struct lex_line *ln, const char *filename)
{
	const struct lex_token	*t = ln->tok;
	size_t			 n = ln->ntok;
	unsigned		 line = ln->lineno;
	char			 q[QUOTE_BUF];

	if (t[0].kind == LEX_CLOSE)
		diag_add(p->dg, line, t[0].col, "'}' without a service block");
	else if (t[0].kind == LEX_OPEN)
		diag_add(p->dg, line, t[0].col,
		    "'{' without 'service NAME' before it");
	else if (t[0].bad) {
		/* The lexer reported it; keep in step if a block opens. */
		if (t[n - 1].kind == LEX_OPEN) {
			if (new_service(p, line, t[0].col) == SIZE_MAX)
				return;
			p->in_block = true;
			p->names_unsure = true;
			p->svc[p->pol->nservices - 1].broken = true;
		}
	} else if (is_word(&t[0], "service"))
		directive_service(p, line, t, n);
	else if (is_word(&t[0], "external"))
		directive_external(p, line, t, n);
	else if (is_word(&t[0], "audit"))
		directive_audit(p, line, t, n, filename);
	else if (is_word(&t[0], "syslog"))
		directive_syslog(p, line, t, n);
	else if (is_block_directive(&t[0]))
		diag_add(p->dg, line, t[0].col, "'%s' is only allowed inside "
		    "a service block", tok_text(&t[0], q));
	else
		diag_add(p->dg, line, t[0].col, "unknown directive '%s'",
		    tok_text(&t[0], q));
}

static void
block_line(struct parser *p, const struct lex_line *ln, const char *filename)
{
	const struct lex_token	*t = ln->tok;
	size_t			 n = ln->ntok, idx = p->pol->nservices - 1;
	unsigned		 line = ln->lineno;
	bool			 close_after = false;
	char			 label[LABEL_BUF], q[QUOTE_BUF];

	if (t[0].kind == LEX_CLOSE) {
		p->in_block = false;
		if (n > 1)
			unexpected(p, line, &t[1], "'}'");
		return;
	}
	if (t[0].kind == LEX_OPEN) {
		diag_add(p->dg, line, t[0].col, "unexpected '{' in %s: "
		    "blocks do not nest", CUR_LABEL(p, label));
		return;
	}
	if (is_word(&t[0], "service")) {
		/* Most likely a forgotten '}': close and start the next one. */
		diag_add(p->dg, line, t[0].col,
		    "missing '}': %s (line %u) is still open",
		    CUR_LABEL(p, label), p->svc[idx].line);
		p->in_block = false;
		top_line(p, ln, filename);
		return;
	}
	if (n > 1 && t[n - 1].kind == LEX_CLOSE) {
		diag_add(p->dg, line, t[n - 1].col,
		    "'}' must be on a line of its own");
		n--;
		close_after = true;
	}

	if (t[0].bad)
		/* Maybe it was the exec: don't judge the service. */
		p->svc[idx].broken = true;
	else if (is_word(&t[0], "exec"))
		directive_exec(p, line, t, n);
	else if (is_word(&t[0], "provides"))
		directive_provides(p, line, t, n);
	else if (is_word(&t[0], "dials"))
		directive_dials(p, line, t, n);
	else if (is_word(&t[0], "unprotected"))
		directive_unprotected(p, line, t, n);
	else if (is_word(&t[0], "restart"))
		directive_restart(p, line, t, n);
	else if (is_top_directive(&t[0]))
		diag_add(p->dg, line, t[0].col, "'%s' is not allowed inside %s",
		    tok_text(&t[0], q), CUR_LABEL(p, label));
	else
		diag_add(p->dg, line, t[0].col, "unknown directive '%s' in %s",
		    tok_text(&t[0], q), CUR_LABEL(p, label));

	if (close_after)
		p->in_block = false;
}

static void
parse_line(struct parser *p, const struct lex_line *ln, const char *filename)
{
	bool	 pending = p->brace_pending;

	if (ln->ntok == 0)
		return;
	p->brace_pending = false;
	if (!p->in_block)
		top_line(p, ln, filename);
	else if (!(pending && ln->ntok == 1 && ln->tok[0].kind == LEX_OPEN))
		block_line(p, ln, filename);
}

static void
free_state(struct parser *p)
{
	size_t	 i, j;

	for (i = 0; p->pol != NULL && i < p->pol->nservices; i++) {
		for (j = 0; j < p->svc[i].ndials; j++)
			free(p->svc[i].dials[j].word);
		free(p->svc[i].dials);
		free(p->svc[i].provides_at);
	}
	free(p->svc);
	free(p->external_at);
}

struct policy *
policy_parse_buffer(const char *data, size_t len, const char *filename,
    policy_report_fn *report, void *ctx, size_t *nerrors)
{
	struct diags	 dg;
	struct parser	 p;
	struct lexer	 lx;
	struct lex_line	 ln;
	char		 label[LABEL_BUF];
	size_t		 count;
	int		 r = 0;

	memset(&dg, 0, sizeof(dg));
	memset(&p, 0, sizeof(p));
	memset(&ln, 0, sizeof(ln));
	p.dg = &dg;

	if ((p.pol = calloc(1, sizeof(*p.pol))) == NULL ||
	    (filename != NULL && (p.pol->path = strdup(filename)) == NULL))
		p.nomem = true;
	else if (len > POLICY_FILE_MAX)
		diag_add(&dg, 0, 0, "%s", POLICY_TOO_LARGE);
	else {
		lex_init(&lx, data != NULL ? data : "", len);
		while (!p.nomem && (r = lex_next(&lx, &ln, &dg)) == 1)
			parse_line(&p, &ln, filename);
		if (r == -1)
			p.nomem = true;
	}

	if (!p.nomem && len <= POLICY_FILE_MAX) {
		if (p.in_block)
			diag_add(&dg, p.svc[p.pol->nservices - 1].line,
			    p.svc[p.pol->nservices - 1].col,
			    "%s is not closed: missing '}'",
			    CUR_LABEL(&p, label));
		if (p.pol->nservices == 0)
			diag_add(&dg, 1, 1, "policy declares no service");
		else
			check_policy(&p);
	}

	lex_line_free(&ln);
	free_state(&p);
	if (p.nomem)
		diag_nomem(&dg);
	count = diag_flush(&dg, filename != NULL ? filename : "<policy>",
	    report, ctx);
	if (nerrors != NULL)
		*nerrors = count;
	if (count > 0) {
		policy_free(p.pol);
		return NULL;
	}
	return p.pol;
}
