/*
 * What the audit says about a refused peer: its executable and command
 * line, read at the moment of the refusal, never later, and never in a
 * way that can stop the launcher's single event loop.
 */
#ifndef CAPWRAP_PROCFACTS_H
#define CAPWRAP_PROCFACTS_H

#include <sys/types.h>
#include <stdbool.h>
#include <stdint.h>

/* How long the loop waits for a command line, and then goes without. */
#define PROCFACTS_DEADLINE_MS 200
#define PROCFACTS_BACKOFF_MS 10000

struct procfacts {
	char exe[512];	    /* "" if unreadable */
	char cmdline[1024]; /* "" if unreadable or not read in time */
	bool cmdline_late;  /* not read in time: "unavailable" */
	char at[40];	    /* RFC 3339 UTC time they were read */
};

/* Read the facts of pid now; pid <= 0 gives only the time. */
void procfacts_read(pid_t pid, struct procfacts *);
/* End the reader thread, unless a peer holds it up (at exit). */
void procfacts_stop(void);
/*
 * For the unit test: the function that reads a command line (default
 * procinfo_cmdline) and the wait and backoff in milliseconds.
 */
void procfacts_configure(void (*reader)(pid_t, char *, size_t),
    int64_t deadline_ms, int64_t backoff_ms);
/* RFC 3339 UTC time with microseconds. */
void procfacts_time(char *out, size_t size);

#endif
