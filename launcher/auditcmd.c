/*
 * capwrap audit: what the gates refused, from the JSON Lines log, summed
 * up by service, gate and peer.  --follow keeps reading what the launcher
 * appends, one line per refusal, until interrupted.
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auditgroup.h"
#include "auditread.h"
#include "cli.h"
#include "exitcodes.h"
#include "termsafe.h"

struct summary {
	struct groups groups;
	long long total;
	bool json;
	bool live; /* --follow: one line per record as it comes */
};

static volatile sig_atomic_t interrupted;

static void
on_interrupt(int sig)
{
	interrupted = sig;
}

static void
put_json_string(const char *s)
{
	jsonl_put_string(stdout, s, strlen(s));
}

static void
print_record_json(const struct audit_record *rec)
{
	printf("{\"time\":");
	put_json_string(rec->time);
	printf(",\"event\":");
	put_json_string(rec->event);
	printf(",\"gate\":");
	put_json_string(rec->gate);
	printf(",\"service\":");
	put_json_string(rec->service);
	if (rec->name != NULL) {
		printf(",\"name\":");
		put_json_string(rec->name);
	}
	if (rec->pid >= 0)
		printf(",\"pid\":%lld", rec->pid);
	if (rec->peer_pid >= 0)
		printf(",\"peer_pid\":%lld", rec->peer_pid);
	if (rec->peer_uid >= 0)
		printf(",\"peer_uid\":%lld", rec->peer_uid);
	if (rec->peer_exe != NULL) {
		printf(",\"peer_exe\":");
		put_json_string(rec->peer_exe);
	}
	if (rec->reason != NULL) {
		printf(",\"reason\":");
		put_json_string(rec->reason);
	}
	printf(",\"count\":%lld}\n", rec->count);
}

static void
print_record_text(const struct audit_record *rec)
{
	char peer[64] = "", times[48] = "";

	if (rec->peer_pid >= 0)
		snprintf(peer, sizeof(peer), " peer pid %lld", rec->peer_pid);
	if (rec->count > 1)
		snprintf(times, sizeof(times), " [%lld times]", rec->count);
	/* Every byte of it may be the peer's choice: escaped. */
	termsafe_printf(stdout, "%s %s %s %s%s%s%s%s%s%s%s", rec->time,
	    rec->service, rec->gate,
	    rec->name != NULL ? rec->name : "(over the audit rate)", peer,
	    rec->peer_exe != NULL ? " (" : "",
	    rec->peer_exe != NULL ? rec->peer_exe : "",
	    rec->peer_exe != NULL ? ")" : "", rec->reason != NULL ? ": " : "",
	    rec->reason != NULL ? rec->reason : "", times);
}

/* --follow: each record on a line of its own, as it arrives. */
static void
print_record(const struct summary *s, const struct audit_record *rec)
{
	if (s->json)
		print_record_json(rec);
	else
		print_record_text(rec);
	fflush(stdout);
}

static void
on_record(void *ctx, const struct audit_record *rec)
{
	struct summary *s = ctx;

	if (strcmp(rec->event, "deny") != 0 &&
	    strcmp(rec->event, "suppressed") != 0)
		return;
	s->total += rec->count;
	groups_add(&s->groups, rec);
	if (s->live)
		print_record(s, rec);
}

static void
peer_text(const struct group *g, char *out, size_t size)
{
	size_t at;

	if (g->peer_pid == GROUP_SUPPRESSED) {
		snprintf(out, size, "(over the audit rate: counted only)");
		return;
	}
	if (g->peer_exe != NULL)
		at = (size_t)snprintf(out, size, "%s", g->peer_exe);
	else if (g->npids > 0)
		at = (size_t)snprintf(out, size, "(unknown program)");
	else {
		snprintf(out, size, "-");
		return;
	}
	for (size_t i = 0; i < g->npids && at < size; i++)
		at += (size_t)snprintf(out + at, size - at, "%s%lld",
		    i == 0 ? " pid " : ",", g->pids[i]);
	if (g->more_pids && at < size)
		snprintf(out + at, size - at, ",...");
}

static void
names_text(const struct group *g, char *out, size_t size)
{
	size_t at = 0;

	out[0] = '\0';
	for (size_t i = 0; i < g->nnames && at < size; i++)
		at += (size_t)snprintf(out + at, size - at, "%s%s",
		    i == 0 ? "" : " ", g->names[i]);
	if (g->more_names && at < size)
		snprintf(out + at, size - at, " ...");
}

static void
print_summary_json(const struct summary *s)
{
	for (size_t i = 0; i < s->groups.n; i++) {
		const struct group *g = &s->groups.v[i];

		printf("{\"service\":");
		put_json_string(g->service);
		printf(",\"gate\":");
		put_json_string(g->gate);
		if (g->peer_exe != NULL) {
			printf(",\"peer_exe\":");
			put_json_string(g->peer_exe);
		}
		printf(",\"peer_pids\":[");
		for (size_t k = 0; k < g->npids; k++)
			printf("%s%lld", k == 0 ? "" : ",", g->pids[k]);
		printf("],\"count\":%lld,\"first\":", g->count);
		put_json_string(g->first);
		printf(",\"last\":");
		put_json_string(g->last);
		printf(",\"names\":[");
		for (size_t k = 0; k < g->nnames; k++) {
			if (k > 0)
				putchar(',');
			put_json_string(g->names[k]);
		}
		printf("]}\n");
	}
}

static void
print_summary(const struct summary *s, const char *path)
{
	int wsvc = 7, wgate = 4;
	char peer[1024], names[2048];

	if (s->groups.n == 0) {
		termsafe_printf(stdout, "%s: no refusals", path);
		return;
	}
	for (size_t i = 0; i < s->groups.n; i++) {
		int n = (int)strlen(s->groups.v[i].service);

		if (n > wsvc)
			wsvc = n;
		if ((n = (int)strlen(s->groups.v[i].gate)) > wgate)
			wgate = n;
	}
	termsafe_printf(stdout, "%s: %lld refusal%s", path, s->total,
	    s->total == 1 ? "" : "s");
	printf("%-*s  %-*s  %7s  %-27s  %-27s  %s\n", wsvc, "SERVICE", wgate,
	    "GATE", "COUNT", "FIRST", "LAST", "PEER");
	for (size_t i = 0; i < s->groups.n; i++) {
		const struct group *g = &s->groups.v[i];

		peer_text(g, peer, sizeof(peer));
		names_text(g, names, sizeof(names));
		termsafe_printf(stdout, "%-*s  %-*s  %7lld  %-27s  %-27s  %s",
		    wsvc, g->service, wgate, g->gate, g->count, g->first,
		    g->last, peer);
		termsafe_printf(stdout, "%-*s  %-*s  %7s  names: %s", wsvc, "",
		    wgate, "", "", names);
	}
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
		.tv_nsec = (ms % 1000) * 1000000L };

	(void)nanosleep(&ts, NULL); /* a signal ends it early, as it should */
}

/*
 * Keep reading what is appended.  A file that shrinks was truncated and is
 * read again from its start; one replaced under its name (rotated) is
 * reopened.
 */
static int
follow(struct auditlog_reader *r, int fd, const char *path)
{
	struct sigaction sa;
	struct stat st, now;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a signal must end the sleep and the read. */
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
	if (fstat(fd, &st) != 0)
		return -1;
	while (!interrupted) {
		if (auditlog_feed(r, fd, false) != 0 && errno != EINTR)
			return -1;
		if (interrupted)
			break;
		sleep_ms(200);
		if (stat(path, &now) == 0 &&
		    (now.st_ino != st.st_ino || now.st_dev != st.st_dev)) {
			int nfd = open(path, O_RDONLY | O_CLOEXEC);

			/* Read the rest of the old file before leaving it. */
			if (nfd >= 0) {
				(void)auditlog_feed(r, fd, true);
				close(fd);
				fd = nfd;
				auditlog_reset(r);
				(void)fstat(fd, &st);
			}
		} else if (fstat(fd, &now) == 0 &&
		    now.st_size < lseek(fd, 0, SEEK_CUR)) {
			fprintf(stderr,
			    "capwrap: %s: truncated; reading it "
			    "from the start\n",
			    path);
			(void)lseek(fd, 0, SEEK_SET);
			auditlog_reset(r);
		}
	}
	close(fd);
	return 0;
}

/* The whole file now, or all that is appended until interrupted. */
static int
read_log(struct auditlog_reader *r, int fd, const char *path, bool following)
{
	int rc = EXIT_OK;

	if (following) {
		if (follow(r, fd, path) != 0)
			rc = EXIT_NOINPUT;
		else
			auditlog_finish(r);
	} else {
		if (auditlog_feed(r, fd, true) != 0)
			rc = EXIT_NOINPUT;
		close(fd);
	}
	return rc;
}

/* The summary (none in JSON after --follow), and the lines skipped. */
static int
report(struct summary *s, const struct auditlog_reader *r, const char *path,
    bool following)
{
	if (s->groups.oom) {
		fprintf(stderr, "capwrap: out of memory\n");
		return EXIT_SYSTEM;
	}
	groups_sort(&s->groups);
	if (s->json && !following)
		print_summary_json(s);
	else if (!s->json)
		print_summary(s, path);
	if (r->nbad > 0) {
		fprintf(stderr, "capwrap: %s: %zu line%s skipped\n", path,
		    r->nbad, r->nbad == 1 ? "" : "s");
		return EXIT_DATAERR;
	}
	return EXIT_OK;
}

static int
audit_option(void *ctx, int c, const char *arg)
{
	struct summary *s = ctx;

	(void)arg;
	if (c == 'j')
		s->json = true;
	else
		s->live = true; /* --follow */
	return CLI_GO_ON;
}

static int
cmd_audit(int argc, char **argv)
{
	struct summary s = { .total = 0 };
	struct auditlog_reader r;
	const char *path;
	int fd, rc;

	if ((rc = cli_parse(&audit_command, argc, argv, &s)) != CLI_GO_ON)
		return rc;
	path = argv[optind];
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "capwrap: unable to read %s: %s\n", path,
		    strerror(errno));
		return EXIT_NOINPUT;
	}
	auditlog_init(&r, path, on_record, &s);
	rc = read_log(&r, fd, path, s.live);
	if (rc != EXIT_OK)
		fprintf(stderr, "capwrap: unable to read %s: %s\n", path,
		    strerror(errno));
	else
		rc = report(&s, &r, path, s.live);
	auditlog_free(&r);
	groups_free(&s.groups);
	return rc;
}

static const struct option audit_longopts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "follow", no_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_command audit_command = {
	.name = "audit",
	.synopsis = "capwrap audit FILE [--json] [--follow]\n",
	.operand = "FILE",
	.shortopts = ":fh",
	.options = audit_longopts,
	.option = audit_option,
	.main = cmd_audit,
};
