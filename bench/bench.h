/*
 * Shared bits of the benchmark programs.  Like the programs capwrap wraps,
 * they use the ordinary socket calls on abstract names and know nothing
 * of capwrap; the same binary runs raw and wrapped.  Every figure is one
 * line on stdout, "METRIC name value unit", for bench/run-bench.sh.
 */
#ifndef BENCH_H
#define BENCH_H

#include <sys/socket.h>
#include <sys/un.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The request byte a client sends first. */
#define BENCH_PING 'p' /* one byte each way, then close */
#define BENCH_BULK                                                  \
	'b'	      /* a stream until EOF, then one byte back and \
			 the reader's CPU time for it, 8 bytes */
#define BENCH_CPU 'c' /* the server's CPU time so far, 8 bytes back */

/* CLOCK_MONOTONIC in nanoseconds: the same clock in every process. */
uint64_t bench_now_ns(void);

/* CPU time of this process (all threads, user and system), nanoseconds. */
uint64_t bench_cpu_ns(void);

/*
 * Nanoseconds process PID has run on a CPU, from /proc/PID/schedstat
 * (fine-grained, unlike the clock ticks of /proc/PID/stat); 0 if unknown.
 */
uint64_t bench_proc_cpu_ns(pid_t pid);

/* An abstract address for NAME (the bytes after the leading NUL). */
socklen_t bench_abstract(struct sockaddr_un *, const char *name);

/* A stream socket connected to NAME; -1 with errno on failure. */
int bench_dial(const char *name);

/*
 * bench_dial, retried on ECONNREFUSED for up to timeout_ms: a raw server
 * may not be listening yet.  Exits on any other error or on timeout.
 */
int bench_dial_patiently(const char *name, int timeout_ms);

/* Read or write exactly n bytes; -1 on error or early EOF. */
int bench_read_full(int fd, void *buf, size_t n);
int bench_write_full(int fd, const void *buf, size_t n);

/* The median of n values (sorts them in place). */
double bench_median(double *v, size_t n);

/* Print "METRIC name value unit" and flush. */
void bench_metric(const char *name, double value, const char *unit);

/* A count from the command line, within [min, max], or exit 2. */
long bench_count(const char *arg, long min, long max);

/*
 * With BENCH_GATE_CALLS set, the raw programs make the system calls the
 * gates make on each connection (bench/gatecalls.c): after a dial, before
 * an accept (on the listener) and after it.
 */
bool bench_gate_calls(void);
void bench_gate_calls_dialed(int fd);
void bench_gate_calls_listener(int lfd);
void bench_gate_calls_accepted(int fd);

/* PIDFD_GET_INFO on pidfd, the call that checks a kept pidfd. */
void bench_pidfd_get_info(int pidfd);

/*
 * With BENCH_FENCE set, the calling process is put under the io_uring
 * fence the launcher puts every wrapped service under (common/kernel.h):
 * a seccomp filter, which every system call then passes.  The calls leg
 * under it is what a wrapped connection costs without the shim's code.
 * Where the launcher would run its services unfenced (no fence on this
 * kernel, or CAPWRAP_PROBE_DISABLE), the program exits BENCH_NO_FENCE.
 */
#define BENCH_NO_FENCE 77
void bench_fence_if_asked(void);

/* Print "PROG: WHAT: strerror" to stderr and exit 1. */
void bench_die(const char *what) __attribute__((noreturn));

#endif
