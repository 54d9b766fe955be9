/*
 * Stand-ins for refused connections (accept.c).  The program is handed a
 * connection whose peer has hung up; the refused connection itself stays
 * open, unread, for exactly as long as the program keeps its stand-in.
 * An outsider therefore waits for the program's own loop to deal with
 * its connection, as it would unwrapped, instead of being answered at
 * once and refilling the listener's queue faster than the program's loop
 * can turn.
 *
 * The refused connection is the shim's: close(), close_range(),
 * closefrom(), dup2() and dup3() onto the stand-in close it too; onto
 * the refused connection's own number they make the shim forget it.  A
 * stand-in closed past the hooks (fclose()) is known gone when its
 * number is given out again (standin_number_given()).
 */
#ifndef CAPSHIM_STANDIN_H
#define CAPSHIM_STANDIN_H

#include <stdbool.h>

#include "keptfloor.h"

/*
 * Tie refused to stand_in.  False when no slot is free: the caller then
 * closes refused itself.
 */
bool standin_tie(int stand_in, int refused);

/* The program closed, or dup'd over, the descriptors first..last. */
void standin_forget(unsigned first, unsigned last);

/*
 * The kernel has just given fd out (an accepted connection, a stand-in's
 * own pair): a tie that names that number lost it past every hook, as
 * glibc's fclose() closes with a call no hook sees, and is undone now,
 * its refused connection closed as a close of the stand-in would have.
 * Inline, for every accept: one compare below the lowest number ever
 * tied.
 */
static inline void
standin_number_given(int fd)
{
	if (fd >= 0 && !kept_floor_above((unsigned)fd))
		standin_forget((unsigned)fd, (unsigned)fd);
}

#endif
