/*
 * The audit reads a refused peer's command line through procfacts, which
 * must never keep the launcher's loop waiting: a read the peer holds up
 * (its mmap lock, an argument page on a FUSE file) is given up at the
 * deadline, the record says "unavailable", and no further read is tried
 * while that one hangs or the backoff lasts.  A reader that blocks on a
 * pipe stands for the peer here: making the kernel's read hang on demand
 * needs a FUSE file system, and would test the kernel, not capwrap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "procfacts.h"
#include "tap.h"

static int gate[2];	     /* the held-up reader waits for a byte here */
static volatile int holding; /* while set, every read is held up */

static void
held_up_reader(pid_t pid, char *buf, size_t size)
{
	char c;

	(void)pid;
	if (holding && read(gate[0], &c, 1) != 1)
		c = 0; /* released either way: the gate closed */
	snprintf(buf, size, "released");
}

static void
release(void)
{
	holding = 0;
	if (write(gate[1], "x", 1) != 1)
		abort(); /* a reader held up for ever */
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	nanosleep(&ts, NULL);
}

/* Until the held-up read has returned and a new one gets through. */
static int
read_until_answered(struct procfacts *f)
{
	for (int i = 0; i < 500; i++) {
		procfacts_read(getpid(), f);
		if (!f->cmdline_late)
			return 1;
		sleep_ms(10);
	}
	return 0;
}

int
main(void)
{
	struct procfacts f;

	procfacts_read(getpid(), &f);
	tap_ok(!f.cmdline_late && strstr(f.cmdline, "test-procfacts") != NULL,
	    "our own command line, read in time: %s", f.cmdline);
	tap_ok(strstr(f.exe, "test-procfacts") != NULL, "our executable: %s",
	    f.exe);
	tap_ok(strlen(f.at) == 27 && f.at[26] == 'Z', "when: %s", f.at);

	if (pipe(gate) != 0)
		return 1;
	holding = 1;
	procfacts_configure(held_up_reader, 20, 0);
	procfacts_read(getpid(), &f);
	tap_ok(f.cmdline_late && f.cmdline[0] == '\0',
	    "a held-up read is given up: unavailable");
	tap_ok(f.exe[0] != '\0', "the executable is still read");
	procfacts_read(getpid(), &f);
	tap_ok(f.cmdline_late, "while it hangs, no second read is tried");
	release();
	tap_ok(read_until_answered(&f) && strcmp(f.cmdline, "released") == 0,
	    "once it returns, command lines are read again");

	holding = 1;
	procfacts_configure(held_up_reader, 20, 3600 * 1000);
	procfacts_read(getpid(), &f);
	release();
	sleep_ms(100);
	procfacts_read(getpid(), &f);
	tap_ok(f.cmdline_late, "after a held-up read, none during the backoff");
	return tap_done();
}
