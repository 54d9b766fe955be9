/*
 * Can the shim protect a program at all?  The dynamic loader ignores
 * LD_PRELOAD for a static executable and drops it for a setuid, setgid
 * or file-capability one (secure execution), so such a service would run
 * with no gate.  capwrap refuses it rather than run it unprotected.
 */
#ifndef CAPWRAP_TARGET_H
#define CAPWRAP_TARGET_H

#include <stddef.h>

/* 0 if path can carry the shim; -1 with a sentence in why otherwise. */
int target_check(const char *path, char *why, size_t size);

#endif
