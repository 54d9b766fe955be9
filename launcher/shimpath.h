#ifndef CAPWRAP_SHIMPATH_H
#define CAPWRAP_SHIMPATH_H

#include <stddef.h>

/*
 * Where libcapshim.so is: beside the capwrap binary in a build tree
 * (shim/.libs/), else where `make install` put it.  Returns 0 with an
 * absolute path, or -1.
 */
int shim_path(char *out, size_t size);

#endif
