/*
 * The checks that need the whole file, run by parse.c once it is read.
 */
#ifndef CAPWRAP_POLICY_VALIDATE_H
#define CAPWRAP_POLICY_VALIDATE_H

#include "parse.h"

/* Reports what no single line shows, and fills the services' dials. */
void validate_policy(struct parser *);

#endif
