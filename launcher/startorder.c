#include <stdlib.h>
#include <string.h>

#include "startorder.h"

/*
 * Tarjan's strongly connected components over the dial graph.  The
 * recursion goes as deep as the longest dial chain, at most the number of
 * services a policy holds.
 */
struct tarjan {
	const struct policy *policy;
	size_t *index, *low, *stack, *cycle;
	bool *on_stack;
	size_t next_index, depth;
};

#define UNSEEN SIZE_MAX

static void
visit(struct tarjan *t, size_t v)
{
	const struct policy_service *ps = &t->policy->services[v];

	t->index[v] = t->low[v] = t->next_index++;
	t->stack[t->depth++] = v;
	t->on_stack[v] = true;
	for (size_t k = 0; k < ps->ndials; k++) {
		size_t w = ps->dials[k];

		if (t->index[w] == UNSEEN) {
			visit(t, w);
			if (t->low[w] < t->low[v])
				t->low[v] = t->low[w];
		} else if (t->on_stack[w] && t->index[w] < t->low[v]) {
			t->low[v] = t->index[w];
		}
	}
	if (t->low[v] != t->index[v])
		return;
	/* v is the root of a component: its members are named after it. */
	for (;;) {
		size_t w = t->stack[--t->depth];

		t->on_stack[w] = false;
		t->cycle[w] = v;
		if (w == v)
			break;
	}
}

static int
find_cycles(const struct policy *policy, size_t *cycle)
{
	size_t n = policy->nservices ? policy->nservices : 1;
	struct tarjan t = {
		.policy = policy,
		.cycle = cycle,
		.index = calloc(n, sizeof(size_t)),
		.low = calloc(n, sizeof(size_t)),
		.stack = calloc(n, sizeof(size_t)),
		.on_stack = calloc(n, sizeof(bool)),
	};
	int rc = -1;

	if (t.index != NULL && t.low != NULL && t.stack != NULL &&
	    t.on_stack != NULL) {
		for (size_t i = 0; i < policy->nservices; i++)
			t.index[i] = UNSEEN;
		for (size_t i = 0; i < policy->nservices; i++)
			if (t.index[i] == UNSEEN)
				visit(&t, i);
		rc = 0;
	}
	free(t.index);
	free(t.low);
	free(t.stack);
	free(t.on_stack);
	return rc;
}

int
startorder_init(struct startorder *o, const struct policy *policy)
{
	size_t n = policy->nservices ? policy->nservices : 1;

	memset(o, 0, sizeof(*o));
	o->policy = policy;
	o->cycle = calloc(n, sizeof(*o->cycle));
	o->pending = calloc(n, sizeof(*o->pending));
	o->told = calloc(n, sizeof(*o->told));
	o->registered = calloc(n, sizeof(*o->registered));
	o->turn = calloc(n, sizeof(*o->turn));
	if (o->cycle == NULL || o->pending == NULL || o->told == NULL ||
	    o->registered == NULL || o->turn == NULL ||
	    find_cycles(policy, o->cycle) != 0) {
		startorder_free(o);
		return -1;
	}
	for (size_t i = 0; i < policy->nservices; i++)
		o->pending[i] = true;
	return 0;
}

void
startorder_free(struct startorder *o)
{
	free(o->cycle);
	free(o->pending);
	free(o->told);
	free(o->registered);
	free(o->turn);
	memset(o, 0, sizeof(*o));
}

bool
startorder_together(const struct startorder *o, size_t a, size_t b)
{
	return o->cycle[a] == o->cycle[b];
}

size_t
startorder_waits_for(const struct startorder *o, size_t i,
    const bool *registered)
{
	const struct policy *p = o->policy;

	for (size_t m = 0; m < p->nservices; m++) {
		const struct policy_service *ps = &p->services[m];

		if (o->cycle[m] != o->cycle[i])
			continue;
		for (size_t k = 0; k < ps->ndials; k++) {
			size_t d = ps->dials[k];

			if (o->cycle[d] != o->cycle[i] && !registered[d])
				return d;
		}
	}
	return STARTORDER_NONE;
}

size_t
startorder_take(struct startorder *o, const bool *registered, size_t *out)
{
	size_t n = 0;

	/* Decide for all first: taking one must not change another's turn. */
	for (size_t i = 0; i < o->policy->nservices; i++)
		if (o->pending[i] &&
		    startorder_waits_for(o, i, registered) == STARTORDER_NONE)
			out[n++] = i;
	for (size_t k = 0; k < n; k++)
		o->pending[out[k]] = false;
	return n;
}

/* Whether service i's cycle dials provider, from outside the cycle. */
static bool
cycle_dials(const struct startorder *o, size_t i, size_t provider)
{
	const struct policy *p = o->policy;

	if (o->cycle[provider] == o->cycle[i])
		return false;
	for (size_t m = 0; m < p->nservices; m++) {
		const struct policy_service *ps = &p->services[m];

		if (o->cycle[m] != o->cycle[i])
			continue;
		for (size_t k = 0; k < ps->ndials; k++)
			if (ps->dials[k] == provider)
				return true;
	}
	return false;
}

size_t
startorder_waiting_on(struct startorder *o, size_t provider,
    const bool *registered, size_t *out)
{
	size_t n = 0;

	if (registered[provider])
		return 0;
	for (size_t i = 0; i < o->policy->nservices; i++) {
		if (!o->pending[i] || o->told[i] ||
		    !cycle_dials(o, i, provider))
			continue;
		o->told[i] = true;
		out[n++] = i;
	}
	return n;
}

size_t
startorder_untold(struct startorder *o, size_t *out)
{
	size_t n = 0;

	for (size_t i = 0; i < o->policy->nservices; i++) {
		if (!o->pending[i] || o->told[i])
			continue;
		o->told[i] = true;
		out[n++] = i;
	}
	return n;
}

bool
startorder_any_pending(const struct startorder *o)
{
	for (size_t i = 0; i < o->policy->nservices; i++)
		if (o->pending[i])
			return true;
	return false;
}
