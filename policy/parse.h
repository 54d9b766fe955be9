/*
 * The parser's working state: the policy being built plus what only the
 * checks need (positions, what was seen where).  parse.c reads the file
 * line by line and owns this state; the directives (directive.c) fill it
 * and the checks of the whole file (validate.c) judge it.  Neither of
 * those two calls back into parse.c: everything they share with it is
 * here or in the leaf, diag.h.
 */
#ifndef CAPWRAP_POLICY_PARSE_H
#define CAPWRAP_POLICY_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "diag.h"

/* Where a name was written, and in which order names appeared. */
struct name_pos {
	unsigned line, col;
	size_t seq;
};

/* A `dials` word, resolved to a service index only once the file is read. */
struct dial_ref {
	uint8_t *word; /* NUL-terminated */
	size_t len;
	unsigned line, col;
};

struct svc_state {
	unsigned line, col; /* of the `service` keyword */
	unsigned name_line, name_col;
	bool name_ok;	    /* a valid service name */
	bool broken;	    /* too malformed to judge */
	unsigned exec_line; /* 0: not seen */
	unsigned restart_line;
	unsigned unprotected_line;
	unsigned allow_io_uring_line;
	struct name_pos *provides_at; /* parallel to provides */
	size_t provides_cap;
	struct dial_ref *dials;
	size_t ndials, dials_cap;
};

struct parser {
	struct policy *pol;
	const char *filename;  /* as given; may be NULL */
	struct svc_state *svc; /* parallel to pol->services */
	size_t svc_cap;
	struct name_pos *external_at; /* parallel to pol->externals */
	size_t external_cap;
	struct diags *dg;
	size_t seq;
	bool in_block;
	bool brace_pending; /* `{` missing from `service` */
	unsigned audit_line, syslog_line;
	/* A service name could not be read: "unknown service" is unsure. */
	bool names_unsure;
	bool nomem;
};

/* "service 'web'", or where the service is when it has no usable name. */
static inline const char *
service_label(const struct parser *p, size_t idx, char *buf, size_t bufsz)
{
	return diag_service_label(buf, bufsz, p->pol->services[idx].name,
	    p->svc[idx].line);
}

/* The label of the block being read, for messages about its lines. */
#define LABEL_BUF (QUOTE_BUF + 32)
#define CUR_LABEL(p, buf) \
	service_label((p), (p)->pol->nservices - 1, (buf), sizeof(buf))

#endif
