/*
 * Declarations shared by the files of the policy library and by nothing
 * else: the launcher and the tests see only policy.h.
 *
 * The files, and which calls which (never the other way):
 *   file.c       reads the file        -> parse.c
 *   parse.c      the grammar           -> lex.c, directive.c, validate.c,
 *                                         model.c, diag.c
 *   directive.c  one line's directive  -> path.c, diag.c
 *   validate.c   checks of the whole   -> diag.c
 *   lex.c        the tokenizer         -> diag.c
 *   diag.c       tokens, diagnostics,  (calls nothing in the library)
 *                the text of names
 *   model.c, path.c, report.c          (call nothing in the library)
 */
#ifndef CAPWRAP_POLICY_INTERNAL_H
#define CAPWRAP_POLICY_INTERNAL_H

#include <stddef.h>

/*
 * A policy is a short hand-written file; anything larger is a mistake (a
 * binary or a log given by accident) and is refused before it is parsed.
 */
#define POLICY_FILE_MAX (1024 * 1024)
#define POLICY_TOO_LARGE "policy is larger than 1 MiB (1048576 bytes)"

/* path.c: path resolved against the directory of policy_file; malloc'd. */
char *resolve_against(const char *policy_file, const char *path);

/* daemon.c: what its directives allocated in a service. */
struct policy_service;
void daemon_free(struct policy_service *);

#endif
