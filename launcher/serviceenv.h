/*
 * A service's environment and, when it runs supervised, its command line
 * (serviceenv.c), made before vfork() for the child to use.
 */
#ifndef CAPWRAP_SERVICEENV_H
#define CAPWRAP_SERVICEENV_H

#include "servicespawn.h"

/*
 * The service's environment: the launcher's, with the policy's `env`
 * entries in place of the variables they set, the shim first in
 * LD_PRELOAD (or, for a supervised program, where its supervisor finds
 * it) and the channel's number.  NULL if out of memory.
 */
char **service_environment(const struct spawn_request *, int chan_number);
/* Give back what service_environment made. */
void free_environment(char **env, const struct spawn_request *);
/* capwrap-unotify PROGRAM ARGV0 ARG...: the array only, or NULL. */
char **supervised_argv(const struct spawn_request *);

#endif
