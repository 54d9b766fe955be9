/*
 * The exec family and posix_spawn, with the image checked and the shim
 * put back in the environment (exec.c).
 */
#ifndef CAPSHIM_EXEC_H
#define CAPSHIM_EXEC_H

#include <sys/types.h>
#include <spawn.h>
#include <stdbool.h>

/* Remember the shim's own path and service for the exec hooks. */
void exec_init(void);

/*
 * posix_spawn(3) as the hook does it: the image checked, the shim put
 * back in envp.  For the shim's own spawns (system, popen).
 */
int spawn_image(pid_t *pid, const char *path,
    const posix_spawn_file_actions_t *actions, const posix_spawnattr_t *attr,
    char *const argv[], char *const envp[]);

/* True if environ already carries the shim and its channel as they are. */
bool environ_carries_shim(void);

#endif
