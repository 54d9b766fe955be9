#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "policy.h"
#include "procinfo.h"

static int audit_fd = -1;
static const char *audit_path;
static bool to_syslog;

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

void
audit_deny(const struct audit_event *ev)
{
	char line[8192], when[64], name[POLICY_NAME_TEXT_MAX];
	char exe[512] = "", cmdline[1024] = "";
	size_t at;

	rfc3339_now(when, sizeof(when));
	policy_name_text(ev->name, ev->name_len, name);
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
	if (ev->peer_pid > 0)
		fprintf(stderr, "capwrap: %s: denied %s %s (pid %d, peer pid %d): "
		    "%s\n", ev->service, ev->gate, name, (int)ev->pid,
		    (int)ev->peer_pid, ev->reason);
	else
		fprintf(stderr, "capwrap: %s: denied %s %s (pid %d): %s\n",
		    ev->service, ev->gate, name, (int)ev->pid, ev->reason);
}
