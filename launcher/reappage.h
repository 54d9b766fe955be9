/*
 * The reap page (common/wire.h, struct wire_reap_page): the launcher
 * says on it, before it reaps any child, that it is about to.
 */
#ifndef CAPWRAP_REAPPAGE_H
#define CAPWRAP_REAPPAGE_H

#include <sys/types.h>
#include <stdbool.h>

struct proc;

/* Make the page; without one (-1) shims keep their full checks. */
int reappage_init(void);

/* A read-only descriptor of the page for a shim that asked, or -1. */
int reappage_fd(void);

/*
 * Is p a child of the launcher, so reaped here and nowhere else while
 * the launcher lives?  Asked of p's pidfd (PIDFD_GET_INFO, Linux 6.13).
 */
bool reappage_reaps(const struct proc *p);

/* The epoch now (0 without a page): only this launcher moves it. */
uint64_t reappage_epoch_now(void);

/*
 * waitpid(-1, status, WNOHANG), with the epoch bumped before the child
 * is reaped: the pid of the child reaped, 0 if none has exited, -1 on
 * error.
 */
pid_t reappage_reap(int *status);

#endif
