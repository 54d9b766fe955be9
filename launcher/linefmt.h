/*
 * One line formatted into a fixed buffer, for writers that take a line
 * whole (sink.c: at most PIPE_BUF bytes; termsafe.c: escaped after): what
 * does not fit is cut, never split over two writes.
 */
#ifndef CAPWRAP_LINEFMT_H
#define CAPWRAP_LINEFMT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Returns the length of the NUL-terminated text in buf, at most size - 1,
 * with *cut telling whether it was cut to fit; -1 on a format error.
 */
int linefmt_v(char *buf, size_t size, bool *cut, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

#endif
