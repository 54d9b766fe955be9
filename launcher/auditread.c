#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auditread.h"

/* capwrap writes records of at most 8 KiB; anything far longer is noise. */
#define AUDITLOG_LINE_MAX (256 * 1024)

void
auditlog_init(struct auditlog_reader *r, const char *path, auditlog_fn *fn,
    void *ctx)
{
	memset(r, 0, sizeof(*r));
	r->path = path;
	r->fn = fn;
	r->ctx = ctx;
}

void
auditlog_free(struct auditlog_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->len = r->size = 0;
}

void
auditlog_reset(struct auditlog_reader *r)
{
	r->len = 0;
	r->skipping = false;
}

static void
bad_line(struct auditlog_reader *r, size_t col, const char *why)
{
	fprintf(stderr, "capwrap: %s:%zu:%zu: %s; line skipped\n", r->path,
	    r->line, col, why);
	r->nbad++;
}

static int
want_string(const struct jsonl_object *o, const char *key, bool required,
    const char **out, char *err, size_t errlen)
{
	const struct jsonl_field *f = jsonl_get(o, key);

	*out = NULL;
	if (f == NULL) {
		if (required)
			snprintf(err, errlen, "record has no \"%s\"", key);
		return required ? -1 : 0;
	}
	if (f->type != JSONL_STRING) {
		snprintf(err, errlen, "\"%s\" is not a string", key);
		return -1;
	}
	*out = f->str;
	return 0;
}

static int
want_number(const struct jsonl_object *o, const char *key, long long min,
    long long *out, char *err, size_t errlen)
{
	const struct jsonl_field *f = jsonl_get(o, key);

	*out = -1;
	if (f == NULL)
		return 0;
	if (f->type != JSONL_NUMBER || f->num < min) {
		snprintf(err, errlen, "\"%s\" is not a number of at least %lld",
		    key, min);
		return -1;
	}
	*out = f->num;
	return 0;
}

static int
to_record(const struct jsonl_object *o, struct audit_record *rec, char *err,
    size_t errlen)
{
	bool deny, counted, unprotected;

	if (want_string(o, "time", true, &rec->time, err, errlen) != 0 ||
	    want_string(o, "event", true, &rec->event, err, errlen) != 0)
		return -1;
	/* "suppressed" has no name; "lost" (the file's own loss) no gate. */
	deny = strcmp(rec->event, "deny") == 0;
	counted = deny || strcmp(rec->event, "suppressed") == 0;
	/* "unprotected": a service and the path it listens on, no gate. */
	unprotected = strcmp(rec->event, "unprotected") == 0;
	if (want_string(o, "gate", counted, &rec->gate, err, errlen) != 0 ||
	    want_string(o, "service", counted || unprotected, &rec->service,
		err, errlen) != 0 ||
	    want_string(o, "path", unprotected, &rec->path, err, errlen) != 0 ||
	    want_string(o, "name", deny, &rec->name, err, errlen) != 0 ||
	    want_string(o, "peer_exe", false, &rec->peer_exe, err, errlen) !=
		0 ||
	    want_string(o, "peer_cmdline", false, &rec->peer_cmdline, err,
		errlen) != 0 ||
	    want_string(o, "reason", false, &rec->reason, err, errlen) != 0 ||
	    want_number(o, "pid", 0, &rec->pid, err, errlen) != 0 ||
	    want_number(o, "peer_pid", 0, &rec->peer_pid, err, errlen) != 0 ||
	    want_number(o, "peer_uid", 0, &rec->peer_uid, err, errlen) != 0 ||
	    want_number(o, "count", 1, &rec->count, err, errlen) != 0)
		return -1;
	/* Aggregated records say how many refusals they stand for. */
	if (rec->count < 0)
		rec->count = 1;
	return 0;
}

static void
one_line(struct auditlog_reader *r, const char *line, size_t len)
{
	struct jsonl_object o;
	struct audit_record rec;
	char err[160];
	size_t col;

	r->line++;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0)
		return; /* blank lines are no records, nor errors */
	if (jsonl_parse(line, len, &o, err, sizeof(err), &col) != 0) {
		bad_line(r, col, err);
	} else if (to_record(&o, &rec, err, sizeof(err)) != 0) {
		bad_line(r, 1, err);
	} else {
		rec.line = r->line;
		r->nrecords++;
		r->fn(r->ctx, &rec);
	}
	jsonl_free(&o);
}

static void
take_lines(struct auditlog_reader *r, bool final)
{
	size_t start = 0;
	char *nl;

	while ((nl = memchr(r->buf + start, '\n', r->len - start)) != NULL) {
		size_t end = (size_t)(nl - r->buf);

		if (r->skipping) {
			r->skipping = false;
			r->line++;
		} else
			one_line(r, r->buf + start, end - start);
		start = end + 1;
	}
	memmove(r->buf, r->buf + start, r->len - start);
	r->len -= start;
	if (r->len >= AUDITLOG_LINE_MAX && !r->skipping) {
		r->line++;
		bad_line(r, 1, "line longer than 256 KiB");
		r->line--; /* counted again when its newline comes */
		r->skipping = true;
	}
	if (r->skipping)
		r->len = 0;
	if (final && r->len > 0) {
		one_line(r, r->buf, r->len);
		r->len = 0;
	}
}

void
auditlog_finish(struct auditlog_reader *r)
{
	take_lines(r, true);
}

int
auditlog_feed(struct auditlog_reader *r, int fd, bool final)
{
	for (;;) {
		ssize_t n;

		if (r->size - r->len < 65536) {
			char *nb = realloc(r->buf, r->size + 65536);

			if (nb == NULL)
				return -1;
			r->buf = nb;
			r->size += 65536;
		}
		n = read(fd, r->buf + r->len, r->size - r->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		r->len += (size_t)n;
		take_lines(r, false);
	}
	take_lines(r, final);
	return 0;
}
