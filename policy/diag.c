/*
 * The leaf behind diag.h: the text of tokens and names as messages and
 * logs show them, and the collector of diagnostics.
 *
 * Abstract names may hold any byte, NUL and terminal escapes included, yet
 * they end up in log lines, JSON strings and diagnostics.  One rendering is
 * used for all of them: printable ASCII as is, everything else as \xHH.
 * '\\' and '"' are escaped too, so the text is a valid JSON string body
 * and can be read back unambiguously.
 *
 * Messages live in one growing text buffer rather than one allocation
 * each: a binary file given by mistake yields an error on nearly every
 * line, and that must stay cheap.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

/* Long enough for every message format with its quoted words. */
#define DIAG_MESSAGE_MAX 1024

static const char hexdigits[] = "0123456789abcdef";

/* Writes at most 4 * len bytes and no terminator; returns the count. */
static size_t
escape_bytes(char *out, const uint8_t *bytes, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		uint8_t c = bytes[i];

		if (c >= 0x20 && c <= 0x7e && c != '\\' && c != '"') {
			out[o++] = (char)c;
			continue;
		}
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = hexdigits[c >> 4];
		out[o++] = hexdigits[c & 0xf];
	}
	return o;
}

char *
policy_name_text(const uint8_t *name, size_t len,
    char out[POLICY_NAME_TEXT_MAX])
{
	size_t o;

	/* The buffer is sized for a valid name; never write past it. */
	if (len > POLICY_NAME_MAX)
		len = POLICY_NAME_MAX;
	out[0] = '@';
	o = 1 + escape_bytes(out + 1, name, len);
	out[o] = '\0';
	return out;
}

char *
quote_bytes(char out[QUOTE_BUF], const uint8_t *bytes, size_t len)
{
	size_t o;

	if (len <= QUOTE_MAX) {
		o = escape_bytes(out, bytes, len);
	} else {
		o = escape_bytes(out, bytes, QUOTE_MAX);
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

bool
is_word(const struct lex_token *t, const char *kw)
{
	size_t len = strlen(kw);

	return t->kind == LEX_WORD && !t->bad && t->len == len &&
	    memcmp(t->bytes, kw, len) == 0;
}

const char *
tok_text(const struct lex_token *t, char buf[QUOTE_BUF])
{
	if (t->kind == LEX_OPEN)
		return "{";
	if (t->kind == LEX_CLOSE)
		return "}";
	return quote_bytes(buf, t->bytes, t->len);
}

const char *
diag_service_label(char *buf, size_t bufsz, const char *name, unsigned line)
{
	char q[QUOTE_BUF];

	if (name != NULL)
		snprintf(buf, bufsz, "service '%s'",
		    quote_bytes(q, (const uint8_t *)name, strlen(name)));
	else
		snprintf(buf, bufsz, "the service at line %u", line);
	return buf;
}

void
diag_nomem(struct diags *dg)
{
	dg->nomem = true;
}

/* Room for one more entry; false (and nomem set) if there is none. */
static bool
grow_entries(struct diags *dg)
{
	size_t ncap;
	struct diag_entry *nv;

	if (dg->n < dg->cap)
		return true;
	ncap = dg->cap ? dg->cap * 2 : 16;
	if ((nv = reallocarray(dg->v, ncap, sizeof(*nv))) == NULL) {
		dg->nomem = true;
		return false;
	}
	dg->v = nv;
	dg->cap = ncap;
	return true;
}

/* Room for len more bytes of text; false (and nomem set) if there is none. */
static bool
grow_text(struct diags *dg, size_t len)
{
	size_t ncap;
	char *nt;

	if (dg->textcap - dg->textlen >= len)
		return true;
	ncap = dg->textcap ? dg->textcap : 1024;
	while (ncap - dg->textlen < len)
		ncap *= 2;
	if ((nt = realloc(dg->text, ncap)) == NULL) {
		dg->nomem = true;
		return false;
	}
	dg->text = nt;
	dg->textcap = ncap;
	return true;
}

void
diag_add(struct diags *dg, unsigned line, unsigned col, const char *fmt, ...)
{
	char msg[DIAG_MESSAGE_MAX];
	va_list ap;
	size_t len;
	int r;

	dg->count++;
	va_start(ap, fmt);
	r = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r < 0) {
		dg->nomem = true;
		return;
	}
	/* A truncated message is still the right message, only shorter. */
	len = strlen(msg) + 1;
	if (!grow_entries(dg) || !grow_text(dg, len))
		return;
	memcpy(dg->text + dg->textlen, msg, len);
	dg->v[dg->n].line = line;
	dg->v[dg->n].col = col;
	dg->v[dg->n].seq = dg->n;
	dg->v[dg->n].off = dg->textlen;
	dg->textlen += len;
	dg->n++;
}

void
diag_unexpected(struct diags *dg, unsigned line, const struct lex_token *t,
    const char *after)
{
	char q[QUOTE_BUF];

	diag_add(dg, line, t->col, "unexpected '%s' after %s", tok_text(t, q),
	    after);
}

static int
diag_cmp(const void *a, const void *b)
{
	const struct diag_entry *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return 0;
}

size_t
diag_flush(struct diags *dg, const char *file, policy_report_fn *report,
    void *ctx)
{
	struct policy_diag d;
	size_t i, count;

	if (dg->nomem)
		dg->count++;
	count = dg->count;
	if (dg->n > 0)
		qsort(dg->v, dg->n, sizeof(*dg->v), diag_cmp);
	d.file = file;
	for (i = 0; report != NULL && i < dg->n; i++) {
		d.line = dg->v[i].line;
		d.col = dg->v[i].col;
		d.message = dg->text + dg->v[i].off;
		report(ctx, &d);
	}
	/* Some diagnostics may be missing: say so rather than look clean. */
	if (dg->nomem && report != NULL) {
		d.line = d.col = 0;
		d.message = "out of memory";
		report(ctx, &d);
	}
	free(dg->v);
	free(dg->text);
	memset(dg, 0, sizeof(*dg));
	return count;
}
