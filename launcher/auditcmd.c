/*
 * capwrap audit: what the gates refused, from the JSON Lines log, summed
 * up by service, gate and peer.  --follow keeps reading what the launcher
 * appends, one line per refusal, until interrupted.
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auditlog.h"
#include "commands.h"
#include "exitcodes.h"

#define GROUP_NAMES 4
#define GROUP_PIDS 8

struct group {
	char		*service, *gate;
	char		*peer_exe;		/* NULL: not recorded */
	long long	 peer_pid;		/* the key when there is no exe */
	long long	 pids[GROUP_PIDS];
	size_t		 npids;
	bool		 more_pids;
	char		*names[GROUP_NAMES];
	size_t		 nnames;
	bool		 more_names;
	long long	 count;
	char		*first, *last;
};

struct summary {
	struct group	*groups;
	size_t		 ngroups;
	long long	 total;
	bool		 oom;
	bool		 json;
	bool		 live;		/* --follow: one line per record as it comes */
};

static volatile sig_atomic_t interrupted;

static void
on_interrupt(int sig)
{
	interrupted = sig;
}

static bool
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static char *
dup_or_null(struct summary *s, const char *str)
{
	char *d;

	if (str == NULL)
		return NULL;
	if ((d = strdup(str)) == NULL)
		s->oom = true;
	return d;
}

static void
replace(struct summary *s, char **slot, const char *str)
{
	char *d = dup_or_null(s, str);

	if (d != NULL) {
		free(*slot);
		*slot = d;
	}
}

static struct group *
find_group(struct summary *s, const struct audit_record *rec)
{
	long long key_pid = rec->peer_exe == NULL ? rec->peer_pid : -1;
	struct group *g;

	for (size_t i = 0; i < s->ngroups; i++) {
		g = &s->groups[i];
		if (strcmp(g->service, rec->service) == 0 &&
		    strcmp(g->gate, rec->gate) == 0 &&
		    same(g->peer_exe, rec->peer_exe) && g->peer_pid == key_pid)
			return g;
	}
	g = reallocarray(s->groups, s->ngroups + 1, sizeof(*g));
	if (g == NULL) {
		s->oom = true;
		return NULL;
	}
	s->groups = g;
	g = &s->groups[s->ngroups];
	memset(g, 0, sizeof(*g));
	g->service = dup_or_null(s, rec->service);
	g->gate = dup_or_null(s, rec->gate);
	g->peer_exe = dup_or_null(s, rec->peer_exe);
	g->peer_pid = key_pid;
	if (s->oom)
		return NULL;
	s->ngroups++;
	return g;
}

static void
add_to_group(struct summary *s, struct group *g, const struct audit_record *rec)
{
	bool known = false;

	g->count += rec->count;
	if (g->first == NULL || strcmp(rec->time, g->first) < 0)
		replace(s, &g->first, rec->time);
	if (g->last == NULL || strcmp(rec->time, g->last) > 0)
		replace(s, &g->last, rec->time);
	for (size_t i = 0; i < g->nnames && !known; i++)
		known = strcmp(g->names[i], rec->name) == 0;
	if (!known && g->nnames < GROUP_NAMES) {
		if ((g->names[g->nnames] = dup_or_null(s, rec->name)) != NULL)
			g->nnames++;
	} else if (!known)
		g->more_names = true;
	known = rec->peer_pid < 0;
	for (size_t i = 0; i < g->npids && !known; i++)
		known = g->pids[i] == rec->peer_pid;
	if (!known && g->npids < GROUP_PIDS)
		g->pids[g->npids++] = rec->peer_pid;
	else if (!known)
		g->more_pids = true;
}

static void
put_json_string(const char *s)
{
	jsonl_put_string(stdout, s, strlen(s));
}

/* --follow: each record on a line of its own, as it arrives. */
static void
print_record(const struct summary *s, const struct audit_record *rec)
{
	if (s->json) {
		printf("{\"time\":");
		put_json_string(rec->time);
		printf(",\"event\":");
		put_json_string(rec->event);
		printf(",\"gate\":");
		put_json_string(rec->gate);
		printf(",\"service\":");
		put_json_string(rec->service);
		printf(",\"name\":");
		put_json_string(rec->name);
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
	} else {
		printf("%s %s %s %s", rec->time, rec->service, rec->gate,
		    rec->name);
		if (rec->peer_pid >= 0)
			printf(" peer pid %lld", rec->peer_pid);
		if (rec->peer_exe != NULL)
			printf(" (%s)", rec->peer_exe);
		if (rec->reason != NULL)
			printf(": %s", rec->reason);
		if (rec->count > 1)
			printf(" [%lld times]", rec->count);
		printf("\n");
	}
	fflush(stdout);
}

static void
on_record(void *ctx, const struct audit_record *rec)
{
	struct summary *s = ctx;
	struct group *g;

	if (strcmp(rec->event, "deny") != 0)
		return;
	s->total += rec->count;
	if ((g = find_group(s, rec)) != NULL)
		add_to_group(s, g, rec);
	if (s->live)
		print_record(s, rec);
}

static int
by_count(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	int c;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if ((c = strcmp(x->service, y->service)) != 0)
		return c;
	return strcmp(x->gate, y->gate);
}

static void
peer_text(const struct group *g, char *out, size_t size)
{
	size_t at;

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
	for (size_t i = 0; i < s->ngroups; i++) {
		const struct group *g = &s->groups[i];

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

	if (s->ngroups == 0) {
		printf("%s: no refusals\n", path);
		return;
	}
	for (size_t i = 0; i < s->ngroups; i++) {
		int n = (int)strlen(s->groups[i].service);

		if (n > wsvc)
			wsvc = n;
		if ((n = (int)strlen(s->groups[i].gate)) > wgate)
			wgate = n;
	}
	printf("%s: %lld refusal%s\n", path, s->total,
	    s->total == 1 ? "" : "s");
	printf("%-*s  %-*s  %7s  %-27s  %-27s  %s\n", wsvc, "SERVICE", wgate,
	    "GATE", "COUNT", "FIRST", "LAST", "PEER");
	for (size_t i = 0; i < s->ngroups; i++) {
		const struct group *g = &s->groups[i];

		peer_text(g, peer, sizeof(peer));
		names_text(g, names, sizeof(names));
		printf("%-*s  %-*s  %7lld  %-27s  %-27s  %s\n", wsvc, g->service,
		    wgate, g->gate, g->count, g->first, g->last, peer);
		printf("%-*s  %-*s  %7s  names: %s\n", wsvc, "", wgate, "", "",
		    names);
	}
}

static void
free_summary(struct summary *s)
{
	for (size_t i = 0; i < s->ngroups; i++) {
		struct group *g = &s->groups[i];

		free(g->service);
		free(g->gate);
		free(g->peer_exe);
		free(g->first);
		free(g->last);
		for (size_t k = 0; k < g->nnames; k++)
			free(g->names[k]);
	}
	free(s->groups);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
	    .tv_nsec = (ms % 1000) * 1000000L };

	(void)nanosleep(&ts, NULL);	/* a signal ends it early, as it should */
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
			fprintf(stderr, "capwrap: %s: truncated; reading it "
			    "from the start\n", path);
			(void)lseek(fd, 0, SEEK_SET);
			auditlog_reset(r);
		}
	}
	close(fd);
	return 0;
}

static void
usage_audit(FILE *f)
{
	fprintf(f, "usage: capwrap audit FILE [--json] [--follow]\n");
}

int
cmd_audit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "follow", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct summary s = { .groups = NULL };
	struct auditlog_reader r;
	bool following = false;
	const char *path;
	int c, fd, rc = EXIT_OK;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":fh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			s.json = true;
			break;
		case 'f':
			following = true;
			break;
		case 'h':
			usage_audit(stdout);
			return EXIT_OK;
		default:
			option_error("audit", argc, argv, c);
			usage_audit(stderr);
			return EXIT_USAGE;
		}
	}
	if (!one_operand("audit", "FILE", argc)) {
		usage_audit(stderr);
		return EXIT_USAGE;
	}
	path = argv[optind];
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "capwrap: unable to read %s: %s\n", path,
		    strerror(errno));
		return EXIT_NOINPUT;
	}
	s.live = following;
	auditlog_init(&r, path, on_record, &s);
	if (following) {
		if (follow(&r, fd, path) != 0)
			rc = EXIT_NOINPUT;
		else
			auditlog_finish(&r);
	} else {
		if (auditlog_feed(&r, fd, true) != 0)
			rc = EXIT_NOINPUT;
		close(fd);
	}
	if (rc != EXIT_OK) {
		fprintf(stderr, "capwrap: unable to read %s: %s\n", path,
		    strerror(errno));
	} else if (s.oom) {
		fprintf(stderr, "capwrap: out of memory\n");
		rc = EXIT_SYSTEM;
	} else {
		if (s.ngroups > 1)
			qsort(s.groups, s.ngroups, sizeof(*s.groups), by_count);
		if (s.json && !following)
			print_summary_json(&s);
		else if (!s.json)
			print_summary(&s, path);
		if (r.nbad > 0) {
			fprintf(stderr, "capwrap: %s: %zu line%s skipped\n", path,
			    r.nbad, r.nbad == 1 ? "" : "s");
			rc = EXIT_DATAERR;
		}
	}
	auditlog_free(&r);
	free_summary(&s);
	return rc;
}
