/*
 * The registry's name index (launcher/regindex.c): every registration
 * added is found by its name and by nothing else, through growth and
 * rebuilds after drops, names that share a prefix, and names that differ
 * only in length or in a NUL byte.
 */
#include <stdio.h>
#include <string.h>

#include "regindex.h"
#include "tap.h"

#define N 3000

static struct registration regs[N];
static struct registration *ptrs[N];

static void
name(struct registration *r, int i)
{
	r->name.len = (uint16_t)snprintf((char *)r->name.bytes,
	    sizeof(r->name.bytes), "topology.s%d", i);
}

static int
all_found(size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (regindex_find(ptrs[i]->name.bytes, ptrs[i]->name.len) !=
		    ptrs[i])
			return 0;
	return 1;
}

int
main(void)
{
	struct registration nul = { .name = { .len = 3, .bytes = "a\0b" } };
	struct registration a = { .name = { .len = 1, .bytes = "a" } };
	size_t kept = 0;
	int added = 1;

	tap_ok(regindex_find((const uint8_t *)"x", 1) == NULL,
	    "an empty index finds nothing");
	for (int i = 0; i < N; i++) {
		name(&regs[i], i);
		ptrs[i] = &regs[i];
		added &= regindex_add(&regs[i]);
	}
	tap_ok(added, "%d registrations are added, the table growing", N);
	tap_ok(all_found(N), "each is found by its name");
	tap_ok(regindex_find((const uint8_t *)"topology.s", 10) == NULL &&
		regindex_find((const uint8_t *)"topology.s30000", 15) == NULL,
	    "a prefix or a longer name is not found");
	for (int i = 0; i < N; i++)
		if (i % 3 != 0)
			ptrs[kept++] = &regs[i];
	tap_ok(regindex_rebuild(ptrs, kept) && all_found(kept),
	    "after a rebuild without a third, the others are found");
	tap_ok(regindex_find(regs[3].name.bytes, regs[3].name.len) == NULL,
	    "a dropped registration is not found");
	tap_ok(regindex_add(&nul) && regindex_add(&a) &&
		regindex_find((const uint8_t *)"a\0b", 3) == &nul &&
		regindex_find((const uint8_t *)"a", 1) == &a &&
		regindex_find((const uint8_t *)"a\0c", 3) == NULL,
	    "names differing in length or after a NUL are told apart");
	tap_ok(regindex_rebuild(NULL, 0) &&
		regindex_find((const uint8_t *)"a", 1) == NULL,
	    "a rebuild with nothing empties it");
	return tap_done();
}
