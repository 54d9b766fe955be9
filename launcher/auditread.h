/*
 * Reading capwrap's audit log (JSON Lines, see auditwrite.c) back: for
 * `capwrap audit` and `capwrap graph --audit`.  Lines that are not a
 * record are reported with their number and skipped.
 */
#ifndef CAPWRAP_AUDITREAD_H
#define CAPWRAP_AUDITREAD_H

#include <stdbool.h>
#include <stddef.h>

#include "jsonl.h"

struct audit_record {
	const char *time, *event, *gate, *service, *name;
	const char *peer_exe, *peer_cmdline, *reason; /* NULL: absent */
	const char *path; /* "unprotected": the filesystem socket's path */
	long long pid, peer_pid, peer_uid; /* -1: absent */
	long long count; /* refusals this record stands for; 1 if absent */
	size_t line;
};

typedef void auditlog_fn(void *ctx, const struct audit_record *);

struct auditlog_reader {
	const char *path;
	auditlog_fn *fn;
	void *ctx;
	char *buf;
	size_t len, size;
	size_t line;   /* lines consumed so far */
	bool skipping; /* inside an over-long line */
	size_t nrecords, nbad;
};

void auditlog_init(struct auditlog_reader *, const char *path, auditlog_fn *,
    void *ctx);
/*
 * Read what fd holds now and hand every complete line over.  At final,
 * a last line without a newline counts too.  Returns 0, or -1 on a read
 * error (errno set).
 */
int auditlog_feed(struct auditlog_reader *, int fd, bool final);
/* Hand over a last line that has no newline. */
void auditlog_finish(struct auditlog_reader *);
/* Forget a partial line (the file was truncated or replaced). */
void auditlog_reset(struct auditlog_reader *);
void auditlog_free(struct auditlog_reader *);

#endif
