/*
 * bench-probe PREFIX COUNT
 * Connect once to each of PREFIX0 ... PREFIX<COUNT-1>.  Under capwrap a
 * blocking connect waits until the name's provider has registered, so
 * the last one returns once all of them have.  Prints the time since
 * BENCH_T0 (see bench-launch), and the resident size and the CPU time so
 * far of the parent, which under capwrap run is the launcher.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

static long
rss_kb(pid_t pid)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0 &&
		    sscanf(line + 6, "%ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

int
main(int argc, char **argv)
{
	const char *t0s = getenv("BENCH_T0");
	char name[108];
	uint64_t now;
	long count;
	int fd;

	if (argc != 3 || t0s == NULL) {
		fprintf(stderr,
		    "usage: BENCH_T0=NS bench-probe PREFIX COUNT\n");
		return 2;
	}
	count = bench_count(argv[2], 1, 100000);
	for (long i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "%s%ld", argv[1], i);
		if ((fd = bench_dial(name)) < 0)
			bench_die(name);
		close(fd);
	}
	now = bench_now_ns();
	bench_metric("registered_ms",
	    (double)(now - strtoull(t0s, NULL, 10)) / 1e6, "ms");
	bench_metric("launcher_rss_kb", (double)rss_kb(getppid()), "kB");
	bench_metric("launcher_cpu_ms",
	    (double)bench_proc_cpu_ns(getppid()) / 1e6, "ms");
	return 0;
}
