/*
 * This process's pid without a system call in the steady state
 * (selfpid.c).
 */
#ifndef CAPSHIM_SELFPID_H
#define CAPSHIM_SELFPID_H

#include <sys/types.h>
#include <stdbool.h>

/* Resolve the real fork and clone; at start-up, before any hook runs. */
void selfpid_init(void);

/*
 * getpid(), from a cache that a child made by fork() finds empty.  Where
 * the cache cannot be trusted (no MADV_WIPEONFORK, or a child sharing
 * this memory was made by clone(CLONE_VM)), getpid() itself.
 */
pid_t self_pid(void);

/*
 * True once libc's clone() made a child that shares this memory without
 * being a thread: it shares this thread's thread-locals too, so what the
 * shim keeps in them per thread (sockets.c) is no longer this thread's.
 */
bool selfpid_memory_shared(void);

#endif
