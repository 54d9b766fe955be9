/*
 * Queries on a parsed policy, for the launcher's broker.  Policies are
 * small (a handful of services), so plain scans keep these obviously
 * right; names always compare by length first, since "@a" and "@a\0" are
 * two different abstract addresses to the kernel.
 */
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "internal.h"

static bool
name_equal(const struct policy_name *n, const uint8_t *name, size_t len)
{
	return n->len == len && memcmp(n->bytes, name, len) == 0;
}

void
policy_free(struct policy *pol)
{
	size_t i, j;

	if (pol == NULL)
		return;
	for (i = 0; i < pol->nservices; i++) {
		struct policy_service *s = &pol->services[i];

		free(s->name);
		for (j = 0; s->argv != NULL && s->argv[j] != NULL; j++)
			free(s->argv[j]);
		free(s->argv);
		free(s->provides);
		free(s->dials);
		daemon_free(s);
	}
	free(pol->services);
	free(pol->externals);
	free(pol->audit_path);
	free(pol->path);
	free(pol);
}

const struct policy_service *
policy_find_service(const struct policy *pol, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < pol->nservices; i++)
		if (pol->services[i].name != NULL &&
		    strcmp(pol->services[i].name, name) == 0)
			return &pol->services[i];
	return NULL;
}

bool
policy_service_provides(const struct policy_service *svc, const uint8_t *name,
    size_t len)
{
	size_t i;

	for (i = 0; i < svc->nprovides; i++)
		if (name_equal(&svc->provides[i], name, len))
			return true;
	return false;
}

const struct policy_service *
policy_provider(const struct policy *pol, const uint8_t *name, size_t len)
{
	size_t i;

	for (i = 0; i < pol->nservices; i++)
		if (policy_service_provides(&pol->services[i], name, len))
			return &pol->services[i];
	return NULL;
}

bool
policy_is_external(const struct policy *pol, const uint8_t *name, size_t len)
{
	size_t i;

	for (i = 0; i < pol->nexternals; i++)
		if (name_equal(&pol->externals[i], name, len))
			return true;
	return false;
}

/* SIZE_MAX for a service that is not one of this policy's. */
size_t
policy_service_index(const struct policy *pol, const struct policy_service *svc)
{
	uintptr_t base = (uintptr_t)pol->services;
	uintptr_t at = (uintptr_t)svc;

	/* Compared as integers: pointers into other objects don't compare. */
	if (svc == NULL || at < base || (at - base) % sizeof(*svc) != 0 ||
	    (at - base) / sizeof(*svc) >= pol->nservices)
		return SIZE_MAX;
	return (at - base) / sizeof(*svc);
}

bool
policy_service_dials(const struct policy *pol,
    const struct policy_service *from, const struct policy_service *to)
{
	size_t i, target;

	if (policy_service_index(pol, from) == SIZE_MAX ||
	    (target = policy_service_index(pol, to)) == SIZE_MAX)
		return false;
	for (i = 0; i < from->ndials; i++)
		if (from->dials[i] == target)
			return true;
	return false;
}
