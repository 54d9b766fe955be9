/*
 * The collector behind diag.h.  Messages live in one growing text buffer
 * rather than one allocation each: a binary file given by mistake yields an
 * error on nearly every line, and that must stay cheap.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

/* Long enough for every message format with its quoted words. */
#define DIAG_MESSAGE_MAX	1024

void
diag_nomem(struct diags *dg)
{
	dg->nomem = true;
}

void
diag_add(struct diags *dg, unsigned line, unsigned col, const char *fmt, ...)
{
	char		 msg[DIAG_MESSAGE_MAX];
	va_list		 ap;
	size_t		 len;
	int		 r;

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

	if (dg->n == dg->cap) {
		size_t			 ncap = dg->cap ? dg->cap * 2 : 16;
		struct diag_entry	*nv;

		if ((nv = reallocarray(dg->v, ncap, sizeof(*nv))) == NULL) {
			dg->nomem = true;
			return;
		}
		dg->v = nv;
		dg->cap = ncap;
	}
	if (dg->textcap - dg->textlen < len) {
		size_t	 ncap = dg->textcap ? dg->textcap : 1024;
		char	*nt;

		while (ncap - dg->textlen < len)
			ncap *= 2;
		if ((nt = realloc(dg->text, ncap)) == NULL) {
			dg->nomem = true;
			return;
		}
		dg->text = nt;
		dg->textcap = ncap;
	}
	memcpy(dg->text + dg->textlen, msg, len);
	dg->v[dg->n].line = line;
	dg->v[dg->n].col = col;
	dg->v[dg->n].seq = dg->n;
	dg->v[dg->n].off = dg->textlen;
	dg->textlen += len;
	dg->n++;
}

static int
diag_cmp(const void *a, const void *b)
{
	const struct diag_entry	*x = a, *y = b;

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
	struct policy_diag	 d;
	size_t			 i, count;

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
