/*
 * The commands of the control socket as the launcher carries them out:
 * status, kill, restart and reload.  The request was checked for length;
 * here every word is checked before anything is done.
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "ctlserve.h"
#include "exitcodes.h"
#include "reload.h"
#include "service.h"
#include "status.h"
#include "supervise.h"

#define MAX_WORDS 4

static char served_name[CONTROL_NAME_MAX + 1];

void
ctl_serve_init(const char *name)
{
	(void)strlcpy(served_name, name, sizeof(served_name));
}

/* The running (not removed) service of that name, or -1 with a message. */
static long
find_service(const char *command, const char *name, FILE *out)
{
	size_t n;
	const struct policy *p;

	(void)supervise_services(&n, &p);
	for (size_t i = 0; i < n; i++)
		if (!reload_is_removed(i) &&
		    strcmp(p->services[i].name, name) == 0)
			return (long)i;
	fprintf(out, "capwrap %s: no service %s in %s\n", command, name,
	    p->path);
	return -1;
}

static int
serve_kill(char **w, FILE *out)
{
	const char *errstr;
	long i = find_service("kill", w[1], out);
	int sig;
	size_t n;
	struct service_rt *s = supervise_services(&n, NULL);

	if (i < 0)
		return EXIT_NOSERVICE;
	sig = (int)strtonum(w[2], 1, SIGRTMAX, &errstr);
	if (errstr != NULL) {
		fprintf(out, "capwrap kill: signal %s: %s\n", w[2], errstr);
		return EXIT_USAGE;
	}
	if (!service_is_running(&s[i])) {
		fprintf(out, "capwrap kill: %s is not running\n", w[1]);
		return EXIT_SERVICE_FAILED;
	}
	fprintf(stderr, "capwrap: %s: signal %d (%s) on request\n", w[1], sig,
	    strsignal(sig));
	service_signal(&s[i], sig);
	return EXIT_OK;
}

static int
serve_restart(char **w, FILE *out)
{
	long i = find_service("restart", w[1], out);

	if (i < 0)
		return EXIT_NOSERVICE;
	if (supervise_stopping()) {
		fprintf(out, "capwrap restart: the launcher is stopping\n");
		return EXIT_TEMPFAIL;
	}
	(void)reload_restart_service((size_t)i);
	fprintf(out, "capwrap: %s: restarting\n", w[1]);
	return EXIT_OK;
}

int
ctl_serve(char *request, FILE *out)
{
	char *w[MAX_WORDS + 1] = { NULL }, *save = NULL;
	size_t n = 0;

	for (char *t = strtok_r(request, " ", &save); t != NULL;
	     t = strtok_r(NULL, " ", &save)) {
		if (n == MAX_WORDS)
			break;
		w[n++] = t;
	}
	if (n == 1 && strcmp(w[0], "status") == 0) {
		status_render(out, false, served_name);
		return EXIT_OK;
	}
	if (n == 2 && strcmp(w[0], "status") == 0 &&
	    strcmp(w[1], "--json") == 0) {
		status_render(out, true, served_name);
		return EXIT_OK;
	}
	if (n == 3 && strcmp(w[0], "kill") == 0)
		return serve_kill(w, out);
	if (n == 2 && strcmp(w[0], "restart") == 0)
		return serve_restart(w, out);
	if (n == 1 && strcmp(w[0], "reload") == 0)
		return reload_policy(out);
	fprintf(out, "capwrap: the launcher does not know that request\n");
	return EXIT_USAGE;
}

int
control_start(const struct policy *p, const char *name,
    struct reload_config *rc)
{
	static char real[PATH_MAX], derived[CONTROL_NAME_MAX + 1];
	char why[PATH_MAX + 128];

	if (name != NULL && !control_name_valid(name)) {
		fprintf(stderr,
		    "capwrap run: --name %s: letters, digits, '_', '.' and "
		    "'-' only, %d at most, not starting with '.'\n",
		    name, CONTROL_NAME_MAX);
		return EXIT_USAGE;
	}
	/* Reload reads the file the launcher was started with, wherever. */
	if (realpath(p->path, real) == NULL ||
	    (name == NULL &&
		control_name_for(p->path, derived, sizeof(derived), why,
		    sizeof(why)) != 0)) {
		fprintf(stderr, "capwrap run: %s: %s\n", p->path,
		    strerror(errno));
		return EXIT_NOINPUT;
	}
	ctl_serve_init(name != NULL ? name : derived);
	rc->policy_path = real;
	if (reload_init(rc) != 0) {
		fprintf(stderr, "capwrap run: %s\n", strerror(errno));
		return EXIT_SYSTEM;
	}
	return control_open(served_name);
}
