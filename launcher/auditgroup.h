/*
 * capwrap audit's summary: records added up by service, gate and peer
 * (its executable, or its pid when none was recorded), in a hash table,
 * so a log with many distinct peers is read in linear time.
 */
#ifndef CAPWRAP_AUDITGROUP_H
#define CAPWRAP_AUDITGROUP_H

#include <stdbool.h>
#include <stddef.h>

#include "auditread.h"

#define GROUP_NAMES 4
#define GROUP_PIDS 8
/* The peer key of refusals told only in "suppressed" records. */
#define GROUP_SUPPRESSED (-2)

struct group {
	char *service, *gate;
	char *peer_exe;	    /* NULL: not recorded */
	long long peer_pid; /* the key when there is no exe */
	long long pids[GROUP_PIDS];
	size_t npids;
	bool more_pids;
	char *names[GROUP_NAMES];
	size_t nnames;
	bool more_names;
	long long count;
	char *first, *last;
};

struct groups {
	struct group *v;
	size_t n, cap;
	size_t *slots; /* index + 1 into v; 0: empty */
	size_t nslots; /* a power of two, over twice n */
	bool oom;
};

/* Add rec ("deny" or "suppressed") to its group. */
void groups_add(struct groups *, const struct audit_record *);
/* Order by count, largest first; lookups are over after this. */
void groups_sort(struct groups *);
void groups_free(struct groups *);

#endif
