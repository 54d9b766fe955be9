/*
 * The audit log reader: strict on what capwrap writes, every bad line
 * reported with its number and skipped, the rest read.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "auditread.h"
#include "jsonl.h"
#include "tap.h"

static int
parses(const char *line)
{
	struct jsonl_object o;
	char err[160];
	size_t col;
	int rc = jsonl_parse(line, strlen(line), &o, err, sizeof(err), &col);

	jsonl_free(&o);
	return rc == 0;
}

/* The error column and message for a line that must fail. */
static int
fails_at(const char *line, size_t want_col, const char *want_err)
{
	struct jsonl_object o;
	char err[160] = "";
	size_t col = 0;
	int rc = jsonl_parse(line, strlen(line), &o, err, sizeof(err), &col);

	jsonl_free(&o);
	if (rc == 0 || col != want_col || strstr(err, want_err) == NULL) {
		printf("# %s: rc %d col %zu err '%s'\n", line, rc, col, err);
		return 0;
	}
	return 1;
}

static void
test_values(void)
{
	struct jsonl_object o;
	const struct jsonl_field *f;
	char err[160];
	size_t col;
	const char *line =
	    "{\"name\":\"@a\\u0000b\\u00ff\\\"\\\\\",\"n\":-42,"
	    "\"big\":9223372036854775807,\"t\":true,\"f\":false,\"z\":null,"
	    "\"u\":\"\\u00e9\\u20ac\\ud83d\\ude00\"}";

	tap_ok(jsonl_parse(line, strlen(line), &o, err, sizeof(err), &col) == 0,
	    "a record with every kind of value parses");
	f = jsonl_get(&o, "name");
	tap_ok(f != NULL && f->type == JSONL_STRING && f->len == 7 &&
		memcmp(f->str, "@a\0b\xff\"\\", 7) == 0,
	    "\\u0000 to \\u00ff are single bytes, as capwrap writes them");
	f = jsonl_get(&o, "u");
	tap_ok(f != NULL && f->len == 1 + 3 + 4 &&
		memcmp(f->str, "\xe9\xe2\x82\xac\xf0\x9f\x98\x80", 8) == 0,
	    "wider escapes and surrogate pairs are UTF-8");
	tap_ok((f = jsonl_get(&o, "n")) != NULL && f->type == JSONL_NUMBER &&
		f->num == -42,
	    "negative number");
	tap_ok((f = jsonl_get(&o, "big")) != NULL &&
		f->num == 9223372036854775807LL,
	    "the largest number");
	tap_ok((f = jsonl_get(&o, "t")) != NULL && f->type == JSONL_BOOL &&
		f->num == 1 && (f = jsonl_get(&o, "f")) != NULL && f->num == 0,
	    "true and false");
	tap_ok((f = jsonl_get(&o, "z")) != NULL && f->type == JSONL_NULL,
	    "null");
	tap_ok(jsonl_get(&o, "missing") == NULL, "an absent key is NULL");
	jsonl_free(&o);
}

static void
test_strictness(void)
{
	tap_ok(parses("{}"), "empty object");
	tap_ok(parses("  { \"a\" : 1 }  "), "white space around tokens");
	tap_ok(fails_at("", 1, "expected '{'"), "empty line");
	tap_ok(fails_at("[1]", 1, "expected '{'"), "an array is no record");
	tap_ok(fails_at("{\"a\":{}}", 6, "nested object"), "nested object");
	tap_ok(fails_at("{\"a\":[1]}", 6, "nested array"), "nested array");
	tap_ok(fails_at("{\"a\":1,}", 8, "quoted key"), "trailing comma");
	tap_ok(fails_at("{\"a\":1", 7, "expected ',' or '}'"),
	    "unclosed object");
	tap_ok(fails_at("{\"a\":1}x", 8, "after the record"), "trailing text");
	tap_ok(fails_at("{\"a\":1,\"a\":2}", 11, "duplicate key"),
	    "duplicate key");
	tap_ok(fails_at("{\"a\" 1}", 6, "expected ':'"), "missing colon");
	tap_ok(fails_at("{\"a\":01}", 6, "leading zero"), "leading zero");
	tap_ok(fails_at("{\"a\":1.5}", 6, "whole numbers"), "fraction");
	tap_ok(fails_at("{\"a\":9223372036854775808}", 6, "out of range"),
	    "number out of range");
	tap_ok(fails_at("{\"a\":\"x", 8, "unterminated"),
	    "unterminated string");
	tap_ok(fails_at("{\"a\":\"\\q\"}", 8, "bad escape"), "bad escape");
	tap_ok(fails_at("{\"a\":\"\\u12\"}", 9, "four hex digits"),
	    "short \\u escape");
	tap_ok(fails_at("{\"a\":\"\\ud800\"}", 13, "lone high surrogate"),
	    "lone high surrogate");
	tap_ok(fails_at("{\"a\":\"\t\"}", 7, "control character"),
	    "raw control character in a string");
	tap_ok(fails_at("{\"a\":tru}", 6, "expected a value"), "bad literal");
}

struct seen {
	int n;
	long long counts[8];
	size_t lines[8];
};

static void
collect(void *ctx, const struct audit_record *r)
{
	struct seen *s = ctx;

	if (s->n < 8) {
		s->counts[s->n] = r->count;
		s->lines[s->n] = r->line;
	}
	s->n++;
}

static void
test_reader(void)
{
	const char
	    *log = "{\"time\":\"t1\",\"event\":\"deny\",\"gate\":\"accept\","
		   "\"service\":\"db\",\"name\":\"@db\",\"peer_pid\":7}\n"
		   "not json\n"
		   "\n"
		   "{\"time\":\"t2\",\"event\":\"deny\",\"gate\":\"bind\","
		   "\"service\":\"db\",\"name\":\"@x\",\"count\":5}\n"
		   "{\"time\":\"t3\",\"event\":\"deny\",\"gate\":\"bind\"}\n"
		   "{\"time\":\"t4\",\"event\":\"deny\",\"gate\":\"bind\","
		   "\"service\":\"db\",\"name\":\"@x\",\"count\":0}\n"
		   "{\"time\":\"t5\",\"event\":\"deny\",\"gate\":\"bind\","
		   "\"service\":\"db\",\"name\":\"@x\",\"pid\":\"12\"}\n"
		   "{\"time\":\"t6\",\"event\":\"deny\",\"gate\":\"bind\","
		   "\"service\":\"db\",\"name\":\"@y\"}";
	struct auditlog_reader r;
	struct seen s = { .n = 0 };
	char path[] = "/tmp/capwrap-test-jsonl.XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, log, strlen(log)) != (ssize_t)strlen(log)) {
		tap_ok(0, "scratch file");
		return;
	}
	(void)lseek(fd, 0, SEEK_SET);
	/* The reader reports skipped lines on stderr; keep TAP clean. */
	auditlog_init(&r, path, collect, &s);
	tap_ok(auditlog_feed(&r, fd, true) == 0, "the log reads");
	tap_ok(s.n == 3, "three records (got %d)", s.n);
	tap_ok(s.lines[0] == 1 && s.lines[1] == 4 && s.lines[2] == 8,
	    "records know their line numbers");
	tap_ok(s.counts[0] == 1 && s.counts[1] == 5,
	    "a missing count is 1, a present one is kept");
	tap_ok(r.nbad == 4,
	    "bad lines counted: no JSON, a missing field, "
	    "count 0, a string pid (got %zu)",
	    r.nbad);
	tap_ok(s.n == 3 && s.lines[2] == 8,
	    "a last line without a newline is read at the end");
	auditlog_free(&r);
	close(fd);
	unlink(path);
}

int
main(void)
{
	test_values();
	test_strictness();
	test_reader();
	return tap_done();
}
