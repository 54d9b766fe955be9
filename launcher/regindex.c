/*
 * An open-addressing hash table of registration pointers, keyed by the
 * name (FNV-1a), at most half full, probed linearly.  Registrations are
 * allocated one by one, so the pointers stay valid while they are
 * registered; a drop rebuilds the table from what is left, which is
 * rare (a process's exit, a service's restart).  The registry keeps
 * its own list: when the table cannot grow, it says so, and the
 * registry falls back to scanning that list.
 */
#include <stdlib.h>
#include <string.h>

#include "regindex.h"

static struct registration **table;
static size_t table_cap, table_count; /* cap: 0 or a power of two */

static size_t
name_hash(const uint8_t *name, size_t len)
{
	uint64_t h = 0xcbf29ce484222325u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ name[i]) * 0x100000001b3u;
	return (size_t)h;
}

static void
place(struct registration *r)
{
	size_t i = name_hash(r->name.bytes, r->name.len) & (table_cap - 1);

	while (table[i] != NULL)
		i = (i + 1) & (table_cap - 1);
	table[i] = r;
	table_count++;
}

/* An empty table of at least 2 * want slots; false if out of memory. */
static bool
reset(size_t want)
{
	size_t cap = 64;

	while (cap < 2 * want)
		cap *= 2;
	if (cap != table_cap) {
		struct registration **t = calloc(cap, sizeof(*t));

		if (t == NULL)
			return false;
		free(table);
		table = t;
		table_cap = cap;
	} else
		memset(table, 0, cap * sizeof(*table));
	table_count = 0;
	return true;
}

bool
regindex_rebuild(struct registration *const *regs, size_t n)
{
	if (!reset(n)) {
		free(table);
		table = NULL;
		table_cap = table_count = 0;
		return false;
	}
	for (size_t i = 0; i < n; i++)
		place(regs[i]);
	return true;
}

bool
regindex_add(struct registration *r)
{
	if (table_cap == 0 || 2 * (table_count + 1) > table_cap) {
		struct registration **old = table;
		size_t old_cap = table_cap;

		table = NULL;
		table_cap = 0;
		if (!reset(table_count + 1)) {
			table = old;
			table_cap = old_cap;
			return false;
		}
		for (size_t i = 0; i < old_cap; i++)
			if (old[i] != NULL)
				place(old[i]);
		free(old);
	}
	place(r);
	return true;
}

struct registration *
regindex_find(const uint8_t *name, size_t len)
{
	size_t i;

	if (table_cap == 0)
		return NULL;
	for (i = name_hash(name, len) & (table_cap - 1); table[i] != NULL;
	     i = (i + 1) & (table_cap - 1))
		if (table[i]->name.len == len &&
		    memcmp(table[i]->name.bytes, name, len) == 0)
			return table[i];
	return NULL;
}
