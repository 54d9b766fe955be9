/*
 * Start-up of libcapshim.so (init.c).
 */
#ifndef CAPSHIM_INIT_H
#define CAPSHIM_INIT_H

#include <stdbool.h>

/*
 * True when the shim may gate: the real-function table is resolved and
 * the start-up checks ran.  A hook entered before that (another library's
 * constructor) initialises the shim first, unless it is re-entered from
 * inside that initialisation, where it must not recurse.
 */
bool capshim_ready(void);

#endif
