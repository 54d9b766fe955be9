/*
 * Writing audit records: the JSON Lines file, syslog, and a human line on
 * capwrap's stderr.  Nothing here waits: the file is a regular file opened
 * O_NONBLOCK, stderr goes through sink.h, and a record the file cannot
 * take (a full disk) is counted and told in a "lost" record later.
 */
#ifndef CAPWRAP_AUDITREC_H
#define CAPWRAP_AUDITREC_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include "auditwrite.h"
#include "procfacts.h"

int auditrec_open(const char *path, char *why, size_t whylen);
void auditrec_syslog(void);
void auditrec_close(void);
/* count 0: one refusal now; count N: N repeats since `since`. */
void auditrec_deny(const struct audit_event *, const struct procfacts *,
    uint64_t count, const char *since);
/* count refusals at service's gate not written one by one since `since`. */
void auditrec_suppressed(const char *service, const char *gate, uint64_t count,
    const char *since, uint64_t total);
/*
 * A process of service listens on the filesystem socket path, which no
 * gate covers: an "unprotected" record and a line on stderr.
 */
void auditrec_unprotected(const char *service, const char *path, pid_t pid);

#endif
