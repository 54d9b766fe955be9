#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auditrec.h"
#include "fslisten.h"
#include "fsreport.h"
#include "sink.h"

/* Processes of one service looked at, at most. */
#define FSREPORT_PROCS 4096

/* What was told: a path once per service, FSREPORT_MAX in all. */
static struct told {
	const struct policy_service *ps;
	char *path;
} told[FSREPORT_MAX];
static size_t ntold;
static bool told_full;

/* Looks a start: keyed by the service and the time it started. */
static struct looks {
	const struct policy_service *ps;
	int64_t started_ms;
	size_t n;
	bool at_grant; /* the one look at a grant was taken */
} * looks;
static size_t nlooks;

/* Socket inodes of one service looked at, at most. */
#define FSREPORT_SOCKETS 65536

struct held {
	uint64_t ino;
	pid_t pid;
};

struct scan {
	const struct service_rt *s;
	struct held *held; /* sorted by inode once gathered */
	size_t nheld;
	pid_t pid; /* whose sockets are being gathered */
};

/* The looks of s in this start, or NULL if out of memory. */
static struct looks *
looks_of(const struct service_rt *s)
{
	struct looks *k = NULL;

	for (size_t i = 0; i < nlooks; i++)
		if (looks[i].ps == s->ps)
			k = &looks[i];
	if (k == NULL) {
		k = reallocarray(looks, nlooks + 1, sizeof(*looks));
		if (k == NULL)
			return NULL;
		looks = k;
		k = &looks[nlooks++];
		k->ps = s->ps;
		k->started_ms = -1;
	}
	if (k->started_ms != s->started_ms) {
		k->started_ms = s->started_ms;
		k->n = 0;
		k->at_grant = false;
	}
	return k;
}

/* May s be looked at once more in this start, at a registration? */
static bool
may_look(const struct service_rt *s)
{
	struct looks *k = looks_of(s);

	return k != NULL &&
	    k->n++ < (s->ps->nprovides > 0 ? s->ps->nprovides : 1);
}

static void
tell(const struct scan *sc, const char *path, pid_t pid)
{
	for (size_t i = 0; i < ntold; i++)
		if (told[i].ps == sc->s->ps && strcmp(told[i].path, path) == 0)
			return;
	if (ntold == FSREPORT_MAX) {
		if (!told_full)
			sink_printf(STDERR_FILENO,
			    "capwrap: %d filesystem sockets told; "
			    "telling no more\n",
			    FSREPORT_MAX);
		told_full = true;
		return;
	}
	if ((told[ntold].path = strdup(path)) == NULL)
		return;
	told[ntold++].ps = sc->s->ps;
	auditrec_unprotected(sc->s->ps->name, path, pid);
}

static void
on_socket(void *ctx, uint64_t ino)
{
	struct scan *sc = ctx;

	if (sc->nheld < FSREPORT_SOCKETS) {
		sc->held[sc->nheld].ino = ino;
		sc->held[sc->nheld++].pid = sc->pid;
	}
}

static int
held_cmp(const void *a, const void *b)
{
	const struct held *x = a, *y = b;

	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static void
on_listener(void *ctx, uint64_t ino, const char *path)
{
	const struct scan *sc = ctx;
	struct held key = { .ino = ino };
	const struct held *h;

	h = bsearch(&key, sc->held, sc->nheld, sizeof(key), held_cmp);
	if (h != NULL)
		tell(sc, path, h->pid);
}

/* A look that fails is said once: silence would read as "none". */
static void
cannot_look(const char *why)
{
	static bool said;

	if (!said)
		sink_printf(STDERR_FILENO,
		    "capwrap: unable to list the filesystem sockets services "
		    "listen on: %s; they go untold\n",
		    why);
	said = true;
}

/* The service's processes: its main process, its daemons, theirs. */
static size_t
service_pids(const struct service_rt *s, pid_t *pids)
{
	size_t n = 0;

	if (s->main_alive) {
		pids[n++] = s->pid;
		fslisten_descendants(s->pid, pids, &n, FSREPORT_PROCS);
	}
	for (size_t i = 0; i < s->ndaemons && n < FSREPORT_PROCS; i++) {
		pids[n++] = s->daemons[i];
		fslisten_descendants(s->daemons[i], pids, &n, FSREPORT_PROCS);
	}
	return n;
}

static void look(const struct service_rt *);

void
fsreport_granted(const struct service_rt *s)
{
	struct looks *k;

	if (told_full || (k = looks_of(s)) == NULL || k->at_grant)
		return;
	k->at_grant = true;
	look(s);
}

void
fsreport_registered(const struct service_rt *s)
{
	if (!told_full && may_look(s))
		look(s);
}

static void
look(const struct service_rt *s)
{
	struct scan sc = { .s = s };
	pid_t *pids;
	size_t n;

	pids = calloc(FSREPORT_PROCS, sizeof(*pids));
	sc.held = calloc(FSREPORT_SOCKETS, sizeof(*sc.held));
	if (pids != NULL && sc.held != NULL) {
		n = service_pids(s, pids);
		for (size_t i = 0; i < n; i++) {
			sc.pid = pids[i];
			fslisten_sockets(pids[i], on_socket, &sc);
		}
		qsort(sc.held, sc.nheld, sizeof(*sc.held), held_cmp);
		/* Only the service's own sockets are looked up. */
		if (sc.nheld > 0 && fslisten_each(on_listener, &sc) != 0)
			cannot_look(strerror(errno));
	} else
		cannot_look(strerror(ENOMEM));
	free(sc.held);
	free(pids);
}
