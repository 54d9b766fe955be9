/*
 * Descriptor hooks that keep the channel alive (descriptors.c).
 */
#ifndef CAPSHIM_DESCRIPTORS_H
#define CAPSHIM_DESCRIPTORS_H

/* Each has the errno contract of the libc call it serves. */
int guard_close(int fd);
int guard_close_range(unsigned first, unsigned last, int flags);
int guard_dup2(int oldfd, int newfd);
int guard_dup3(int oldfd, int newfd, int flags);

#endif
