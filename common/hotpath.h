/*
 * HOT_PATH marks the functions of a steady-state connect and accept.
 * The compiler puts them in .text.hot, which the linker lays out
 * together: the paths then run on a few code pages instead of one page
 * per source file.  Where every system call flushes the TLB (a kernel
 * without PCID or global pages, as some virtual machines run), each
 * page touched between two calls costs a page walk, and the shim's
 * instructions between a connection's calls are few: its pages, not its
 * instructions, were most of what it cost.
 */
#ifndef CAPWRAP_HOTPATH_H
#define CAPWRAP_HOTPATH_H

#define HOT_PATH __attribute__((hot))

#endif
