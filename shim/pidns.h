/*
 * Whether this process is in the launcher's pid namespace (pidns.c).
 */
#ifndef CAPSHIM_PIDNS_H
#define CAPSHIM_PIDNS_H

#include <stdbool.h>

/* At start-up, with the channel checked: ask once for this image. */
void pidns_init(int channel);

/*
 * Is this process in the launcher's pid namespace, where the pid of a
 * stamp (the launcher's number for the process) is SO_PEERCRED's for the
 * same process?  False without a channel.
 */
bool pidns_launchers(void);

/*
 * A call of this process may put its children in another pid namespace:
 * from now on this process, and those forked from it, ask at every check.
 */
void pidns_children_elsewhere(void);

/* Of syscall(number, a...): a call that may do so (unshare, setns, clone). */
void pidns_watch_syscall(long number, const long a[6]);

#endif
