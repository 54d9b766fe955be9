/*
 * Reading /proc/PID/stat: see procstat.h.  Compiled into both the shim
 * and the launcher; it must not use anything but libc.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procstat.h"
#include "sysio.h"

#define START_TIME_FIELD 22
/* UINT64_MAX has 20 decimal digits. */
#define UINT64_DIGITS 20

_Static_assert(ULLONG_MAX == UINT64_MAX, "strtoull must cover uint64_t");

int
procstat_start_time(const char *line, size_t len, uint64_t *out)
{
	const char *end = line + len, *p, *field_start = NULL;
	char digits[UINT64_DIGITS + 1], *digits_end;
	unsigned long long value;
	size_t n;
	int field, saved = errno;

	/*
	 * Field 2 is the command name in parentheses, and it may itself hold
	 * spaces and ')': only the last ')' of the line ends it.
	 */
	for (p = end; p > line && p[-1] != ')'; p--)
		continue;
	if (p == line)
		return -1;
	/* Fields 3 (state) onwards: each one space, then at least a byte. */
	for (field = 3; field <= START_TIME_FIELD; field++) {
		if (p == end || *p != ' ')
			return -1;
		field_start = ++p;
		while (p < end && *p != ' ' && *p != '\n')
			p++;
		if (p == field_start)
			return -1;
	}
	/*
	 * The kernel always writes more fields after it: a number that runs
	 * into the end of the buffer may be a truncated prefix of the real one.
	 */
	if (p == end)
		return -1;
	/* strtoull would also take a sign or leading blanks: digits only. */
	n = (size_t)(p - field_start);
	if (n > UINT64_DIGITS)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (field_start[i] < '0' || field_start[i] > '9')
			return -1;
	/* A copy: strtoull needs a NUL the line may not have. */
	memcpy(digits, field_start, n);
	digits[n] = '\0';
	errno = 0;
	value = strtoull(digits, &digits_end, 10);
	if (errno != 0 || *digits_end != '\0') {
		errno = saved;
		return -1;
	}
	errno = saved;
	*out = value;
	return 0;
}

uint64_t
procstat_read_start_time(pid_t pid, const struct sysio *io)
{
	char path[64], buf[1024];
	uint64_t start;
	ssize_t n, total = 0;
	int fd, saved = errno;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = io->open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		errno = saved;
		return 0;
	}
	/* One read takes it all; a short one is read on, never trusted cut. */
	while ((size_t)total < sizeof(buf) &&
	    (n = io->read(fd, buf + total, sizeof(buf) - total)) > 0)
		total += n;
	io->close(fd);
	errno = saved;
	if (total <= 0 || procstat_start_time(buf, (size_t)total, &start) != 0)
		return 0;
	return start;
}
