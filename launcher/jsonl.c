/*
 * The audit log is written by capwrap itself, so the reader can be strict:
 * a line is one flat object, and anything unexpected is reported rather
 * than guessed at.  The escapes \u0000 to \u00ff stand for single bytes,
 * as capwrap writes them, so names with any byte read back unchanged.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"

struct cursor {
	const char *s;
	size_t len, at;
	char *out; /* next free byte of the pool */
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3))) static int
fail(struct cursor *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static void
skip_space(struct cursor *c)
{
	while (c->at < c->len &&
	    (c->s[c->at] == ' ' || c->s[c->at] == '\t' || c->s[c->at] == '\r'))
		c->at++;
}

static int
peek(const struct cursor *c)
{
	return c->at < c->len ? (unsigned char)c->s[c->at] : -1;
}

static int
hex4(struct cursor *c, unsigned *out)
{
	unsigned v = 0;

	if (c->len - c->at < 4)
		return fail(c, "\\u needs four hex digits");
	for (int i = 0; i < 4; i++) {
		char h = c->s[c->at + i];

		v <<= 4;
		if (h >= '0' && h <= '9')
			v |= (unsigned)(h - '0');
		else if (h >= 'a' && h <= 'f')
			v |= (unsigned)(h - 'a' + 10);
		else if (h >= 'A' && h <= 'F')
			v |= (unsigned)(h - 'A' + 10);
		else
			return fail(c, "\\u needs four hex digits");
	}
	c->at += 4;
	*out = v;
	return 0;
}

static void
put_utf8(struct cursor *c, unsigned cp)
{
	if (cp < 0x800) {
		*c->out++ = (char)(0xc0 | cp >> 6);
	} else if (cp < 0x10000) {
		*c->out++ = (char)(0xe0 | cp >> 12);
		*c->out++ = (char)(0x80 | ((cp >> 6) & 0x3f));
	} else {
		*c->out++ = (char)(0xf0 | cp >> 18);
		*c->out++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*c->out++ = (char)(0x80 | ((cp >> 6) & 0x3f));
	}
	*c->out++ = (char)(0x80 | (cp & 0x3f));
}

/* A \u escape (the cursor is past the u): a byte, or a character in UTF-8. */
static int
parse_unicode(struct cursor *c)
{
	unsigned cp, lo;

	if (hex4(c, &cp) != 0)
		return -1;
	if (cp <= 0xff) {
		/* A byte, as capwrap escapes the bytes of names. */
		*c->out++ = (char)cp;
		return 0;
	}
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return fail(c, "lone low surrogate \\u%04x", cp);
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (c->len - c->at < 2 || c->s[c->at] != '\\' ||
		    c->s[c->at + 1] != 'u')
			return fail(c, "lone high surrogate \\u%04x", cp);
		c->at += 2;
		if (hex4(c, &lo) != 0)
			return -1;
		if (lo < 0xdc00 || lo > 0xdfff)
			return fail(c, "bad surrogate pair");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	put_utf8(c, cp);
	return 0;
}

/* The escape whose backslash the cursor has just passed, into the pool. */
static int
parse_escape(struct cursor *c)
{
	int ch = peek(c);

	c->at++;
	switch (ch) {
	case '"':
	case '\\':
	case '/':
		*c->out++ = (char)ch;
		return 0;
	case 'b':
		*c->out++ = '\b';
		return 0;
	case 'f':
		*c->out++ = '\f';
		return 0;
	case 'n':
		*c->out++ = '\n';
		return 0;
	case 'r':
		*c->out++ = '\r';
		return 0;
	case 't':
		*c->out++ = '\t';
		return 0;
	case 'u':
		return parse_unicode(c);
	default:
		c->at--;
		return fail(c, "bad escape in a string");
	}
}

/* A string at the cursor (which is on the opening quote) into the pool. */
static int
parse_string(struct cursor *c, char **str, size_t *len)
{
	char *start = c->out;

	c->at++;
	for (;;) {
		int ch = peek(c);

		if (ch < 0)
			return fail(c, "unterminated string");
		if (ch < 0x20)
			return fail(c, "control character in a string");
		c->at++;
		if (ch == '"')
			break;
		if (ch != '\\')
			*c->out++ = (char)ch;
		else if (parse_escape(c) != 0)
			return -1;
	}
	*len = (size_t)(c->out - start);
	*c->out++ = '\0';
	*str = start;
	return 0;
}

static int
parse_number(struct cursor *c, long long *out)
{
	size_t start = c->at;
	bool negative = false;
	unsigned long long v = 0;

	if (peek(c) == '-') {
		negative = true;
		c->at++;
	}
	if (peek(c) < '0' || peek(c) > '9')
		return fail(c, "expected a value");
	if (peek(c) == '0' && c->at + 1 < c->len && c->s[c->at + 1] >= '0' &&
	    c->s[c->at + 1] <= '9')
		return fail(c, "number with a leading zero");
	while (peek(c) >= '0' && peek(c) <= '9') {
		unsigned d = (unsigned)(c->s[c->at++] - '0');

		if (v > ((unsigned long long)LLONG_MAX + 1 - d) / 10) {
			c->at = start;
			return fail(c, "number out of range");
		}
		v = v * 10 + d;
	}
	if (peek(c) == '.' || peek(c) == 'e' || peek(c) == 'E') {
		c->at = start;
		return fail(c, "only whole numbers are expected");
	}
	if (!negative && v > LLONG_MAX) {
		c->at = start;
		return fail(c, "number out of range");
	}
	*out = negative ? (long long)(0 - v) : (long long)v;
	return 0;
}

static bool
literal(struct cursor *c, const char *word)
{
	size_t n = strlen(word);

	if (c->len - c->at < n || memcmp(c->s + c->at, word, n) != 0)
		return false;
	c->at += n;
	return true;
}

static int
parse_value(struct cursor *c, struct jsonl_field *f)
{
	int ch = peek(c);

	if (ch == '"') {
		f->type = JSONL_STRING;
		return parse_string(c, &f->str, &f->len);
	}
	if (ch == '{' || ch == '[')
		return fail(c, "nested %s: records are flat",
		    ch == '{' ? "object" : "array");
	if (literal(c, "true") || literal(c, "false")) {
		f->type = JSONL_BOOL;
		f->num = c->s[c->at - 4] == 't';
		return 0;
	}
	if (literal(c, "null")) {
		f->type = JSONL_NULL;
		return 0;
	}
	f->type = JSONL_NUMBER;
	return parse_number(c, &f->num);
}

/* One "key": value into the next field of o. */
static int
parse_member(struct cursor *c, struct jsonl_object *o)
{
	struct jsonl_field *f;
	char *key;
	size_t keylen;

	skip_space(c);
	if (peek(c) != '"')
		return fail(c, "expected a quoted key");
	if (o->nfields == JSONL_MAX_FIELDS)
		return fail(c, "more than %d fields", JSONL_MAX_FIELDS);
	f = &o->fields[o->nfields];
	if (parse_string(c, &key, &keylen) != 0)
		return -1;
	if (keylen == 0 || keylen >= JSONL_KEY_MAX ||
	    memchr(key, '\0', keylen) != NULL)
		return fail(c, "bad key");
	if (jsonl_get(o, key) != NULL)
		return fail(c, "duplicate key \"%s\"", key);
	memcpy(f->key, key, keylen + 1);
	skip_space(c);
	if (peek(c) != ':')
		return fail(c, "expected ':' after key \"%s\"", f->key);
	c->at++;
	skip_space(c);
	if (parse_value(c, f) != 0)
		return -1;
	o->nfields++;
	return 0;
}

/* The object at the cursor, from its '{' to its '}'. */
static int
parse_object(struct cursor *c, struct jsonl_object *o)
{
	skip_space(c);
	if (peek(c) != '{')
		return fail(c, "expected '{' to start a record");
	c->at++;
	skip_space(c);
	if (peek(c) == '}') {
		c->at++;
		return 0;
	}
	for (;;) {
		if (parse_member(c, o) != 0)
			return -1;
		skip_space(c);
		if (peek(c) == ',') {
			c->at++;
			continue;
		}
		if (peek(c) == '}') {
			c->at++;
			return 0;
		}
		return fail(c, "expected ',' or '}'");
	}
}

int
jsonl_parse(const char *line, size_t len, struct jsonl_object *o, char *err,
    size_t errlen, size_t *col)
{
	struct cursor c = { .s = line,
		.len = len,
		.err = err,
		.errlen = errlen };
	int rc;

	memset(o, 0, sizeof(*o));
	/* Decoding never makes a string longer than its escaped form. */
	if ((o->pool = malloc(len + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		*col = 1;
		return -1;
	}
	c.out = o->pool;
	rc = parse_object(&c, o);
	if (rc == 0) {
		skip_space(&c);
		if (c.at != c.len)
			rc = fail(&c, "unexpected text after the record");
	}
	*col = c.at + 1;
	return rc;
}

void
jsonl_free(struct jsonl_object *o)
{
	free(o->pool);
	o->pool = NULL;
	o->nfields = 0;
}

const struct jsonl_field *
jsonl_get(const struct jsonl_object *o, const char *key)
{
	for (size_t i = 0; i < o->nfields; i++)
		if (strcmp(o->fields[i].key, key) == 0)
			return &o->fields[i];
	return NULL;
}

void
jsonl_put_string(FILE *f, const char *s, size_t len)
{
	putc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(f, "\\u%04x", ch);
		else
			putc(ch, f);
	}
	putc('"', f);
}
