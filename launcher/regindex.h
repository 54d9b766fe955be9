/*
 * The registry's registrations by name (regindex.c): a lookup is one
 * hash probe, not a scan of every name, since the start order looks up
 * every provider's names each time one registers.
 */
#ifndef CAPWRAP_REGINDEX_H
#define CAPWRAP_REGINDEX_H

#include <stddef.h>
#include <stdint.h>

#include "registry.h"

/* Index r, a registration just added.  False if out of memory. */
bool regindex_add(struct registration *r);
/* Index exactly these n registrations, after some were dropped. */
bool regindex_rebuild(struct registration *const *regs, size_t n);
/* The registration of this name, or NULL. */
struct registration *regindex_find(const uint8_t *name, size_t len);

#endif
