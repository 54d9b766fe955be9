/*
 * The audit's global rate: however many processes are refused, and however
 * many kinds of refusal they make, the file grows by at most AUDIT_RATE
 * records a second (after a burst of AUDIT_BURST), plus one "suppressed"
 * record per service and gate a window.  Every refusal is still counted:
 * those that find no token are told, with the running total, in the
 * "suppressed" records.
 */
#ifndef CAPWRAP_AUDITRATE_H
#define CAPWRAP_AUDITRATE_H

#include <stdbool.h>
#include <stdint.h>

/* Count one refusal at service's gate (the totals). */
void auditrate_count(const char *service, const char *gate);
/* Spend a token for one record; false if there is none now. */
bool auditrate_take(int64_t now_ms);
/* n refusals at service's gate will not be written one by one. */
void auditrate_suppress(const char *service, const char *gate, uint64_t n,
    int64_t now_ms);
/* Write the suppressed records that are due; the next deadline or -1. */
int64_t auditrate_expire(int64_t now_ms);
/* Write every pending suppressed record now, and forget them (at exit). */
void auditrate_flush(void);

#endif
