/*
 * Words are shell-like without a shell: bare segments and double-quoted
 * segments glued together, no expansion of any kind.  Inside quotes only
 * \", \\ and \xHH exist; every other escape is an error rather than a
 * guess, because a policy that means something else than it says is worse
 * than one that does not load.
 *
 * Only the first lexical error of a line is reported (the rest of the line
 * is suspect), but the line is still cut into tokens so that the parser
 * keeps track of the braces and stays in step with the file.
 */
#include <stdlib.h>
#include <string.h>

#include "lex.h"

static bool
is_blank(uint8_t c)
{
	/* \r too, so that a file with CRLF line ends reads the same. */
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int
hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void
lex_init(struct lexer *lx, const char *data, size_t len)
{
	lx->cur = (const uint8_t *)data;
	lx->end = lx->cur + len;
	lx->lineno = 0;
}

void
lex_line_free(struct lex_line *ln)
{
	free(ln->tok);
	free(ln->buf);
	memset(ln, 0, sizeof(*ln));
}

static void
lex_error(struct lex_line *ln, struct diags *dg, unsigned col, const char *msg)
{
	if (!ln->bad)
		diag_add(dg, ln->lineno, col, "%s", msg);
	ln->bad = true;
}

static int
put_byte(struct lex_line *ln, uint8_t c)
{
	if (ln->buflen == ln->bufcap) {
		size_t ncap = ln->bufcap ? ln->bufcap * 2 : 256;
		uint8_t *nb;

		if ((nb = realloc(ln->buf, ncap)) == NULL)
			return -1;
		ln->buf = nb;
		ln->bufcap = ncap;
	}
	ln->buf[ln->buflen++] = c;
	return 0;
}

static struct lex_token *
new_token(struct lex_line *ln, enum lex_kind kind, unsigned col)
{
	struct lex_token *t;

	if (ln->ntok == ln->tokcap) {
		struct lex_token *nt;
		size_t ncap;

		ncap = ln->tokcap ? ln->tokcap * 2 : 16;

		if ((nt = reallocarray(ln->tok, ncap, sizeof(*nt))) == NULL)
			return NULL;
		ln->tok = nt;
		ln->tokcap = ncap;
	}
	t = &ln->tok[ln->ntok++];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->col = col;
	t->endcol = col + 1;
	t->off = ln->buflen;
	return t;
}

/*
 * A quoted segment starting at *pp (the quote); stops after the closing
 * quote, or at the end of the line when there is none.
 */
static int
lex_quoted(struct lex_line *ln, struct lex_token *t, const uint8_t **pp,
    const uint8_t *s, const uint8_t *e, struct diags *dg)
{
	const uint8_t *q = *pp, *p = *pp + 1;
	int hi, lo;

	for (;;) {
		if (p == e || (*p == '\\' && p + 1 == e)) {
			lex_error(ln, dg, (unsigned)(q - s) + 1,
			    "unterminated quote");
			t->bad = true;
			*pp = e;
			return 0;
		}
		if (*p == '"') {
			*pp = p + 1;
			return 0;
		}
		if (*p != '\\') {
			if (put_byte(ln, *p++) == -1)
				return -1;
			continue;
		}
		if (p[1] == '"' || p[1] == '\\') {
			if (put_byte(ln, p[1]) == -1)
				return -1;
			p += 2;
			continue;
		}
		if (p[1] == 'x' && e - p >= 4 && (hi = hexval(p[2])) != -1 &&
		    (lo = hexval(p[3])) != -1) {
			if (put_byte(ln, (uint8_t)(hi << 4 | lo)) == -1)
				return -1;
			p += 4;
			continue;
		}
		lex_error(ln, dg, (unsigned)(p - s) + 1,
		    p[1] == 'x' ?
			"bad escape: \\x needs two hex digits" :
			"bad escape: only \\\", \\\\ and \\xHH are allowed in "
			"quotes");
		t->bad = true;
		p += 2;
	}
}

static int
lex_word(struct lex_line *ln, const uint8_t **pp, const uint8_t *s,
    const uint8_t *e, struct diags *dg)
{
	struct lex_token *t;
	const uint8_t *p = *pp;

	if ((t = new_token(ln, LEX_WORD, (unsigned)(p - s) + 1)) == NULL)
		return -1;
	while (p < e && !is_blank(*p) && *p != '{' && *p != '}') {
		if (*p == '\0') {
			lex_error(ln, dg, (unsigned)(p - s) + 1,
			    "NUL byte in policy");
			t->bad = true;
			p++;
			break;
		}
		if (*p == '"') {
			if (lex_quoted(ln, t, &p, s, e, dg) == -1)
				return -1;
			continue;
		}
		if (put_byte(ln, *p++) == -1)
			return -1;
	}
	t->len = ln->buflen - t->off;
	t->endcol = (unsigned)(p - s) + 1;
	if (put_byte(ln, '\0') == -1)
		return -1;
	*pp = p;
	return 0;
}

/* The buffer is final once the line is cut: point the words into it. */
static void
point_tokens(struct lex_line *ln)
{
	size_t i;

	for (i = 0; i < ln->ntok; i++) {
		struct lex_token *t = &ln->tok[i];

		if (t->kind != LEX_WORD)
			continue;
		t->bytes = ln->buf + t->off;
		t->has_nul = memchr(t->bytes, '\0', t->len) != NULL;
	}
}

int
lex_next(struct lexer *lx, struct lex_line *ln, struct diags *dg)
{
	const uint8_t *s, *e, *p;

	if (lx->cur >= lx->end)
		return 0;
	s = lx->cur;
	if ((e = memchr(s, '\n', (size_t)(lx->end - s))) == NULL)
		e = lx->end;
	lx->cur = e < lx->end ? e + 1 : e;

	ln->lineno = ++lx->lineno;
	ln->ntok = 0;
	ln->buflen = 0;
	ln->bad = false;

	for (p = s; p < e;) {
		if (is_blank(*p)) {
			p++;
		} else if (*p == '\0') {
			lex_error(ln, dg, (unsigned)(p - s) + 1,
			    "NUL byte in policy");
			p++;
		} else if (*p == '#') {
			/* A comment must not hide a NUL: not a text file. */
			const uint8_t *z = memchr(p, '\0', (size_t)(e - p));

			if (z != NULL)
				lex_error(ln, dg, (unsigned)(z - s) + 1,
				    "NUL byte in policy");
			break;
		} else if (*p == '{' || *p == '}') {
			if (new_token(ln, *p == '{' ? LEX_OPEN : LEX_CLOSE,
				(unsigned)(p - s) + 1) == NULL)
				return -1;
			p++;
		} else if (lex_word(ln, &p, s, e, dg) == -1)
			return -1;
	}

	point_tokens(ln);
	return 1;
}
