#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "debug.h"
#include "hotpath.h"
#include "rawsys.h"

bool capshim_debug_enabled EARLY_DATA;

void
capshim_debug_init(void)
{
	const char *v = getenv("CAPWRAP_DEBUG");

	capshim_debug_enabled = v != NULL && *v != '\0' && strcmp(v, "0") != 0;
}

void
capshim_log_line(const char *func, const char *fmt, ...)
{
	char line[512];
	int saved = errno, n, m;
	va_list ap;

	n = snprintf(line, sizeof(line),
	    "capwrap-shim: %s[%ld] %s: ", program_invocation_short_name,
	    (long)getpid(), func);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* Raw write: the shim's own output must not go through any hook. */
	(void)capshim_syscall(SYS_write, (long)STDERR_FILENO, line, (long)n);
	errno = saved;
}
