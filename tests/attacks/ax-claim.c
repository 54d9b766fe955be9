/*
 * ax-claim busy NAME WORKERS QUEUED
 * ax-claim forge NAME ADDR
 * (and the modes fork, rogue and flood below)
 * The claims a forked worker makes for the capabilities it inherited
 * (WIRE_CLAIM), tested from a service that knows the channel.
 *
 * busy: dial NAME ("parent: reply LINE"), so that this process holds
 * its capability and the claim queue; fill the queue with claims until
 * it takes no more ("claim queue: full"), so that the workers claim on
 * the channel; queue QUEUED start-up requests (WIRE_HELLO) on the
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
 * ax-claim flood NAME PROCS [deferred]
 * PROCS processes that send well-formed ADMITs about pid 1 (which holds
 * nothing) on the channel, as fast as it takes them, until killed.
 * With "deferred" the ADMITs name a pidfs inode, so each waits for a
 * catch-up before it is refused, and the channel's send buffer is made
 * 8 MiB; the first process says "flood: 4096 sent" once it is so far.
 *
 * ax-claim workers NAME N GOFILE
 * Dial NAME; once GOFILE exists, fork N workers one after another, each
 * dialing NAME with the capability it inherited; say "workers: K of N
 * served".
 *
 * ax-claim deep NAME N FORGED WORKER
 * Dial NAME, make the claim queue's send buffer 16 MiB (SO_SNDBUFFORCE),
 * queue N claims for NAME, or as many as it takes, and one for FORGED,
 * which this service may not dial ("deep: queued K"); then, if WORKER
 * is 1, fork a worker that dials NAME ("worker: reply LINE").
 *
 * The claim queue, the socketpair a grant brings (WIRE_REPLY_CLAIMS):
 *
 * ax-claim queue NAME FORKFILE GOFILE
 * Dial NAME ("parent: reply LINE"), find the queue ("claim queue:
 * found"); once FORKFILE exists, fork a worker that dials NAME; once its
 * connect returned, say whether the launcher has left its claim unread
 * ("claim queue: holds the worker's claim" or "claim queue: empty");
 * once GOFILE exists, wait for the worker ("worker: reply LINE") and
 * say it again.
 *
 * ax-claim taken NAME
 * Dial NAME, dup2 a socket of its own onto the queue's number, fork a
 * worker that dials NAME ("worker: reply LINE"), then say whether the
 * program's socket received anything ("own socket: EAGAIN" if not).
 *
 * ax-claim junk NAME
 * Dial NAME, send on the queue a well-formed dial with a reply socket
 * and 16 bytes that are no message, fork a worker that dials NAME
 * ("worker: reply LINE"), then say what came on the reply socket
 * ("junk dial: EOF" if the launcher closed it unanswered).
 *
 * ax-claim forgeq DIALS NAME ADDR
 * Dial DIALS, which this service may dial, so that it holds the queue;
 * queue a well-formed claim for NAME, which it may not dial; fork a
 * worker that dials DIALS ("worker: reply LINE"), whose claim the
 * launcher reads after the forged one; then connect to NAME's minted
 * address ADDR past the shim, as forge does.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "axchan.h"
#include "rawtrap.h"
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

static int queue_fd(void);

/* Claims for name on the claim queue until it takes no more. */
static void
fill_queue(const char *name)
{
	union wire_msg claim;
	int q = queue_fd();

	wire_init(&claim, WIRE_CLAIM);
	claim.claim.socktype = WIRE_SOCK_STREAM;
	(void)wire_set_name(&claim.claim.name, name, strlen(name));
	while (send(q, &claim, wire_size(WIRE_CLAIM), MSG_DONTWAIT) > 0)
		;
	if (errno != EAGAIN)
		fx_refused("claim queue");
	fx_say("claim queue: full");
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
	fill_queue(name);
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

/* connect(2) by the instruction: no hook of the shim sees it. */
static long
inline_connect(int fd, const struct sockaddr_un *sun, socklen_t len)
{
#ifdef RAWTRAP
	return rawtrap(SYS_connect, fd, (long)sun, (long)len, 0, 0, 0);
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

/* Send a start-up request (WIRE_HELLO) and wait for its answer. */
static void
wait_answered(void)
{
	union wire_msg hello, reply;
	int sv[2];

	wire_init(&hello, WIRE_HELLO);
	hello.hello.status = WIRE_HELLO_OK;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0 ||
	    send_message(&hello, sv[1]) != 0)
		fx_refused("hello");
	close(sv[1]);
	if (read(sv[0], &reply, sizeof(reply)) <= 0)
		fx_refused("hello answer");
	close(sv[0]);
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
	/*
	 * The launcher reads the channel in order: once a request sent
	 * after the claim is answered, the claim has been judged.
	 */
	wait_answered();
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

/* The claim queue a grant brought. */
static int
queue_fd(void)
{
	int q = hx_claim_queue(chan);

	if (q < 0)
		fx_refused("no claim queue");
	return q;
}

static void
dial_parent(const char *name)
{
	char line[600];

	fx_say("parent: %s%s",
	    hx_dial(name, "parent", line, sizeof(line)) ? "FAILED " : "reply ",
	    line);
}

/* Fork a worker that dials name; it writes a byte to ready once connected. */
static pid_t
fork_dialer(const char *name, int ready)
{
	struct sockaddr_un sun;
	socklen_t len = fx_abstract(&sun, name);
	char line[600];
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		fx_refused("fork");
	if (pid > 0)
		return pid;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (connect(fd, (struct sockaddr *)&sun, len) != 0) {
		fx_say("worker: connect: %s", hx_errname(errno));
		_exit(FX_REFUSED);
	}
	if (ready >= 0)
		(void)write(ready, "c", 1);
	(void)send(fd, "worker\n", 7, MSG_NOSIGNAL);
	if (hx_read_line(fd, line, sizeof(line)) <= 0) {
		fx_say("worker: EOF");
		_exit(FX_REFUSED);
	}
	fx_say("worker: reply %s", line);
	_exit(FX_OK);
}

static int
unread_bytes(int fd)
{
	int n = -1;

	if (ioctl(fd, SIOCOUTQ, &n) != 0)
		fx_refused("SIOCOUTQ");
	return n;
}

static int
queue(const char *name, const char *fork_file, const char *go_file)
{
	int q, ready[2];
	char c;
	pid_t pid;

	dial_parent(name);
	q = queue_fd();
	fx_say("claim queue: found");
	wait_file(fork_file);
	if (pipe2(ready, O_CLOEXEC) != 0)
		fx_refused("pipe");
	pid = fork_dialer(name, ready[1]);
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		fx_refused("worker");
	fx_say("claim queue: %s",
	    unread_bytes(q) > 0 ? "holds the worker's claim" : "empty");
	wait_file(go_file);
	(void)waitpid(pid, NULL, 0);
	fx_say("claim queue: %s",
	    unread_bytes(q) > 0 ? "holds the worker's claim" : "empty");
	return FX_OK;
}

static int
taken(const char *name)
{
	int q, sv[2];
	char c;

	dial_parent(name);
	q = queue_fd();
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0 ||
	    dup2(sv[0], q) != q)
		fx_refused("dup2");
	(void)waitpid(fork_dialer(name, -1), NULL, 0);
	fx_say("own socket: %s",
	    recv(sv[1], &c, 1, MSG_DONTWAIT) < 0 ? hx_errname(errno) :
						   "received");
	return FX_OK;
}

static int
junk(const char *name)
{
	static const char garbage[16] = "not a message!!";
	union wire_msg dial;
	int q, sv[2];
	char c;

	dial_parent(name);
	q = queue_fd();
	wire_init(&dial, WIRE_DIAL);
	dial.dial.socktype = WIRE_SOCK_STREAM;
	(void)wire_set_name(&dial.dial.name, name, strlen(name));
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0 ||
	    ax_send(q, &dial, wire_size(WIRE_DIAL), &sv[1], 1) != 0 ||
	    send(q, garbage, sizeof(garbage), 0) != (ssize_t)sizeof(garbage))
		fx_refused("junk");
	close(sv[1]);
	(void)waitpid(fork_dialer(name, -1), NULL, 0);
	fx_say("junk dial: %s",
	    recv(sv[0], &c, 1, 0) == 0 ? "EOF" : "answered");
	return FX_OK;
}

static int
forge_on_queue(const char *dials, const char *name, const char *addr)
{
	union wire_msg claim;

	dial_parent(dials);
	wire_init(&claim, WIRE_CLAIM);
	claim.claim.socktype = WIRE_SOCK_STREAM;
	(void)wire_set_name(&claim.claim.name, name, strlen(name));
	if (ax_send(queue_fd(), &claim, wire_size(WIRE_CLAIM), NULL, 0) != 0)
		fx_refused("claim");
	/* Read, with the worker's own claim, before DIALS's gate admits it. */
	(void)waitpid(fork_dialer(dials, -1), NULL, 0);
	dial_past_shim(addr, "forged", "forged claim");
	return FX_OK;
}

static int
flood(const char *name, int procs, bool deferred)
{
	union wire_msg admit;
	char junk[WIRE_MSG_MAX];
	int sv[2], big = 8 << 20;
	bool first = true;

	wire_init(&admit, WIRE_ADMIT);
	admit.admit.peer_pid = 1;
	admit.admit.socktype = WIRE_SOCK_STREAM;
	(void)wire_set_name(&admit.admit.name, name, strlen(name));
	if (deferred) {
		/* Named by a pidfs inode no process has: each waits. */
		admit.admit.peer_ino = 1;
		if (setsockopt(chan, SOL_SOCKET, SO_SNDBUFFORCE, &big,
			sizeof(big)) != 0)
			(void)setsockopt(chan, SOL_SOCKET, SO_SNDBUF, &big,
			    sizeof(big));
	}
	for (int i = 1; i < procs; i++)
		if (fork() == 0) {
			first = false;
			break;
		}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		fx_refused("socketpair");
	for (long n = 1;; n++) {
		if (send_message(&admit, sv[1]) != 0)
			fx_refused("flood");
		while (recv(sv[0], junk, sizeof(junk), MSG_DONTWAIT) > 0)
			;
		if (first && n == 4096)
			fx_say("flood: 4096 sent");
	}
}

/*
 * Dial name, wait for go_file, then fork workers one after another,
 * each dialing name with the capability it inherited.
 */
static int
workers(const char *name, int n, const char *go_file)
{
	int served = 0, status;

	dial_parent(name);
	wait_file(go_file);
	for (int k = 0; k < n; k++)
		if (waitpid(fork_dialer(name, -1), &status, 0) > 0 &&
		    WIFEXITED(status) && WEXITSTATUS(status) == FX_OK)
			served++;
	fx_say("workers: %d of %d served", served, n);
	return FX_OK;
}

/*
 * Dial name (this service may), make the claim queue as deep as the
 * service may (SO_SNDBUFFORCE, as root), queue n claims for name and one
 * for forged (which it may not dial), and say how many went
 * ("deep: queued N"); then, unless workers is 0, fork a worker that
 * dials name, its claim behind all those.
 */
static int
deep(const char *name, long n, const char *forged, int with_worker)
{
	union wire_msg claim;
	int q, big = 16 << 20;
	long sent = 0;

	dial_parent(name);
	q = queue_fd();
	if (setsockopt(q, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big)) != 0)
		fx_refused("SO_SNDBUFFORCE");
	wire_init(&claim, WIRE_CLAIM);
	claim.claim.socktype = WIRE_SOCK_STREAM;
	(void)wire_set_name(&claim.claim.name, name, strlen(name));
	while (sent < n &&
	    send(q, &claim, wire_size(WIRE_CLAIM), MSG_DONTWAIT) > 0)
		sent++;
	(void)wire_set_name(&claim.claim.name, forged, strlen(forged));
	if (send(q, &claim, wire_size(WIRE_CLAIM), MSG_DONTWAIT) <= 0)
		fx_refused("forged claim");
	fx_say("deep: queued %ld", sent);
	if (with_worker)
		(void)waitpid(fork_dialer(name, -1), NULL, 0);
	return FX_OK;
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
		return flood(argv[2], atoi(argv[3]), false);
	if (argc == 5 && strcmp(argv[1], "flood") == 0 &&
	    strcmp(argv[4], "deferred") == 0)
		return flood(argv[2], atoi(argv[3]), true);
	if (argc == 5 && strcmp(argv[1], "workers") == 0)
		return workers(argv[2], atoi(argv[3]), argv[4]);
	if (argc == 6 && strcmp(argv[1], "deep") == 0)
		return deep(argv[2], atol(argv[3]), argv[4], atoi(argv[5]));
	if (argc == 5 && strcmp(argv[1], "queue") == 0)
		return queue(argv[2], argv[3], argv[4]);
	if (argc == 3 && strcmp(argv[1], "taken") == 0)
		return taken(argv[2]);
	if (argc == 3 && strcmp(argv[1], "junk") == 0)
		return junk(argv[2]);
	if (argc == 5 && strcmp(argv[1], "forgeq") == 0)
		return forge_on_queue(argv[2], argv[3], argv[4]);
	fprintf(stderr,
	    "usage: ax-claim busy NAME WORKERS QUEUED | "
	    "ax-claim forge NAME ADDR |\n"
	    "       ax-claim fork NAME FORKFILE PIDFILE | "
	    "ax-claim rogue NAME ADDRFILE GOFILE |\n"
	    "       ax-claim flood NAME PROCS | "
	    "ax-claim queue NAME FORKFILE GOFILE |\n"
	    "       ax-claim taken NAME | ax-claim junk NAME | "
	    "ax-claim forgeq DIALS NAME ADDR |\n"
	    "       ax-claim flood NAME PROCS deferred | "
	    "ax-claim workers NAME N GOFILE |\n"
	    "       ax-claim deep NAME N FORGED WORKER\n");
	return FX_USAGE;
}
