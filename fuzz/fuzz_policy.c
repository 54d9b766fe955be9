/*
 * libFuzzer target for the policy parser: any bytes at all must give
 * either a policy or diagnostics, never a crash, an out-of-bounds read or
 * a leak.  The report function formats each diagnostic as the launcher
 * would, so that the message arguments are exercised too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
format_report(void *ctx, const struct policy_diag *d)
{
	char line[2048];

	snprintf(line, sizeof(line), "%s:%u:%u: %s", d->file, d->line, d->col,
	    d->message);
}

/* Every lookup on a parsed policy, with names taken from itself. */
static void
query(const struct policy *pol)
{
	char text[POLICY_NAME_TEXT_MAX];
	size_t i, j;

	for (i = 0; i < pol->nservices; i++) {
		const struct policy_service *s = &pol->services[i];

		if (policy_find_service(pol, s->name) == NULL ||
		    policy_service_index(pol, s) != i)
			__builtin_trap();
		for (j = 0; j < s->nprovides; j++) {
			policy_name_text(s->provides[j].bytes,
			    s->provides[j].len, text);
			if (policy_provider(pol, s->provides[j].bytes,
				s->provides[j].len) != s ||
			    policy_is_external(pol, s->provides[j].bytes,
				s->provides[j].len))
				__builtin_trap();
		}
		for (j = 0; j < s->ndials; j++)
			if (s->dials[j] >= pol->nservices ||
			    !policy_service_dials(pol, s,
				&pol->services[s->dials[j]]))
				__builtin_trap();
		for (j = 0; j < s->argc; j++)
			if (s->argv[j] == NULL)
				__builtin_trap();
		if (s->argc == 0 || s->argv[s->argc] != NULL)
			__builtin_trap();
	}
	for (i = 0; i < pol->nexternals; i++)
		if (!policy_is_external(pol, pol->externals[i].bytes,
			pol->externals[i].len) ||
		    policy_provider(pol, pol->externals[i].bytes,
			pol->externals[i].len) != NULL)
			__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy *pol;
	size_t nerrors;

	pol = policy_parse_buffer((const char *)data, size, "fuzz/x.policy",
	    format_report, NULL, &nerrors);
	if ((pol == NULL) != (nerrors > 0))
		__builtin_trap();
	if (pol != NULL)
		query(pol);
	policy_free(pol);
	return 0;
}
