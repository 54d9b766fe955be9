#include <signal.h>
#include <stddef.h>

#include "runsignals.h"

/*
 * Those an operator or the system sends to end a process: SIGINT and
 * SIGTERM, SIGQUIT (from a terminal), SIGPWR (init, on power failure),
 * SIGXCPU (the soft CPU limit, ahead of the hard one's SIGKILL).
 */
static const int stop_signals[] = { SIGINT, SIGTERM, SIGQUIT, SIGPWR, SIGXCPU };

/*
 * Notices the launcher never asked for: it arms no timer, no SIGIO, and
 * a write past RLIMIT_FSIZE fails with EFBIG instead.  The real-time
 * signals (SIGRTMIN to SIGRTMAX) are ignored too.  SIGPIPE is ignored
 * without a word (SIG_IGN, run.c): a reader that went away is told by
 * EPIPE where it matters.  The signals of a fault (SIGSEGV, SIGBUS,
 * SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS) are left alone: a fault is
 * not a request, and blocking it would not stop the kernel's.
 */
static const int ignored_signals[] = { SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM,
	SIGPROF, SIGIO, SIGSTKFLT, SIGXFSZ };

void
runsig_fill(sigset_t *set)
{
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(*stop_signals);
	     i++)
		sigaddset(set, stop_signals[i]);
	for (size_t i = 0;
	     i < sizeof(ignored_signals) / sizeof(*ignored_signals); i++)
		sigaddset(set, ignored_signals[i]);
	for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		sigaddset(set, sig);
}

enum runsig_action
runsig_action(int sig)
{
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(*stop_signals);
	     i++)
		if (stop_signals[i] == sig)
			return RUNSIG_STOP;
	for (size_t i = 0;
	     i < sizeof(ignored_signals) / sizeof(*ignored_signals); i++)
		if (ignored_signals[i] == sig)
			return RUNSIG_IGNORE;
	if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		return RUNSIG_IGNORE;
	return RUNSIG_OTHER;
}
