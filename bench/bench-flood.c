/*
 * A friend's round trip on an established connection while outsiders
 * flood the server with connections (bench/flood-bench.sh).
 *
 * bench-flood server NAME
 *	An epoll server (level-triggered; the listener non-blocking and
 *	drained to EAGAIN on each wake-up, as libuv and most event loops
 *	do): every connection's bytes are echoed back; EOF closes it.
 *	Prints "listening pid=PID".
 * bench-flood friend NAME ROUNDS GOFILE
 *	Connects to NAME, prints "connected", waits for GOFILE, then makes
 *	ROUNDS one-byte round trips and prints how many it made and their
 *	median, 99th percentile and maximum; a round trip that takes over
 *	20 s, or 60 s in all (a server the flood starves), ends the run,
 *	without figures.
 * bench-flood outsider ADDR STOPFILE STARTFILE [leave]
 *	Connects to the abstract ADDR, writes a byte and reads until the
 *	server answers or hangs up (with "leave": closes at once instead),
 *	again and again until STOPFILE exists; creates STARTFILE after its
 *	first connection.
 */
#include <sys/epoll.h>
#include <sys/time.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

static int
serve(const char *name)
{
	struct sockaddr_un sun;
	socklen_t len = bench_abstract(&sun, name);
	struct epoll_event ev = { .events = EPOLLIN }, evs[64];
	int lfd, ep;

	/* An outsider that leaves before its echo must not end the server. */
	signal(SIGPIPE, SIG_IGN);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sun, len) != 0 ||
	    listen(lfd, 128) != 0)
		bench_die("listen");
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		bench_die("epoll_create1");
	ev.data.fd = lfd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) != 0)
		bench_die("epoll_ctl");
	printf("listening pid=%d\n", (int)getpid());
	fflush(stdout);
	for (;;) {
		int n = epoll_wait(ep, evs, 64, -1);

		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd, c;
			char buf[256];
			ssize_t r;

			if (fd != lfd) {
				r = read(fd, buf, sizeof(buf));
				if (r <= 0 || write(fd, buf, (size_t)r) != r)
					close(fd);
				continue;
			}
			while ((c = accept4(lfd, NULL, NULL,
				    SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
				ev.data.fd = c;
				(void)epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
			}
		}
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int friend(const char *name, long rounds, const char *go)
{
	int fd = bench_dial_patiently(name, 30000);
	double *rtt = calloc((size_t)rounds, sizeof(*rtt));
	char b = 'p';
	uint64_t deadline;
	long done;

	if (rtt == NULL)
		bench_die("calloc");
	printf("connected\n");
	fflush(stdout);
	while (access(go, F_OK) != 0)
		usleep(10000);
	/*
	 * A server the flood starves: stop after a round trip of over 20 s,
	 * or after 60 s in all, and say how many were made.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO,
		&(struct timeval){ .tv_sec = 20 }, sizeof(struct timeval)) != 0)
		bench_die("SO_RCVTIMEO");
	deadline = bench_now_ns() + 60ull * 1000000000ull;
	for (done = 0; done < rounds && bench_now_ns() < deadline; done++) {
		uint64_t t0 = bench_now_ns();

		if (bench_write_full(fd, &b, 1) != 0 ||
		    bench_read_full(fd, &b, 1) != 0)
			break;
		rtt[done] = (double)(bench_now_ns() - t0) / 1000.0;
	}
	bench_metric("flood_friend_rounds", (double)done, "count");
	if (done < rounds)
		return 0;
	qsort(rtt, (size_t)rounds, sizeof(*rtt), cmp_double);
	bench_metric("flood_friend_rtt_median", rtt[rounds / 2], "us");
	bench_metric("flood_friend_rtt_p99", rtt[rounds * 99 / 100], "us");
	bench_metric("flood_friend_rtt_max", rtt[rounds - 1], "us");
	return 0;
}

static int
outsider(const char *addr, const char *stop, const char *start, bool leave)
{
	struct sockaddr_un sun;
	socklen_t len = bench_abstract(&sun, addr);
	long made = 0;

	while (access(stop, F_OK) != 0) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		char b = 'x';

		if (fd < 0)
			bench_die("outsider socket");
		/* A full backlog (the server drowning) is no reason to stop. */
		if (connect(fd, (struct sockaddr *)&sun, len) != 0) {
			close(fd);
			continue;
		}
		/* A refused outsider's write may meet a closed connection. */
		(void)send(fd, &b, 1, MSG_NOSIGNAL);
		if (!leave)
			(void)!read(fd, &b, 1);
		close(fd);
		if (made++ == 0)
			close(
			    open(start, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	}
	printf("outsider %d made %ld connections\n", (int)getpid(), made);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "server") == 0)
		return serve(argv[2]);
	if (argc == 5 && strcmp(argv[1], "friend") == 0)
		return friend(argv[2], bench_count(argv[3], 100, 10000000),
		    argv[4]);
	if ((argc == 5 || argc == 6) && strcmp(argv[1], "outsider") == 0)
		return outsider(argv[2], argv[3], argv[4],
		    argc == 6 && strcmp(argv[5], "leave") == 0);
	fprintf(stderr,
	    "usage: bench-flood server NAME | friend NAME ROUNDS "
	    "GOFILE | outsider ADDR STOPFILE STARTFILE [leave]\n");
	return 2;
}
