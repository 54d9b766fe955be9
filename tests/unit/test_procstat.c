/*
 * The start time of a process is field 22 of /proc/PID/stat, counted
 * after the last ')' because the command name may hold spaces and ')'.
 * Stamps carry it and the launcher caches it, so reading the wrong field
 * (21, itrealvalue, always 0) must show up here, as must any malformed
 * line that yields a number.  The launcher's procinfo_start_time() is
 * linked in too: it must give what the parser gives.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "procinfo.h"
#include "procstat.h"
#include "tap.h"

/* A line as the kernel writes it, with comm and field 22 filled in. */
#define LINE(comm, start)                                   \
	"4242 " comm " S 1 4242 4242 0 -1 4194560 "         \
	"120 0 0 0 1 2 0 0 20 0 1 0 " start " 2596864 220 " \
	"18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"

static int
parses(const char *line, uint64_t *out)
{
	return procstat_start_time(line, strlen(line), out) == 0;
}

static void
test_written_lines(void)
{
	uint64_t v = 7;
	char line[512];
	size_t n, end;
	int ok, bad;

	tap_ok(parses(LINE("(cat)", "1188474"), &v) && v == 1188474,
	    "a plain line gives field 22");
	tap_ok(parses(LINE("(a) b)", "99"), &v) && v == 99,
	    "a comm with spaces and ')' is skipped to its last ')'");
	tap_ok(
	    parses(
		LINE("(x) 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20)",
		    "31"),
		&v) &&
		v == 31,
	    "a comm that looks like fields is skipped too");
	tap_ok(parses(LINE("()", "5"), &v) && v == 5, "an empty comm");
	tap_ok(parses(LINE("(x)", "0"), &v) && v == 0,
	    "0 is a number (the caller decides what it means)");
	tap_ok(parses(LINE("(x)", "18446744073709551615"), &v) &&
		v == UINT64_MAX,
	    "UINT64_MAX is the largest start time");
	tap_ok(parses("1 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 77\n",
		   &v) &&
		v == 77,
	    "field 22 ended by the newline");

	v = 7;
	tap_ok(!parses(LINE("(x)", "18446744073709551616"), &v) && v == 7,
	    "UINT64_MAX + 1 is rejected, *out untouched");
	tap_ok(!parses(LINE("(x)", "123456789012345678901"), &v),
	    "21 digits are rejected");
	tap_ok(!parses(LINE("(x)", "-1"), &v), "a negative number is rejected");
	tap_ok(!parses(LINE("(x)", "+1"), &v), "a sign is rejected");
	tap_ok(!parses(LINE("(x)", "12a"), &v), "trailing garbage is rejected");
	tap_ok(!parses(LINE("(x)", "0x10"), &v), "hexadecimal is rejected");
	tap_ok(!parses(LINE("(x)", ""), &v), "an empty field 22 is rejected");
	tap_ok(!parses(LINE("(x) ", "1"), &v), "an empty field 3 is rejected");
	tap_ok(!parses(LINE("x", "1"), &v), "no ')' is rejected");
	tap_ok(!parses("", &v), "an empty line is rejected");
	tap_ok(!parses(")", &v), "a lone ')' is rejected");
	tap_ok(!parses("garbage\n", &v), "garbage is rejected");
	tap_ok(!parses("1 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0\n", &v),
	    "a line that ends at field 21 is rejected");
	tap_ok(!parses("1 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 77", &v),
	    "a number that runs into the end may be cut short: rejected");
	tap_ok(!parses("1 (x) S 1 1 1 0 -1 0 0 0 0 0 0\n0 0 0 20 0 1 0 77 1\n",
		   &v),
	    "a newline before field 22 is rejected");

	/*
	 * Every prefix that stops inside or right after field 22 is refused;
	 * every longer one gives the whole number.  A parser that read past
	 * len would find the rest of the line and accept the short ones.
	 */
	snprintf(line, sizeof(line), "%s", LINE("(a) b)", "1188474"));
	end = strstr(line, " 1188474 ") + 8 - line;
	bad = 0;
	for (n = 0; n <= strlen(line); n++) {
		ok = procstat_start_time(line, n, &v) == 0;
		if (ok != (n > end) || (ok && v != 1188474))
			bad++;
	}
	tap_ok(bad == 0, "only prefixes past field 22 parse (%d wrong)", bad);

	errno = EBADF;
	(void)parses(LINE("(x)", "99999999999999999999"), &v);
	tap_ok(errno == EBADF, "errno survives an overflow");
}

/* Field 22 of our own stat line as cut(1) reads it: our comm has no space. */
static unsigned long long
cut_start_time(pid_t pid)
{
	char cmd[128], out[64] = "";
	unsigned long long v = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "cut -d' ' -f22 /proc/%d/stat", (int)pid);
	if ((f = popen(cmd, "r")) == NULL)
		return 0;
	if (fgets(out, sizeof(out), f) != NULL)
		v = strtoull(out, NULL, 10);
	pclose(f);
	return v;
}

static int
stat_start_time(pid_t pid, uint64_t *out)
{
	char path[64], buf[1024];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n > 0 ? procstat_start_time(buf, (size_t)n, out) : -1;
}

static void
test_real_lines(void)
{
	uint64_t self = 0, parent = 0, uptime_ticks = 0;
	double uptime;
	long hz = sysconf(_SC_CLK_TCK);
	FILE *f;
	int ok;

	ok = stat_start_time(getpid(), &self) == 0;
	tap_ok(ok && self != 0,
	    "our own /proc/self/stat gives a nonzero start time (%llu)",
	    (unsigned long long)self);
	tap_ok(self == cut_start_time(getpid()),
	    "it is field 22 as cut(1) reads it");
	tap_ok(procinfo_start_time(getpid()) == self,
	    "the launcher's procinfo_start_time() agrees");
	tap_ok(stat_start_time(getppid(), &parent) == 0 && parent != 0 &&
		parent <= self,
	    "our parent started no later than we did");
	/* Clock ticks since boot: never after now. */
	if ((f = fopen("/proc/uptime", "r")) != NULL) {
		if (fscanf(f, "%lf", &uptime) == 1)
			uptime_ticks = (uint64_t)(uptime * (double)hz) +
			    (uint64_t)hz;
		fclose(f);
	}
	tap_ok(uptime_ticks != 0 && self <= uptime_ticks,
	    "it is no later than the uptime (%llu ticks)",
	    (unsigned long long)uptime_ticks);
}

int
main(void)
{
	test_written_lines();
	test_real_lines();
	return tap_done();
}
