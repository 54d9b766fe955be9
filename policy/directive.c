/*
 * The directives, one function each, called by parse.c with the tokens of
 * one line (t[0] is the directive).  Each checks its own arguments and
 * records what it can even after an error, so that one bad word does not
 * hide the errors of its neighbours, nor cause false ones later (a service
 * whose `exec` line was wrong still counts as having one).
 *
 * A block directive's messages name its service (where, from CUR_LABEL);
 * a top-level one's have no where (NULL).  t[0] is always the directive's
 * keyword, spelled as written, since parse.c chose the function by it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "internal.h"
#include "diag.h"
#include "parse.h"
#include "directive.h"

/* Braces are never arguments: they must be quoted to be passed on. */
static bool
args_are_words(struct parser *p, unsigned line, const struct lex_token *t,
    size_t n, const char *directive)
{
	size_t i;
	char what[64];

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

/* Reports a second one of a directive allowed once; true if it is. */
bool
given_twice(struct parser *p, unsigned line, const struct lex_token *t,
    unsigned first, const char *where)
{
	if (first == 0)
		return false;
	diag_add(p->dg, line, t[0].col,
	    "'%s' given twice%s%s (first at line %u)", (const char *)t[0].bytes,
	    where != NULL ? " in " : "", where != NULL ? where : "", first);
	return true;
}

/* Words follow the directive, none a brace; else reported, false. */
bool
has_args(struct parser *p, unsigned line, const struct lex_token *t, size_t n,
    const char *what, const char *where)
{
	const char *kw = (const char *)t[0].bytes;

	if (n < 2) {
		diag_add(p->dg, line, t[0].col, "missing %s after '%s'%s%s",
		    what, kw, where != NULL ? " in " : "",
		    where != NULL ? where : "");
		return false;
	}
	return args_are_words(p, line, t, n, kw);
}

/*
 * A program written with a slash but not from the root is found next to
 * the policy, as the audit file is, whatever directory capwrap was started
 * in (systemd starts it in /).  Other words are passed as written.
 */
static char *
exec_word(struct parser *p, const struct lex_token *t, bool program)
{
	const char *w = (const char *)t->bytes;

	if (program && w[0] != '/' && strchr(w, '/') != NULL)
		return resolve_against(p->filename, w);
	return strdup(w);
}

void
directive_exec(struct parser *p, unsigned line, const struct lex_token *t,
    size_t n)
{
	size_t idx = p->pol->nservices - 1, i;
	struct policy_service *svc = &p->pol->services[idx];
	struct svc_state *s = &p->svc[idx];
	char label[LABEL_BUF];
	const char *where = CUR_LABEL(p, label);

	if (given_twice(p, line, t, s->exec_line, where))
		return;
	s->exec_line = line;
	svc->exec_line = line;
	svc->exec_col = t[0].col;
	if (!has_args(p, line, t, n, "command", where))
		return;
	if ((svc->argv = calloc(n, sizeof(*svc->argv))) == NULL) {
		p->nomem = true;
		return;
	}
	for (i = 1; i < n; i++) {
		if (t[i].bad)
			continue;
		if (t[i].has_nul) {
			diag_add(p->dg, line, t[i].col,
			    "NUL byte in an exec "
			    "word: argv strings cannot hold NUL");
			continue;
		}
		if (i == 1 && t[i].len == 0)
			diag_add(p->dg, line, t[i].col,
			    "empty command name after 'exec'");
		if ((svc->argv[svc->argc] = exec_word(p, &t[i], i == 1)) ==
		    NULL) {
			p->nomem = true;
			return;
		}
		svc->argc++;
	}
}

/*
 * A word that names an abstract socket: "@" and 1..107 bytes of any kind,
 * kept in its matching form: trailing NULs are padding, not part of the
 * name (the rule of common/absname.c, which policy/ does not link), so
 * "@db\x00\x00" is "@db", and "@\x00" is as empty as "@".
 */
static bool
parse_name(struct parser *p, unsigned line, const struct lex_token *t,
    struct policy_name *name)
{
	char q[QUOTE_BUF];

	if (t->bad)
		return false;
	if (t->len == 0 || t->bytes[0] != '@') {
		diag_add(p->dg, line, t->col,
		    "expected an abstract name such "
		    "as @db, found '%s'",
		    quote_bytes(q, t->bytes, t->len));
		return false;
	}
	if (t->len - 1 > POLICY_NAME_MAX) {
		diag_add(p->dg, line, t->col,
		    "abstract name is %zu bytes "
		    "long, the limit is %d",
		    t->len - 1, POLICY_NAME_MAX);
		return false;
	}
	name->len = t->len - 1;
	while (name->len > 0 && t->bytes[name->len] == '\0')
		name->len--;
	if (t->len == 1) {
		diag_add(p->dg, line, t->col, "empty abstract name '@'");
		return false;
	}
	if (name->len == 0) {
		diag_add(p->dg, line, t->col,
		    "empty abstract name '%s': "
		    "trailing NULs are padding, not part of a name",
		    quote_bytes(q, t->bytes, t->len));
		return false;
	}
	memcpy(name->bytes, t->bytes + 1, name->len);
	return true;
}

/* A list of names and its parallel list of positions, grown in step. */
struct name_list {
	struct policy_name **names;
	size_t *n;
	struct name_pos **pos;
	size_t *cap;
};

static void
push_name(struct parser *p, const struct name_list *l,
    const struct policy_name *name, unsigned line, unsigned col)
{
	size_t n = *l->n;

	if (n == *l->cap) {
		size_t ncap = *l->cap ? *l->cap * 2 : 4;
		struct policy_name *nn;
		struct name_pos *np;

		if ((nn = reallocarray(*l->names, ncap, sizeof(*nn))) == NULL) {
			p->nomem = true;
			return;
		}
		*l->names = nn;
		if ((np = reallocarray(*l->pos, ncap, sizeof(*np))) == NULL) {
			p->nomem = true;
			return;
		}
		*l->pos = np;
		*l->cap = ncap;
	}
	(*l->names)[n] = *name;
	(*l->pos)[n].line = line;
	(*l->pos)[n].col = col;
	(*l->pos)[n].seq = p->seq++;
	(*l->n)++;
}

/* `provides` and `external`: abstract names, each kept if well-formed. */
static void
add_names(struct parser *p, unsigned line, const struct lex_token *t, size_t n,
    const char *where, const struct name_list *l)
{
	struct policy_name name;
	size_t i;

	if (!has_args(p, line, t, n, "abstract name", where))
		return;
	for (i = 1; i < n && !p->nomem; i++)
		if (parse_name(p, line, &t[i], &name))
			push_name(p, l, &name, line, t[i].col);
}

void
directive_provides(struct parser *p, unsigned line, const struct lex_token *t,
    size_t n)
{
	size_t idx = p->pol->nservices - 1;
	struct policy_service *svc = &p->pol->services[idx];
	struct svc_state *s = &p->svc[idx];
	struct name_list l = { &svc->provides, &svc->nprovides, &s->provides_at,
		&s->provides_cap };
	char label[LABEL_BUF];

	add_names(p, line, t, n, CUR_LABEL(p, label), &l);
}

/* Keeps a `dials` word for validate.c; false if out of memory. */
static bool
push_dial(struct parser *p, struct svc_state *s, unsigned line,
    const struct lex_token *t)
{
	struct dial_ref *d;

	if (s->ndials == s->dials_cap) {
		size_t ncap = s->dials_cap ? s->dials_cap * 2 : 4;

		if ((d = reallocarray(s->dials, ncap, sizeof(*d))) == NULL) {
			p->nomem = true;
			return false;
		}
		s->dials = d;
		s->dials_cap = ncap;
	}
	d = &s->dials[s->ndials];
	if ((d->word = malloc(t->len + 1)) == NULL) {
		p->nomem = true;
		return false;
	}
	memcpy(d->word, t->bytes, t->len + 1);
	d->len = t->len;
	d->line = line;
	d->col = t->col;
	s->ndials++;
	return true;
}

void
directive_dials(struct parser *p, unsigned line, const struct lex_token *t,
    size_t n)
{
	struct svc_state *s = &p->svc[p->pol->nservices - 1];
	size_t i;
	char label[LABEL_BUF], q[QUOTE_BUF];

	if (!has_args(p, line, t, n, "service name", CUR_LABEL(p, label)))
		return;
	for (i = 1; i < n; i++) {
		if (t[i].bad)
			continue;
		if (t[i].len > 0 && t[i].bytes[0] == '@') {
			diag_add(p->dg, line, t[i].col,
			    "'dials' takes service "
			    "names, not abstract names such as '%s'",
			    quote_bytes(q, t[i].bytes, t[i].len));
			continue;
		}
		if (!push_dial(p, s, line, &t[i]))
			return;
	}
}

void
directive_unprotected(struct parser *p, unsigned line,
    const struct lex_token *t, size_t n)
{
	size_t idx = p->pol->nservices - 1;
	char label[LABEL_BUF];

	if (given_twice(p, line, t, p->svc[idx].unprotected_line,
		CUR_LABEL(p, label)))
		return;
	if (n > 1)
		diag_unexpected(p->dg, line, &t[1], "'unprotected'");
	else {
		p->svc[idx].unprotected_line = line;
		p->pol->services[idx].unprotected = true;
	}
}

/*
 * `restart on-failure 5 10s`: at most 5 starts within 10 seconds.  The
 * window is written with its unit, so that the two numbers cannot be
 * taken one for the other.
 */
static void
start_limit(struct parser *p, unsigned line, const struct lex_token *t,
    size_t n, struct policy_service *svc)
{
	const char *errstr;
	char label[LABEL_BUF], q[QUOTE_BUF], w[16];
	long long burst, window = 0;

	if (t[0].bad || (n > 1 && t[1].bad))
		return;
	burst = strtonum((const char *)t[0].bytes, 1, POLICY_START_BURST_MAX,
	    &errstr);
	if (errstr != NULL || t[0].has_nul) {
		diag_add(p->dg, line, t[0].col,
		    "bad start limit '%s' in %s: a count of starts from 1 "
		    "to %d",
		    quote_bytes(q, t[0].bytes, t[0].len), CUR_LABEL(p, label),
		    POLICY_START_BURST_MAX);
		return;
	}
	if (n < 2) {
		diag_add(p->dg, line, t[0].col,
		    "missing window after the start limit in %s: seconds "
		    "such as 10s",
		    CUR_LABEL(p, label));
		return;
	}
	if (t[1].len >= 2 && t[1].len < sizeof(w) &&
	    t[1].bytes[t[1].len - 1] == 's' && !t[1].has_nul) {
		memcpy(w, t[1].bytes, t[1].len - 1);
		w[t[1].len - 1] = '\0';
		window = strtonum(w, 1, POLICY_START_WINDOW_MAX, &errstr);
	}
	if (window == 0) {
		diag_add(p->dg, line, t[1].col,
		    "bad start limit window '%s' in %s: seconds from 1s to "
		    "%ds",
		    quote_bytes(q, t[1].bytes, t[1].len), CUR_LABEL(p, label),
		    POLICY_START_WINDOW_MAX);
		return;
	}
	svc->start_burst = (unsigned)burst;
	svc->start_window = (unsigned)window;
	if (n > 2)
		diag_unexpected(p->dg, line, &t[2], "the start limit");
}

void
directive_restart(struct parser *p, unsigned line, const struct lex_token *t,
    size_t n)
{
	size_t idx = p->pol->nservices - 1;
	struct policy_service *svc = &p->pol->services[idx];
	char label[LABEL_BUF], q[QUOTE_BUF];

	if (given_twice(p, line, t, p->svc[idx].restart_line,
		CUR_LABEL(p, label)))
		return;
	p->svc[idx].restart_line = line;
	if (n < 2) {
		diag_add(p->dg, line, t[0].col,
		    "missing value after 'restart' "
		    "in %s: no, on-failure or always",
		    CUR_LABEL(p, label));
		return;
	}
	if (!args_are_words(p, line, t, n, "restart") || t[1].bad)
		return;
	svc->start_burst = POLICY_START_BURST;
	svc->start_window = POLICY_START_WINDOW;
	if (is_word(&t[1], "no"))
		svc->restart = POLICY_RESTART_NO;
	else if (is_word(&t[1], "on-failure"))
		svc->restart = POLICY_RESTART_ON_FAILURE;
	else if (is_word(&t[1], "always"))
		svc->restart = POLICY_RESTART_ALWAYS;
	else {
		diag_add(p->dg, line, t[1].col,
		    "unknown restart value '%s' "
		    "in %s: use no, on-failure or always",
		    quote_bytes(q, t[1].bytes, t[1].len), CUR_LABEL(p, label));
		return;
	}
	if (n > 2 && svc->restart == POLICY_RESTART_NO)
		diag_unexpected(p->dg, line, &t[2], "the restart value");
	else if (n > 2)
		start_limit(p, line, &t[2], n - 2, svc);
}

void
directive_external(struct parser *p, unsigned line, const struct lex_token *t,
    size_t n)
{
	struct policy *pol = p->pol;
	struct name_list l = { &pol->externals, &pol->nexternals,
		&p->external_at, &p->external_cap };

	add_names(p, line, t, n, NULL, &l);
}

void
directive_audit(struct parser *p, unsigned line, const struct lex_token *t,
    size_t n)
{
	if (given_twice(p, line, t, p->audit_line, NULL))
		return;
	p->audit_line = line;
	if (!has_args(p, line, t, n, "path", NULL) || t[1].bad)
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
		diag_unexpected(p->dg, line, &t[2], "the audit path");
		return;
	}
	if ((p->pol->audit_path = resolve_against(p->filename,
		 (const char *)t[1].bytes)) == NULL)
		p->nomem = true;
	p->pol->audit_line = line;
	p->pol->audit_col = t[1].col;
}

void
directive_syslog(struct parser *p, unsigned line, const struct lex_token *t,
    size_t n)
{
	if (given_twice(p, line, t, p->syslog_line, NULL))
		return;
	if (n > 1)
		diag_unexpected(p->dg, line, &t[1], "'syslog'");
	else {
		p->syslog_line = line;
		p->pol->audit_syslog = true;
	}
}
