/*
 * capwrap probe: which of capwrap's guarantees hold on this kernel, each
 * feature with the guarantee it gives or the fallback capwrap uses
 * without it (docs/SECURITY.md, "Kernel features relied on"), as lines
 * or as one JSON object.  The detection is common/kernel.c's, the same
 * that `capwrap run` and the spawn of a service use.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compat.h"
#include "domain.h"
#include "exitcodes.h"
#include "jsonl.h"
#include "kernel.h"
#include "probecmd.h"
#include "target.h"

/* One feature as probe reports it. */
struct report {
	const char *key;   /* in the JSON object */
	const char *label; /* in the line */
	const char *since; /* Linux version */
	bool available, forced_off;
	char status[128]; /* "yes", "no", "ABI 7", ... */
	const char *says;
	char extra[160]; /* JSON members of its own, or "" */
};

/* The features with no more to them than present or not. */
static const struct plain {
	enum kernel_feature f;
	const char *key, *label, *since, *yes, *no;
} plain[] = {
	{ KERNEL_PIDFS, "pidfs", "pidfs", "6.9",
	    "stamps and records name a process by its pidfs inode, which no "
	    "other process ever gets; a granted client that has exited is "
	    "still admitted by it for 30 seconds; forked workers claim "
	    "without a round trip",
	    "a process is named by pid and start time (/proc/PID/stat); a "
	    "connection from a granted client that has exited is refused; "
	    "forked workers ask the launcher instead of claiming" },
	{ KERNEL_PEERPIDFD, "peerpidfd", "SO_PEERPIDFD", "6.5",
	    "each gate takes its peer from a pidfd the kernel fixed at "
	    "connect time, so a peer cannot exit and be replaced under its "
	    "pid before the check",
	    "the peer is judged by pid and start time: an outsider whose "
	    "queued connection outlives it while a grantee is given its pid "
	    "is not told apart" },
	{ KERNEL_PIDFD_INFO, "pidfd-info", "PIDFD_GET_INFO", "6.13",
	    "kept provider pidfds and known peers spare a later connection "
	    "the full check",
	    "nothing is kept: every connection is checked in full (slower, "
	    "not weaker)" },
	{ KERNEL_SECCOMP, "seccomp", "seccomp filters", "3.5",
	    "capwrap can fence wrapped services from io_uring",
	    "wrapped services run without the io_uring fence" },
};

#define FORCED " (forced off by CAPWRAP_PROBE_DISABLE)"

static void
fill_plain(const struct kernel_info *k, const struct plain *p, struct report *r)
{
	*r = (struct report){ .key = p->key,
		.label = p->label,
		.since = p->since,
		.available = k->has[p->f],
		.forced_off = k->forced_off[p->f] };
	snprintf(r->status, sizeof(r->status), "%s%s",
	    r->available ? "yes" : "no", r->forced_off ? FORCED : "");
	r->says = r->available ? p->yes : p->no;
}

static void
fill_landlock(const struct kernel_info *k, struct report *r)
{
	uint64_t s = k->landlock_scopes;

	*r = (struct report){ .key = "landlock",
		.label = "Landlock",
		.since = "5.13",
		.available = k->has[KERNEL_LANDLOCK],
		.forced_off = k->forced_off[KERNEL_LANDLOCK],
		.says = !domain_available() ?
		    "no abstract-socket scope (6.12): services can dial the "
		    "host's abstract sockets with raw system calls" :
		    (s & LANDLOCK_SCOPE_SIGNAL) ?
		    "services share one domain: none can dial an abstract "
		    "socket made outside the topology, nor signal a process "
		    "outside it, unless its policy says `allow host-sockets`" :
		    "services share one domain: none can dial an abstract "
		    "socket made outside the topology, unless its policy "
		    "says `allow host-sockets`" };
	if (r->available)
		snprintf(r->status, sizeof(r->status), "ABI %d, scopes%s%s%s",
		    k->landlock_abi,
		    s & LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET ?
			" abstract-unix-socket" :
			"",
		    s & LANDLOCK_SCOPE_SIGNAL ? " signal" : "",
		    s == 0 ? " none (6.12)" : "");
	else
		snprintf(r->status, sizeof(r->status), "no%s",
		    r->forced_off ? FORCED : "");
	snprintf(r->extra, sizeof(r->extra),
	    "\"abi\":%d,\"scopes\":[%s%s%s],\"used\":%s", k->landlock_abi,
	    s & LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET ?
		"\"abstract-unix-socket\"" :
		"",
	    (s & LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET) &&
		    (s & LANDLOCK_SCOPE_SIGNAL) ?
		"," :
		"",
	    s & LANDLOCK_SCOPE_SIGNAL ? "\"signal\"" : "",
	    domain_available() ? "true" : "false");
}

static void
fill_notif(const struct kernel_info *k, struct report *r)
{
	unsigned fl = k->notif_flags;
	bool available = k->has[KERNEL_SECCOMP_NOTIF];

	*r = (struct report){ .key = "seccomp-notif",
		.label = "seccomp user notification",
		.since = "5.0",
		.available = available,
		.forced_off = k->forced_off[KERNEL_SECCOMP_NOTIF] ||
		    k->forced_off[KERNEL_SECCOMP],
		.says = target_supervisor() != NULL ?
		    "static and Go programs run supervised: "
		    "capwrap-unotify performs their socket calls through the "
		    "shim's gates" :
		    available ?
		    "static and Go programs are refused: supervising them "
		    "needs SECCOMP_ADDFD_FLAG_SEND (Linux 5.14) and "
		    "capwrap-unotify" :
		    "static and Go programs are refused: the shim cannot "
		    "enter them and capwrap cannot supervise them" };
	snprintf(r->status, sizeof(r->status), "%s%s%s%s",
	    r->available ? "yes, flags" : "no",
	    fl & KERNEL_NOTIF_TSYNC_ESRCH ? " tsync-esrch" : "",
	    fl & KERNEL_NOTIF_WAIT_KILLABLE ? " wait-killable-recv" : "",
	    r->available && fl == 0 ? " none" :
		r->forced_off	    ? FORCED :
				      "");
	snprintf(r->extra, sizeof(r->extra), "\"flags\":[%s%s%s],\"used\":%s",
	    fl & KERNEL_NOTIF_TSYNC_ESRCH ? "\"tsync-esrch\"" : "",
	    fl == (KERNEL_NOTIF_TSYNC_ESRCH | KERNEL_NOTIF_WAIT_KILLABLE) ?
		"," :
		"",
	    fl & KERNEL_NOTIF_WAIT_KILLABLE ? "\"wait-killable-recv\"" : "",
	    target_supervisor() != NULL ? "true" : "false");
}

/* Whether a program could go past the shim with io_uring at all. */
static bool
io_uring_reachable(const struct kernel_info *k)
{
	return k->io_uring_disabled != 2 && k->io_uring_errno != ENOSYS;
}

static void
fill_io_uring(const struct kernel_info *k, struct report *r)
{
	int d = k->io_uring_disabled;

	*r = (struct report){ .key = "io_uring",
		.label = "io_uring",
		.since = "5.1",
		.available = io_uring_reachable(k),
		.forced_off = k->forced_off[KERNEL_IO_URING] };
	if (k->io_uring_errno == ENOSYS)
		snprintf(r->status, sizeof(r->status), "not in this kernel");
	else if (d == 2)
		snprintf(r->status, sizeof(r->status),
		    "disabled system-wide (io_uring_disabled 2)%s",
		    r->forced_off ? FORCED : "");
	else if (d == 1)
		snprintf(r->status, sizeof(r->status),
		    "restricted (io_uring_disabled 1)");
	else
		snprintf(r->status, sizeof(r->status), "enabled%s",
		    d == 0 ? " (io_uring_disabled 0)" : "");
	r->says = r->available ?
	    "its operations (IORING_OP_CONNECT, IORING_OP_ACCEPT) never "
	    "call the C library, so no gate of the shim sees them" :
	    "no program can go past the shim with it";
	if (d >= 0)
		snprintf(r->extra, sizeof(r->extra), "\"disabled\":%d", d);
	else
		snprintf(r->extra, sizeof(r->extra), "\"disabled\":null");
}

static void
fill_fence(const struct kernel_info *k, struct report *r)
{
	*r = (struct report){ .key = "fence",
		.label = "io_uring fence",
		.since = "3.5",
		.available = k->fence,
		.forced_off = k->forced_off[KERNEL_SECCOMP] };
	snprintf(r->status, sizeof(r->status), "%s%s",
	    r->available ? "yes" : "no", r->forced_off ? FORCED : "");
	if (r->available)
		r->says =
		    "io_uring_setup, io_uring_enter and io_uring_register "
		    "fail with ENOSYS in wrapped services and all they "
		    "start, unless their policy says `allow io_uring`";
	else if (io_uring_reachable(k))
		r->says = "wrapped services can reach the kernel through "
			  "io_uring, past the shim's gates";
	else
		r->says = "not needed: io_uring is out of reach here";
}

#define NREPORTS (sizeof(plain) / sizeof(plain[0]) + 4)

static size_t
fill_all(const struct kernel_info *k, struct report *r)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		fill_plain(k, &plain[i], &r[n++]);
	fill_notif(k, &r[n++]);
	fill_landlock(k, &r[n++]);
	fill_io_uring(k, &r[n++]);
	fill_fence(k, &r[n++]);
	return n;
}

static void
put_json(const struct kernel_info *k, const struct report *r, size_t n)
{
	printf("{\"kernel\":");
	jsonl_put_string(stdout, k->release, strlen(k->release));
	printf(",\"features\":{");
	for (size_t i = 0; i < n; i++) {
		printf("%s\"%s\":{\"available\":%s,\"forced_off\":%s,"
		       "\"since\":\"%s\",\"status\":",
		    i ? "," : "", r[i].key, r[i].available ? "true" : "false",
		    r[i].forced_off ? "true" : "false", r[i].since);
		jsonl_put_string(stdout, r[i].status, strlen(r[i].status));
		printf(",\"says\":");
		jsonl_put_string(stdout, r[i].says, strlen(r[i].says));
		printf("%s%s}", r[i].extra[0] ? "," : "", r[i].extra);
	}
	printf("}}\n");
}

/* Options: --json and --help, no operand. */
static int
parse_probe(int argc, char **argv, bool *json)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h') {
			cli_usage(&probe_command, stdout);
			return EXIT_OK;
		}
		if (c != 'j') {
			fprintf(stderr, "capwrap probe: unknown option %s\n",
			    argv[optind - 1]);
			cli_usage(&probe_command, stderr);
			return EXIT_USAGE;
		}
		*json = true;
	}
	if (optind < argc) {
		fprintf(stderr, "capwrap probe: unexpected argument '%s'\n",
		    argv[optind]);
		cli_usage(&probe_command, stderr);
		return EXIT_USAGE;
	}
	return CLI_GO_ON;
}

static int
cmd_probe(int argc, char **argv)
{
	const struct kernel_info *k;
	struct report r[NREPORTS];
	bool json = false;
	size_t n;
	int rc;

	if ((rc = parse_probe(argc, argv, &json)) != CLI_GO_ON)
		return rc;
	k = kernel_info();
	if (k->hook_error[0] != '\0') {
		fprintf(stderr, "capwrap probe: %s\n", k->hook_error);
		return EXIT_USAGE;
	}
	n = fill_all(k, r);
	if (json) {
		put_json(k, r, n);
		return EXIT_OK;
	}
	printf("kernel %s\n", k->release);
	for (size_t i = 0; i < n; i++)
		printf("%s (Linux %s): %s: %s\n", r[i].label, r[i].since,
		    r[i].status, r[i].says);
	return EXIT_OK;
}

/* The summary line, which CAPWRAP_KERNEL_QUIET leaves out. */
static void
summary_line(const struct kernel_info *k)
{
	const char *quiet = getenv("CAPWRAP_KERNEL_QUIET");
	char landlock[48] = "landlock no";

	if (quiet != NULL && *quiet != '\0')
		return;
	if (k->landlock_abi > 0)
		snprintf(landlock, sizeof(landlock), "landlock ABI %d",
		    k->landlock_abi);
	fprintf(stderr,
	    "capwrap: kernel %s: pidfs %s, SO_PEERPIDFD %s, "
	    "PIDFD_GET_INFO %s, io_uring fence %s, %s, socket fence %s\n",
	    k->release, k->has[KERNEL_PIDFS] ? "yes" : "no",
	    k->has[KERNEL_PEERPIDFD] ? "yes" : "no",
	    k->has[KERNEL_PIDFD_INFO] ? "yes" : "no", k->fence ? "yes" : "no",
	    landlock, domain_available() ? "yes" : "no");
}

int
probe_summary(void)
{
	const struct kernel_info *k = kernel_info();

	if (k->hook_error[0] != '\0') {
		fprintf(stderr, "capwrap run: %s\n", k->hook_error);
		return EXIT_USAGE;
	}
	summary_line(k);
	if (!k->fence && io_uring_reachable(k))
		fprintf(stderr,
		    "capwrap: warning: no io_uring fence (%s): wrapped "
		    "services can use io_uring past the shim's gates\n",
		    k->has[KERNEL_SECCOMP] ?
			"the filter could not be installed" :
			"no seccomp filters");
	return EXIT_OK;
}

const struct cli_command probe_command = {
	.name = "probe",
	.synopsis = "capwrap probe [--json]\n",
	.operand = "",
	.shortopts = ":h",
	.options = NULL,
	.main = cmd_probe,
};
