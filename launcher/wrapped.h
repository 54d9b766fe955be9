/*
 * capwrap check: a warning for a service whose exec is a wrapper (env,
 * nice, sh -c ...) of a program the shim will refuse at run time.
 */
#ifndef CAPWRAP_WRAPPED_H
#define CAPWRAP_WRAPPED_H

#include "policy.h"

void warn_wrapped(const struct policy *, const struct policy_service *);

#endif
