/*
 * Text for the operator's terminal made of bytes an attacker chose (a
 * peer's executable name, its command line): C0 controls, DEL, C1
 * controls and bytes that are not UTF-8 are written as \xHH, so no
 * escape sequence and no forged line ever reaches the terminal.  A
 * backslash is left as it is: the policy's own names use \xHH already.
 */
#ifndef CAPWRAP_TERMSAFE_H
#define CAPWRAP_TERMSAFE_H

#include <stddef.h>
#include <stdio.h>

/* Escape len bytes of in into out (NUL-terminated, cut if too small). */
size_t termsafe_escape(char *out, size_t size, const char *in, size_t len);
/* Format a line, escape it, and write it and a newline to f. */
void termsafe_printf(FILE *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
