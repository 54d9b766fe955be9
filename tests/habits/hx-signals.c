/*
 * hx-signals server NAME COUNT
 * hx-signals client NAME DENIED COUNT
 * Both run with a SIGALRM handler installed without SA_RESTART and an
 * interval timer firing it every millisecond, so that blocking calls
 * (accept, connect, the shim's round trips to the launcher) are
 * interrupted again and again.  The server listens with a backlog of one
 * and answers COUNT connections, retrying accept() on EINTR, and prints
 * "served N".  The client dials NAME COUNT times, eight dials in flight
 * at once (so its connect() calls block on the full backlog), and checks
 * every answer; a connect() that fails with
 * EINTR must have left the socket unconnected (getpeername: ENOTCONN)
 * and is retried on the same socket.  Each round it also makes a bind
 * and a dial of DENIED, which the launcher refuses: EACCES, never EINTR.
 * Prints "dialed N ok N" and "FAIL ..." lines for anything else.
 */
#include <sys/time.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "hx.h"

static volatile sig_atomic_t alarms;

static void
on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void
start_timer(bool on)
{
	struct sigaction sa;
	struct itimerval it = {
		.it_interval = { 0, on ? 1000 : 0 },
		.it_value = { 0, on ? 1000 : 0 },
	};

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: calls fail with EINTR */
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

static int
server(const char *name, long count)
{
	struct sockaddr_un sun;
	socklen_t len = fx_abstract(&sun, name);
	long served = 0, eintr = 0;
	int fd;

	start_timer(true);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, len) != 0)
		fx_refused("bind");
	/* A backlog of one: dialers block in connect() and are interrupted
	 * there. */
	if (listen(fd, 1) != 0)
		fx_refused("listen");
	fx_say("listening pid=%d", (int)getpid());
	while (served < count) {
		char buf[512], reply[600];
		int cfd = accept(fd, NULL, NULL);

		if (cfd < 0) {
			if (errno == EINTR) {
				eintr++;
				continue;
			}
			start_timer(false);
			fx_say("FAIL accept: %s", hx_errname(errno));
			return FX_REFUSED;
		}
		if (hx_read_line(cfd, buf, sizeof(buf)) > 0) {
			snprintf(reply, sizeof(reply), "echo %s\n", buf);
			for (size_t off = 0, n = strlen(reply); off < n;) {
				ssize_t w = write(cfd, reply + off, n - off);

				if (w < 0 && errno == EINTR)
					continue;
				if (w < 0)
					break;
				off += (size_t)w;
			}
			served++;
		}
		close(cfd);
	}
	start_timer(false);
	fx_say("served %ld (accept EINTR %ld, alarms %ld)", served, eintr,
	    (long)alarms);
	return FX_OK;
}

/* Connect, retrying EINTR on the same socket, and send "dial I". */
static int
dial_start(const struct sockaddr_un *sun, socklen_t len, long i, long *eintr)
{
	struct sockaddr_un peer;
	socklen_t plen;
	char msg[64];
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(msg, sizeof(msg), "dial %ld\n", i);
	while (connect(fd, (const struct sockaddr *)sun, len) != 0) {
		if (errno != EINTR) {
			fx_say("FAIL connect %ld: %s", i, hx_errname(errno));
			close(fd);
			return -1;
		}
		(*eintr)++;
		plen = sizeof(peer);
		if (getpeername(fd, (struct sockaddr *)&peer, &plen) == 0 ||
		    errno != ENOTCONN) {
			fx_say("FAIL connect %ld: EINTR on a connected socket",
			    i);
			close(fd);
			return -1;
		}
	}
	for (size_t off = 0, n = strlen(msg); off < n;) {
		ssize_t w = write(fd, msg + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			fx_say("FAIL write %ld: %s", i, hx_errname(errno));
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	return fd;
}

/* Read the answer to "dial I" on fd and close it. */
static bool
dial_finish(int fd, long i)
{
	char want[80], buf[600];
	bool good;

	if (fd < 0)
		return false;
	snprintf(want, sizeof(want), "echo dial %ld", i);
	good = hx_read_line(fd, buf, sizeof(buf)) > 0 && strcmp(buf, want) == 0;
	if (!good)
		fx_say("FAIL dial %ld: no answer", i);
	close(fd);
	return good;
}

static int
client(const char *name, const char *denied, long count)
{
	struct sockaddr_un sun, dsun;
	socklen_t len = fx_abstract(&sun, name),
		  dlen = fx_abstract(&dsun, denied);
	long ok = 0, eintr = 0;
	bool fail = false;

	/*
	 * Up to WINDOW dials in flight, answers read oldest first: with the
	 * server's backlog of one, connect() blocks and the alarm cuts in.
	 */
	enum { WINDOW = 8 };
	int inflight[WINDOW];

	start_timer(true);
	/* The first connect may wait in the launcher for the provider. */
	fx_say("dialing");
	for (long i = 0; i < count + WINDOW; i++) {
		int fd;

		if (i >= WINDOW &&
		    dial_finish(inflight[i % WINDOW], i - WINDOW))
			ok++;
		if (i >= count)
			continue;
		inflight[i % WINDOW] = dial_start(&sun, len, i, &eintr);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (bind(fd, (struct sockaddr *)&dsun, dlen) == 0 ||
		    errno != EACCES) {
			fx_say("FAIL bind %s: %s", denied, hx_errname(errno));
			fail = true;
		}
		close(fd);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(fd, (struct sockaddr *)&dsun, dlen) == 0 ||
		    errno != EACCES) {
			fx_say("FAIL dial %s: %s", denied, hx_errname(errno));
			fail = true;
		}
		close(fd);
	}
	start_timer(false);
	fx_say("dialed %ld ok %ld (connect EINTR %ld, alarms %ld)", count, ok,
	    eintr, (long)alarms);
	return ok == count && !fail ? FX_OK : FX_IO;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "server") == 0)
		return server(argv[2], strtol(argv[3], NULL, 10));
	if (argc == 5 && strcmp(argv[1], "client") == 0)
		return client(argv[2], argv[3], strtol(argv[4], NULL, 10));
	fprintf(stderr,
	    "usage: hx-signals server NAME COUNT | "
	    "client NAME DENIED COUNT\n");
	return FX_USAGE;
}
