/*
 * The start time of a process from the text of its /proc/PID/stat.
 * Shared by the shim and the launcher (like wire.c): both stamp and check
 * the same number, so both must read the same field.  Pure: the caller
 * reads the file with its own system calls (the shim with its raw ones).
 */
#ifndef CAPWRAP_PROCSTAT_H
#define CAPWRAP_PROCSTAT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Field 22 (starttime, clock ticks since boot) of the stat line in the
 * len bytes at line, which need not be NUL-terminated.  Returns 0 and
 * fills *out, or -1 if the line is malformed: no ')', fewer than 22
 * fields, field 22 not a plain decimal number, or too big for 64 bits.
 * errno is left as it was.
 */
int procstat_start_time(const char *line, size_t len, uint64_t *out);

#endif
