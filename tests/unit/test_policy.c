/*
 * Unit tests of the policy parser and model.  Diagnostics are compared as
 * exact "file:line:col: message" text: the messages are part of the
 * interface (the man page lists them, editors parse them).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy.h"
#include "tap.h"

#define FILE_NAME "t.policy"

struct capture {
	char *text;
	size_t len, cap;
	size_t calls;
};

static void
capture_report(void *ctx, const struct policy_diag *d)
{
	struct capture *c = ctx;
	char line[2048];
	int n;

	n = snprintf(line, sizeof(line), "%s:%u:%u: %s\n", d->file, d->line,
	    d->col, d->message);
	if (n < 0)
		abort();
	if (c->len + (size_t)n + 1 > c->cap) {
		c->cap = (c->len + (size_t)n + 1) * 2;
		if ((c->text = realloc(c->text, c->cap)) == NULL)
			abort();
	}
	memcpy(c->text + c->len, line, (size_t)n + 1);
	c->len += (size_t)n;
	c->calls++;
}

static const char *
captured(const struct capture *c)
{
	return c->text != NULL ? c->text : "";
}

static struct policy *
parse_len(const char *text, size_t len, const char *file, struct capture *c,
    size_t *nerrors)
{
	memset(c, 0, sizeof(*c));
	return policy_parse_buffer(text, len, file, capture_report, c, nerrors);
}

/* The policy must be rejected with exactly these diagnostics, in order. */
static void
expect_len(const char *what, const char *text, size_t len, const char *expected)
{
	struct capture c;
	struct policy *pol;
	size_t nerrors = 12345, lines = 0;
	const char *p;

	for (p = expected; *p != '\0'; p++)
		lines += *p == '\n';
	pol = parse_len(text, len, FILE_NAME, &c, &nerrors);
	tap_ok(pol == NULL, "%s: rejected", what);
	if (!tap_ok(strcmp(captured(&c), expected) == 0, "%s: diagnostics",
		what))
		printf("# expected:\n%s# got:\n%s", expected, captured(&c));
	tap_ok(nerrors == lines && c.calls == lines,
	    "%s: %zu errors counted (got %zu, %zu reported)", what, lines,
	    nerrors, c.calls);
	policy_free(pol);
	free(c.text);
}

/* For texts with NUL bytes: the literal's own length. */
#define EXPECT_BYTES(what, lit, expected) \
	expect_len((what), (lit), sizeof(lit) - 1, (expected))

static void
expect(const char *what, const char *text, const char *expected)
{
	expect_len(what, text, strlen(text), expected);
}

static struct policy *
expect_ok(const char *what, const char *text, size_t len, const char *file)
{
	struct capture c;
	struct policy *pol;
	size_t nerrors = 12345;

	pol = parse_len(text, len, file, &c, &nerrors);
	if (!tap_ok(pol != NULL && nerrors == 0 && c.calls == 0, "%s: accepted",
		what))
		printf("# got:\n%s", captured(&c));
	free(c.text);
	return pol;
}

static bool
name_is(const struct policy_name *n, const char *bytes, size_t len)
{
	return n->len == len && memcmp(n->bytes, bytes, len) == 0;
}

static bool
argv_is(const struct policy_service *s, const char *const *want, size_t n)
{
	size_t i;

	if (s->argc != n || s->argv == NULL || s->argv[n] != NULL)
		return false;
	for (i = 0; i < n; i++)
		if (strcmp(s->argv[i], want[i]) != 0)
			return false;
	return true;
}

#define N(lit) (const uint8_t *)(lit), sizeof(lit) - 1

static const char full_policy[] =
    "# a full policy: every directive, quoting and escapes\n"
    "service db {\n"
    "    exec socat \"ABSTRACT-LISTEN:db.sock,fork\" EXEC:cat\n"
    "    provides @db.sock \"@db\\x00x\" @\"a b\"\n"
    "    provides @a \"@a\\x00b\"   # two names: a NUL inside one\n"
    "    restart on-failure\n"
    "}\n"
    "service web {\n"
    "\texec \"python 3\" -c \"print(\\\"hi\\\\\\\")\" a\"b c\"d '' x#y "
    "\"\\x41\\x7e\\xff\"\n"
    "    dials db cache.v2-x   # forward reference\n"
    "    unprotected\n"
    "    restart always\n"
    "} # end of web\n"
    "service cache.v2-x{\n"
    "    exec /bin/true\n"
    "    dials web\n"
    "    dials db\n"
    "    provides @\"\\\"\\\\\"\n"
    "    restart no\n"
    "}\n"
    "external @/tmp/.X11-unix/X0 \"@ext\\x01\"\n"
    "external @b\n"
    "audit logs/audit.jsonl\n"
    "syslog\n";

static void
test_full_policy(void)
{
	static const char *const db_argv[] = {
		"socat",
		"ABSTRACT-LISTEN:db.sock,fork",
		"EXEC:cat",
	};
	static const char *const web_argv[] = {
		"python 3",
		"-c",
		"print(\"hi\\\")",
		"ab cd",
		"''",
		"x#y",
		"A~\xff",
	};
	static const char *const cache_argv[] = { "/bin/true" };
	struct policy *pol;
	const struct policy_service *db, *web, *cache;

	pol = expect_ok("full policy", full_policy, sizeof(full_policy) - 1,
	    "etc/capwrap/full.policy");
	if (pol == NULL)
		return;
	tap_ok(strcmp(pol->path, "etc/capwrap/full.policy") == 0, "path kept");
	tap_ok(pol->nservices == 3, "three services");
	db = &pol->services[0];
	web = &pol->services[1];
	cache = &pol->services[2];

	tap_ok(strcmp(db->name, "db") == 0 && db->line == 2 && db->col == 1,
	    "db: name and position");
	tap_ok(argv_is(db, db_argv, 3), "db: argv with a quoted word");
	tap_ok(db->nprovides == 5 && name_is(&db->provides[0], "db.sock", 7) &&
		name_is(&db->provides[1], "db\0x", 4) &&
		name_is(&db->provides[2], "a b", 3) &&
		name_is(&db->provides[3], "a", 1) &&
		name_is(&db->provides[4], "a\0b", 3),
	    "db: provides, in order");
	tap_ok(db->ndials == 0 && !db->unprotected &&
		db->restart == POLICY_RESTART_ON_FAILURE,
	    "db: dials, flags");

	tap_ok(strcmp(web->name, "web") == 0 && web->line == 8,
	    "web: name and position");
	tap_ok(argv_is(web, web_argv, 7),
	    "web: argv with quotes, escapes, glued segments, quote and hash");
	tap_ok(web->nprovides == 0 && web->ndials == 2 && web->dials[0] == 0 &&
		web->dials[1] == 2,
	    "web: dials resolved in order, forward reference included");
	tap_ok(web->unprotected && web->restart == POLICY_RESTART_ALWAYS,
	    "web: unprotected, restart always");

	tap_ok(strcmp(cache->name, "cache.v2-x") == 0, "cache: name");
	tap_ok(argv_is(cache, cache_argv, 1), "cache: argv");
	tap_ok(cache->ndials == 2 && cache->dials[0] == 1 &&
		cache->dials[1] == 0,
	    "cache: dials accumulate");
	tap_ok(cache->nprovides == 1 && name_is(&cache->provides[0], "\"\\", 2),
	    "cache: @\"\\\"\\\\\"");
	tap_ok(!cache->unprotected && cache->restart == POLICY_RESTART_NO,
	    "cache: defaults");

	tap_ok(pol->nexternals == 3 &&
		name_is(&pol->externals[0], "/tmp/.X11-unix/X0", 17) &&
		name_is(&pol->externals[1], "ext\x01", 4) &&
		name_is(&pol->externals[2], "b", 1),
	    "externals accumulate");
	tap_ok(pol->audit_path != NULL &&
		strcmp(pol->audit_path, "etc/capwrap/logs/audit.jsonl") == 0,
	    "audit path resolved against the policy's directory");
	tap_ok(pol->audit_syslog, "syslog");

	/* Lookups. */
	tap_ok(policy_find_service(pol, "web") == web &&
		policy_find_service(pol, "cache.v2-x") == cache &&
		policy_find_service(pol, "we") == NULL &&
		policy_find_service(pol, "webb") == NULL,
	    "policy_find_service");
	tap_ok(policy_provider(pol, N("db.sock")) == db &&
		policy_provider(pol, N("db\0x")) == db &&
		policy_provider(pol, N("db")) == NULL &&
		policy_provider(pol, N("db\0")) == NULL &&
		policy_provider(pol, N("\"\\")) == cache,
	    "policy_provider");
	tap_ok(policy_provider(pol, N("a")) == db &&
		policy_provider(pol, N("a\0b")) == db &&
		policy_provider(pol, N("a\0")) == NULL &&
		policy_provider(pol, N("")) == NULL,
	    "policy_provider: exact bytes of the matching form, @a and "
	    "@a\\x00b differ");
	tap_ok(policy_is_external(pol, N("/tmp/.X11-unix/X0")) &&
		policy_is_external(pol, N("ext\x01")) &&
		!policy_is_external(pol, N("ext")) &&
		!policy_is_external(pol, N("/tmp/.X11-unix/X0\0")) &&
		!policy_is_external(pol, N("db.sock")),
	    "policy_is_external");
	tap_ok(policy_service_provides(db, N("a b")) &&
		!policy_service_provides(web, N("a b")) &&
		!policy_service_provides(db, N("a b\0")),
	    "policy_service_provides");
	tap_ok(policy_service_dials(pol, web, db) &&
		policy_service_dials(pol, web, cache) &&
		policy_service_dials(pol, cache, web) &&
		!policy_service_dials(pol, db, web) &&
		!policy_service_dials(pol, web, web),
	    "policy_service_dials");
	tap_ok(policy_service_index(pol, db) == 0 &&
		policy_service_index(pol, cache) == 2,
	    "policy_service_index");
	{
		struct policy_service other = *web;

		tap_ok(policy_service_index(pol, &other) == SIZE_MAX &&
			!policy_service_dials(pol, &other, db),
		    "a service of another policy is not found");
	}
	policy_free(pol);
}

static void
check_audit(const char *file, const char *audit, const char *want)
{
	char text[512];
	struct policy *pol;

	snprintf(text, sizeof(text), "service a {\n exec a\n}\naudit %s\n",
	    audit);
	pol = expect_ok("audit path", text, strlen(text), file);
	tap_ok(pol != NULL && pol->audit_path != NULL &&
		strcmp(pol->audit_path, want) == 0,
	    "audit %s in %s is %s (got %s)", audit, file ? file : "(null)",
	    want, pol && pol->audit_path ? pol->audit_path : "(null)");
	policy_free(pol);
}

static void
test_audit_paths(void)
{
	struct policy *pol;

	check_audit("t.policy", "a.jsonl", "./a.jsonl");
	check_audit("/etc/capwrap/demo.policy", "a.jsonl",
	    "/etc/capwrap/a.jsonl");
	check_audit("/demo.policy", "a.jsonl", "/a.jsonl");
	check_audit("etc//x.policy", "log/a.jsonl", "etc/log/a.jsonl");
	check_audit("p/x.policy", "../log/a", "p/../log/a");
	check_audit("p/x.policy", "\"with space\"", "p/with space");
	check_audit("p/x.policy", "/var/log/a.jsonl", "/var/log/a.jsonl");
	check_audit(NULL, "a.jsonl", "./a.jsonl");

	pol = expect_ok("no audit", "service a {\nexec a\n}\n", 21, "x");
	tap_ok(pol != NULL && pol->audit_path == NULL && !pol->audit_syslog,
	    "no audit: audit_path NULL, no syslog");
	policy_free(pol);
}

static void
test_name_text(void)
{
	char out[POLICY_NAME_TEXT_MAX];
	uint8_t big[POLICY_NAME_MAX];
	const char *r;

	r = policy_name_text(N("db.sock"), out);
	tap_ok(r == out && strcmp(out, "@db.sock") == 0, "name text: plain");
	policy_name_text(N("\0x\\\" ~\x7f\xff\x1b"), out);
	tap_ok(strcmp(out, "@\\x00x\\x5c\\x22 ~\\x7f\\xff\\x1b") == 0,
	    "name text: escapes (got %s)", out);
	policy_name_text(N(""), out);
	tap_ok(strcmp(out, "@") == 0, "name text: empty");
	memset(big, 0xab, sizeof(big));
	policy_name_text(big, sizeof(big), out);
	tap_ok(strlen(out) == POLICY_NAME_TEXT_MAX - 1 &&
		strncmp(out, "@\\xab\\xab", 9) == 0,
	    "name text: a 107-byte name fills the buffer exactly");
}

static void
test_syntax(void)
{
	struct policy *pol;
	char crlf[] = "service a {\r\n exec a\r\n}\r\n";

	pol = expect_ok("CRLF line ends", crlf, strlen(crlf), FILE_NAME);
	tap_ok(pol != NULL && pol->services[0].argc == 1 &&
		strcmp(pol->services[0].argv[0], "a") == 0,
	    "CRLF: no \\r kept");
	policy_free(pol);

	pol = expect_ok("brace glued, comment after brace",
	    "service a{#c\n exec a#b \"#\"c\n}#c\n", 31, FILE_NAME);
	tap_ok(pol != NULL && pol->services[0].argc == 2 &&
		strcmp(pol->services[0].argv[0], "a#b") == 0 &&
		strcmp(pol->services[0].argv[1], "#c") == 0,
	    "a hash starts a comment only at the start of a word");
	policy_free(pol);

	pol = expect_ok("quoted braces in exec",
	    "service a {\n exec find . -exec \"{}\" ;\n}\n", 39, FILE_NAME);
	tap_ok(pol != NULL && pol->services[0].argc == 5 &&
		strcmp(pol->services[0].argv[3], "{}") == 0,
	    "\"{}\" is a word");
	policy_free(pol);

	pol = expect_ok("raw NUL inside quotes of a name",
	    "service a {\n exec a\n provides \"@x\0y\"\n}\n", 38, FILE_NAME);
	tap_ok(pol != NULL && pol->services[0].nprovides == 1 &&
		name_is(&pol->services[0].provides[0], "x\0y", 3),
	    "raw NUL inside quotes is a byte of the name");
	policy_free(pol);

	pol = expect_ok("exec with an empty argument",
	    "service a {\n exec a \"\"\n}\n", 25, FILE_NAME);
	tap_ok(pol != NULL && pol->services[0].argc == 2 &&
		pol->services[0].argv[1][0] == '\0',
	    "\"\" is an empty argument");
	policy_free(pol);
}

static void
test_limits(void)
{
	char text[1024], name[200], want[1024];
	struct policy *pol;
	char *big;
	size_t len;

	/* Abstract names: 107 bytes is the limit. */
	memset(name, 'n', 107);
	name[107] = '\0';
	snprintf(text, sizeof(text), "service a {\n exec a\n provides @%s\n}\n",
	    name);
	pol = expect_ok("107-byte name", text, strlen(text), FILE_NAME);
	tap_ok(pol != NULL && pol->services[0].provides[0].len == 107,
	    "107-byte name kept whole");
	policy_free(pol);
	snprintf(text, sizeof(text),
	    "service a {\n exec a\n provides @%sn\n}\n", name);
	expect("108-byte name", text,
	    "t.policy:3:11: abstract name is 108 bytes long, the limit is 107\n");
	snprintf(text, sizeof(text),
	    "external \"@%s\\x00\"\nservice a {\n"
	    " exec a\n}\n",
	    name);
	expect("108-byte name ending in \\x00", text,
	    "t.policy:1:10: abstract name is 108 bytes long, the limit is 107\n");

	/* Service names: 64 bytes is the limit. */
	memset(name, 's', 64);
	name[64] = '\0';
	snprintf(text, sizeof(text), "service %s {\n exec a\n}\n", name);
	pol = expect_ok("64-byte service name", text, strlen(text), FILE_NAME);
	policy_free(pol);
	snprintf(text, sizeof(text), "service %ss {\n exec a\n}\n", name);
	snprintf(want, sizeof(want),
	    "t.policy:1:9: service name '%.48s...' "
	    "is longer than 64 bytes\n",
	    name);
	expect("65-byte service name", text, want);

	/* The file: 1 MiB is accepted, one byte more is not. */
	len = 1024 * 1024;
	if ((big = malloc(len + 1)) == NULL)
		abort();
	memset(big, '#', len + 1);
	memcpy(big, "service a {\n exec a\n}\n", 22);
	big[len - 1] = '\n';
	pol = expect_ok("exactly 1 MiB", big, len, FILE_NAME);
	policy_free(pol);
	expect_len("over 1 MiB", big, len + 1,
	    "t.policy:0:0: policy is larger than 1 MiB (1048576 bytes)\n");
	free(big);
}

static void
test_errors(void)
{
	static const char ok_service[] = "service ok {\n exec ok\n}\n";
	char text[512];

#define WITH_SERVICE(s) s "service ok {\n exec ok\n}\n"

	/* Directives. */
	expect("unknown directive", WITH_SERVICE("frob x\n"),
	    "t.policy:1:1: unknown directive 'frob'\n");
	expect("unknown directive in a block",
	    "service web {\n exec x\n  foo bar\n}\n",
	    "t.policy:3:3: unknown directive 'foo' in service 'web'\n");
	expect("escaped directive name", WITH_SERVICE("\"a\\x1b[2J\" x\n"),
	    "t.policy:1:1: unknown directive 'a\\x1b[2J'\n");
	expect("block directive at top level", WITH_SERVICE("exec ls\n"),
	    "t.policy:1:1: 'exec' is only allowed inside a service block\n");
	expect("top directive in a block",
	    "service web {\n exec x\n audit a\n}\n",
	    "t.policy:3:2: 'audit' is not allowed inside service 'web'\n");
	/* Every directive of each kind, as the parser's tables list them. */
	expect("dials at top level", WITH_SERVICE("dials a\n"),
	    "t.policy:1:1: 'dials' is only allowed inside a service block\n");
	expect("syslog in a block", "service a {\n exec a\n syslog\n}\n",
	    "t.policy:3:2: 'syslog' is not allowed inside service 'a'\n");

	/* Blocks. */
	expect("{ missing", "service web\n exec x\n}\n",
	    "t.policy:1:12: missing '{' after 'service web'\n");
	expect("{ on the next line", "service web\n{\n exec x\n}\n",
	    "t.policy:1:12: missing '{' after 'service web'\n");
	expect("something else than {", "service web (\n exec x\n}\n",
	    "t.policy:1:13: expected '{' after the service name, found '('\n");
	expect("} without block", WITH_SERVICE("}\n"),
	    "t.policy:1:1: '}' without a service block\n");
	expect("{ without service", WITH_SERVICE("{\n"),
	    "t.policy:1:1: '{' without 'service NAME' before it\n");
	expect("unterminated block", "# x\n  service web {\n exec x\n",
	    "t.policy:2:3: service 'web' is not closed: missing '}'\n");
	expect("nested service",
	    "service a {\n exec a\nservice b {\n exec b\n}\n",
	    "t.policy:3:1: missing '}': service 'a' (line 1) is still open\n");
	expect("nested {", "service a {\n exec a\n {\n}\n",
	    "t.policy:3:2: unexpected '{' in service 'a': blocks do not nest\n");
	expect("extra words after {", "service a { exec a\n exec a\n}\n",
	    "t.policy:1:13: unexpected 'exec' after '{'\n");
	expect("one-line block", WITH_SERVICE("service a { exec a }\n"),
	    "t.policy:1:13: unexpected 'exec' after '{'\n");
	expect("} not alone",
	    "service a {\n exec a }\nservice b {\n exec b\n}\n",
	    "t.policy:2:9: '}' must be on a line of its own\n");
	expect("words after }", "service a {\n exec a\n} x\n",
	    "t.policy:3:3: unexpected 'x' after '}'\n");

	/* Missing arguments. */
	expect("service without a name", "service {\n exec a\n}\n",
	    "t.policy:1:1: missing service name after 'service'\n");
	expect("exec without argv", "service a {\n exec   # nothing\n}\n",
	    "t.policy:2:2: missing command after 'exec' in service 'a'\n");
	expect("provides without name", "service a {\n exec a\n provides\n}\n",
	    "t.policy:3:2: missing abstract name after 'provides' in "
	    "service 'a'\n");
	expect("dials without service", "service a {\n exec a\n dials\n}\n",
	    "t.policy:3:2: missing service name after 'dials' in service 'a'\n");
	expect("restart without value", "service a {\n exec a\n restart\n}\n",
	    "t.policy:3:2: missing value after 'restart' in service 'a': no, "
	    "on-failure or always\n");
	expect("external without name", WITH_SERVICE("external\n"),
	    "t.policy:1:1: missing abstract name after 'external'\n");
	expect("audit without path", WITH_SERVICE("audit\n"),
	    "t.policy:1:1: missing path after 'audit'\n");
	expect("empty audit path", WITH_SERVICE("audit \"\"\n"),
	    "t.policy:1:7: empty audit path\n");
	expect("NUL in audit path", WITH_SERVICE("audit \"a\\x00\"\n"),
	    "t.policy:1:7: NUL byte in the audit path\n");
	expect("empty command", "service a {\n exec \"\" x\n}\n",
	    "t.policy:2:7: empty command name after 'exec'\n");

	/* Extra words. */
	expect("unprotected x", "service a {\n exec a\n unprotected yes\n}\n",
	    "t.policy:3:14: unexpected 'yes' after 'unprotected'\n");
	expect("syslog x", WITH_SERVICE("syslog on\n"),
	    "t.policy:1:8: unexpected 'on' after 'syslog'\n");
	expect("restart x y", "service a {\n exec a\n restart no now\n}\n",
	    "t.policy:3:13: unexpected 'now' after the restart value\n");
	expect("audit x y", WITH_SERVICE("audit a b\n"),
	    "t.policy:1:9: unexpected 'b' after the audit path\n");
	expect("brace in exec", "service a {\n exec find {} ;\n}\n",
	    "t.policy:2:12: unexpected '{' in 'exec' (quote it as an "
	    "argument)\n");
	expect("brace in provides", "service a {\n exec a\n provides @a {\n}\n",
	    "t.policy:3:14: unexpected '{' in 'provides' (quote it as an "
	    "argument)\n");
	expect("brace in dials", "service a {\n exec a\n dials {\n}\n",
	    "t.policy:3:8: unexpected '{' in 'dials' (quote it as an "
	    "argument)\n");
	expect("brace in restart", "service a {\n exec a\n restart {\n}\n",
	    "t.policy:3:10: unexpected '{' in 'restart' (quote it as an "
	    "argument)\n");
	expect("brace in external", WITH_SERVICE("external @x {\n"),
	    "t.policy:1:13: unexpected '{' in 'external' (quote it as an "
	    "argument)\n");
	expect("brace in audit", WITH_SERVICE("audit } x\n"),
	    "t.policy:1:7: unexpected '}' in 'audit' (quote it as an "
	    "argument)\n");
	/* A service without a usable name is named by its line. */
	expect("nameless service's directive",
	    "service {\n exec a\n provides\n}\n",
	    "t.policy:1:1: missing service name after 'service'\n"
	    "t.policy:3:2: missing abstract name after 'provides' in the "
	    "service at line 1\n");
	expect("service named with a NUL",
	    "service \"a\\x00\" {\n}\n"
	    "service b {\n exec b\n dials c\n}\n",
	    "t.policy:1:1: the service at line 1 has no 'exec'\n"
	    "t.policy:1:9: invalid service name 'a\\x00': use letters, digits, "
	    "'_', '.' and '-', starting with a letter or '_'\n");

	/* Quoting. */
	expect("bad escape", "service a {\n exec a \"x\\qy\"\n}\n",
	    "t.policy:2:11: bad escape: only \\\", \\\\ and \\xHH are allowed "
	    "in quotes\n");
	expect("bad hex escape", "service a {\n exec a \"\\x4g\"\n}\n",
	    "t.policy:2:10: bad escape: \\x needs two hex digits\n");
	expect("short hex escape", "service a {\n exec a \"\\x4\"\n}\n",
	    "t.policy:2:10: bad escape: \\x needs two hex digits\n");
	expect("unterminated quote", "service a {\n exec a \"b c\n}\n",
	    "t.policy:2:9: unterminated quote\n");
	expect("unterminated quote after \\",
	    "service a {\n exec a x\"b\\\n}\n",
	    "t.policy:2:10: unterminated quote\n");
	expect("unterminated quote in service name",
	    "service \"a {\n exec a\n}\n",
	    "t.policy:1:9: unterminated quote\n");
	expect("NUL in exec word",
	    "service a {\n exec a \"b\\x00c\" \"\\x00\"\n}\n",
	    "t.policy:2:9: NUL byte in an exec word: argv strings cannot hold "
	    "NUL\n"
	    "t.policy:2:18: NUL byte in an exec word: argv strings cannot hold "
	    "NUL\n");
	EXPECT_BYTES("raw NUL in exec word", "service a {\n exec \"a\0\"\n}\n",
	    "t.policy:2:7: NUL byte in an exec word: argv strings cannot hold "
	    "NUL\n");
	EXPECT_BYTES("NUL byte outside quotes", "service a {\n exec a\0b\n}\n",
	    "t.policy:2:8: NUL byte in policy\n");
	EXPECT_BYTES("NUL byte in a comment",
	    "# a\0\nservice a {\n exec a\n}\n",
	    "t.policy:1:4: NUL byte in policy\n");

	/* Names. */
	expect("empty name", "service a {\n exec a\n provides @x @\n}\n",
	    "t.policy:3:14: empty abstract name '@'\n");
	expect("empty quoted name", WITH_SERVICE("external \"@\"\n"),
	    "t.policy:1:10: empty abstract name '@'\n");
	expect("name of padding only",
	    WITH_SERVICE("external \"@\\x00\\x00\"\n"),
	    "t.policy:1:10: empty abstract name '@\\x00\\x00': trailing NULs "
	    "are padding, not part of a name\n");
	expect("not a name", "service a {\n exec a\n provides db @db \"\"\n}\n",
	    "t.policy:3:11: expected an abstract name such as @db, found 'db'\n"
	    "t.policy:3:18: expected an abstract name such as @db, found ''\n");
	expect("not a name in external", WITH_SERVICE("external x\n"),
	    "t.policy:1:10: expected an abstract name such as @db, found 'x'\n");
	expect("quoted @ is not a bare @", WITH_SERVICE("external \\@x\n"),
	    "t.policy:1:10: expected an abstract name such as @db, found "
	    "'\\x5c@x'\n");

	/* Services. */
	expect("invalid service name", "service 9lives {\n exec a\n}\n",
	    "t.policy:1:9: invalid service name '9lives': use letters, digits, "
	    "'_', '.' and '-', starting with a letter or '_'\n");
	expect("invalid service name with NUL",
	    "service \"a\\x00\" {\n exec a\n}\n",
	    "t.policy:1:9: invalid service name 'a\\x00': use letters, digits, "
	    "'_', '.' and '-', starting with a letter or '_'\n");
	expect("dials of an invalid name is not reported twice",
	    "service a/b {\n exec a\n}\nservice c {\n exec c\n dials a/b\n}\n",
	    "t.policy:1:9: invalid service name 'a/b': use letters, digits, "
	    "'_', '.' and '-', starting with a letter or '_'\n");
	expect("duplicate service",
	    "service web {\n exec a\n}\n\nservice  web {\n exec b\n}\n",
	    "t.policy:5:10: duplicate service 'web' (first declared at line 1)\n");
	expect("service without exec", "service a {\n provides @a\n}\n",
	    "t.policy:1:1: service 'a' has no 'exec'\n");
	expect("exec twice", "service a {\n exec a\n exec b\n}\n",
	    "t.policy:3:2: 'exec' given twice in service 'a' (first at line 2)\n");
	expect("restart twice",
	    "service a {\n exec a\n restart no\n"
	    " restart always\n}\n",
	    "t.policy:4:2: 'restart' given twice in "
	    "service 'a' (first at line 3)\n");
	expect("unprotected twice",
	    "service a {\n exec a\n unprotected\n"
	    " unprotected\n}\n",
	    "t.policy:4:2: 'unprotected' given twice in "
	    "service 'a' (first at line 3)\n");
	expect("unknown restart value",
	    "service a {\n exec a\n restart maybe\n}\n",
	    "t.policy:3:10: unknown restart value 'maybe' in service 'a': use "
	    "no, on-failure or always\n");
	expect("no service", "# nothing here\nexternal @x\n",
	    "t.policy:1:1: policy declares no service\n");
	expect("empty file", "", "t.policy:1:1: policy declares no service\n");

	/* Dials. */
	expect("dials unknown service",
	    "service a {\n exec a\n dials b  c\n}\nservice b {\n exec b\n}\n",
	    "t.policy:3:11: service 'a' dials unknown service 'c'\n");
	expect("dials a name", "service a {\n exec a\n dials @db\n}\n",
	    "t.policy:3:8: 'dials' takes service names, not abstract names "
	    "such as '@db'\n");
	expect("dials twice", "service a {\n exec a\n dials a\n dials a\n}\n",
	    "t.policy:4:8: service 'a' dials 'a' twice (first at line 3)\n");

	/* Names across the file. */
	expect("name provided by two services",
	    "service a {\n exec a\n provides @x\n}\n"
	    "service b {\n exec b\n provides @y @x\n}\n",
	    "t.policy:7:14: abstract name @x is provided by both service 'a' "
	    "(line 3) and service 'b'\n");
	expect("name with NUL provided by two services",
	    "service a {\n exec a\n provides \"@x\\x00y\" @x\n}\n"
	    "service b {\n exec b\n provides @\"x\\x00y\"\n}\n",
	    "t.policy:7:11: abstract name @x\\x00y is provided by both service "
	    "'a' (line 3) and service 'b'\n");
	/* Trailing NULs are padding: "@x\x00" is "@x" (capwrap.policy(5)). */
	expect("padded name provided by two services",
	    "service a {\n exec a\n provides @x\n}\n"
	    "service b {\n exec b\n provides \"@x\\x00\\x00\"\n}\n",
	    "t.policy:7:11: abstract name @x is provided by both service 'a' "
	    "(line 3) and service 'b'\n");
	expect("padded name provided twice by one service",
	    "service a {\n exec a\n provides @x @\"x\\x00\"\n}\n",
	    "t.policy:3:14: abstract name @x is provided twice by service 'a' "
	    "(first at line 3)\n");
	expect("padded external, then provided",
	    "external \"@x\\x00\"\nservice a {\n exec a\n provides @x\n}\n",
	    "t.policy:4:11: abstract name @x is provided by service 'a' but "
	    "declared external at line 1\n");
	expect("provided, then external",
	    "service a {\n exec a\n provides @x\n}\nexternal @x\n",
	    "t.policy:5:10: abstract name @x is declared external but provided "
	    "by service 'a' (line 3)\n");
	expect("external, then provided",
	    "external @x\nservice a {\n exec a\n provides @x\n}\n",
	    "t.policy:4:11: abstract name @x is provided by service 'a' but "
	    "declared external at line 1\n");
	expect("provided twice by one service",
	    "service a {\n exec a\n provides @x @x\n provides @x\n}\n",
	    "t.policy:3:14: abstract name @x is provided twice by service 'a' "
	    "(first at line 3)\n"
	    "t.policy:4:11: abstract name @x is provided twice by service 'a' "
	    "(first at line 3)\n");
	expect("external twice", WITH_SERVICE("external @x\nexternal @y @x\n"),
	    "t.policy:2:13: abstract name @x is declared external twice (first "
	    "at line 1)\n");

	/* Top level once-only directives. */
	expect("audit twice", WITH_SERVICE("audit a\naudit b\n"),
	    "t.policy:2:1: 'audit' given twice (first at line 1)\n");
	expect("syslog twice", WITH_SERVICE("syslog\n  syslog\n"),
	    "t.policy:2:3: 'syslog' given twice (first at line 1)\n");

	/* A clean service on its own still parses: the helper is sane. */
	snprintf(text, sizeof(text), "%s", ok_service);
	policy_free(expect_ok("helper service", text, strlen(text), FILE_NAME));
#undef WITH_SERVICE
}

static void
test_every_error(void)
{
	static const char text[] = "bogus 1\n"			     /*  1 */
				   "service web {\n"		     /*  2 */
				   "    exec python3 \"a\\q\" \"b\n" /*  3 */
				   "    provides db @ @x\n"	     /*  4 */
				   "    dials dbb @db\n"	     /*  5 */
				   "    frobnicate\n"		     /*  6 */
				   "    restart sometimes\n"	     /*  7 */
				   "    exec again\n"		     /*  8 */
				   "}\n"			     /*  9 */
				   "}\n"			     /* 10 */
				   "service web {\n"		     /* 11 */
				   "  exec x\n"			     /* 12 */
				   "  provides @x\n"		     /* 13 */
				   "}\n"			     /* 14 */
				   "service 9x { extra\n"	     /* 15 */
				   "  exec y\n"			     /* 16 */
				   "}\n"			     /* 17 */
				   "external @x @x\n"		     /* 18 */
				   "audit a\n"			     /* 19 */
				   "audit b\n"			     /* 20 */
				   "syslog now\n"		     /* 21 */
				   "service q\n"		     /* 22 */
				   "{\n"			     /* 23 */
				   " dials web web later\n"	     /* 24 */
				   "}\n"			     /* 25 */
				   "service later {\n"		     /* 26 */
				   " exec \"\\x00\"\n";		     /* 27 */

	expect("every error of a file, in order", text,
	    "t.policy:1:1: unknown directive 'bogus'\n"
	    "t.policy:3:20: bad escape: only \\\", \\\\ and \\xHH are allowed "
	    "in quotes\n"
	    "t.policy:4:14: expected an abstract name such as @db, found 'db'\n"
	    "t.policy:4:17: empty abstract name '@'\n"
	    "t.policy:5:11: service 'web' dials unknown service 'dbb'\n"
	    "t.policy:5:15: 'dials' takes service names, not abstract names "
	    "such as '@db'\n"
	    "t.policy:6:5: unknown directive 'frobnicate' in service 'web'\n"
	    "t.policy:7:13: unknown restart value 'sometimes' in service 'web': "
	    "use no, on-failure or always\n"
	    "t.policy:8:5: 'exec' given twice in service 'web' (first at line "
	    "3)\n"
	    "t.policy:10:1: '}' without a service block\n"
	    "t.policy:11:9: duplicate service 'web' (first declared at line 2)\n"
	    "t.policy:13:12: abstract name @x is provided by both service 'web' "
	    "(line 4) and service 'web'\n"
	    "t.policy:15:9: invalid service name '9x': use letters, digits, "
	    "'_', '.' and '-', starting with a letter or '_'\n"
	    "t.policy:15:14: unexpected 'extra' after '{'\n"
	    "t.policy:18:10: abstract name @x is declared external but "
	    "provided by service 'web' (line 4)\n"
	    "t.policy:18:13: abstract name @x is declared external twice (first "
	    "at line 18)\n"
	    "t.policy:20:1: 'audit' given twice (first at line 19)\n"
	    "t.policy:21:8: unexpected 'now' after 'syslog'\n"
	    "t.policy:22:1: service 'q' has no 'exec'\n"
	    "t.policy:22:10: missing '{' after 'service q'\n"
	    "t.policy:24:12: service 'q' dials 'web' twice (first at line 24)\n"
	    "t.policy:26:1: service 'later' is not closed: missing '}'\n"
	    "t.policy:27:7: NUL byte in an exec word: argv strings cannot hold "
	    "NUL\n");
}

static void
test_files(void)
{
	char dir[] = "/tmp/capwrap-test-policy.XXXXXX";
	char path[1024], missing[256];
	struct capture c;
	struct policy *pol;
	size_t nerrors;
	FILE *fp;

	if (!tap_ok(mkdtemp(dir) != NULL, "mkdtemp"))
		return;
	snprintf(path, sizeof(path), "%s/demo.policy", dir);
	if ((fp = fopen(path, "w")) == NULL)
		abort();
	fputs("service db {\n exec cat\n provides @db\n}\naudit a.jsonl\n", fp);
	fclose(fp);

	memset(&c, 0, sizeof(c));
	pol = policy_parse_file(path, capture_report, &c, &nerrors);
	tap_ok(pol != NULL && nerrors == 0 && c.calls == 0,
	    "policy_parse_file: accepted");
	snprintf(missing, sizeof(missing), "%s/a.jsonl", dir);
	tap_ok(pol != NULL && strcmp(pol->path, path) == 0 &&
		strcmp(pol->audit_path, missing) == 0,
	    "policy_parse_file: audit next to the file");
	policy_free(pol);
	free(c.text);

	snprintf(missing, sizeof(missing), "%s/missing.policy", dir);
	memset(&c, 0, sizeof(c));
	pol = policy_parse_file(missing, capture_report, &c, &nerrors);
	snprintf(path, sizeof(path), "%s:0:0: unable to read policy: %s\n",
	    missing, strerror(ENOENT));
	if (!tap_ok(pol == NULL && nerrors == 1 &&
		    strcmp(captured(&c), path) == 0,
		"unreadable file reported as FILE:0:0"))
		printf("# got: %s", captured(&c));
	free(c.text);

	memset(&c, 0, sizeof(c));
	pol = policy_parse_file(dir, capture_report, &c, &nerrors);
	snprintf(path, sizeof(path), "%s:0:0: unable to read policy: %s\n", dir,
	    strerror(EISDIR));
	if (!tap_ok(pol == NULL && nerrors == 1 &&
		    strcmp(captured(&c), path) == 0,
		"a directory is unreadable"))
		printf("# got: %s", captured(&c));
	free(c.text);

	snprintf(path, sizeof(path), "%s/demo.policy", dir);
	unlink(path);
	rmdir(dir);

	/* A NULL report function is allowed: only the count comes back. */
	pol = policy_parse_buffer("x\ny\n", 4, FILE_NAME, NULL, NULL, &nerrors);
	tap_ok(pol == NULL && nerrors == 3, "NULL report: errors counted");
}

/* restart's start limit: COUNT SECONDSs after on-failure or always. */
static void
test_start_limit(void)
{
	static const char text[] = "service a {\n exec a\n restart on-failure "
				   "3 60s\n}\nservice b {\n exec b\n restart "
				   "always\n}\nservice c {\n exec c\n}\n";
	struct policy *pol = expect_ok("start limit", text, sizeof(text) - 1,
	    FILE_NAME);

	tap_ok(pol != NULL && pol->services[0].start_burst == 3 &&
		pol->services[0].start_window == 60,
	    "restart on-failure 3 60s: 3 starts within 60 s");
	tap_ok(pol != NULL && pol->services[1].start_burst == 5 &&
		pol->services[1].start_window == 10,
	    "restart always: 5 starts within 10 s by default");
	policy_free(pol);
	expect("limit after restart no",
	    "service a {\n exec a\n restart no 5 10s\n}\n",
	    "t.policy:3:13: unexpected '5' after the restart value\n");
	expect("count not a number",
	    "service a {\n exec a\n restart always x 10s\n}\n",
	    "t.policy:3:17: bad start limit 'x' in service 'a': a count of "
	    "starts from 1 to 1000\n");
	expect("count 0", "service a {\n exec a\n restart always 0 10s\n}\n",
	    "t.policy:3:17: bad start limit '0' in service 'a': a count of "
	    "starts from 1 to 1000\n");
	expect("count 1001",
	    "service a {\n exec a\n restart always 1001 10s\n}\n",
	    "t.policy:3:17: bad start limit '1001' in service 'a': a count of "
	    "starts from 1 to 1000\n");
	expect("no window", "service a {\n exec a\n restart always 5\n}\n",
	    "t.policy:3:17: missing window after the start limit in service "
	    "'a': seconds such as 10s\n");
	expect("window without its unit",
	    "service a {\n exec a\n restart always 5 10\n}\n",
	    "t.policy:3:19: bad start limit window '10' in service 'a': "
	    "seconds from 1s to 86400s\n");
	expect("window 0s", "service a {\n exec a\n restart always 5 0s\n}\n",
	    "t.policy:3:19: bad start limit window '0s' in service 'a': "
	    "seconds from 1s to 86400s\n");
	expect("window over a day",
	    "service a {\n exec a\n restart always 5 86401s\n}\n",
	    "t.policy:3:19: bad start limit window '86401s' in service 'a': "
	    "seconds from 1s to 86400s\n");
	expect("words after the limit",
	    "service a {\n exec a\n restart always 5 10s now\n}\n",
	    "t.policy:3:23: unexpected 'now' after the start limit\n");
}

/* `allow io_uring`: the service is not fenced; every misuse reported. */
static void
test_allow_io_uring(void)
{
	struct policy *pol;
	const struct policy_service *a, *b;
	const char *text = "service a {\n exec a\n allow io_uring\n}\n"
			   "service b {\n exec b\n}\n";

	pol = expect_ok("allow io_uring", text, strlen(text), FILE_NAME);
	if (pol != NULL) {
		a = policy_find_service(pol, "a");
		b = policy_find_service(pol, "b");
		tap_ok(a != NULL && a->allow_io_uring, "a: allow io_uring");
		tap_ok(b != NULL && !b->allow_io_uring, "b: fenced (default)");
		policy_free(pol);
	}
	expect("allow nothing", "service a {\n exec a\n allow\n}\n",
	    "t.policy:3:2: missing what to allow after 'allow' in service "
	    "'a': io_uring or host-sockets\n");
	expect("allow other", "service a {\n exec a\n allow io-uring\n}\n",
	    "t.policy:3:8: unknown 'allow' value 'io-uring' in service 'a': "
	    "use io_uring or host-sockets\n");
	expect("allow more", "service a {\n exec a\n allow io_uring x\n}\n",
	    "t.policy:3:17: unexpected 'x' after 'allow io_uring'\n");
	expect("allow twice",
	    "service a {\n exec a\n allow io_uring\n allow io_uring\n}\n",
	    "t.policy:4:2: 'allow io_uring' given twice in service 'a' "
	    "(first at line 3)\n");
	expect("allow a brace", "service a {\n exec a\n allow {\n}\n",
	    "t.policy:3:8: unexpected '{' in 'allow' (quote it as an "
	    "argument)\n");
	expect("allow at the top", "allow io_uring\n",
	    "t.policy:1:1: 'allow' is only allowed inside a service block\n"
	    "t.policy:1:1: policy declares no service\n");
}

/* `allow host-sockets`: outside the Landlock domain; `check` warns. */
static void
test_allow_host_sockets(void)
{
	struct policy *pol;
	const struct policy_service *a, *b;
	const char *text = "service a {\n exec a\n allow host-sockets\n"
			   " allow io_uring\n}\nservice b {\n exec b\n}\n";

	pol = expect_ok("allow host-sockets", text, strlen(text), FILE_NAME);
	if (pol != NULL) {
		a = policy_find_service(pol, "a");
		b = policy_find_service(pol, "b");
		tap_ok(a != NULL && a->allow_host_sockets &&
			a->allow_io_uring && a->host_sockets_line == 3 &&
			a->host_sockets_col == 2,
		    "a: allow host-sockets and io_uring, at 3:2");
		tap_ok(b != NULL && !b->allow_host_sockets,
		    "b: in the domain (default)");
		policy_free(pol);
	}
	expect("allow host-sockets more",
	    "service a {\n exec a\n allow host-sockets x\n}\n",
	    "t.policy:3:21: unexpected 'x' after 'allow host-sockets'\n");
	expect("allow host-sockets twice",
	    "service a {\n exec a\n allow host-sockets\n"
	    " allow host-sockets\n}\n",
	    "t.policy:4:2: 'allow host-sockets' given twice in service 'a' "
	    "(first at line 3)\n");
	expect("allow host-sockets in a provider",
	    "service a {\n exec a\n provides @a\n allow host-sockets\n}\n",
	    "t.policy:4:2: 'allow host-sockets' in service 'a', which "
	    "provides names: the services in the topology's Landlock domain "
	    "could not dial them\n");
	expect("allow host-socket",
	    "service a {\n exec a\n allow host-socket\n}\n",
	    "t.policy:3:8: unknown 'allow' value 'host-socket' in service "
	    "'a': use io_uring or host-sockets\n");
}

/* user, group, env, directory, limit and stop-signal, well formed. */
static void
test_daemon_ok(void)
{
	struct policy *pol;
	const struct policy_service *a, *b;
	const char *text = "service a {\n exec ./bin/a x/y\n user postgres\n"
			   " group 70\n env PGDATA=/var/lib/pg \"X=a b\"\n"
			   " env EMPTY=\n directory data\n"
			   " limit nofile 4096\n limit core unlimited\n"
			   " stop-signal SIGQUIT\n}\n"
			   "service b {\n exec /bin/b\n user 0\n"
			   " directory /srv\n limit core 0\n stop-signal 2\n"
			   "}\n";
	const char *const aargv[] = { "/etc/capwrap/./bin/a", "x/y" };

	pol = expect_ok("daemon", text, strlen(text), "/etc/capwrap/p.policy");
	if (pol == NULL)
		return;
	a = policy_find_service(pol, "a");
	b = policy_find_service(pol, "b");
	tap_ok(argv_is(a, aargv, 2), "exec ./bin/a: next to the policy");
	tap_ok(strcmp(a->user, "postgres") == 0 && a->user_line == 3 &&
		a->user_col == 7,
	    "user postgres, at 3:7");
	tap_ok(strcmp(a->group, "70") == 0 && a->group_col == 8, "group 70");
	tap_ok(a->nenv == 3 && strcmp(a->env[0], "PGDATA=/var/lib/pg") == 0 &&
		strcmp(a->env[1], "X=a b") == 0 &&
		strcmp(a->env[2], "EMPTY=") == 0 && a->env[3] == NULL,
	    "env: three entries, in order");
	tap_ok(strcmp(a->directory, "/etc/capwrap/data") == 0,
	    "directory next to the policy");
	tap_ok(a->nofile.set && a->nofile.value == 4096 &&
		a->nofile.line == 8 && a->nofile.col == 15,
	    "limit nofile 4096 at 8:15");
	tap_ok(a->core.set && a->core.value == POLICY_LIMIT_INFINITY,
	    "limit core unlimited");
	tap_ok(a->stop_signal == SIGQUIT, "stop-signal SIGQUIT");
	tap_ok(strcmp(b->user, "0") == 0 && b->group == NULL, "user 0");
	tap_ok(strcmp(b->directory, "/srv") == 0, "absolute directory");
	tap_ok(b->core.set && b->core.value == 0 && !b->nofile.set,
	    "limit core 0, nofile unset");
	tap_ok(b->stop_signal == SIGINT, "stop-signal 2");
	policy_free(pol);

	text = "service c {\n exec c\n}\n";
	pol = expect_ok("defaults", text, strlen(text), "p");
	if (pol != NULL) {
		a = &pol->services[0];
		tap_ok(a->user == NULL && a->group == NULL && a->nenv == 0 &&
			a->env == NULL && a->directory == NULL &&
			!a->nofile.set && !a->core.set && a->stop_signal == 0,
		    "no daemon directive: nothing changed");
		policy_free(pol);
	}
	text = "service c {\n exec c\n stop-signal TERM\n}\n";
	pol = expect_ok("stop-signal TERM", text, strlen(text), "p");
	if (pol != NULL) {
		tap_ok(pol->services[0].stop_signal == SIGTERM, "TERM");
		policy_free(pol);
	}
}

/* A program with a slash resolves against the policy; others do not. */
static void
test_exec_paths(void)
{
	static const struct {
		const char *policy, *exec, *want;
	} cases[] = {
		{ "/etc/capwrap/p.policy", "bin/x", "/etc/capwrap/bin/x" },
		{ "/p.policy", "./x", "/./x" },
		{ "conf/p.policy", "./x", "conf/./x" },
		{ "p.policy", "./x", "././x" },
		{ "/etc/p.policy", "/usr/bin/x", "/usr/bin/x" },
		{ "/etc/p.policy", "x", "x" },
	};
	char text[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy *pol;

		snprintf(text, sizeof(text), "service a {\n exec %s\n}\n",
		    cases[i].exec);
		pol = expect_ok(cases[i].exec, text, strlen(text),
		    cases[i].policy);
		if (pol == NULL)
			continue;
		if (!tap_ok(strcmp(pol->services[0].argv[0], cases[i].want) ==
			    0,
			"%s in %s: %s", cases[i].exec, cases[i].policy,
			cases[i].want))
			printf("# got %s\n", pol->services[0].argv[0]);
		policy_free(pol);
	}
}

static void
test_daemon_errors(void)
{
	expect("user twice", "service a {\n exec a\n user x\n user y\n}\n",
	    "t.policy:4:2: 'user' given twice in service 'a' (first at line "
	    "3)\n");
	expect("user missing", "service a {\n exec a\n user\n}\n",
	    "t.policy:3:2: missing user name or UID after 'user' in service "
	    "'a'\n");
	expect("user two words", "service a {\n exec a\n user x y\n}\n",
	    "t.policy:3:9: unexpected 'y' after the user name or UID\n");
	expect("user bad", "service a {\n exec a\n user -x\n}\n",
	    "t.policy:3:7: invalid user '-x' in service 'a': a name of "
	    "letters, digits, '_', '.' and '-' (at most 32), or a number from "
	    "0 to 4294967294\n");
	expect("user -1", "service a {\n exec a\n user 4294967295\n}\n",
	    "t.policy:3:7: invalid user '4294967295' in service 'a': a name of "
	    "letters, digits, '_', '.' and '-' (at most 32), or a number from "
	    "0 to 4294967294\n");
	expect("group slash", "service a {\n exec a\n group a/b\n}\n",
	    "t.policy:3:8: invalid group 'a/b' in service 'a': a name of "
	    "letters, digits, '_', '.' and '-' (at most 32), or a number from "
	    "0 to 4294967294\n");
	expect("one word each",
	    "service a {\n exec a\n group g h\n directory d e\n"
	    " stop-signal INT TERM\n}\n",
	    "t.policy:3:10: unexpected 'h' after the group name or GID\n"
	    "t.policy:4:14: unexpected 'e' after the directory\n"
	    "t.policy:5:18: unexpected 'TERM' after the signal\n");
	expect("NUL bytes",
	    "service a {\n exec a\n env \"A=\\x00\"\n directory \"d\\x00\"\n}\n",
	    "t.policy:3:6: NUL byte in an env word in service 'a'\n"
	    "t.policy:4:12: NUL byte in the directory in service 'a'\n");
	expect("user at the top", "user x\nservice a {\n exec a\n}\n",
	    "t.policy:1:1: 'user' is only allowed inside a service block\n");
	expect("env bare", "service a {\n exec a\n env\n}\n",
	    "t.policy:3:2: missing KEY=VALUE after 'env' in service 'a'\n");
	expect("env words",
	    "service a {\n exec a\n env A B=1 =2 a-b=3 LD_PRELOAD=x\n"
	    " env CAPWRAP_SERVICE=x B=2\n}\n",
	    "t.policy:3:6: bad env entry 'A' in service 'a': KEY=VALUE, KEY of "
	    "letters, digits and '_', not starting with a digit\n"
	    "t.policy:3:12: bad env entry '=2' in service 'a': KEY=VALUE, KEY "
	    "of letters, digits and '_', not starting with a digit\n"
	    "t.policy:3:15: bad env entry 'a-b=3' in service 'a': KEY=VALUE, "
	    "KEY of letters, digits and '_', not starting with a digit\n"
	    "t.policy:3:21: env cannot set LD_PRELOAD in service 'a': capwrap "
	    "sets it\n"
	    "t.policy:4:6: env cannot set CAPWRAP_SERVICE in service 'a': "
	    "capwrap sets it\n"
	    "t.policy:4:24: env sets B twice in service 'a' (first at line "
	    "3)\n");
	expect("directory",
	    "service a {\n exec a\n directory \"\"\n}\n"
	    "service b {\n exec b\n directory x\n directory y\n}\n",
	    "t.policy:3:12: empty directory in service 'a'\n"
	    "t.policy:8:2: 'directory' given twice in service 'b' (first at "
	    "line 7)\n");
	expect("limit",
	    "service a {\n exec a\n limit\n limit stack 1\n limit nofile\n"
	    " limit nofile 7\n limit core -1\n limit core 1 2\n}\n",
	    "t.policy:3:2: missing resource and value after 'limit' in "
	    "service 'a'\n"
	    "t.policy:4:8: unknown limit 'stack' in service 'a': use nofile or "
	    "core\n"
	    "t.policy:5:14: missing value after 'limit nofile' in service "
	    "'a'\n"
	    "t.policy:6:2: 'limit nofile' given twice in service 'a' (first at "
	    "line 5)\n"
	    "t.policy:7:13: bad limit '-1' in service 'a': a number from 0 to "
	    "9223372036854775807 or unlimited\n"
	    "t.policy:8:2: 'limit core' given twice in service 'a' (first at "
	    "line 7)\n");
	expect("limit nofile range",
	    "service a {\n exec a\n limit nofile 7\n}\n"
	    "service b {\n exec b\n limit nofile unlimited\n}\n"
	    "service c {\n exec c\n limit nofile 1073741817\n}\n"
	    "service d {\n exec d\n limit core 1 2\n}\n",
	    "t.policy:3:15: bad limit '7' in service 'a': a number from 8 to "
	    "1073741816\n"
	    "t.policy:7:15: bad limit 'unlimited' in service 'b': a number "
	    "from 8 to 1073741816\n"
	    "t.policy:11:15: bad limit '1073741817' in service 'c': a number "
	    "from 8 to 1073741816\n"
	    "t.policy:15:15: unexpected '2' after the limit\n");
	expect("stop-signal",
	    "service a {\n exec a\n stop-signal\n}\n"
	    "service b {\n exec b\n stop-signal term\n}\n"
	    "service c {\n exec c\n stop-signal 0\n}\n"
	    "service d {\n exec d\n stop-signal INT\n stop-signal QUIT\n}\n",
	    "t.policy:3:2: missing signal after 'stop-signal' in service 'a'\n"
	    "t.policy:7:14: unknown signal 'term' in service 'b': a name as "
	    "kill -l spells it (TERM, INT, QUIT ...), with or without SIG, or "
	    "a number from 1 to 64\n"
	    "t.policy:11:14: unknown signal '0' in service 'c': a name as kill "
	    "-l spells it (TERM, INT, QUIT ...), with or without SIG, or a "
	    "number from 1 to 64\n"
	    "t.policy:16:2: 'stop-signal' given twice in service 'd' (first "
	    "at line 15)\n");
}

int
main(void)
{
	test_full_policy();
	test_audit_paths();
	test_name_text();
	test_syntax();
	test_limits();
	test_errors();
	test_every_error();
	test_files();
	test_start_limit();
	test_allow_io_uring();
	test_allow_host_sockets();
	test_daemon_ok();
	test_exec_paths();
	test_daemon_errors();
	return tap_done();
}
