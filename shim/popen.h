/*
 * popen(3) and pclose(3) (popen.c).
 */
#ifndef CAPSHIM_POPEN_H
#define CAPSHIM_POPEN_H

/* The lock of popen(), made fork-safe at start-up (by system_init). */
void popen_init(void);

#endif
