/*
 * capwrap's exit statuses, documented in capwrap(1) EXIT STATUS.  They
 * follow sysexits(3) where one fits.  `capwrap run` exits 0 when every
 * service exited 0, EXIT_SERVICE_FAILED when one did not, the service's
 * own status with --exit-with, and 128+N when stopped by signal N.
 */
#ifndef CAPWRAP_EXITCODES_H
#define CAPWRAP_EXITCODES_H

enum {
	EXIT_OK = 0,
	/* run: a service exited non-zero or by a signal */
	EXIT_SERVICE_FAILED = 1,
	EXIT_USAGE = 64,   /* bad command line */
	EXIT_POLICY = 65,  /* the policy is invalid */
	EXIT_DATAERR = 65, /* audit, graph: records were skipped */
	EXIT_NOINPUT = 66, /* a file or program named cannot be read or found */
	EXIT_NOSERVICE = 67, /* kill, restart: no such service running */
	EXIT_SOFTWARE = 70,  /* internal error */
	EXIT_SYSTEM = 71,    /* a system call failed */
	EXIT_TEMPFAIL = 75,  /* the launcher is stopping, or busy */
	EXIT_REFUSED = 77, /* a service cannot be protected, so it is not run */
};

#endif
