/*
 * System calls made by the shim itself.  They never go through a symbol,
 * because the shim interposes syscall(), close() and friends: a pass-
 * through that called them would re-enter its own hook, and before the
 * real-function table exists there is nothing else to call.
 */
#ifndef CAPSHIM_RAWSYS_H
#define CAPSHIM_RAWSYS_H

long capshim_syscall6(long number, long a, long b, long c, long d, long e,
    long f);

/*
 * capshim_syscall(number, args...): up to six arguments, the missing ones
 * passed as zeros (the kernel ignores those a call does not take).  A
 * macro rather than a variadic function, which would read six arguments
 * whatever the caller passed.
 */
#define capshim_syscall(...) \
	capshim_syscall_padded(__VA_ARGS__, 0, 0, 0, 0, 0, 0, 0)
#define capshim_syscall_padded(n, a, b, c, d, e, f, ...)             \
	capshim_syscall6((long)(n), (long)(a), (long)(b), (long)(c), \
	    (long)(d), (long)(e), (long)(f))

#endif
