/*
 * A small, strict reader for the flat JSON objects capwrap writes one per
 * line: string, number, true, false and null values, no nesting.  Anything
 * else is an error with the column where it went wrong.
 */
#ifndef CAPWRAP_JSONL_H
#define CAPWRAP_JSONL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define JSONL_MAX_FIELDS 32
#define JSONL_KEY_MAX 32

enum jsonl_type { JSONL_STRING, JSONL_NUMBER, JSONL_BOOL, JSONL_NULL };

struct jsonl_field {
	char key[JSONL_KEY_MAX];
	enum jsonl_type type;
	char *str;     /* JSONL_STRING: decoded bytes, NUL-terminated */
	size_t len;    /* its length (it may hold NUL bytes) */
	long long num; /* JSONL_NUMBER (integers only) / JSONL_BOOL */
};

struct jsonl_object {
	struct jsonl_field fields[JSONL_MAX_FIELDS];
	size_t nfields;
	char *pool; /* holds every decoded string */
};

/*
 * Parse one line (without its newline).  Returns 0, or -1 with a message
 * in err and the 1-based byte column in *col.  The object owns memory:
 * release it with jsonl_free (also after a failure).
 */
int jsonl_parse(const char *line, size_t len, struct jsonl_object *, char *err,
    size_t errlen, size_t *col);
void jsonl_free(struct jsonl_object *);

const struct jsonl_field *jsonl_get(const struct jsonl_object *,
    const char *key);

/* Write s as a JSON string (quotes included), bytes >= 0x7f as \u00XX. */
void jsonl_put_string(FILE *, const char *s, size_t len);

#endif
