/*
 * What the launcher does for one request of the control socket
 * (control.h gives the protocol).
 */
#ifndef CAPWRAP_CTLSERVE_H
#define CAPWRAP_CTLSERVE_H

#include <stdio.h>

/* Carry out request (one line, no newline); the text to show into out. */
int ctl_serve(char *request, FILE *out);
/* The NAME the launcher answers as, for status. */
void ctl_serve_init(const char *name);

#endif
