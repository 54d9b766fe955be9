/*
 * bench-launch PROGRAM [ARG...]
 * Put the CLOCK_MONOTONIC time in BENCH_T0 and exec PROGRAM, so that a
 * program it starts (bench-probe under capwrap run) can time from here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bench.h"

int
main(int argc, char **argv)
{
	char t0[32];

	if (argc < 2) {
		fprintf(stderr, "usage: bench-launch PROGRAM [ARG...]\n");
		return 2;
	}
	snprintf(t0, sizeof(t0), "%llu", (unsigned long long)bench_now_ns());
	if (setenv("BENCH_T0", t0, 1) != 0)
		bench_die("setenv");
	execvp(argv[1], argv + 1);
	bench_die(argv[1]);
}
