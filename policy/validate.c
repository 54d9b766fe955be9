/*
 * The checks that need the whole file, run once it is read: `dials` may
 * name a service declared further down, and a name provided twice may be
 * written hundreds of lines apart.  Everything goes through sorted arrays,
 * never pairwise comparison, so that a hostile 1 MiB file is still judged
 * in n log n.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "diag.h"
#include "parse.h"
#include "validate.h"

#define OWNER_EXTERNAL SIZE_MAX

struct svc_key {
	const char *name;
	size_t idx;
};

struct name_entry {
	const struct policy_name *name;
	const struct name_pos *pos;
	size_t owner; /* service, or OWNER_EXTERNAL */
};

static int
svc_key_cmp(const void *a, const void *b)
{
	const struct svc_key *x = a, *y = b;
	int r;

	if ((r = strcmp(x->name, y->name)) != 0)
		return r;
	if (x->idx != y->idx)
		return x->idx < y->idx ? -1 : 1;
	return 0;
}

static int
svc_key_find(const void *key, const void *elem)
{
	return strcmp(key, ((const struct svc_key *)elem)->name);
}

static void
check_exec(struct parser *p)
{
	size_t i;
	char label[LABEL_BUF];

	for (i = 0; i < p->pol->nservices; i++)
		if (p->svc[i].exec_line == 0 && !p->svc[i].broken)
			diag_add(p->dg, p->svc[i].line, p->svc[i].col,
			    "%s has no 'exec'",
			    service_label(p, i, label, sizeof(label)));
}

/*
 * A service outside the topology's Landlock domain makes its sockets
 * outside it, where the services in it cannot dial them: it provides
 * nothing.  (A capability's address answering EPERM then means an
 * impostor to the shim.)
 */
static void
check_host_sockets(struct parser *p)
{
	char label[LABEL_BUF];

	for (size_t i = 0; i < p->pol->nservices; i++) {
		const struct policy_service *s = &p->pol->services[i];

		if (s->allow_host_sockets && s->nprovides > 0)
			diag_add(p->dg, s->host_sockets_line,
			    s->host_sockets_col,
			    "'allow host-sockets' in %s, which provides "
			    "names: the services in the topology's Landlock "
			    "domain could not dial them",
			    service_label(p, i, label, sizeof(label)));
	}
}

/*
 * Sorts the named services, reports duplicates and leaves one key per name
 * (the first declared) for the dial lookups; returns how many.
 */
static size_t
unique_services(struct parser *p, struct svc_key *keys)
{
	size_t i, n = 0, u;

	for (i = 0; i < p->pol->nservices; i++) {
		if (p->pol->services[i].name == NULL)
			continue;
		keys[n].name = p->pol->services[i].name;
		keys[n].idx = i;
		n++;
	}
	if (n == 0)
		return 0;
	qsort(keys, n, sizeof(*keys), svc_key_cmp);
	for (u = 1, i = 1; i < n; i++) {
		size_t first = keys[u - 1].idx, dup = keys[i].idx;

		if (strcmp(keys[i].name, keys[u - 1].name) != 0) {
			keys[u++] = keys[i];
			continue;
		}
		/* An invalid name was reported already; once is enough. */
		if (p->svc[first].name_ok && p->svc[dup].name_ok)
			diag_add(p->dg, p->svc[dup].name_line,
			    p->svc[dup].name_col,
			    "duplicate service '%s' "
			    "(first declared at line %u)",
			    keys[i].name, p->svc[first].line);
	}
	return u;
}

static int
size_cmp(const void *a, const void *b)
{
	const size_t *x = a, *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	if (x[1] != y[1])
		return x[1] < y[1] ? -1 : 1;
	return 0;
}

/*
 * The same service dialed twice is harmless but surely a slip.  pairs holds
 * n (service index, dial index) pairs of service i's resolved dials.
 */
static void
report_dialed_twice(struct parser *p, size_t i, size_t *pairs, size_t n)
{
	const struct svc_state *s = &p->svc[i];
	const struct dial_ref *first, *again;
	size_t j;
	char label[LABEL_BUF];

	if (n > 1)
		qsort(pairs, n, 2 * sizeof(*pairs), size_cmp);
	for (j = 1; j < n; j++) {
		if (pairs[2 * j] != pairs[2 * (j - 1)])
			continue;
		first = &s->dials[pairs[2 * (j - 1) + 1]];
		again = &s->dials[pairs[2 * j + 1]];
		diag_add(p->dg, again->line, again->col,
		    "%s dials '%s' twice (first at line %u)",
		    service_label(p, i, label, sizeof(label)),
		    (const char *)again->word, first->line);
	}
}

/* The service a `dials` word names, or NULL (reported when sure). */
static const struct svc_key *
find_dialed(struct parser *p, size_t i, const struct dial_ref *d,
    const struct svc_key *keys, size_t nkeys)
{
	const struct svc_key *k = NULL;
	char label[LABEL_BUF], q[QUOTE_BUF];

	if (strlen((const char *)d->word) == d->len && nkeys > 0)
		k = bsearch(d->word, keys, nkeys, sizeof(*keys), svc_key_find);
	if (k == NULL && !p->names_unsure)
		diag_add(p->dg, d->line, d->col,
		    "%s dials unknown service '%s'",
		    service_label(p, i, label, sizeof(label)),
		    quote_bytes(q, d->word, d->len));
	return k;
}

/* Resolves service i's `dials` words to indexes, in the order written. */
static void
resolve_dials(struct parser *p, size_t i, const struct svc_key *keys,
    size_t nkeys)
{
	struct policy_service *svc = &p->pol->services[i];
	struct svc_state *s = &p->svc[i];
	const struct svc_key *k;
	size_t *pairs, j, n = 0;

	if (s->ndials == 0)
		return;
	if ((svc->dials = calloc(s->ndials, sizeof(*svc->dials))) == NULL ||
	    (pairs = calloc(s->ndials, 2 * sizeof(*pairs))) == NULL) {
		p->nomem = true;
		return;
	}
	for (j = 0; j < s->ndials; j++) {
		k = find_dialed(p, i, &s->dials[j], keys, nkeys);
		if (k == NULL || !p->svc[k->idx].name_ok)
			continue;
		pairs[2 * n] = k->idx;
		pairs[2 * n + 1] = j;
		svc->dials[svc->ndials++] = k->idx;
		n++;
	}
	report_dialed_twice(p, i, pairs, n);
	free(pairs);
}

static int
name_entry_cmp(const void *a, const void *b)
{
	const struct name_entry *x = a, *y = b;
	int r;

	if (x->name->len != y->name->len)
		return x->name->len < y->name->len ? -1 : 1;
	if ((r = memcmp(x->name->bytes, y->name->bytes, x->name->len)) != 0)
		return r;
	if (x->owner != y->owner)
		return x->owner < y->owner ? -1 : 1;
	if (x->pos->seq != y->pos->seq)
		return x->pos->seq < y->pos->seq ? -1 : 1;
	return 0;
}

static bool
same_name(const struct name_entry *x, const struct name_entry *y)
{
	return x->name->len == y->name->len &&
	    memcmp(x->name->bytes, y->name->bytes, x->name->len) == 0;
}

/*
 * One name, entries [g, end) sorted by owner then appearance.  A repeat
 * within one owner's list is reported against that list's first; across
 * owners every later owner is reported against the earliest provider, or
 * against the `external` line when that came first.
 */
struct name_group {
	const struct name_entry *e;
	size_t g, end;
	char text[POLICY_NAME_TEXT_MAX];
	const struct name_entry *prov, *ext, *earliest;
};

/* The end of the run of one owner's entries that starts at h. */
static size_t
owner_end(const struct name_group *ng, size_t h)
{
	size_t k;

	for (k = h + 1; k < ng->end && ng->e[k].owner == ng->e[h].owner; k++)
		;
	return k;
}

/* Repeats within one owner's list; notes the first of each owner's. */
static void
report_repeats(struct parser *p, struct name_group *ng)
{
	const struct name_entry *e = ng->e;
	size_t h, k, end;
	char l1[LABEL_BUF];

	for (h = ng->g; h < ng->end; h = end) {
		end = owner_end(ng, h);
		for (k = h + 1; k < end; k++) {
			if (e[h].owner == OWNER_EXTERNAL)
				diag_add(p->dg, e[k].pos->line, e[k].pos->col,
				    "abstract name %s is declared external "
				    "twice (first at line %u)",
				    ng->text, e[h].pos->line);
			else
				diag_add(p->dg, e[k].pos->line, e[k].pos->col,
				    "abstract name %s is provided twice by %s "
				    "(first at line %u)",
				    ng->text,
				    service_label(p, e[h].owner, l1,
					sizeof(l1)),
				    e[h].pos->line);
		}
		if (e[h].owner == OWNER_EXTERNAL)
			ng->ext = &e[h];
		else if (ng->prov == NULL || e[h].pos->seq < ng->prov->pos->seq)
			ng->prov = &e[h];
		if (ng->earliest == NULL ||
		    e[h].pos->seq < ng->earliest->pos->seq)
			ng->earliest = &e[h];
	}
}

/* Every owner but the earliest, against the provider or the external. */
static void
report_owners(struct parser *p, const struct name_group *ng)
{
	const struct name_entry *e = ng->e, *prov = ng->prov;
	size_t h;
	char l1[LABEL_BUF], l2[LABEL_BUF];

	for (h = ng->g; h < ng->end; h = owner_end(ng, h)) {
		if (&e[h] == ng->earliest)
			continue;
		if (e[h].owner == OWNER_EXTERNAL)
			diag_add(p->dg, e[h].pos->line, e[h].pos->col,
			    "abstract name %s is declared external but "
			    "provided by %s (line %u)",
			    ng->text,
			    service_label(p, prov->owner, l1, sizeof(l1)),
			    prov->pos->line);
		else if (&e[h] != prov)
			diag_add(p->dg, e[h].pos->line, e[h].pos->col,
			    "abstract name %s is provided by both %s (line %u) "
			    "and %s",
			    ng->text,
			    service_label(p, prov->owner, l1, sizeof(l1)),
			    prov->pos->line,
			    service_label(p, e[h].owner, l2, sizeof(l2)));
		else
			diag_add(p->dg, e[h].pos->line, e[h].pos->col,
			    "abstract name %s is provided by %s but declared "
			    "external at line %u",
			    ng->text,
			    service_label(p, e[h].owner, l1, sizeof(l1)),
			    ng->ext->pos->line);
	}
}

static void
check_one_name(struct parser *p, const struct name_entry *e, size_t g,
    size_t end)
{
	struct name_group ng;

	memset(&ng, 0, sizeof(ng));
	ng.e = e;
	ng.g = g;
	ng.end = end;
	policy_name_text(e[g].name->bytes, e[g].name->len, ng.text);
	report_repeats(p, &ng);
	if (ng.prov != NULL)
		report_owners(p, &ng);
}

static void
check_names(struct parser *p)
{
	const struct policy *pol = p->pol;
	struct name_entry *e;
	size_t i, j, n = pol->nexternals, g, end;

	for (i = 0; i < pol->nservices; i++)
		n += pol->services[i].nprovides;
	if (n < 2)
		return;
	if ((e = calloc(n, sizeof(*e))) == NULL) {
		p->nomem = true;
		return;
	}
	n = 0;
	for (i = 0; i < pol->nservices; i++)
		for (j = 0; j < pol->services[i].nprovides; j++) {
			e[n].name = &pol->services[i].provides[j];
			e[n].pos = &p->svc[i].provides_at[j];
			e[n].owner = i;
			n++;
		}
	for (j = 0; j < pol->nexternals; j++) {
		e[n].name = &pol->externals[j];
		e[n].pos = &p->external_at[j];
		e[n].owner = OWNER_EXTERNAL;
		n++;
	}
	qsort(e, n, sizeof(*e), name_entry_cmp);
	for (g = 0; g < n; g = end) {
		for (end = g + 1; end < n && same_name(&e[g], &e[end]); end++)
			;
		if (end - g > 1)
			check_one_name(p, e, g, end);
	}
	free(e);
}

/* Where each service's first `dials` word is, for policy_warnings. */
static void
note_dials_at(struct parser *p)
{
	for (size_t i = 0; i < p->pol->nservices; i++) {
		if (p->svc[i].ndials == 0)
			continue;
		p->pol->services[i].dials_line = p->svc[i].dials[0].line;
		p->pol->services[i].dials_col = p->svc[i].dials[0].col;
	}
}

void
validate_policy(struct parser *p)
{
	struct svc_key *keys;
	size_t nkeys, i;

	check_exec(p);
	check_host_sockets(p);
	if ((keys = calloc(p->pol->nservices, sizeof(*keys))) == NULL) {
		p->nomem = true;
		return;
	}
	nkeys = unique_services(p, keys);
	for (i = 0; i < p->pol->nservices && !p->nomem; i++)
		resolve_dials(p, i, keys, nkeys);
	free(keys);
	if (!p->nomem)
		check_names(p);
	note_dials_at(p);
}

static void
warn(const struct policy *pol, const struct policy_service *s,
    policy_report_fn *report, void *ctx, const char *message)
{
	struct policy_diag d = {
		.file = pol->path,
		.line = s->dials_line,
		.col = s->dials_col,
		.message = message,
	};

	report(ctx, &d);
}

/*
 * Policy-only warnings: the policy is valid and runs, but a `dials` line
 * grants nothing.  Not errors: an operator may mean it (a service
 * unprotected for now, a provider whose names are still to be written).
 */
size_t
policy_warnings(const struct policy *pol, policy_report_fn *report, void *ctx)
{
	char msg[3 * POLICY_NAME_TEXT_MAX];
	size_t n = 0;

	for (size_t i = 0; i < pol->nservices; i++) {
		const struct policy_service *s = &pol->services[i];

		if (s->ndials > 0 && s->unprotected) {
			snprintf(msg, sizeof(msg),
			    "warning: service %s is unprotected: it runs "
			    "without the shim, so its dials are not gated and "
			    "grant nothing",
			    s->name);
			warn(pol, s, report, ctx, msg);
			n++;
		}
		if (s->allow_host_sockets) {
			struct policy_diag d = { .file = pol->path,
				.line = s->host_sockets_line,
				.col = s->host_sockets_col,
				.message = msg };

			snprintf(msg, sizeof(msg),
			    "warning: service %s allows host sockets: it runs "
			    "outside the topology's Landlock domain, so raw "
			    "system calls reach any abstract socket",
			    s->name);
			report(ctx, &d);
			n++;
		}
		for (size_t k = 0; k < s->ndials; k++) {
			const struct policy_service
			    *d = &pol->services[s->dials[k]];

			if (d->nprovides > 0)
				continue;
			snprintf(msg, sizeof(msg),
			    "warning: service %s dials %s, which provides no "
			    "name",
			    s->name, d->name);
			warn(pol, s, report, ctx, msg);
			n++;
		}
	}
	return n;
}
