/*
 * The lowest descriptor number the shim has kept anything at: a kept
 * pidfd (pidkeep.c), a stand-in or the refused connection behind it
 * (standin.c), a held file (held.c).  Each of them lowers it before the
 * number goes into its table, and nothing raises it, so a close, dup2 or
 * close_range that ends below it has nothing of the shim's to forget:
 * one compare instead of a look at three tables on every close.  Most
 * processes keep their pidfds and held files above the channel, and so
 * above every number they close in their steady state; a stand-in, at
 * the program's own number, lowers it for good.
 */
#ifndef CAPSHIM_KEPTFLOOR_H
#define CAPSHIM_KEPTFLOOR_H

#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>

extern atomic_int kept_floor;

static inline void
kept_floor_lower(int fd)
{
	int floor = atomic_load(&kept_floor);

	while (fd >= 0 && fd < floor &&
	    !atomic_compare_exchange_weak(&kept_floor, &floor, fd))
		;
}

/* Nothing kept at any number up to last? */
static inline bool
kept_floor_above(unsigned last)
{
	return last <
	    (unsigned)atomic_load_explicit(&kept_floor, memory_order_relaxed);
}

#endif
