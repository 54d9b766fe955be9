/*
 * The environment of a new image, with the shim and its channel put back
 * (execenv.c), for the exec hooks of exec.c.
 */
#ifndef CAPSHIM_EXECENV_H
#define CAPSHIM_EXECENV_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "held.h"

/* A rebuilt environment and the memory mapped for it. */
struct env_build {
	char **envp;
	void *map;
	size_t map_size;
	/* The held descriptors opened for the exec (held.c), and which. */
	int held_fd[HELD_KINDS];
	bool held_open[HELD_KINDS];
};

/*
 * envp plus what the shim needs: envp itself when nothing is missing, a
 * new array in b otherwise, or NULL (errno set).
 */
char *const *with_shim(char *const envp[], struct env_build *b);
/*
 * The same for the supervisor of an image the shim cannot enter
 * (unotify/unotify.h): always a new array, the shim's path under
 * CAPWRAP_UNOTIFY_PRELOAD rather than LD_PRELOAD.
 */
char *const *with_shim_for_supervisor(char *const envp[], struct env_build *b);
/* Did the start-up find a supervisor for images the shim cannot enter? */
bool exec_supervisor_found(void);
/* Its path: in path, or a constant; NULL if none was found. */
const char *exec_supervisor(char path[PATH_MAX]);
/* Give back what with_shim mapped. */
void release_env(struct env_build *b);

#endif
