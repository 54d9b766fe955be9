/*
 * Where the hot code and the early-written data lie.  Where every
 * system call flushes the TLB (a guest kernel without PCID or global
 * pages, as some virtual machines run), each page touched between two
 * calls is walked again; and every page of a library's data costs a
 * page fault at its first write, two when it is read first
 * (docs/PERFORMANCE.md).
 *
 * HOT_PATH marks the functions of a steady-state connect and accept.
 * The compiler puts them in .text.hot, which the linker lays out
 * together: the paths run on three code pages instead of one page or
 * more per source file, and a connection's shim code runs between its
 * system calls, in pieces of a few hundred instructions.
 *
 * EARLY_DATA marks a variable that an image's start-up or its first
 * dials write.  The dynamic loader writes one page of a library's data
 * when it loads it: the page on which the file's .data ends and .bss
 * begins, whose tail it zeroes.  .data is a few kilobytes, after the
 * page-aligned end of the read-only relocations, so it all lies on that
 * page, and what is written there costs no fault.  Every image of a
 * service pays for the pages its start-up writes, though most never
 * dial, and a new image's first dial for those its checks write.
 *
 * OWN_PAGE marks a variable aligned to a page of its own.  In .bss it
 * would align the whole section, to a page after .data's; with gcc on
 * x86-64 it goes after .bss instead, in .lbss (gcc makes that section
 * NOBITS and the linker lays it out there; clang makes it take room in
 * the file).
 */
#ifndef CAPWRAP_HOTPATH_H
#define CAPWRAP_HOTPATH_H

#define HOT_PATH __attribute__((hot))

#define EARLY_DATA __attribute__((section(".data.early")))

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define OWN_PAGE __attribute__((aligned(4096), section(".lbss")))
#else
#define OWN_PAGE __attribute__((aligned(4096)))
#endif

#endif
