/*
 * libFuzzer target for the /proc/PID/stat parser: a process names itself
 * (prctl(PR_SET_NAME) sets comm to any 15 bytes), so the line it parses is
 * partly chosen by whoever is being checked.  Any bytes must be rejected or
 * yield a number written in them; never a crash or a read past size.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "procstat.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char digits[32];
	uint64_t start;
	int n;

	if (procstat_start_time((const char *)data, size, &start) != 0)
		return 0;
	/* Field 22 follows a ')' and is followed by a byte of its own. */
	if (memchr(data, ')', size) == NULL)
		__builtin_trap();
	n = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)start);
	if (n <= 0 || memmem(data, size, digits, (size_t)n) == NULL)
		__builtin_trap();
	return 0;
}
