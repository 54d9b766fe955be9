/*
 * Where the audit trail goes.  The launcher often runs as root and the
 * path comes from a policy, so opening it must never let someone else
 * choose what root writes to, nor stop the launcher.  The rules, stated
 * in capwrap.policy(5) under `audit`:
 *
 *  - the directory exists, is not a symbolic link, belongs to root or to
 *    the launcher's effective uid and is writable by neither its group
 *    nor others (a sticky, world-writable directory like /tmp is refused);
 *  - every directory above it belongs to root or that uid and is not
 *    writable by group or others unless sticky (links above are resolved
 *    first, so /var/run -> /run is fine);
 *  - the file is not a symbolic link; if it exists it is a regular file
 *    with one link, owned by the launcher's effective uid and writable by
 *    neither group nor others; a new file is created 0600.
 *
 * Only root and the launcher's user can change such a directory, so what
 * was checked is what is opened; the open is non-blocking all the same.
 */
#ifndef CAPWRAP_AUDITFILE_H
#define CAPWRAP_AUDITFILE_H

#include <stddef.h>

/* 0 if path may be the audit file (it need not exist); else -1, why set. */
int auditfile_check(const char *path, char *why, size_t whylen);
/* The file opened for appending (created if missing), or -1, why set. */
int auditfile_open(const char *path, char *why, size_t whylen);

#endif
