/*
 * popen(3) and pclose(3): glibc's popen spawns /bin/sh through its own
 * posix_spawn, which no preload library sees, with the environment as the
 * program left it.  Here it runs on the hooked posix_spawn instead: the
 * shell is checked and gets the shim back.  A refused shell makes popen
 * return NULL with errno EACCES.
 *
 * Modes as glibc takes them: "r" or "w", then "e" for a close-on-exec
 * stream.  The child closes the streams of earlier popen() calls (POSIX).
 */
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec.h"
#include "popen.h"
#include "real.h"

extern char **environ;

struct stream {
	FILE *fp;
	pid_t pid;
	struct stream *next;
};

/* The open streams; the lock is held across the spawn, as in glibc. */
static pthread_mutex_t streams_lock = PTHREAD_MUTEX_INITIALIZER;
static struct stream *streams;

static void
lock_streams(void)
{
	pthread_mutex_lock(&streams_lock);
}

static void
unlock_streams(void)
{
	pthread_mutex_unlock(&streams_lock);
}

void
popen_init(void)
{
	pthread_atfork(lock_streams, unlock_streams, unlock_streams);
}

static int
parse_mode(const char *mode, bool *reading, bool *cloexec)
{
	if (mode[0] != 'r' && mode[0] != 'w')
		return -1;
	*reading = mode[0] == 'r';
	*cloexec = false;
	for (const char *m = mode + 1; *m != '\0'; m++) {
		if (*m != 'e')
			return -1;
		*cloexec = true;
	}
	return 0;
}

/* Spawn the shell with child_end as its stdin or stdout. */
static int
spawn_shell(const char *command, int child_end, int target, pid_t *pid)
{
	char *argv[] = { "sh", "-c", "--", (char *)command, NULL };
	posix_spawn_file_actions_t fa;
	int rc;

	posix_spawn_file_actions_init(&fa);
	/* glibc clears close-on-exec when an fd is dup2'd onto itself. */
	posix_spawn_file_actions_adddup2(&fa, child_end, target);
	for (struct stream *s = streams; s != NULL; s = s->next)
		if (fileno(s->fp) != target)
			posix_spawn_file_actions_addclose(&fa, fileno(s->fp));
	rc = spawn_image(pid, "/bin/sh", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

/* Wait for the shell; its status, or -1. */
static int
reap(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

FILE *
popen(const char *command, const char *mode)
{
	struct stream *s;
	bool reading, cloexec;
	int fds[2], mine, theirs, rc;

	if (parse_mode(mode, &reading, &cloexec) != 0) {
		errno = EINVAL;
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if (pipe2(fds, O_CLOEXEC) != 0) {
		free(s);
		return NULL;
	}
	mine = reading ? fds[0] : fds[1];
	theirs = reading ? fds[1] : fds[0];
	lock_streams();
	rc = spawn_shell(command, theirs,
	    reading ? STDOUT_FILENO : STDIN_FILENO, &s->pid);
	if (rc == 0 && (s->fp = fdopen(mine, reading ? "r" : "w")) == NULL)
		rc = errno;
	if (rc == 0) {
		if (!cloexec)
			(void)fcntl(mine, F_SETFD, 0);
		s->next = streams;
		streams = s;
	}
	unlock_streams();
	close(theirs);
	if (rc != 0) {
		close(mine);
		if (s->pid > 0)
			(void)reap(s->pid);
		free(s);
		errno = rc;
		return NULL;
	}
	return s->fp;
}

/* The stream's record, taken off the list; NULL if popen() did not open it. */
static struct stream *
take_stream(FILE *fp)
{
	struct stream **p, *s = NULL;

	lock_streams();
	for (p = &streams; *p != NULL; p = &(*p)->next)
		if ((*p)->fp == fp) {
			s = *p;
			*p = s->next;
			break;
		}
	unlock_streams();
	return s;
}

int
pclose(FILE *fp)
{
	struct stream *s = take_stream(fp);
	pid_t pid;

	/* A stream glibc's own popen made (a library bound to it directly). */
	if (s == NULL)
		return real.pclose(fp);
	pid = s->pid;
	free(s);
	(void)fclose(fp);
	return reap(pid);
}
