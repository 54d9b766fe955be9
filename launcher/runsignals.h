/*
 * What `capwrap run` does with each signal that would end it by default:
 * no such signal may end the launcher without a word and leave its
 * services behind.  Each is blocked and read from the signalfd
 * (supervise.c), then either stops the topology in order, as SIGTERM
 * does, or is ignored with a line on stderr.  Documented in capwrap(1)
 * SIGNALS.
 */
#ifndef CAPWRAP_RUNSIGNALS_H
#define CAPWRAP_RUNSIGNALS_H

#include <signal.h>

enum runsig_action {
	RUNSIG_OTHER = 0, /* not one of ours (SIGCHLD, SIGHUP) */
	RUNSIG_STOP,	  /* an orderly stop, exit 128+N */
	RUNSIG_IGNORE,	  /* a line on stderr, nothing else */
};

/* Add every signal of runsig_action's two kinds to set. */
void runsig_fill(sigset_t *set);
enum runsig_action runsig_action(int sig);

#endif
