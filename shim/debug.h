/*
 * The shim is silent unless CAPWRAP_DEBUG is set in the environment; then
 * each line names the program, its pid and the function.  Lines are
 * formatted into one buffer and written with one write(2), so they are
 * async-signal-safe enough for hooks and never interleave mid-line.
 */
#ifndef CAPSHIM_DEBUG_H
#define CAPSHIM_DEBUG_H

#include <stdbool.h>

extern bool capshim_debug_enabled;

void capshim_debug_init(void);
void capshim_log_line(const char *func, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define capshim_debug(...)                                       \
	do {                                                     \
		if (capshim_debug_enabled)                       \
			capshim_log_line(__func__, __VA_ARGS__); \
	} while (0)

/* For the few lines a user must see even without CAPWRAP_DEBUG. */
#define capshim_log_always(...) capshim_log_line(__func__, __VA_ARGS__)

#endif
