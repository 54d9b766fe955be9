/*
 * The directives a daemon needs of its start, inside a service block:
 * who it runs as (`user`, `group`), its environment (`env`), where
 * (`directory`), its limits (`limit`) and how it is asked to stop
 * (`stop-signal`).  Only their form is checked here: whether a user
 * exists, and whether the launcher may become it, are the launcher's
 * questions (launcher/daemoncheck.c), since the policy library does no
 * I/O but reading the file.
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "internal.h"
#include "diag.h"
#include "parse.h"
#include "directive.h"

/* The highest uid_t and gid_t but (uid_t)-1, which means "unchanged". */
#define ID_MAX 4294967294LL
/* As useradd(8) allows them, less the trailing '$' of machine accounts. */
#define ID_NAME_MAX 32

void
daemon_free(struct policy_service *s)
{
	free(s->user);
	free(s->group);
	for (size_t i = 0; i < s->nenv; i++)
		free(s->env[i]);
	free(s->env);
	free(s->env_lines);
	free(s->directory);
}

/* The one word after the directive, usable; else reported, NULL. */
static const struct lex_token *
one_word(struct parser *p, unsigned line, const struct lex_token *t, size_t n,
    const char *what)
{
	char label[LABEL_BUF], after[64];

	if (!has_args(p, line, t, n, what, CUR_LABEL(p, label)) || t[1].bad)
		return NULL;
	if (n > 2) {
		snprintf(after, sizeof(after), "the %s", what);
		diag_unexpected(p->dg, line, &t[2], after);
		return NULL;
	}
	return &t[1];
}

/* A user or group name of useradd's letters, or a number. */
static bool
valid_id(const struct lex_token *w)
{
	const char *errstr;
	bool digits = true;

	if (w->has_nul || w->len == 0 || w->len > ID_NAME_MAX ||
	    w->bytes[0] == '-')
		return false;
	for (size_t i = 0; i < w->len; i++) {
		uint8_t c = w->bytes[i];

		if (c >= '0' && c <= '9')
			continue;
		digits = false;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			c == '_' || c == '.' || c == '-'))
			return false;
	}
	if (digits)
		(void)strtonum((const char *)w->bytes, 0, ID_MAX, &errstr);
	return !digits || errstr == NULL;
}

/* `user` and `group`: one name or number each, kept as written. */
static void
set_id(struct parser *p, unsigned line, const struct lex_token *t, size_t n,
    const char *kind, char **out, unsigned *at_line, unsigned *at_col)
{
	const struct lex_token *w;
	char label[LABEL_BUF], q[QUOTE_BUF], what[32];

	if (given_twice(p, line, t, *at_line, CUR_LABEL(p, label)))
		return;
	*at_line = line;
	*at_col = t[0].col;
	snprintf(what, sizeof(what), "%s name or %cID", kind,
	    kind[0] == 'u' ? 'U' : 'G');
	if ((w = one_word(p, line, t, n, what)) == NULL)
		return;
	if (!valid_id(w)) {
		diag_add(p->dg, line, w->col,
		    "invalid %s '%s' in %s: a name of letters, digits, '_', "
		    "'.' and '-' (at most %d), or a number from 0 to %lld",
		    kind, quote_bytes(q, w->bytes, w->len), label, ID_NAME_MAX,
		    ID_MAX);
		return;
	}
	*at_col = w->col;
	if ((*out = strdup((const char *)w->bytes)) == NULL)
		p->nomem = true;
}

void
directive_user(struct parser *p, unsigned line, const struct lex_token *t,
    size_t n)
{
	struct policy_service *svc = &p->pol->services[p->pol->nservices - 1];

	set_id(p, line, t, n, "user", &svc->user, &svc->user_line,
	    &svc->user_col);
}

void
directive_group(struct parser *p, unsigned line, const struct lex_token *t,
    size_t n)
{
	struct policy_service *svc = &p->pol->services[p->pol->nservices - 1];

	set_id(p, line, t, n, "group", &svc->group, &svc->group_line,
	    &svc->group_col);
}

/* The length of KEY in "KEY=VALUE", or 0 if it is no environment name. */
static size_t
env_key(const struct lex_token *w)
{
	size_t i;

	for (i = 0; i < w->len && w->bytes[i] != '='; i++) {
		uint8_t c = w->bytes[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			c == '_' || (i > 0 && c >= '0' && c <= '9')))
			return 0;
	}
	return i < w->len ? i : 0;
}

/*
 * The variables through which the launcher hands a service its shim and
 * its channel (launcher/servicespawn.c): a policy that set them would
 * unwrap the service, or point the shim at another descriptor.
 */
static bool
reserved_key(const uint8_t *key, size_t len)
{
	return (len == 10 && memcmp(key, "LD_PRELOAD", 10) == 0) ||
	    (len >= 8 && memcmp(key, "CAPWRAP_", 8) == 0);
}

/* The line of an earlier entry with the same KEY, or 0. */
static unsigned
env_seen(const struct policy_service *svc, const uint8_t *w, size_t klen)
{
	for (size_t i = 0; i < svc->nenv; i++)
		if (strncmp(svc->env[i], (const char *)w, klen + 1) == 0)
			return svc->env_lines[i];
	return 0;
}

/* One KEY=VALUE word: false if it cannot be kept (reported). */
static bool
env_word_ok(struct parser *p, unsigned line, const struct lex_token *w,
    const struct policy_service *svc, const char *label)
{
	char q[QUOTE_BUF];
	size_t klen;
	unsigned first;

	if (w->bad)
		return false;
	if (w->has_nul) {
		diag_add(p->dg, line, w->col, "NUL byte in an env word in %s",
		    label);
		return false;
	}
	if ((klen = env_key(w)) == 0) {
		diag_add(p->dg, line, w->col,
		    "bad env entry '%s' in %s: KEY=VALUE, KEY of letters, "
		    "digits and '_', not starting with a digit",
		    quote_bytes(q, w->bytes, w->len), label);
		return false;
	}
	quote_bytes(q, w->bytes, klen);
	if (reserved_key(w->bytes, klen)) {
		diag_add(p->dg, line, w->col,
		    "env cannot set %s in %s: capwrap sets it", q, label);
		return false;
	}
	if ((first = env_seen(svc, w->bytes, klen)) != 0) {
		diag_add(p->dg, line, w->col,
		    "env sets %s twice in %s (first at line %u)", q, label,
		    first);
		return false;
	}
	return true;
}

/* `env KEY=VALUE ...`: any number of words, on any number of lines. */
void
directive_env(struct parser *p, unsigned line, const struct lex_token *t,
    size_t n)
{
	struct policy_service *svc = &p->pol->services[p->pol->nservices - 1];
	char label[LABEL_BUF];
	char **ne;
	unsigned *nl;

	if (!has_args(p, line, t, n, "KEY=VALUE", CUR_LABEL(p, label)))
		return;
	if ((ne = reallocarray(svc->env, svc->nenv + n, sizeof(*ne))) == NULL) {
		p->nomem = true;
		return;
	}
	svc->env = ne;
	if ((nl = reallocarray(svc->env_lines, svc->nenv + n, sizeof(*nl))) ==
	    NULL) {
		p->nomem = true;
		return;
	}
	svc->env_lines = nl;
	for (size_t i = 1; i < n; i++) {
		if (!env_word_ok(p, line, &t[i], svc, label))
			continue;
		if ((svc->env[svc->nenv] = strdup((const char *)t[i].bytes)) ==
		    NULL) {
			p->nomem = true;
			return;
		}
		svc->env_lines[svc->nenv++] = line;
	}
	svc->env[svc->nenv] = NULL;
}

void
directive_directory(struct parser *p, unsigned line, const struct lex_token *t,
    size_t n)
{
	struct policy_service *svc = &p->pol->services[p->pol->nservices - 1];
	const struct lex_token *w;
	char label[LABEL_BUF];

	if (given_twice(p, line, t, svc->directory_line, CUR_LABEL(p, label)))
		return;
	svc->directory_line = line;
	if ((w = one_word(p, line, t, n, "directory")) == NULL)
		return;
	if (w->has_nul || w->len == 0) {
		diag_add(p->dg, line, w->col, "%s directory in %s",
		    w->has_nul ? "NUL byte in the" : "empty", label);
		return;
	}
	if ((svc->directory = resolve_against(p->filename,
		 (const char *)w->bytes)) == NULL)
		p->nomem = true;
}

/* N of `limit RESOURCE N` within [min, max]; `unlimited` if allowed. */
static void
limit_value(struct parser *p, unsigned line, const struct lex_token *w,
    struct policy_limit *l, unsigned long long max, bool unlimited)
{
	char label[LABEL_BUF], q[QUOTE_BUF];
	long long min = max == POLICY_NOFILE_MAX ? POLICY_NOFILE_MIN : 0;
	const char *errstr = "bad";
	long long v = 0;

	CUR_LABEL(p, label);
	if (unlimited && is_word(w, "unlimited")) {
		v = -1;
		errstr = NULL;
	} else if (!w->has_nul && w->len > 0 && w->bytes[0] != '+')
		v = strtonum((const char *)w->bytes, min, (long long)max,
		    &errstr);
	if (errstr != NULL) {
		diag_add(p->dg, line, w->col,
		    "bad limit '%s' in %s: a number from %lld to %llu%s",
		    quote_bytes(q, w->bytes, w->len), label, min, max,
		    unlimited ? " or unlimited" : "");
		return;
	}
	l->set = true;
	l->value = v < 0 ? POLICY_LIMIT_INFINITY : (unsigned long long)v;
	l->line = line;
	l->col = w->col;
}

/* `limit nofile N`, `limit core N|unlimited`: one line each. */
void
directive_limit(struct parser *p, unsigned line, const struct lex_token *t,
    size_t n)
{
	struct policy_service *svc = &p->pol->services[p->pol->nservices - 1];
	struct policy_limit *l;
	char label[LABEL_BUF], q[QUOTE_BUF];
	bool nofile;

	if (!has_args(p, line, t, n, "resource and value",
		CUR_LABEL(p, label)) ||
	    t[1].bad)
		return;
	if (!(nofile = is_word(&t[1], "nofile")) && !is_word(&t[1], "core")) {
		diag_add(p->dg, line, t[1].col,
		    "unknown limit '%s' in %s: use nofile or core",
		    quote_bytes(q, t[1].bytes, t[1].len), label);
		return;
	}
	l = nofile ? &svc->nofile : &svc->core;
	if (l->line != 0) {
		diag_add(p->dg, line, t[0].col,
		    "'limit %s' given twice in %s (first at line %u)",
		    nofile ? "nofile" : "core", label, l->line);
		return;
	}
	l->line = line;
	if (n < 3) {
		diag_add(p->dg, line, t[1].endcol,
		    "missing value after 'limit %s' in %s", t[1].bytes, label);
		return;
	}
	if (t[2].bad)
		return;
	if (n > 3) {
		diag_unexpected(p->dg, line, &t[3], "the limit");
		return;
	}
	limit_value(p, line, &t[2], l,
	    nofile ? POLICY_NOFILE_MAX : (unsigned long long)LLONG_MAX,
	    !nofile);
}

/* As kill -l spells them, without SIG. */
static const struct {
	const char *name;
	int sig;
} signals[] = {
	{ "HUP", SIGHUP },
	{ "INT", SIGINT },
	{ "QUIT", SIGQUIT },
	{ "ILL", SIGILL },
	{ "TRAP", SIGTRAP },
	{ "ABRT", SIGABRT },
	{ "BUS", SIGBUS },
	{ "FPE", SIGFPE },
	{ "KILL", SIGKILL },
	{ "USR1", SIGUSR1 },
	{ "SEGV", SIGSEGV },
	{ "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE },
	{ "ALRM", SIGALRM },
	{ "TERM", SIGTERM },
	{ "STKFLT", SIGSTKFLT },
	{ "CHLD", SIGCHLD },
	{ "CONT", SIGCONT },
	{ "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP },
	{ "TTIN", SIGTTIN },
	{ "TTOU", SIGTTOU },
	{ "URG", SIGURG },
	{ "XCPU", SIGXCPU },
	{ "XFSZ", SIGXFSZ },
	{ "VTALRM", SIGVTALRM },
	{ "PROF", SIGPROF },
	{ "WINCH", SIGWINCH },
	{ "IO", SIGIO },
	{ "PWR", SIGPWR },
	{ "SYS", SIGSYS },
};

int
policy_signal_number(const char *s)
{
	const char *errstr;
	long long v;

	if (s[0] >= '0' && s[0] <= '9') {
		v = strtonum(s, 1, SIGRTMAX, &errstr);
		return errstr == NULL ? (int)v : 0;
	}
	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (strcmp(s, signals[i].name) == 0)
			return signals[i].sig;
	return 0;
}

/* The signal a word names (policy_signal_number); 0 if none. */
static int
signal_number(const struct lex_token *w)
{
	if (w->has_nul || w->len == 0)
		return 0;
	return policy_signal_number((const char *)w->bytes);
}

void
directive_stop_signal(struct parser *p, unsigned line,
    const struct lex_token *t, size_t n)
{
	struct policy_service *svc = &p->pol->services[p->pol->nservices - 1];
	const struct lex_token *w;
	char label[LABEL_BUF], q[QUOTE_BUF];

	if (given_twice(p, line, t, svc->stop_signal_line, CUR_LABEL(p, label)))
		return;
	svc->stop_signal_line = line;
	if ((w = one_word(p, line, t, n, "signal")) == NULL)
		return;
	if ((svc->stop_signal = signal_number(w)) == 0)
		diag_add(p->dg, line, w->col,
		    "unknown signal '%s' in %s: a name as kill -l spells "
		    "it (TERM, INT, QUIT ...), with or without SIG, or a "
		    "number from 1 to %d",
		    quote_bytes(q, w->bytes, w->len), label, SIGRTMAX);
}
