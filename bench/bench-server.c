/*
 * bench-server [-p] [-c COUNT] NAME
 * Listen on the abstract NAME and serve one connection after another in
 * one thread: a request byte BENCH_PING gets one byte back; BENCH_BULK
 * is followed by a stream that is read to EOF, then one byte back and the
 * CPU time the reading took (8 bytes);
 * BENCH_CPU gets the server's CPU time so far, so that a client can tell
 * what its connections cost the server.
 * -p listens and never accepts (a service that only has to register).
 * -c listens on NAME0 ... NAME<COUNT-1> instead, passively.
 */
#include <sys/resource.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bench.h"

static int
listen_on(const char *name)
{
	struct sockaddr_un sun;
	socklen_t len = bench_abstract(&sun, name);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		bench_die("socket");
	if (bind(fd, (struct sockaddr *)&sun, len) != 0)
		bench_die("bind");
	if (listen(fd, SOMAXCONN) != 0)
		bench_die("listen");
	return fd;
}

static void
serve(int fd)
{
	static char buf[1 << 16];
	char req, ack = 'k';
	uint64_t cpu;
	ssize_t n;

	if (bench_read_full(fd, &req, 1) != 0)
		return;
	if (req == BENCH_CPU) {
		cpu = bench_cpu_ns();
		(void)bench_write_full(fd, &cpu, sizeof(cpu));
		return;
	}
	if (req == BENCH_BULK) {
		cpu = bench_cpu_ns();
		do
			n = read(fd, buf, sizeof(buf));
		while (n > 0 || (n < 0 && errno == EINTR));
		cpu = bench_cpu_ns() - cpu;
		if (bench_write_full(fd, &ack, 1) == 0)
			(void)bench_write_full(fd, &cpu, sizeof(cpu));
		return;
	}
	(void)bench_write_full(fd, &ack, 1);
}

/* Enough descriptors for COUNT listeners. */
static void
raise_fd_limit(long count)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur < (rlim_t)count + 64) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
main(int argc, char **argv)
{
	char name[108];
	long count = 0;
	bool passive = false;
	int c, lfd, fd;

	bench_fence_if_asked();
	while ((c = getopt(argc, argv, "pc:")) != -1) {
		switch (c) {
		case 'p':
			passive = true;
			break;
		case 'c':
			count = bench_count(optarg, 1, 100000);
			break;
		default:
			goto usage;
		}
	}
	if (argc - optind != 1)
		goto usage;
	if (count > 0) {
		raise_fd_limit(count);
		for (long i = 0; i < count; i++) {
			snprintf(name, sizeof(name), "%s%ld", argv[optind], i);
			(void)listen_on(name);
		}
		for (;;)
			pause();
	}
	lfd = listen_on(argv[optind]);
	if (passive)
		for (;;)
			pause();
	for (;;) {
		if (bench_gate_calls())
			bench_gate_calls_listener(lfd);
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			/*
			 * ECONNABORTED: a refused peer was dropped by the gate.
			 */
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			bench_die("accept");
		}
		if (bench_gate_calls())
			bench_gate_calls_accepted(fd);
		serve(fd);
		close(fd);
	}
usage:
	fprintf(stderr, "usage: bench-server [-p] [-c COUNT] NAME\n");
	return 2;
}
