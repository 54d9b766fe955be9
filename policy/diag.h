/*
 * Diagnostics are collected while the policy is read and handed to the
 * caller's report function only at the end, sorted by position: the checks
 * that need the whole file (unknown dial targets, names provided twice)
 * run last, yet their messages belong among the others, in file order.
 */
#ifndef CAPWRAP_POLICY_DIAG_H
#define CAPWRAP_POLICY_DIAG_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"

struct diag_entry {
	unsigned	 line, col;
	size_t		 seq;		/* keeps equal positions in order */
	size_t		 off;		/* of the message in diags.text */
};

struct diags {
	struct diag_entry	*v;
	size_t			 n, cap;
	char			*text;
	size_t			 textlen, textcap;
	size_t			 count;		/* also those lost to ENOMEM */
	bool			 nomem;
};

void	diag_add(struct diags *, unsigned line, unsigned col,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void	diag_nomem(struct diags *);
/* Reports every diagnostic in position order, frees them, returns count. */
size_t	diag_flush(struct diags *, const char *file, policy_report_fn *,
	    void *ctx);

#endif
