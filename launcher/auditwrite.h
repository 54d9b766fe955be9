/*
 * The audit trail: one JSON Lines record per refusal, written by the
 * launcher alone, plus a short human line on capwrap's stderr.  Written
 * by auditwrite.c (with auditrate.c and auditrec.c); read back by
 * auditread.c.
 */
#ifndef CAPWRAP_AUDITWRITE_H
#define CAPWRAP_AUDITWRITE_H

#include <sys/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Repeats of one refusal within this many milliseconds make one record. */
#define AUDIT_WINDOW_MS 1000
/* Kinds of refusal counted at once; beyond, the oldest is written out. */
#define AUDIT_REPEAT_KEYS 256
/*
 * Records a second, all attackers together, after a first burst: beyond,
 * refusals are counted in a "suppressed" record per service and gate, one
 * a window at most.
 */
#define AUDIT_RATE 20
#define AUDIT_BURST 100

struct audit_event {
	const char *gate;    /* "bind", "connect", "accept" or "exec" */
	const char *service; /* the wrapped service whose gate refused */
	const uint8_t *name; /* abstract name, without the leading NUL */
	size_t name_len;
	bool name_is_path;  /* gate "exec": name is the image's path */
	pid_t pid;	    /* the wrapped process */
	pid_t peer_pid;	    /* the other side; 0 if none or unknown */
	long long peer_uid; /* -1 if unknown */
	const char *reason; /* a sentence */
};

/* The longest image path a record shows; longer ones are cut. */
#define AUDIT_PATH_MAX 1024

/*
 * Open the JSON Lines file by the rules of auditfile.h; path NULL: stderr
 * only.  -1 with why set if refused.
 */
int audit_open(const char *path, char *why, size_t whylen);
/*
 * Close the file and open path (NULL: none) by the same rules: a reload,
 * after log rotation moved the old file away.  Pending summaries go to
 * the old file first.  -1 with why set if refused: records then go to
 * stderr (and syslog) only.
 */
int audit_reopen(const char *path, bool to_syslog, char *why, size_t whylen);
void audit_enable_syslog(void);
void audit_close(void);
/*
 * Record a refusal.  The first of a kind (same gate, service, name, pid,
 * peer and reason) is written at once, with the peer's facts read now;
 * its repeats within AUDIT_WINDOW_MS are counted and written as one
 * record with "count" when the window closes.  Every record spends a
 * token of a bucket of AUDIT_RATE a second (AUDIT_BURST at most): without
 * one, the refusals are added to the "suppressed" count of their service
 * and gate instead, written once a window.  No refusal goes uncounted.
 */
void audit_deny(const struct audit_event *);
/* Write the summaries whose window is over; the next deadline or -1. */
int64_t audit_expire(int64_t now_ms);
/* Write every pending summary now (audit_close does it too). */
void audit_flush(void);

/* Exposed for the unit tests: JSON string body of a byte string, escaped. */
size_t audit_json_escape(char *out, size_t size, const char *in, size_t len);

#endif
