/*
 * capwrap probe (probecmd.c): which of capwrap's guarantees hold on this
 * kernel, and why; and the summary `capwrap run` starts with.
 */
#ifndef CAPWRAP_PROBECMD_H
#define CAPWRAP_PROBECMD_H

/*
 * One line on stderr naming the kernel features capwrap relies on, and a
 * warning line if wrapped services cannot be fenced from io_uring.
 * Returns EXIT_OK, or EXIT_USAGE after a message if the test hook
 * CAPWRAP_PROBE_DISABLE is malformed.
 */
int probe_summary(void);

#endif
