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
} * looks;
static size_t nlooks;

struct scan {
	const struct service_rt *s;
	pid_t pid;
	struct fslistener *l;
	size_t nl;
};

/* May s be looked at once more in this start? */
static bool
may_look(const struct service_rt *s)
{
	struct looks *k = NULL;

	for (size_t i = 0; i < nlooks; i++)
		if (looks[i].ps == s->ps)
			k = &looks[i];
	if (k == NULL) {
		k = reallocarray(looks, nlooks + 1, sizeof(*looks));
		if (k == NULL)
			return false;
		looks = k;
		k = &looks[nlooks++];
		k->ps = s->ps;
		k->started_ms = -1;
	}
	if (k->started_ms != s->started_ms) {
		k->started_ms = s->started_ms;
		k->n = 0;
	}
	return k->n++ < (s->ps->nprovides > 0 ? s->ps->nprovides : 1);
}

static void
tell(const struct scan *sc, const char *path)
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
	auditrec_unprotected(sc->s->ps->name, path, sc->pid);
}

static void
on_socket(void *ctx, uint64_t ino)
{
	const struct scan *sc = ctx;

	for (size_t i = 0; i < sc->nl; i++)
		if (sc->l[i].ino == ino)
			tell(sc, sc->l[i].path);
}

void
fsreport_registered(const struct service_rt *s)
{
	pid_t *pids;
	size_t n = 0;
	struct scan sc = { .s = s };
	ssize_t nl;

	if (told_full || !may_look(s))
		return;
	if ((pids = calloc(FSREPORT_PROCS, sizeof(*pids))) == NULL)
		return;
	if (s->main_alive) {
		pids[n++] = s->pid;
		fslisten_descendants(s->pid, pids, &n, FSREPORT_PROCS);
	}
	for (size_t i = 0; i < s->ndaemons && n < FSREPORT_PROCS; i++) {
		pids[n++] = s->daemons[i];
		fslisten_descendants(s->daemons[i], pids, &n, FSREPORT_PROCS);
	}
	if (n > 0 && (nl = fslisten_dump(&sc.l)) > 0) {
		sc.nl = (size_t)nl;
		for (size_t i = 0; i < n; i++) {
			sc.pid = pids[i];
			fslisten_sockets(pids[i], on_socket, &sc);
		}
	}
	if (sc.l != NULL)
		fslisten_free(sc.l, sc.nl);
	free(pids);
}
