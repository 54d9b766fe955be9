#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "linefmt.h"

int
linefmt_v(char *buf, size_t size, bool *cut, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, size, fmt, ap);

	*cut = n >= 0 && (size_t)n >= size;
	if (*cut)
		n = (int)size - 1;
	return n;
}
