/*
 * bench-client rate NAME COUNT
 * bench-client dial NAME UNBOUND COUNT
 * bench-client bulk NAME MIB
 * bench-client grants PREFIX COUNT WORKERS
 *
 * The client side of the figures, timed with CLOCK_MONOTONIC from the
 * first timed call, so whatever started this program is not counted.
 *   rate    COUNT connections one after another, one byte each way;
 *           also the CPU time they cost this process and the server.
 *   dial    COUNT fresh child processes; each times a connect to an
 *           UNBOUND name (refused), its first connect to NAME, one byte
 *           each way, a second connect, and UNBOUND again.  Every other
 *           child is forked only, like a pre-forked worker of a process
 *           that dialed NAME already; the others exec a new image of this
 *           program first ("dial-child"), which inherits nothing of it.
 *   bulk    MIB mebibytes over one connection, until the server's ack;
 *           also the CPU time per MiB of the writer and of the reader.
 *   grants  WORKERS processes at once, each connecting once to every
 *           one of PREFIX0 ... PREFIX<COUNT-1>; also the CPU time the
 *           parent process spent meanwhile, per connection (under
 *           capwrap the parent is the launcher, which grants each one).
 */
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

/* How long a raw server may take to start listening. */
#define START_TIMEOUT_MS 20000

static void
ping(int fd)
{
	char req = BENCH_PING, ack;

	if (bench_write_full(fd, &req, 1) != 0 ||
	    bench_read_full(fd, &ack, 1) != 0)
		bench_die("ping");
}

static void
one_ping(const char *name)
{
	int fd = bench_dial(name);

	if (fd < 0)
		bench_die("connect");
	if (bench_gate_calls())
		bench_gate_calls_dialed(fd);
	ping(fd);
	close(fd);
}

/* The server's CPU time so far, in nanoseconds. */
static uint64_t
server_cpu_ns(const char *name)
{
	char req = BENCH_CPU;
	uint64_t cpu;
	int fd = bench_dial(name);

	if (fd < 0)
		bench_die("connect");
	if (bench_write_full(fd, &req, 1) != 0 ||
	    bench_read_full(fd, &cpu, sizeof(cpu)) != 0)
		bench_die("server CPU time");
	close(fd);
	return cpu;
}

static void
run_rate(const char *name, long count)
{
	uint64_t t0, t1, c0, c1, s0, s1;

	close(bench_dial_patiently(name, START_TIMEOUT_MS));
	/* Warm caches on both sides (and the CPU's) before the clock runs. */
	for (int i = 0; i < 200; i++)
		one_ping(name);
	s0 = server_cpu_ns(name);
	c0 = bench_cpu_ns();
	t0 = bench_now_ns();
	for (long i = 0; i < count; i++)
		one_ping(name);
	t1 = bench_now_ns();
	c1 = bench_cpu_ns();
	s1 = server_cpu_ns(name);
	bench_metric("connect_rate", (double)count * 1e9 / (double)(t1 - t0),
	    "conn/s");
	bench_metric("client_cpu_us", (double)(c1 - c0) / 1e3 / (double)count,
	    "us/conn");
	bench_metric("server_cpu_us", (double)(s1 - s0) / 1e3 / (double)count,
	    "us/conn");
}

/* Microseconds a connect to UNBOUND takes to be refused. */
static double
time_refused(const char *unbound)
{
	uint64_t t0, t1;
	int fd;

	t0 = bench_now_ns();
	fd = bench_dial(unbound);
	t1 = bench_now_ns();
	if (fd >= 0 || errno != ECONNREFUSED) {
		fprintf(stderr,
		    "bench-client: @%s: expected ECONNREFUSED, got %s\n",
		    unbound, fd >= 0 ? "a connection" : strerror(errno));
		_exit(1);
	}
	return (double)(t1 - t0) / 1e3;
}

enum { PROBE_COLD, FIRST_DIAL, FIRST_EXCHANGE, CACHED_DIAL, PROBE_WARM, NDIAL };

/* In a fresh process: it has not dialed NAME itself yet. */
static void __attribute__((noreturn))
dial_child(const char *name, const char *unbound, int out)
{
	double t[NDIAL];
	uint64_t t0, t1, t2;
	int fd;

	t[PROBE_COLD] = time_refused(unbound);
	t0 = bench_now_ns();
	fd = bench_dial(name);
	t1 = bench_now_ns();
	if (fd < 0)
		bench_die("first connect");
	ping(fd);
	t2 = bench_now_ns();
	close(fd);
	t[FIRST_DIAL] = (double)(t1 - t0) / 1e3;
	t[FIRST_EXCHANGE] = (double)(t2 - t0) / 1e3;
	t0 = bench_now_ns();
	fd = bench_dial(name);
	t1 = bench_now_ns();
	if (fd < 0)
		bench_die("second connect");
	ping(fd);
	close(fd);
	t[CACHED_DIAL] = (double)(t1 - t0) / 1e3;
	t[PROBE_WARM] = time_refused(unbound);
	if (bench_write_full(out, t, sizeof(t)) != 0)
		_exit(1);
	_exit(0);
}

/* A child that execs this program again, timing in a new image. */
static void __attribute__((noreturn)) exec_dial_child(const char *self,
    const char *name, const char *unbound, int out)
{
	char fd[16];

	snprintf(fd, sizeof(fd), "%d", out);
	execl("/proc/self/exe", self, "dial-child", name, unbound, fd,
	    (char *)NULL);
	_exit(127);
}

static void
run_dial(const char *self, const char *name, const char *unbound, long count)
{
	static const char *const metric[NDIAL] = {
		"probe_cold_us",
		"first_dial_us",
		"first_exchange_us",
		"cached_dial_us",
		"probe_warm_us",
	};
	double *v[2][NDIAL], t[NDIAL];
	long n[2] = { 0, 0 };
	int p[2], status;
	pid_t pid;

	close(bench_dial_patiently(name, START_TIMEOUT_MS));
	for (int e = 0; e < 2; e++)
		for (int k = 0; k < NDIAL; k++)
			if ((v[e][k] = calloc((size_t)count, sizeof(double))) ==
			    NULL)
				bench_die("calloc");
	for (long i = 0; i < 2 * count; i++) {
		int exec_it = (int)(i % 2);

		if (pipe2(p, 0) != 0)
			bench_die("pipe");
		if ((pid = fork()) < 0)
			bench_die("fork");
		if (pid == 0) {
			close(p[0]);
			if (exec_it)
				exec_dial_child(self, name, unbound, p[1]);
			dial_child(name, unbound, p[1]);
		}
		close(p[1]);
		if (bench_read_full(p[0], t, sizeof(t)) != 0 ||
		    waitpid(pid, &status, 0) != pid || status != 0) {
			fprintf(stderr, "bench-client: dial child failed\n");
			exit(1);
		}
		close(p[0]);
		for (int k = 0; k < NDIAL; k++)
			v[exec_it][k][n[exec_it]] = t[k];
		n[exec_it]++;
	}
	for (int k = 0; k < NDIAL; k++)
		bench_metric(metric[k], bench_median(v[0][k], (size_t)n[0]),
		    "us");
	/* The same in new images: the first dial is a round trip there. */
	for (int k = 0; k < NDIAL; k++) {
		char exec_metric[64];

		snprintf(exec_metric, sizeof(exec_metric), "exec_%s",
		    metric[k]);
		bench_metric(exec_metric, bench_median(v[1][k], (size_t)n[1]),
		    "us");
	}
}

static void
run_bulk(const char *name, long mib)
{
	static char buf[1 << 16];
	char req = BENCH_BULK, ack;
	uint64_t t0, t1, cpu0, cpu1, reader_cpu;
	int fd;

	memset(buf, 'x', sizeof(buf));
	close(bench_dial_patiently(name, START_TIMEOUT_MS));
	fd = bench_dial(name);
	if (fd < 0)
		bench_die("connect");
	if (bench_write_full(fd, &req, 1) != 0)
		bench_die("write");
	t0 = bench_now_ns();
	cpu0 = bench_cpu_ns();
	for (long i = 0; i < mib * 16; i++)
		if (bench_write_full(fd, buf, sizeof(buf)) != 0)
			bench_die("write");
	if (shutdown(fd, SHUT_WR) != 0 || bench_read_full(fd, &ack, 1) != 0)
		bench_die("bulk ack");
	t1 = bench_now_ns();
	cpu1 = bench_cpu_ns();
	if (bench_read_full(fd, &reader_cpu, sizeof(reader_cpu)) != 0)
		bench_die("bulk reader's CPU time");
	close(fd);
	bench_metric("bulk_throughput", (double)mib * 1e9 / (double)(t1 - t0),
	    "MiB/s");
	bench_metric("bulk_write_cpu_us",
	    (double)(cpu1 - cpu0) / 1e3 / (double)mib, "us/MiB");
	bench_metric("bulk_read_cpu_us", (double)reader_cpu / 1e3 / (double)mib,
	    "us/MiB");
}

static void
grants_worker(const char *prefix, long count, long first, int go)
{
	char name[108], c;

	/* Start together: the parent closes the pipe when the clock starts. */
	(void)!read(go, &c, 1);
	for (long i = 0; i < count; i++) {
		int fd;

		snprintf(name, sizeof(name), "%s%ld", prefix,
		    (first + i) % count);
		if ((fd = bench_dial(name)) < 0)
			bench_die(name);
		close(fd);
	}
	_exit(0);
}

static void
run_grants(const char *prefix, long count, long workers)
{
	char name[108];
	uint64_t t0, t1, p0, p1;
	int go[2], status;
	pid_t pid, parent = getppid();

	/* The server listens in order: the last name up means all are. */
	snprintf(name, sizeof(name), "%s%ld", prefix, count - 1);
	close(bench_dial_patiently(name, START_TIMEOUT_MS));
	if (pipe2(go, O_CLOEXEC) != 0)
		bench_die("pipe");
	for (long w = 0; w < workers; w++) {
		if ((pid = fork()) < 0)
			bench_die("fork");
		if (pid == 0) {
			close(go[1]);
			grants_worker(prefix, count, w * count / workers,
			    go[0]);
		}
	}
	close(go[0]);
	p0 = bench_proc_cpu_ns(parent);
	t0 = bench_now_ns();
	close(go[1]);
	while ((pid = wait(&status)) > 0)
		if (status != 0) {
			fprintf(stderr, "bench-client: grants worker failed\n");
			exit(1);
		}
	t1 = bench_now_ns();
	p1 = bench_proc_cpu_ns(parent);
	bench_metric("grant_rate",
	    (double)(count * workers) * 1e9 / (double)(t1 - t0), "dial/s");
	bench_metric("parent_cpu_us",
	    (double)(p1 - p0) / 1e3 / (double)(count * workers), "us/dial");
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	bench_fence_if_asked();
	if (strcmp(mode, "rate") == 0 && argc == 4)
		run_rate(argv[2], bench_count(argv[3], 1, 100000000));
	else if (strcmp(mode, "dial") == 0 && argc == 5)
		run_dial(argv[0], argv[2], argv[3],
		    bench_count(argv[4], 1, 100000));
	else if (strcmp(mode, "dial-child") == 0 && argc == 5)
		dial_child(argv[2], argv[3],
		    (int)bench_count(argv[4], 0, 65535));
	else if (strcmp(mode, "bulk") == 0 && argc == 4)
		run_bulk(argv[2], bench_count(argv[3], 1, 1 << 20));
	else if (strcmp(mode, "grants") == 0 && argc == 5)
		run_grants(argv[2], bench_count(argv[3], 1, 100000),
		    bench_count(argv[4], 1, 64));
	else {
		fprintf(stderr,
		    "usage: bench-client rate NAME COUNT\n"
		    "       bench-client dial NAME UNBOUND COUNT\n"
		    "       bench-client dial-child NAME UNBOUND FD\n"
		    "       bench-client bulk NAME MIB\n"
		    "       bench-client grants PREFIX COUNT WORKERS\n");
		return 2;
	}
	return 0;
}
