#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auditgroup.h"

static bool
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static char *
dup_or_null(struct groups *gs, const char *str)
{
	char *d;

	if (str == NULL)
		return NULL;
	if ((d = strdup(str)) == NULL)
		gs->oom = true;
	return d;
}

static void
replace(struct groups *gs, char **slot, const char *str)
{
	char *d = dup_or_null(gs, str);

	if (d != NULL) {
		free(*slot);
		*slot = d;
	}
}

/* FNV-1a over the key's strings (each with its NUL) and peer pid. */
static uint64_t
fnv(uint64_t h, const void *p, size_t len)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < len; i++)
		h = (h ^ s[i]) * 0x100000001b3ULL;
	return h;
}

static uint64_t
key_hash(const char *service, const char *gate, const char *exe, long long pid)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	h = fnv(h, service, strlen(service) + 1);
	h = fnv(h, gate, strlen(gate) + 1);
	if (exe != NULL)
		h = fnv(h, exe, strlen(exe) + 1);
	return fnv(h, &pid, sizeof(pid));
}

static uint64_t
group_hash(const struct group *g)
{
	return key_hash(g->service, g->gate, g->peer_exe, g->peer_pid);
}

/* Double the table and put every group back. */
static bool
rehash(struct groups *gs)
{
	size_t n = gs->nslots == 0 ? 64 : gs->nslots * 2;
	size_t *slots = calloc(n, sizeof(*slots));

	if (slots == NULL)
		return false;
	for (size_t i = 0; i < gs->n; i++) {
		size_t at = group_hash(&gs->v[i]) & (n - 1);

		while (slots[at] != 0)
			at = (at + 1) & (n - 1);
		slots[at] = i + 1;
	}
	free(gs->slots);
	gs->slots = slots;
	gs->nslots = n;
	return true;
}

static struct group *
new_group(struct groups *gs, const struct audit_record *rec, long long key_pid,
    size_t slot)
{
	struct group *g;

	if (gs->n == gs->cap) {
		size_t cap = gs->cap == 0 ? 64 : gs->cap * 2;

		if ((g = reallocarray(gs->v, cap, sizeof(*g))) == NULL) {
			gs->oom = true;
			return NULL;
		}
		gs->v = g;
		gs->cap = cap;
	}
	g = &gs->v[gs->n];
	memset(g, 0, sizeof(*g));
	g->service = dup_or_null(gs, rec->service);
	g->gate = dup_or_null(gs, rec->gate);
	g->peer_exe = dup_or_null(gs, rec->peer_exe);
	g->peer_pid = key_pid;
	if (gs->oom)
		return NULL;
	gs->slots[slot] = ++gs->n;
	return g;
}

static struct group *
find_group(struct groups *gs, const struct audit_record *rec)
{
	long long key_pid = strcmp(rec->event, "suppressed") == 0 ?
	    GROUP_SUPPRESSED :
	    rec->peer_exe == NULL ? rec->peer_pid :
				    -1;
	size_t at;

	if (2 * (gs->n + 1) > gs->nslots && !rehash(gs)) {
		gs->oom = true;
		return NULL;
	}
	at = key_hash(rec->service, rec->gate, rec->peer_exe, key_pid) &
	    (gs->nslots - 1);
	for (; gs->slots[at] != 0; at = (at + 1) & (gs->nslots - 1)) {
		struct group *g = &gs->v[gs->slots[at] - 1];

		if (strcmp(g->service, rec->service) == 0 &&
		    strcmp(g->gate, rec->gate) == 0 &&
		    same(g->peer_exe, rec->peer_exe) && g->peer_pid == key_pid)
			return g;
	}
	return new_group(gs, rec, key_pid, at);
}

static void
add_name(struct groups *gs, struct group *g, const char *name)
{
	bool known = name == NULL;

	for (size_t i = 0; i < g->nnames && !known; i++)
		known = strcmp(g->names[i], name) == 0;
	if (!known && g->nnames < GROUP_NAMES) {
		if ((g->names[g->nnames] = dup_or_null(gs, name)) != NULL)
			g->nnames++;
	} else if (!known)
		g->more_names = true;
}

void
groups_add(struct groups *gs, const struct audit_record *rec)
{
	struct group *g = find_group(gs, rec);
	bool known;

	if (g == NULL)
		return;
	g->count += rec->count;
	if (g->first == NULL || strcmp(rec->time, g->first) < 0)
		replace(gs, &g->first, rec->time);
	if (g->last == NULL || strcmp(rec->time, g->last) > 0)
		replace(gs, &g->last, rec->time);
	add_name(gs, g, rec->name);
	known = rec->peer_pid < 0;
	for (size_t i = 0; i < g->npids && !known; i++)
		known = g->pids[i] == rec->peer_pid;
	if (!known && g->npids < GROUP_PIDS)
		g->pids[g->npids++] = rec->peer_pid;
	else if (!known)
		g->more_pids = true;
}

static int
by_count(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	int c;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if ((c = strcmp(x->service, y->service)) != 0)
		return c;
	return strcmp(x->gate, y->gate);
}

void
groups_sort(struct groups *gs)
{
	free(gs->slots);
	gs->slots = NULL;
	gs->nslots = 0;
	if (gs->n > 1)
		qsort(gs->v, gs->n, sizeof(*gs->v), by_count);
}

void
groups_free(struct groups *gs)
{
	for (size_t i = 0; i < gs->n; i++) {
		struct group *g = &gs->v[i];

		free(g->service);
		free(g->gate);
		free(g->peer_exe);
		free(g->first);
		free(g->last);
		for (size_t k = 0; k < g->nnames; k++)
			free(g->names[k]);
	}
	free(gs->v);
	free(gs->slots);
	memset(gs, 0, sizeof(*gs));
}
