/*
 * Tokens and diagnostics: what the lexer, the parser, the directives and
 * the checks of the whole file all speak.  A token is a word or a brace
 * with its column; a diagnostic is a message at a line and column.  This
 * module calls nothing else in the policy library, so that every other
 * file can depend on it and none of them needs another to report an error.
 *
 * Diagnostics are collected while the policy is read and handed to the
 * caller's report function only at the end, sorted by position: the checks
 * that need the whole file (unknown dial targets, names provided twice)
 * run last, yet their messages belong among the others, in file order.
 */
#ifndef CAPWRAP_POLICY_DIAG_H
#define CAPWRAP_POLICY_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

enum lex_kind {
	LEX_WORD,
	LEX_OPEN,  /* { */
	LEX_CLOSE, /* } */
};

struct lex_token {
	enum lex_kind kind;
	unsigned col;	      /* 1-based byte column of its start */
	unsigned endcol;      /* column just past its last byte */
	const uint8_t *bytes; /* unquoted value, NUL-terminated */
	size_t len;	      /* the value may hold NULs too */
	bool has_nul;
	bool bad;   /* a lexical error: unusable */
	size_t off; /* of bytes in lex_line.buf */
};

/*
 * Words quoted in diagnostics are cut after this many bytes, so that one
 * runaway token does not make an unreadable message.
 */
#define QUOTE_MAX 48
#define QUOTE_BUF (4 * QUOTE_MAX + sizeof("..."))

/* Bytes made safe for a terminal, as policy_name_text does. */
char *quote_bytes(char out[QUOTE_BUF], const uint8_t *bytes, size_t len);

/* A well-formed word equal to keyword. */
bool is_word(const struct lex_token *, const char *keyword);
/* The token as a message quotes it: the brace, or the word made safe. */
const char *tok_text(const struct lex_token *, char buf[QUOTE_BUF]);

/*
 * "service 'web'", or "the service at line N" for one without a usable
 * name (name NULL).  Returns buf.
 */
const char *diag_service_label(char *buf, size_t bufsz, const char *name,
    unsigned line);

struct diag_entry {
	unsigned line, col;
	size_t seq; /* keeps equal positions in order */
	size_t off; /* of the message in diags.text */
};

struct diags {
	struct diag_entry *v;
	size_t n, cap;
	char *text;
	size_t textlen, textcap;
	size_t count; /* also those lost to ENOMEM */
	bool nomem;
};

void diag_add(struct diags *, unsigned line, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* "unexpected 'T' after AFTER", at the token t. */
void diag_unexpected(struct diags *, unsigned line, const struct lex_token *t,
    const char *after);
void diag_nomem(struct diags *);
/* Reports every diagnostic in position order, frees them, returns count. */
size_t diag_flush(struct diags *, const char *file, policy_report_fn *,
    void *ctx);

#endif
