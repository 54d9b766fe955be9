/*
 * ax-descend HOW ARG...
 * A wrapped service starting a descendant, as programs do.  HOW:
 *	exec PATH ARG...	execv(PATH): on failure "exec: ERRNO"
 *	syscall PATH ARG...	syscall(SYS_execve, ...): likewise
 *	execvp FILE ARG...	execvp(FILE): on failure "execvp: ERRNO"
 *	spawnp FILE ARG...	posix_spawnp(FILE): "spawnp: ERRNO", or
 *				"spawnp: exit N" once it has exited
 *	system COMMAND		system(COMMAND): "system: exit N", or
 *				"system: -1 ERRNO"
 *	popen COMMAND		popen(COMMAND, "r"): each line it prints as
 *				"popen: LINE", then "pclose: exit N"; or
 *				"popen: ERRNO"
 *	popen-w COMMAND LINE	popen(COMMAND, "we"): writes LINE to it, then
 *				"pclose: exit N"
 *	wordexp WORDS		wordexp(WORDS): "wordexp: WORD" for each
 *				word, or "wordexp: error N"
 * Every HOW first removes LD_PRELOAD from its environment, as a program
 * that scrubs LD_* does: whatever it starts gets the shim back anyway.
 */
#include <sys/syscall.h>
#include <sys/wait.h>
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wordexp.h>

#include "fixture.h"
#include "hx.h"

extern char **environ;

static void
say_status(const char *what, int status)
{
	if (status == -1)
		fx_say("%s: -1 %s", what, hx_errname(errno));
	else if (WIFEXITED(status))
		fx_say("%s: exit %d", what, WEXITSTATUS(status));
	else
		fx_say("%s: signal %d", what, WTERMSIG(status));
}

static int
spawnp(char **argv)
{
	pid_t pid;
	int rc, status;

	rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
	if (rc != 0) {
		fx_say("spawnp: %s", hx_errname(rc));
		return FX_REFUSED;
	}
	if (waitpid(pid, &status, 0) != pid)
		return FX_IO;
	say_status("spawnp", status);
	return FX_OK;
}

static int
read_from(const char *command)
{
	char line[512];
	FILE *fp = popen(command, "r");

	if (fp == NULL) {
		fx_say("popen: %s", hx_errname(errno));
		return FX_REFUSED;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		fx_say("popen: %s", line);
	}
	say_status("pclose", pclose(fp));
	return FX_OK;
}

static int
write_to(const char *command, const char *text)
{
	FILE *fp = popen(command, "we");

	if (fp == NULL) {
		fx_say("popen: %s", hx_errname(errno));
		return FX_REFUSED;
	}
	fprintf(fp, "%s\n", text);
	say_status("pclose", pclose(fp));
	return FX_OK;
}

static int
expand(const char *words)
{
	wordexp_t we;
	int rc = wordexp(words, &we, 0);

	if (rc != 0) {
		fx_say("wordexp: error %d", rc);
		return FX_REFUSED;
	}
	for (size_t i = 0; i < we.we_wordc; i++)
		fx_say("wordexp: %s", we.we_wordv[i]);
	wordfree(&we);
	return FX_OK;
}

int
main(int argc, char **argv)
{
	const char *how = argc > 2 ? argv[1] : "";

	unsetenv("LD_PRELOAD");
	if (strcmp(how, "exec") == 0)
		execv(argv[2], argv + 2);
	else if (strcmp(how, "syscall") == 0)
		syscall(SYS_execve, argv[2], argv + 2, environ);
	else if (strcmp(how, "execvp") == 0)
		execvp(argv[2], argv + 2);
	else if (strcmp(how, "spawnp") == 0)
		return spawnp(argv + 2);
	else if (strcmp(how, "system") == 0) {
		say_status("system", system(argv[2]));
		return FX_OK;
	} else if (strcmp(how, "popen") == 0)
		return read_from(argv[2]);
	else if (strcmp(how, "popen-w") == 0 && argc > 3)
		return write_to(argv[2], argv[3]);
	else if (strcmp(how, "wordexp") == 0)
		return expand(argv[2]);
	else {
		fprintf(stderr, "usage: ax-descend HOW ARG...\n");
		return FX_USAGE;
	}
	fx_say("%s: %s", how, hx_errname(errno));
	return FX_REFUSED;
}
