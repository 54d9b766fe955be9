/*
 * ax-claim busy NAME WORKERS QUEUED
 * ax-claim forge NAME ADDR
 * (and the modes fork, rogue and flood below)
 * The claims a forked worker makes for the capabilities it inherited
 * (WIRE_CLAIM), tested from a service that knows the channel.
 *
 * busy: dial NAME ("parent: reply LINE"), so that this process holds
 * its capability; queue QUEUED start-up requests (WIRE_HELLO) on the
 * channel without waiting for their answers, as a busy service's channel
 * has; then fork WORKERS workers that each dial NAME at once and print
 * "worker K: reply LINE" or "worker K: ERRNO".  Each worker's claim sits
 * behind the queued requests.  Last, "queued: N answered" counts the
 * queued requests the launcher answered (all of them, or they were not
 * well-formed and delayed nothing).
 *
 * forge: send a well-formed claim for NAME, which this service may not
 * dial, then connect to the minted address ADDR (five hex digits) with
 * an inline system call, past the shim, and print "forged claim:
 * connect: OK|ERRNO", then "forged claim: reply LINE" or "forged claim:
 * EOF" for what the provider answered to "forged".
 *
 * ax-claim fork NAME FORKFILE PIDFILE
 * Dial NAME ("parent: reply LINE"); once FORKFILE exists, fork a worker
 * that dials NAME with the capability it inherited, sends "worker" and
 * exits at once, without an answer; write its pid to PIDFILE once it is
 * reaped, then wait to be stopped.
 *
 * ax-claim rogue NAME ADDRFILE GOFILE
 * A process of a service that may not dial NAME: dial it once through
 * the shim ("rogue pid=P", then "rogue: connect: ERRNO", refused), then,
 * once GOFILE exists,
 * connect to the minted address in ADDRFILE past the shim, send "rogue"
 * and print "rogue: reply LINE" or "rogue: EOF".
 *
 * ax-claim flood NAME PROCS
 * PROCS processes that send well-formed ADMITs about pid 1 (which holds
 * nothing) on the channel, as fast as it takes them, until killed.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "axchan.h"
#include "fixture.h"
#include "hx.h"
#include "wire.h"

static int chan = -1;

/* Send one message on the channel, with a reply socket unless reply < 0. */
static int
send_message(const union wire_msg *m, int reply)
{
	return ax_send(chan, m, wire_size(m->h.type), &reply, reply >= 0);
}

static int
busy(const char *name, int workers, int queued)
{
	union wire_msg hello, reply;
	char line[600], label[32];
	int *replies, answered = 0, status;

	fx_say("parent: %s%s",
	    hx_dial(name, "parent", line, sizeof(line)) ? "FAILED " : "reply ",
	    line);
	if ((replies = calloc((size_t)queued, sizeof(*replies))) == NULL)
		return FX_IO;
	wire_init(&hello, WIRE_HELLO);
	hello.hello.status = WIRE_HELLO_OK;
	for (int i = 0; i < queued; i++) {
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) !=
			0 ||
		    send_message(&hello, sv[1]) != 0)
			fx_refused("queue");
		close(sv[1]);
		replies[i] = sv[0];
	}
	for (int k = 1; k <= workers; k++) {
		pid_t pid = fork();

		if (pid < 0)
			fx_refused("fork");
		if (pid == 0) {
			int e;

			snprintf(label, sizeof(label), "worker %d", k);
			e = hx_dial(name, label, line, sizeof(line));
			if (e == 0)
				fx_say("%s: reply %s", label, line);
			else
				fx_say("%s: %s", label, hx_errname(e));
			_exit(0);
		}
	}
	while (wait(&status) > 0)
		;
	for (int i = 0; i < queued; i++) {
		if (read(replies[i], &reply, sizeof(reply)) ==
			(ssize_t)sizeof(reply.reply) &&
		    wire_decode(&reply, sizeof(reply.reply), &reply) == 0 &&
		    reply.reply.verdict == WIRE_ALLOW)
			answered++;
		close(replies[i]);
	}
	fx_say("queued: %d answered", answered);
	return FX_OK;
}

/* connect(2) by an inline system call: no hook of the shim sees it. */
static long
inline_connect(int fd, const struct sockaddr_un *sun, socklen_t len)
{
#if defined(__x86_64__)
	long rc;

	__asm__ volatile("syscall"
			 : "=a"(rc)
			 : "0"(42L), "D"((long)fd), "S"(sun), "d"((long)len)
			 : "rcx", "r11", "memory");
	return rc;
#else
	(void)fd, (void)sun, (void)len;
	fx_say("unsupported architecture");
	exit(77);
#endif
}

/* Dial ADDR past the shim, send WHAT, print what comes back as "LABEL: ...". */
static void
dial_past_shim(const char *addr, const char *what, const char *label)
{
	struct sockaddr_un sun;
	socklen_t len = fx_abstract(&sun, addr);
	char line[600];
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	long rc = inline_connect(fd, &sun, len);

	fx_say("%s: connect: %s", label, rc == 0 ? "OK" : hx_errname((int)-rc));
	if (rc != 0)
		return;
	/* The gate may have cut it already: no SIGPIPE for that. */
	snprintf(line, sizeof(line), "%s\n", what);
	(void)send(fd, line, strlen(line), MSG_NOSIGNAL);
	if (hx_read_line(fd, line, sizeof(line)) > 0)
		fx_say("%s: reply %s", label, line);
	else
		fx_say("%s: EOF", label);
	close(fd);
}

static void
wait_file(const char *path)
{
	while (access(path, F_OK) != 0)
		usleep(20000);
}

static int
forge(const char *name, const char *addr)
{
	union wire_msg claim;

	wire_init(&claim, WIRE_CLAIM);
	claim.claim.socktype = WIRE_SOCK_STREAM;
	(void)wire_set_name(&claim.claim.name, name, strlen(name));
	if (send_message(&claim, -1) != 0)
		fx_refused("claim");
	/* Give the launcher its time: the claim has been read by then. */
	usleep(200000);
	dial_past_shim(addr, "forged", "forged claim");
	return FX_OK;
}

static int
fork_worker(const char *name, const char *fork_file, const char *pid_file)
{
	struct sockaddr_un sun;
	socklen_t len = fx_abstract(&sun, name);
	char line[600];
	pid_t pid;
	FILE *f;
	int fd;

	fx_say("parent: %s%s",
	    hx_dial(name, "parent", line, sizeof(line)) ? "FAILED " : "reply ",
	    line);
	wait_file(fork_file);
	if ((pid = fork()) < 0)
		fx_refused("fork");
	if (pid == 0) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (connect(fd, (struct sockaddr *)&sun, len) != 0)
			_exit(FX_REFUSED);
		(void)send(fd, "worker\n", 7, MSG_NOSIGNAL);
		_exit(FX_OK);
	}
	(void)waitpid(pid, NULL, 0);
	if ((f = fopen(pid_file, "w")) == NULL)
		fx_refused("pid file");
	fprintf(f, "%d\n", (int)pid);
	fclose(f);
	fx_say("worker pid=%d reaped", (int)pid);
	for (;;)
		pause();
}

static int
rogue(const char *name, const char *addr_file, const char *go_file)
{
	char addr[16] = "", line[600];
	FILE *f;
	int e;

	fx_say("rogue pid=%d", (int)getpid());
	e = hx_dial(name, "rogue", line, sizeof(line));
	fx_say("rogue: connect: %s", e == 0 ? "OK" : hx_errname(e));
	wait_file(go_file);
	if ((f = fopen(addr_file, "r")) == NULL || fscanf(f, "%15s", addr) != 1)
		fx_refused("address file");
	fclose(f);
	dial_past_shim(addr, "rogue", "rogue");
	return FX_OK;
}

static int
flood(const char *name, int procs)
{
	union wire_msg admit;
	char junk[WIRE_MSG_MAX];
	int sv[2];

	wire_init(&admit, WIRE_ADMIT);
	admit.admit.peer_pid = 1;
	admit.admit.socktype = WIRE_SOCK_STREAM;
	(void)wire_set_name(&admit.admit.name, name, strlen(name));
	for (int i = 1; i < procs; i++)
		if (fork() == 0)
			break;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		fx_refused("socketpair");
	for (;;) {
		if (send_message(&admit, sv[1]) != 0)
			fx_refused("flood");
		while (recv(sv[0], junk, sizeof(junk), MSG_DONTWAIT) > 0)
			;
	}
}

int
main(int argc, char **argv)
{
	const char *v = getenv(WIRE_CHANNEL_ENV);

	if (v == NULL) {
		fprintf(stderr, "ax-claim: not wrapped: no %s\n",
		    WIRE_CHANNEL_ENV);
		return FX_USAGE;
	}
	chan = atoi(v);
	if (argc == 5 && strcmp(argv[1], "busy") == 0)
		return busy(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 4 && strcmp(argv[1], "forge") == 0)
		return forge(argv[2], argv[3]);
	if (argc == 5 && strcmp(argv[1], "fork") == 0)
		return fork_worker(argv[2], argv[3], argv[4]);
	if (argc == 5 && strcmp(argv[1], "rogue") == 0)
		return rogue(argv[2], argv[3], argv[4]);
	if (argc == 4 && strcmp(argv[1], "flood") == 0)
		return flood(argv[2], atoi(argv[3]));
	fprintf(stderr,
	    "usage: ax-claim busy NAME WORKERS QUEUED | "
	    "ax-claim forge NAME ADDR |\n"
	    "       ax-claim fork NAME FORKFILE PIDFILE | "
	    "ax-claim rogue NAME ADDRFILE GOFILE |\n"
	    "       ax-claim flood NAME PROCS\n");
	return FX_USAGE;
}
