/*
 * The tokenizer: one call yields one line of words, since every directive
 * ends at the end of its line.  Quotes never span lines.
 */
#ifndef CAPWRAP_POLICY_LEX_H
#define CAPWRAP_POLICY_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

enum lex_kind {
	LEX_WORD,
	LEX_OPEN,			/* { */
	LEX_CLOSE,			/* } */
};

struct lex_token {
	enum lex_kind	 kind;
	unsigned	 col;		/* 1-based byte column of its start */
	unsigned	 endcol;	/* column just past its last byte */
	const uint8_t	*bytes;		/* unquoted value, NUL-terminated */
	size_t		 len;		/* the value may hold NULs too */
	bool		 has_nul;
	bool		 bad;		/* a lexical error: unusable */
	size_t		 off;		/* of bytes in lex_line.buf */
};

struct lex_line {
	unsigned		 lineno;
	struct lex_token	*tok;
	size_t			 ntok, tokcap;
	uint8_t			*buf;		/* all values of the line */
	size_t			 buflen, bufcap;
	bool			 bad;		/* a lexical error reported */
};

struct lexer {
	const uint8_t	*cur, *end;
	unsigned	 lineno;
};

void	lex_init(struct lexer *, const char *data, size_t len);
/* 1: a line (maybe empty), 0: end of input, -1: out of memory. */
int	lex_next(struct lexer *, struct lex_line *, struct diags *);
void	lex_line_free(struct lex_line *);

#endif
