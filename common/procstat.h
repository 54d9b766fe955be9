/*
 * The start time of a process from the text of its /proc/PID/stat.
 * Shared by the shim and the launcher (like wire.c): both stamp and check
 * the same number, so both must read the same field.  The file is read
 * with the caller's own system calls (the shim's raw ones).
 */
#ifndef CAPWRAP_PROCSTAT_H
#define CAPWRAP_PROCSTAT_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

struct sysio;

/*
 * Field 22 (starttime, clock ticks since boot) of the stat line in the
 * len bytes at line, which need not be NUL-terminated.  Returns 0 and
 * fills *out, or -1 if the line is malformed: no ')', fewer than 22
 * fields, field 22 not a plain decimal number, or too big for 64 bits.
 * errno is left as it was.
 */
int procstat_start_time(const char *line, size_t len, uint64_t *out);

/*
 * The start time of pid from /proc/PID/stat, read with io's calls; 0 if
 * it cannot be read (the process is gone).  errno is left as it was.
 */
uint64_t procstat_read_start_time(pid_t pid, const struct sysio *io);

#endif
