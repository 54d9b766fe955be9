/*
 * Can the shim protect a program at all?  See common/image.h: a service
 * whose program the shim cannot enter would run with no gate, so capwrap
 * refuses it rather than run it unprotected.
 */
#ifndef CAPWRAP_TARGET_H
#define CAPWRAP_TARGET_H

#include <stddef.h>

/* 0 if path can carry the shim; -1 with a sentence in why otherwise. */
int target_check(const char *path, char *why, size_t size);

#endif
