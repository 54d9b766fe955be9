/*
 * bench-exec COUNT PROGRAM [ARG...]
 * fork and exec PROGRAM COUNT times, one after another, and print the
 * median time from fork() to its exit status.  Under capwrap every child
 * starts with the shim and the channel, as a service's children do, and
 * capwrap's own start-up is outside the clock.
 */
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bench.h"

static double
exec_once(char **argv)
{
	uint64_t t0 = bench_now_ns();
	int status;
	pid_t pid = fork();

	if (pid < 0)
		bench_die("fork");
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		bench_die("waitpid");
	if (status != 0) {
		fprintf(stderr, "bench-exec: %s exited with status %d\n",
		    argv[0], status);
		exit(1);
	}
	return (double)(bench_now_ns() - t0) / 1e3;
}

int
main(int argc, char **argv)
{
	long count;
	double *v;

	if (argc < 3) {
		fprintf(stderr, "usage: bench-exec COUNT PROGRAM [ARG...]\n");
		return 2;
	}
	count = bench_count(argv[1], 1, 1000000);
	if ((v = calloc((size_t)count, sizeof(*v))) == NULL)
		bench_die("calloc");
	for (int i = 0; i < 20; i++)
		(void)exec_once(argv + 2);
	for (long i = 0; i < count; i++)
		v[i] = exec_once(argv + 2);
	bench_metric("exec_us", bench_median(v, (size_t)count), "us");
	return 0;
}
