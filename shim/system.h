/*
 * system(3) and wordexp(3) (system.c).
 */
#ifndef CAPSHIM_SYSTEM_H
#define CAPSHIM_SYSTEM_H

/* The lock of system(), and popen()'s, made fork-safe at start-up. */
void system_init(void);

#endif
