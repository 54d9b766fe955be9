#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "loop.h"
#include "policy.h"
#include "procinfo.h"

static int audit_fd = -1;
static const char *audit_path;
static bool to_syslog;

static void repeat_drop_all(void);

int
audit_open(const char *path)
{
	if (path == NULL)
		return 0;
	audit_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (audit_fd < 0)
		return -1;
	audit_path = path;
	return 0;
}

void
audit_enable_syslog(void)
{
	openlog("capwrap", LOG_PID, LOG_AUTHPRIV);
	to_syslog = true;
}

void
audit_close(void)
{
	/* Every counted refusal reaches the log, also the last repeats. */
	audit_flush();
	repeat_drop_all();
	if (audit_fd >= 0)
		close(audit_fd);
	audit_fd = -1;
	if (to_syslog)
		closelog();
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

/* Append a "key":"value" pair to buf, the value JSON-escaped. */
static void
put_string(char *buf, size_t size, size_t *at, const char *key,
    const char *value)
{
	char esc[2048];

	audit_json_escape(esc, sizeof(esc), value, strlen(value));
	if (*at < size)
		*at += (size_t)snprintf(buf + *at, size - *at, ",\"%s\":\"%s\"",
		    key, esc);
}

static void
put_number(char *buf, size_t size, size_t *at, const char *key, long long v)
{
	if (*at < size)
		*at += (size_t)snprintf(buf + *at, size - *at, ",\"%s\":%lld",
		    key, v);
}

static void
rfc3339_now(char *out, size_t size)
{
	struct timespec ts;
	struct tm tm;
	char base[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, size, "%s.%06ldZ", base, ts.tv_nsec / 1000);
}

/*
 * Write one record.  count 0: a single refusal, written as it happens;
 * count N: a summary of N identical refusals since `since`.
 */
static void
write_record(const struct audit_event *ev, uint64_t count, const char *since)
{
	char line[8192], when[64], text[POLICY_NAME_TEXT_MAX];
	char exe[512] = "", cmdline[1024] = "", path[AUDIT_PATH_MAX + 1];
	const char *name = path;
	size_t at;

	rfc3339_now(when, sizeof(when));
	if (ev->name_is_path)
		snprintf(path, sizeof(path), "%.*s", (int)ev->name_len,
		    (const char *)ev->name);
	else
		name = policy_name_text(ev->name, ev->name_len, text);
	if (ev->peer_pid > 0) {
		procinfo_exe(ev->peer_pid, exe, sizeof(exe));
		procinfo_cmdline(ev->peer_pid, cmdline, sizeof(cmdline));
	}

	at = (size_t)snprintf(line, sizeof(line), "{\"time\":\"%s\"", when);
	put_string(line, sizeof(line), &at, "event", "deny");
	put_string(line, sizeof(line), &at, "gate", ev->gate);
	put_string(line, sizeof(line), &at, "service", ev->service);
	put_string(line, sizeof(line), &at, "name", name);
	put_number(line, sizeof(line), &at, "pid", ev->pid);
	if (ev->peer_pid > 0)
		put_number(line, sizeof(line), &at, "peer_pid", ev->peer_pid);
	if (ev->peer_uid >= 0)
		put_number(line, sizeof(line), &at, "peer_uid", ev->peer_uid);
	if (exe[0] != '\0')
		put_string(line, sizeof(line), &at, "peer_exe", exe);
	if (cmdline[0] != '\0')
		put_string(line, sizeof(line), &at, "peer_cmdline", cmdline);
	put_string(line, sizeof(line), &at, "reason", ev->reason);
	if (count > 0) {
		put_number(line, sizeof(line), &at, "count", (long long)count);
		put_string(line, sizeof(line), &at, "since", since);
	}
	if (at > sizeof(line) - 3)
		at = sizeof(line) - 3;
	line[at++] = '}';
	line[at++] = '\n';

	/* One write per record: O_APPEND keeps records whole and in order. */
	if (audit_fd >= 0 && write(audit_fd, line, at) != (ssize_t)at)
		fprintf(stderr, "capwrap: unable to write audit record to %s: "
		    "%s\n", audit_path, strerror(errno));
	if (to_syslog)
		syslog(LOG_NOTICE, "%.*s", (int)at - 1, line);
	if (count > 0)
		fprintf(stderr, "capwrap: %s: denied %s %s (pid %d, peer pid %d) "
		    "%llu more times since %s: %s\n", ev->service, ev->gate,
		    name, (int)ev->pid, (int)ev->peer_pid,
		    (unsigned long long)count, since, ev->reason);
	else if (ev->peer_pid > 0)
		fprintf(stderr, "capwrap: %s: denied %s %s (pid %d, peer pid %d): "
		    "%s\n", ev->service, ev->gate, name, (int)ev->pid,
		    (int)ev->peer_pid, ev->reason);
	else
		fprintf(stderr, "capwrap: %s: denied %s %s (pid %d): %s\n",
		    ev->service, ev->gate, name, (int)ev->pid, ev->reason);
}

/* --- flood control ---------------------------------------------------------
 *
 * Anyone can dial a listener as often as it likes, and every refusal is
 * a record: unchecked, an attacker could fill the disk and bury the
 * interesting lines.  So the first refusal of a key (gate, service, name,
 * wrapped pid, peer pid, peer uid, reason) is written at once, and its
 * repeats within the next AUDIT_WINDOW_MS are counted and written as one
 * summary record with "count" when the window closes (or at exit).
 * Nothing is dropped: the counts add up to every refusal made.
 */

struct repeat {
	struct audit_event	 ev;		/* points into the fields below */
	char			*gate;
	char			*service;
	char			*reason;
	uint8_t			 name[POLICY_NAME_MAX];
	uint64_t		 count;		/* repeats not written yet */
	int64_t			 window_end;	/* monotonic ms */
	char			 since[64];	/* time of the first repeat */
};

static struct repeat *repeats[AUDIT_REPEAT_KEYS];
static size_t nrepeats;

static bool
same_key(const struct audit_event *a, const struct audit_event *b)
{
	return a->pid == b->pid && a->peer_pid == b->peer_pid &&
	    a->peer_uid == b->peer_uid && a->name_len == b->name_len &&
	    memcmp(a->name, b->name, a->name_len) == 0 &&
	    strcmp(a->gate, b->gate) == 0 &&
	    strcmp(a->service, b->service) == 0 &&
	    strcmp(a->reason, b->reason) == 0;
}

static void
repeat_free(struct repeat *r)
{
	free(r->gate);
	free(r->service);
	free(r->reason);
	free(r);
}

static void
repeat_flush(struct repeat *r)
{
	if (r->count > 0)
		write_record(&r->ev, r->count, r->since);
	r->count = 0;
}

static void
repeat_drop_at(size_t i)
{
	repeat_free(repeats[i]);
	repeats[i] = repeats[--nrepeats];
}

static void
repeat_drop_all(void)
{
	while (nrepeats > 0)
		repeat_drop_at(nrepeats - 1);
}

/* Start a window for ev; a full table gives up its oldest key first. */
static void
repeat_start(const struct audit_event *ev, int64_t now)
{
	struct repeat *r;
	size_t oldest = 0;

	if (ev->name_len > sizeof(r->name))
		return;
	if (nrepeats == AUDIT_REPEAT_KEYS) {
		for (size_t i = 1; i < nrepeats; i++)
			if (repeats[i]->window_end < repeats[oldest]->window_end)
				oldest = i;
		repeat_flush(repeats[oldest]);
		repeat_drop_at(oldest);
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return;		/* no aggregation: every refusal is written */
	r->gate = strdup(ev->gate);
	r->service = strdup(ev->service);
	r->reason = strdup(ev->reason);
	if (r->gate == NULL || r->service == NULL || r->reason == NULL) {
		repeat_free(r);
		return;
	}
	memcpy(r->name, ev->name, ev->name_len);
	r->ev = *ev;
	r->ev.gate = r->gate;
	r->ev.service = r->service;
	r->ev.reason = r->reason;
	r->ev.name = r->name;
	r->window_end = now + AUDIT_WINDOW_MS;
	repeats[nrepeats++] = r;
}

void
audit_deny(const struct audit_event *ev)
{
	int64_t now = loop_now_ms();

	for (size_t i = 0; i < nrepeats; i++) {
		struct repeat *r = repeats[i];

		if (!same_key(&r->ev, ev))
			continue;
		if (now < r->window_end) {
			if (r->count++ == 0)
				rfc3339_now(r->since, sizeof(r->since));
			return;
		}
		/* The window is over but its timer has not run yet. */
		repeat_flush(r);
		repeat_drop_at(i);
		break;
	}
	write_record(ev, 0, NULL);
	repeat_start(ev, now);
}

int64_t
audit_expire(int64_t now)
{
	int64_t next = -1;

	for (size_t i = 0; i < nrepeats; ) {
		struct repeat *r = repeats[i];

		if (r->window_end <= now) {
			if (r->count == 0) {
				repeat_drop_at(i);
				continue;
			}
			/* Still flooding: summarise, and keep counting. */
			repeat_flush(r);
			r->window_end = now + AUDIT_WINDOW_MS;
		}
		if (next < 0 || r->window_end < next)
			next = r->window_end;
		i++;
	}
	return next;
}

void
audit_flush(void)
{
	for (size_t i = 0; i < nrepeats; i++)
		repeat_flush(repeats[i]);
}
