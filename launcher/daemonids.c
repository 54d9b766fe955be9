/*
 * A service's user, group and limits, as the launcher can apply them.
 * Lookups go through NSS (getpwnam and its kin), so they are made here,
 * in the launcher, and never in the vfork child, which may not allocate.
 */
#include <sys/resource.h>
#include <sys/syscall.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemonids.h"
#include "exitcodes.h"

/* A word of digits is a number (the parser checked its range). */
static bool
numeric(const char *w, unsigned long *out)
{
	char *end;

	if (w[0] < '0' || w[0] > '9')
		return false;
	*out = strtoul(w, &end, 10);
	return *end == '\0';
}

static const struct passwd *
find_user(const char *w)
{
	unsigned long n;

	return numeric(w, &n) ? getpwuid((uid_t)n) : getpwnam(w);
}

static const struct group *
find_group(const char *w)
{
	unsigned long n;

	return numeric(w, &n) ? getgrgid((gid_t)n) : getgrnam(w);
}

/* initgroups(3)'s list for name with gid, computed, not applied. */
static int
group_list(const char *name, gid_t gid, struct daemon_ids *d)
{
	int n = 32;

	for (;;) {
		gid_t *g = reallocarray(d->groups, (size_t)n, sizeof(*g));
		int got = n;

		if (g == NULL)
			return -1;
		d->groups = g;
		if (getgrouplist(name, gid, g, &got) >= 0) {
			d->ngroups = got;
			d->set_groups = true;
			return 0;
		}
		/* got is now the count needed; guard against it not growing. */
		n = got > n ? got : n * 2;
		if (n > 65536)
			return -1;
	}
}

/* Not root: only the launcher's own ids, which need no change. */
static int
own_ids(const struct policy_service *s, uid_t uid, gid_t gid, unsigned *line,
    unsigned *col, char *err, size_t errlen)
{
	if (s->user != NULL && uid != geteuid()) {
		*line = s->user_line, *col = s->user_col;
		snprintf(err, errlen,
		    "user %s is not capwrap's own (uid %u), and only root "
		    "may start a service as another user",
		    s->user, (unsigned)geteuid());
		return -1;
	}
	if (s->group != NULL && gid != getegid()) {
		*line = s->group_line, *col = s->group_col;
		snprintf(err, errlen,
		    "group %s is not capwrap's own (gid %u), and only root "
		    "may start a service as another group",
		    s->group, (unsigned)getegid());
		return -1;
	}
	return 0;
}

int
daemon_ids(const struct policy_service *s, struct daemon_ids *d, unsigned *line,
    unsigned *col, char *err, size_t errlen)
{
	const struct passwd *pw = NULL;
	const struct group *gr;
	char name[256];
	gid_t gid = 0;

	memset(d, 0, sizeof(*d));
	if (s->user != NULL) {
		if ((pw = find_user(s->user)) == NULL) {
			*line = s->user_line, *col = s->user_col;
			snprintf(err, errlen, "unknown user %s", s->user);
			return -1;
		}
		d->uid = pw->pw_uid;
		gid = pw->pw_gid;
		/* getgrnam may reuse pw's storage. */
		(void)strlcpy(name, pw->pw_name, sizeof(name));
	}
	if (s->group != NULL) {
		if ((gr = find_group(s->group)) == NULL) {
			*line = s->group_line, *col = s->group_col;
			snprintf(err, errlen, "unknown group %s", s->group);
			return -1;
		}
		gid = gr->gr_gid;
	}
	if (geteuid() != 0)
		return own_ids(s, d->uid, gid, line, col, err, errlen);
	d->gid = gid;
	d->set_group = s->user != NULL || s->group != NULL;
	if (s->user == NULL && s->group != NULL) {
		/* The launcher's own supplementary groups (root's) go. */
		if ((d->groups = malloc(sizeof(*d->groups))) == NULL) {
			*line = s->group_line, *col = s->group_col;
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		d->groups[0] = gid;
		d->ngroups = 1;
		d->set_groups = true;
	} else if (s->user != NULL) {
		d->set_user = true;
		if (group_list(name, gid, d) != 0) {
			*line = s->user_line, *col = s->user_col;
			snprintf(err, errlen, "groups of user %s: %s", s->user,
			    strerror(errno != 0 ? errno : ENOMEM));
			daemon_ids_free(d);
			return -1;
		}
	}
	return 0;
}

/*
 * The system calls, not the C library's wrappers: in a process with
 * threads (the launcher has one once it reads a refused peer's facts),
 * glibc's setuid() walks the list of the process's threads, signals each
 * to change too and waits for them; in the vfork child that list, and
 * its lock, are the launcher's, which the child must not touch.  The
 * kernel changes the credentials of the calling thread only, which in
 * the child is the whole service.
 */
const char *
daemon_become(const struct daemon_ids *d)
{
	if (d->set_groups &&
	    syscall(SYS_setgroups, (size_t)d->ngroups, d->groups) != 0)
		return "setgroups";
	if (d->set_group && syscall(SYS_setgid, d->gid) != 0)
		return "setgid";
	if (d->set_user && syscall(SYS_setuid, d->uid) != 0)
		return "setuid";
	return NULL;
}

void
daemon_ids_free(struct daemon_ids *d)
{
	free(d->groups);
	memset(d, 0, sizeof(*d));
}

/* A limit above the hard one cannot be set by the service's start. */
static int
check_limit(const struct policy *p, const struct policy_service *s,
    const struct policy_limit *l, int resource, const char *what)
{
	struct rlimit rl;
	char v[32];

	if (!l->set || getrlimit(resource, &rl) != 0 ||
	    rl.rlim_max == RLIM_INFINITY ||
	    (l->value != POLICY_LIMIT_INFINITY && l->value <= rl.rlim_max))
		return EXIT_OK;
	if (l->value == POLICY_LIMIT_INFINITY)
		(void)strlcpy(v, "unlimited", sizeof(v));
	else
		snprintf(v, sizeof(v), "%llu", l->value);
	fprintf(stderr,
	    "capwrap: %s:%u:%u: service %s: limit %s %s is above the hard "
	    "limit capwrap runs with (%llu)\n",
	    p->path, l->line, l->col, s->name, what, v,
	    (unsigned long long)rl.rlim_max);
	return EXIT_POLICY;
}

int
daemon_check(const struct policy *p, bool at_start)
{
	struct daemon_ids d;
	char err[512];
	unsigned line, col;
	int rc = EXIT_OK;

	for (size_t i = 0; i < p->nservices; i++) {
		const struct policy_service *s = &p->services[i];

		if (daemon_ids(s, &d, &line, &col, err, sizeof(err)) != 0) {
			fprintf(stderr, "capwrap: %s:%u:%u: service %s: %s\n",
			    p->path, line, col, s->name, err);
			rc = EXIT_POLICY;
			continue;
		}
		daemon_ids_free(&d);
		if (!at_start)
			continue;
		if (check_limit(p, s, &s->nofile, RLIMIT_NOFILE, "nofile") ||
		    check_limit(p, s, &s->core, RLIMIT_CORE, "core"))
			rc = EXIT_POLICY;
	}
	return rc;
}
