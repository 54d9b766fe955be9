/*
 * HOT_PATH marks the functions of a steady-state connect and accept.
 * The compiler puts them in .text.hot, which the linker lays out
 * together: the paths run on three code pages instead of one page or
 * more per source file.  Where every system call flushes the TLB (a
 * guest kernel without PCID or global pages, as some virtual machines
 * run), each page touched between two calls is walked again, and a
 * connection's shim code runs between its system calls, in pieces of a
 * few hundred instructions (docs/PERFORMANCE.md).
 */
#ifndef CAPWRAP_HOTPATH_H
#define CAPWRAP_HOTPATH_H

#define HOT_PATH __attribute__((hot))

#endif
