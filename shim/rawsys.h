/*
 * System calls made by the shim itself.  They never go through a symbol,
 * because the shim interposes syscall(), close() and friends: a pass-
 * through that called them would re-enter its own hook, and before the
 * real-function table exists there is nothing else to call.
 * Arguments are read as six longs; cast ints that may be negative.
 */
#ifndef CAPSHIM_RAWSYS_H
#define CAPSHIM_RAWSYS_H

long capshim_syscall(long number, ...);

#endif
