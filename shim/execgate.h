/*
 * The gate on exec: every exec and spawn of a service process first
 * checks that the shim can enter the image it would start
 * (common/image.h).  If not, the call fails with EACCES, one line on
 * stderr names the image and the reason, and the launcher records it:
 * no descendant of a service runs ungated.
 *
 * Everything here may run in a vfork() child: stack only, no lock, no
 * allocation, no global written.
 */
#ifndef CAPSHIM_EXECGATE_H
#define CAPSHIM_EXECGATE_H

#include <stdbool.h>
#include <stddef.h>

/* At start-up: learn what an image must match (class, machine, loader). */
void exec_gate_init(void);

/*
 * Before exec'ing path (relative to dirfd, with execveat's flags):
 * 0 to go ahead (the kernel may still refuse it), or -1 with errno
 * EACCES (refused, said and reported) or ENOEXEC (no format the kernel
 * runs without binfmt_misc, whose interpreters the shim cannot check).
 * With supervise, EXEC_SUPERVISE for a static or Go image when the
 * launcher named a supervisor (execenv.h): the caller runs it under
 * capwrap-unotify instead.
 */
#define EXEC_SUPERVISE 1
int exec_gate(int dirfd, const char *path, int flags, bool supervise);

/* True if the shim can enter path; says and reports nothing. */
bool exec_enterable(const char *path);

/*
 * The file execvp(3) and posix_spawnp(3) run for file, found as glibc
 * finds it; 0 with the path in out, or -1 with glibc's errno.
 */
int exec_search(const char *file, char *out, size_t size);

#endif
