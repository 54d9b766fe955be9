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
#include "directive.h"
#include "validate.h"

static directive_fn directive_service;

/*
 * One list per place a directive may appear.  The same lists name the
 * directive that is in the wrong place, so a new directive is added in
 * one line and its misplaced use is reported without more code.
 */
struct directive {
	const char *word;
	directive_fn *fn;
};

static const struct directive top_directives[] = {
	{ "service", directive_service },
	{ "external", directive_external },
	{ "audit", directive_audit },
	{ "syslog", directive_syslog },
	{ NULL, NULL },
};

static const struct directive block_directives[] = {
	{ "exec", directive_exec },
	{ "provides", directive_provides },
	{ "dials", directive_dials },
	{ "unprotected", directive_unprotected },
	{ "restart", directive_restart },
	{ "allow", directive_allow },
	{ "user", directive_user },
	{ "group", directive_group },
	{ "env", directive_env },
	{ "directory", directive_directory },
	{ "limit", directive_limit },
	{ "stop-signal", directive_stop_signal },
	{ NULL, NULL },
};

/* The function of the directive t names in table d, or NULL. */
static directive_fn *
find_directive(const struct directive *d, const struct lex_token *t)
{
	for (; d->word != NULL; d++)
		if (is_word(t, d->word))
			return d->fn;
	return NULL;
}

static size_t
new_service(struct parser *p, unsigned line, unsigned col)
{
	struct policy *pol = p->pol;
	size_t idx = pol->nservices;

	if (idx == p->svc_cap) {
		size_t ncap = p->svc_cap ? p->svc_cap * 2 : 8;
		struct policy_service *ns;
		struct svc_state *nst;

		/* Both arrays grow in step; the cap moves once both did. */
		if ((ns = reallocarray(pol->services, ncap, sizeof(*ns))) ==
		    NULL) {
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
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		uint8_t c = s[i];

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
	struct svc_state *s = &p->svc[idx];
	char q[QUOTE_BUF];

	s->name_line = line;
	s->name_col = t->col;
	if (t->bad) {
		/* The lexer reported it. */
		p->names_unsure = true;
		return;
	}
	if (t->has_nul || !valid_service_name(t->bytes, t->len))
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
	if (t->has_nul) {
		p->names_unsure = true;
		return;
	}
	/* Kept even when invalid, so that `dials` of it is not an error too. */
	if ((p->pol->services[idx].name = strdup((const char *)t->bytes)) ==
	    NULL)
		p->nomem = true;
}

/*
 * What follows the name of service idx, from t[i]: its '{', alone.  suspect:
 * the lexer choked on a word of the line, and its message is the one that
 * counts.
 */
static void
service_brace(struct parser *p, size_t idx, unsigned line,
    const struct lex_token *t, size_t n, size_t i, bool suspect)
{
	size_t j;
	char q[QUOTE_BUF];

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
			diag_unexpected(p->dg, line, &t[i + 1], "'{'");
	} else
		return;

	/* `service x { ... }` on one line: closed, but not worth judging. */
	if (n > i && t[n - 1].kind == LEX_CLOSE) {
		p->in_block = false;
		p->svc[idx].broken = true;
	}
}

static void
directive_service(struct parser *p, unsigned line, const struct lex_token *t,
    size_t n)
{
	size_t idx, i = 1, j;
	bool suspect = false;

	if ((idx = new_service(p, line, t[0].col)) == SIZE_MAX)
		return;
	p->in_block = true;

	if (n < 2 || t[1].kind != LEX_WORD) {
		diag_add(p->dg, line, t[0].col,
		    "missing service name after 'service'");
		p->names_unsure = true;
	} else {
		set_service_name(p, idx, line, &t[1]);
		i = 2;
	}
	for (j = 1; j < n; j++)
		if (t[j].kind == LEX_WORD && t[j].bad)
			suspect = true;
	service_brace(p, idx, line, t, n, i, suspect);
}

static void
top_line(struct parser *p, const struct lex_line *ln)
{
	const struct lex_token *t = ln->tok;
	size_t n = ln->ntok;
	unsigned line = ln->lineno;
	directive_fn *fn;
	char q[QUOTE_BUF];

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
	} else if ((fn = find_directive(top_directives, &t[0])) != NULL)
		fn(p, line, t, n);
	else if (find_directive(block_directives, &t[0]) != NULL)
		diag_add(p->dg, line, t[0].col,
		    "'%s' is only allowed inside "
		    "a service block",
		    tok_text(&t[0], q));
	else
		diag_add(p->dg, line, t[0].col, "unknown directive '%s'",
		    tok_text(&t[0], q));
}

/*
 * A line in a block that is not a directive of it: its end, a brace that
 * would nest, or the next `service` (most likely after a forgotten '}').
 * Returns whether the line was one of those, and is done with.
 */
static bool
block_edge(struct parser *p, const struct lex_line *ln)
{
	const struct lex_token *t = ln->tok;
	unsigned line = ln->lineno;
	char label[LABEL_BUF];

	if (t[0].kind == LEX_CLOSE) {
		p->in_block = false;
		if (ln->ntok > 1)
			diag_unexpected(p->dg, line, &t[1], "'}'");
	} else if (t[0].kind == LEX_OPEN)
		diag_add(p->dg, line, t[0].col,
		    "unexpected '{' in %s: "
		    "blocks do not nest",
		    CUR_LABEL(p, label));
	else if (is_word(&t[0], "service")) {
		/* Most likely a forgotten '}': close and start the next one. */
		diag_add(p->dg, line, t[0].col,
		    "missing '}': %s (line %u) is still open",
		    CUR_LABEL(p, label), p->svc[p->pol->nservices - 1].line);
		p->in_block = false;
		top_line(p, ln);
	} else
		return false;
	return true;
}

static void
block_directive(struct parser *p, unsigned line, const struct lex_token *t,
    size_t n)
{
	directive_fn *fn;
	char label[LABEL_BUF], q[QUOTE_BUF];

	if (t[0].bad)
		/* Maybe it was the exec: don't judge the service. */
		p->svc[p->pol->nservices - 1].broken = true;
	else if ((fn = find_directive(block_directives, &t[0])) != NULL)
		fn(p, line, t, n);
	else if (find_directive(top_directives, &t[0]) != NULL)
		diag_add(p->dg, line, t[0].col, "'%s' is not allowed inside %s",
		    tok_text(&t[0], q), CUR_LABEL(p, label));
	else
		diag_add(p->dg, line, t[0].col, "unknown directive '%s' in %s",
		    tok_text(&t[0], q), CUR_LABEL(p, label));
}

static void
block_line(struct parser *p, const struct lex_line *ln)
{
	const struct lex_token *t = ln->tok;
	size_t n = ln->ntok;
	bool close_after = false;

	if (block_edge(p, ln))
		return;
	if (n > 1 && t[n - 1].kind == LEX_CLOSE) {
		diag_add(p->dg, ln->lineno, t[n - 1].col,
		    "'}' must be on a line of its own");
		n--;
		close_after = true;
	}
	block_directive(p, ln->lineno, t, n);
	if (close_after)
		p->in_block = false;
}

static void
parse_line(struct parser *p, const struct lex_line *ln)
{
	bool pending = p->brace_pending;

	if (ln->ntok == 0)
		return;
	p->brace_pending = false;
	if (!p->in_block)
		top_line(p, ln);
	else if (!(pending && ln->ntok == 1 && ln->tok[0].kind == LEX_OPEN))
		block_line(p, ln);
}

static void
read_lines(struct parser *p, const char *data, size_t len)
{
	struct lexer lx;
	struct lex_line ln;
	int r = 0;

	memset(&ln, 0, sizeof(ln));
	lex_init(&lx, data != NULL ? data : "", len);
	while (!p->nomem && (r = lex_next(&lx, &ln, p->dg)) == 1)
		parse_line(p, &ln);
	if (r == -1)
		p->nomem = true;
	lex_line_free(&ln);
}

/* What only the end of the file shows. */
static void
check_end(struct parser *p)
{
	size_t last = p->pol->nservices - 1;
	char label[LABEL_BUF];

	if (p->in_block)
		diag_add(p->dg, p->svc[last].line, p->svc[last].col,
		    "%s is not closed: missing '}'", CUR_LABEL(p, label));
	if (p->pol->nservices == 0)
		diag_add(p->dg, 1, 1, "policy declares no service");
	else
		validate_policy(p);
}

static void
free_state(struct parser *p)
{
	size_t i, j;

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
	struct diags dg;
	struct parser p;
	size_t count;

	memset(&dg, 0, sizeof(dg));
	memset(&p, 0, sizeof(p));
	p.dg = &dg;
	p.filename = filename;

	if ((p.pol = calloc(1, sizeof(*p.pol))) == NULL ||
	    (filename != NULL && (p.pol->path = strdup(filename)) == NULL))
		p.nomem = true;
	else if (len > POLICY_FILE_MAX)
		diag_add(&dg, 0, 0, "%s", POLICY_TOO_LARGE);
	else {
		read_lines(&p, data, len);
		if (!p.nomem)
			check_end(&p);
	}

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
