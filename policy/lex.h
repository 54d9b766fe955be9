/*
 * The tokenizer: one call yields one line of words, since every directive
 * ends at the end of its line.  Quotes never span lines.
 */
#ifndef CAPWRAP_POLICY_LEX_H
#define CAPWRAP_POLICY_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h" /* the tokens, and where errors go */

struct lex_line {
	unsigned lineno;
	struct lex_token *tok;
	size_t ntok, tokcap;
	uint8_t *buf; /* all values of the line */
	size_t buflen, bufcap;
	bool bad; /* a lexical error reported */
};

struct lexer {
	const uint8_t *cur, *end;
	unsigned lineno;
};

void lex_init(struct lexer *, const char *data, size_t len);
/* 1: a line (maybe empty), 0: end of input, -1: out of memory. */
int lex_next(struct lexer *, struct lex_line *, struct diags *);
void lex_line_free(struct lex_line *);

#endif
