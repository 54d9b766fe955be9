/*
 * bench-trivial [-m]
 * Exit at once: the smallest dynamic program, for bench-exec.  With -m,
 * print first what this process occupies at main(): VmRSS, and its
 * proportional and private shares from /proc/self/smaps_rollup.
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"

/* The kB figure of the line starting with KEY in FILE, or -1. */
static long
kb_of(const char *file, const char *key)
{
	char line[256];
	size_t n = strlen(key);
	long v = -1;
	FILE *f = fopen(file, "re");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, n) == 0 &&
		    sscanf(line + n, "%ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "-m") == 0) {
		long rss = kb_of("/proc/self/status", "VmRSS:");
		long pss = kb_of("/proc/self/smaps_rollup", "Pss:");
		long clean = kb_of("/proc/self/smaps_rollup", "Private_Clean:");
		long dirty = kb_of("/proc/self/smaps_rollup", "Private_Dirty:");

		bench_metric("rss_kb", (double)rss, "kB");
		bench_metric("pss_kb", (double)pss, "kB");
		bench_metric("private_kb", (double)(clean + dirty), "kB");
	}
	return 0;
}
