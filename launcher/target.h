/*
 * Can the shim protect a program at all?  See common/image.h: a service
 * whose program the shim cannot enter would run with no gate, so capwrap
 * refuses it rather than run it unprotected.
 */
#ifndef CAPWRAP_TARGET_H
#define CAPWRAP_TARGET_H

#include <stddef.h>

/*
 * 0 if path can carry the shim; TARGET_SUPERVISED if it cannot but runs
 * supervised through seccomp (a static or Go program, on a kernel with
 * user notification: see unotify/unotify.h), with why it cannot in why;
 * -1 with a sentence in why otherwise.
 */
#define TARGET_SUPERVISED 1
int target_check(const char *path, char *why, size_t size);

/*
 * The supervisor's path (capwrap-unotify beside capwrap in a build tree,
 * else where `make install` put it), or NULL if it is not there or the
 * kernel cannot supervise.
 */
const char *target_supervisor(void);

#endif
