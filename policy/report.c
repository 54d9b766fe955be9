/*
 * The report callback most callers want: one "FILE:LINE:COL: MESSAGE" line
 * per diagnostic, the form editors and compilers use, so a policy error can
 * be jumped to like a compiler error.
 */
#include <stdio.h>

#include "policy.h"

void
policy_report_to_stream(void *ctx, const struct policy_diag *diag)
{
	FILE *fp = ctx != NULL ? ctx : stderr;

	fprintf(fp, "%s:%u:%u: %s\n", diag->file, diag->line, diag->col,
	    diag->message);
}
