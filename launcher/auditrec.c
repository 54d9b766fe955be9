#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "absname.h"
#include "auditfile.h"
#include "auditrec.h"
#include "policy.h"
#include "sink.h"
#include "termsafe.h"

static int audit_fd = -1;
static const char *audit_path;
static bool to_syslog;
static uint64_t lost; /* records the file did not take */
static int lost_errno;

/* A record being built; the values are escaped, so it stays JSON. */
struct record {
	char buf[16384];
	size_t at;
};

int
auditrec_open(const char *path, char *why, size_t whylen)
{
	if (path == NULL)
		return 0;
	if ((audit_fd = auditfile_open(path, why, whylen)) < 0)
		return -1;
	audit_path = path;
	return 0;
}

void
auditrec_syslog(void)
{
	openlog("capwrap", LOG_PID, LOG_AUTHPRIV);
	to_syslog = true;
}

size_t
audit_json_escape(char *out, size_t size, const char *in, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		char esc[8];
		size_t n;

		if (c == '"' || c == '\\')
			n = (size_t)snprintf(esc, sizeof(esc), "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			n = (size_t)snprintf(esc, sizeof(esc), "\\u%04x", c);
		else
			n = (size_t)snprintf(esc, sizeof(esc), "%c", c);
		if (o + n >= size)
			break;
		memcpy(out + o, esc, n);
		o += n;
	}
	if (size > 0)
		out[o < size ? o : size - 1] = '\0';
	return o;
}

static void
put_string(struct record *r, const char *key, const char *value)
{
	char esc[2048];

	audit_json_escape(esc, sizeof(esc), value, strlen(value));
	if (r->at < sizeof(r->buf))
		r->at += (size_t)snprintf(r->buf + r->at,
		    sizeof(r->buf) - r->at, "%s\"%s\":\"%s\"",
		    r->at == 0 ? "{" : ",", key, esc);
}

static void
put_number(struct record *r, const char *key, long long v)
{
	if (r->at < sizeof(r->buf))
		r->at += (size_t)snprintf(r->buf + r->at,
		    sizeof(r->buf) - r->at, ",\"%s\":%lld", key, v);
}

static void
put_true(struct record *r, const char *key)
{
	if (r->at < sizeof(r->buf))
		r->at += (size_t)snprintf(r->buf + r->at,
		    sizeof(r->buf) - r->at, ",\"%s\":true", key);
}

static void
begin(struct record *r, const char *event)
{
	char when[40];

	procfacts_time(when, sizeof(when));
	r->at = 0;
	put_string(r, "time", when);
	put_string(r, "event", event);
}

/* Close the object and its line, cutting the record if it must. */
static void
end(struct record *r)
{
	if (r->at > sizeof(r->buf) - 2)
		r->at = sizeof(r->buf) - 2;
	r->buf[r->at++] = '}';
	r->buf[r->at++] = '\n';
}

/* A full disk loses records; never a retry that waits. */
static bool
append(const char *line, size_t len)
{
	ssize_t w;

	do
		w = write(audit_fd, line, len);
	while (w < 0 && errno == EINTR);
	if (w == (ssize_t)len)
		return true;
	if (w > 0) {
		/* The record is cut: end its line, as far as the disk lets it.
		 */
		ssize_t ended = write(audit_fd, "\n", 1);

		(void)ended;
	}
	lost_errno = w < 0 ? errno : ENOSPC;
	return false;
}

static void
tell_lost(void)
{
	struct record r;

	begin(&r, "lost");
	put_number(&r, "count", (long long)lost);
	put_string(&r, "error", strerror(lost_errno));
	end(&r);
	if (append(r.buf, r.at))
		lost = 0;
}

static void
finish(struct record *r)
{
	end(r);
	if (audit_fd >= 0) {
		if (lost > 0)
			tell_lost();
		/* One write per record: O_APPEND keeps records whole. */
		if ((lost > 0 || !append(r->buf, r->at)) && lost++ == 0)
			sink_printf(STDERR_FILENO,
			    "capwrap: unable to write "
			    "audit record to %s: %s; counting the records lost\n",
			    audit_path, strerror(lost_errno));
	}
	if (to_syslog)
		syslog(LOG_NOTICE, "%.*s", (int)r->at - 1, r->buf);
}

/* "\0{107}": the longest padding note. */
#define PADDING_TEXT_MAX 8

/*
 * A socket's name as records and messages print it: a padded name
 * (node, haproxy) as "@name\0{94}", never 94 "\x00"s.  No byte of a name
 * renders as a backslash, so the note cannot be a name's own bytes.
 */
static const char *
name_text(const uint8_t *name, size_t len,
    char out[POLICY_NAME_TEXT_MAX + PADDING_TEXT_MAX])
{
	size_t named = absname_len(name, len), at;

	policy_name_text(name, named, out);
	at = strlen(out);
	if (named < len)
		snprintf(out + at, POLICY_NAME_TEXT_MAX + PADDING_TEXT_MAX - at,
		    "\\0{%zu}", len - named);
	return out;
}

void
auditrec_deny(const struct audit_event *ev, const struct procfacts *f,
    uint64_t count, const char *since)
{
	char text[POLICY_NAME_TEXT_MAX + PADDING_TEXT_MAX];
	char path[AUDIT_PATH_MAX + 1];
	const char *name = path;
	struct record r;

	if (ev->name_is_path)
		snprintf(path, sizeof(path), "%.*s", (int)ev->name_len,
		    (const char *)ev->name);
	else
		name = name_text(ev->name, ev->name_len, text);
	begin(&r, "deny");
	put_string(&r, "gate", ev->gate);
	put_string(&r, "service", ev->service);
	put_string(&r, "name", name);
	put_number(&r, "pid", ev->pid);
	if (ev->peer_pid > 0)
		put_number(&r, "peer_pid", ev->peer_pid);
	if (ev->peer_uid >= 0)
		put_number(&r, "peer_uid", ev->peer_uid);
	if (f->exe[0] != '\0')
		put_string(&r, "peer_exe", f->exe);
	if (f->cmdline[0] != '\0')
		put_string(&r, "peer_cmdline", f->cmdline);
	else if (f->cmdline_late && ev->peer_pid > 0)
		put_true(&r, "peer_cmdline_unavailable");
	put_string(&r, "facts_at", f->at);
	put_string(&r, "reason", ev->reason);
	if (count > 0) {
		put_number(&r, "count", (long long)count);
		put_string(&r, "since", since);
	}
	finish(&r);
	if (count > 0)
		sink_printf(STDERR_FILENO,
		    "capwrap: %s: denied %s %s (pid %d, "
		    "peer pid %d) %llu more times since %s: %s\n",
		    ev->service, ev->gate, name, (int)ev->pid,
		    (int)ev->peer_pid, (unsigned long long)count, since,
		    ev->reason);
	else if (ev->peer_pid > 0)
		sink_printf(STDERR_FILENO,
		    "capwrap: %s: denied %s %s (pid %d, "
		    "peer pid %d): %s\n",
		    ev->service, ev->gate, name, (int)ev->pid,
		    (int)ev->peer_pid, ev->reason);
	else
		sink_printf(STDERR_FILENO,
		    "capwrap: %s: denied %s %s (pid %d): "
		    "%s\n",
		    ev->service, ev->gate, name, (int)ev->pid, ev->reason);
}

void
auditrec_suppressed(const char *service, const char *gate, uint64_t count,
    const char *since, uint64_t total)
{
	struct record r;

	begin(&r, "suppressed");
	put_string(&r, "gate", gate);
	put_string(&r, "service", service);
	put_number(&r, "count", (long long)count);
	put_string(&r, "since", since);
	put_number(&r, "total", (long long)total);
	finish(&r);
	sink_printf(STDERR_FILENO,
	    "capwrap: %s: %llu more refusals at the %s "
	    "gate since %s, over the audit rate, counted but not recorded one "
	    "by one (%llu refusals there in all)\n",
	    service, (unsigned long long)count, gate, since,
	    (unsigned long long)total);
}

void
auditrec_close(void)
{
	if (audit_fd >= 0 && lost > 0) {
		tell_lost();
		if (lost > 0)
			sink_printf(STDERR_FILENO,
			    "capwrap: %llu audit records "
			    "lost: %s\n",
			    (unsigned long long)lost, strerror(lost_errno));
	}
	if (audit_fd >= 0)
		close(audit_fd);
	audit_fd = -1;
	if (to_syslog)
		closelog();
	to_syslog = false;
}

void
auditrec_unprotected(const char *service, const char *path, pid_t pid)
{
	char shown[AUDIT_PATH_MAX * 4 + 1];
	struct record r;

	begin(&r, "unprotected");
	put_string(&r, "service", service);
	put_string(&r, "path", path);
	put_number(&r, "pid", pid);
	put_string(&r, "reason",
	    "listens on a filesystem socket, which capwrap does not protect");
	finish(&r);
	/* The path is the service's choice: no escape reaches the terminal. */
	termsafe_escape(shown, sizeof(shown), path,
	    strnlen(path, AUDIT_PATH_MAX));
	sink_printf(STDERR_FILENO,
	    "capwrap: %s listens on filesystem socket %s, which capwrap does "
	    "not protect\n",
	    service, shown);
}
