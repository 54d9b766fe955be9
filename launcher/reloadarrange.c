/*
 * How a reloaded policy is laid out against the one in force (reload.h):
 * pure functions of the two policies.
 */
#include <stdlib.h>
#include <string.h>

#include "reload.h"

static bool
same_string(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

static bool
same_limit(const struct policy_limit *a, const struct policy_limit *b)
{
	return a->set == b->set && (!a->set || a->value == b->value);
}

/* Whether the process of two definitions starts the same way. */
static bool
same_start(const struct policy_service *a, const struct policy_service *b)
{
	if (!same_string(a->user, b->user) ||
	    !same_string(a->group, b->group) ||
	    !same_string(a->directory, b->directory) || a->nenv != b->nenv ||
	    !same_limit(&a->nofile, &b->nofile) ||
	    !same_limit(&a->core, &b->core) ||
	    a->allow_io_uring != b->allow_io_uring ||
	    a->allow_host_sockets != b->allow_host_sockets)
		return false;
	for (size_t k = 0; k < a->nenv; k++)
		if (strcmp(a->env[k], b->env[k]) != 0)
			return false;
	return true;
}

/* Whether two definitions run the same thing: else it restarts. */
bool
reload_same_run(const struct policy_service *a, const struct policy_service *b)
{
	if (a->argc != b->argc || a->unprotected != b->unprotected ||
	    a->nprovides != b->nprovides || !same_start(a, b))
		return false;
	for (size_t k = 0; k < a->argc; k++)
		if (strcmp(a->argv[k], b->argv[k]) != 0)
			return false;
	for (size_t k = 0; k < a->nprovides; k++)
		if (a->provides[k].len != b->provides[k].len ||
		    memcmp(a->provides[k].bytes, b->provides[k].bytes,
			a->provides[k].len) != 0)
			return false;
	return true;
}

bool
reload_keeps_dials(const struct policy *nw, const struct policy_service *was,
    const struct policy_service *now)
{
	for (size_t k = 0; k < was->ndials; k++) {
		size_t target = was->dials[k];
		bool kept = target < nw->nservices &&
		    nw->services[target].argc == 0;

		for (size_t j = 0; j < now->ndials && !kept; j++)
			kept = now->dials[j] == target;
		if (!kept)
			return false;
	}
	return true;
}

/* The inert entry a removed service leaves: its name and nothing else. */
static int
make_removed(struct policy_service *to, const struct policy_service *was)
{
	*to = (struct policy_service){ .line = was->line, .col = was->col };
	to->name = strdup(was->name);
	to->argv = calloc(1, sizeof(*to->argv));
	return to->name == NULL || to->argv == NULL ? -1 : 0;
}

/*
 * Reorder nw's services so that each of old's keeps its index (a removed
 * one as an inert entry) and new ones come after; dials follow.
 */
int
reload_arrange(struct policy *nw, const struct policy *old)
{
	size_t m = old->nservices, *map;
	struct policy_service *svc;

	for (size_t j = 0; j < nw->nservices; j++)
		m += policy_find_service(old, nw->services[j].name) == NULL;
	svc = calloc(m, sizeof(*svc));
	map = calloc(nw->nservices ? nw->nservices : 1, sizeof(*map));
	if (svc == NULL || map == NULL)
		goto fail;
	m = old->nservices;
	for (size_t j = 0; j < nw->nservices; j++) {
		const struct policy_service *o = policy_find_service(old,
		    nw->services[j].name);

		map[j] = o != NULL ? policy_service_index(old, o) : m++;
		svc[map[j]] = nw->services[j];
	}
	for (size_t i = 0; i < old->nservices; i++)
		if (svc[i].name == NULL &&
		    make_removed(&svc[i], &old->services[i]) != 0)
			goto fail;
	for (size_t i = 0; i < m; i++)
		for (size_t k = 0; k < svc[i].ndials; k++)
			svc[i].dials[k] = map[svc[i].dials[k]];
	free(nw->services);
	nw->services = svc;
	nw->nservices = m;
	free(map);
	return 0;
fail:
	/* The parser never makes an entry without a program: ours. */
	for (size_t i = 0; svc != NULL && i < old->nservices; i++) {
		if (svc[i].argc == 0) {
			free(svc[i].name);
			free(svc[i].argv);
		}
	}
	free(svc);
	free(map);
	return -1;
}
