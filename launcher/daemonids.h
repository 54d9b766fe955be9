/*
 * Who a service runs as and with which limits, from its policy's `user`,
 * `group` and `limit`: looked up by the launcher, both when the policy is
 * checked (capwrap check, capwrap run before it starts anything) and
 * before each spawn, since the user database may change in between.
 */
#ifndef CAPWRAP_DAEMONIDS_H
#define CAPWRAP_DAEMONIDS_H

#include <sys/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "policy.h"

struct daemon_ids {
	bool set_user, set_group, set_groups;
	uid_t uid;
	gid_t gid;
	gid_t *groups; /* ngroups of them, malloc'd: daemon_ids_free */
	int ngroups;
};

/*
 * The ids service s asks for, into d.  Returns 0, or -1 with a message in
 * err and *col the column of the word at fault (the user or the group
 * does not exist, or is not the launcher's own and the launcher is not
 * root).  Nothing is set when the ids are the launcher's own already.
 */
int daemon_ids(const struct policy_service *s, struct daemon_ids *d,
    unsigned *line, unsigned *col, char *err, size_t errlen);
void daemon_ids_free(struct daemon_ids *d);

/*
 * In the vfork child of servicespawn.c: become d's user, setting the
 * groups, then the group, then the user, since each needs the privilege
 * the next one drops.  Each call is checked: a service left running as
 * root because setuid failed must not start.  System calls only, nothing
 * allocated.  Returns NULL, or the name of the call that failed (errno).
 */
const char *daemon_become(const struct daemon_ids *d);

/*
 * Every service's ids and, at_start, its limits against the hard limits
 * capwrap runs with; each error reported as capwrap: FILE:LINE:COL: ...
 * Returns EXIT_OK or EXIT_POLICY.
 */
int daemon_check(const struct policy *p, bool at_start);

#endif
