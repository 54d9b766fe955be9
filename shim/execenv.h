/*
 * The environment of a new image, with the shim and its channel put back
 * (execenv.c), for the exec hooks of exec.c.
 */
#ifndef CAPSHIM_EXECENV_H
#define CAPSHIM_EXECENV_H

#include <stddef.h>

/* A rebuilt environment and the memory mapped for it. */
struct env_build {
	char **envp;
	void *map;
	size_t map_size;
};

/*
 * envp plus what the shim needs: envp itself when nothing is missing, a
 * new array in b otherwise, or NULL (errno set).
 */
char *const *with_shim(char *const envp[], struct env_build *b);
/* Give back what with_shim mapped. */
void release_env(struct env_build *b);

#endif
