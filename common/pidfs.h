/*
 * Does this kernel give each process a pidfs inode of its own (Linux
 * 6.9)?  Before pidfs every pidfd shares one anonymous inode, and the
 * number names no process.  Asked of the first pidfd seen, once per
 * process: the answer cannot change.
 */
#ifndef CAPWRAP_PIDFS_H
#define CAPWRAP_PIDFS_H

#include <stdbool.h>
#include <stdint.h>

/* Ask of pidfd if nobody has yet: true where the kernel has pidfs. */
bool pidfs_detect(int pidfd);

/* What is known so far: 1 pidfs, -1 none, 0 no pidfd looked at yet. */
int pidfs_known(void);

/* Take pidfs as present: another process on this kernel saw it. */
void pidfs_assume(void);

/* The pidfs inode of pidfd, or 0 where the kernel has no pidfs. */
uint64_t pidfs_inode(int pidfd);

#endif
