/*
 * Declarations shared by the files of the policy library and by nothing
 * else: the launcher and the tests see only policy.h.
 */
#ifndef CAPWRAP_POLICY_INTERNAL_H
#define CAPWRAP_POLICY_INTERNAL_H

#include <stddef.h>

/*
 * A policy is a short hand-written file; anything larger is a mistake (a
 * binary or a log given by accident) and is refused before it is parsed.
 */
#define POLICY_FILE_MAX		(1024 * 1024)
#define POLICY_TOO_LARGE	"policy is larger than 1 MiB (1048576 bytes)"

/* path.c: path resolved against the directory of policy_file; malloc'd. */
char	*resolve_against(const char *policy_file, const char *path);

#endif
