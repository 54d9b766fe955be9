/*
 * What a service is started with besides its descriptors: its
 * environment (the launcher's, the policy's `env`, and capwrap's own
 * variables) and, for a supervised program, the supervisor's command line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serviceenv.h"
#include "wire.h"

extern char **environ;

/* Whether the policy's env sets the variable of entry ("KEY=..."). */
static bool
overridden(const char *entry, const struct policy_service *ps)
{
	size_t klen = strcspn(entry, "=");

	for (size_t i = 0; i < ps->nenv; i++)
		if (strncmp(ps->env[i], entry, klen) == 0 &&
		    ps->env[i][klen] == '=')
			return true;
	return false;
}

static bool
ours(const char *entry)
{
	static const char *const vars[] = {
		"LD_PRELOAD=",
		WIRE_UNOTIFY_PRELOAD_ENV "=",
		WIRE_UNOTIFY_ENV "=",
		WIRE_CHANNEL_ENV "=",
		WIRE_REAP_PAGE_ENV "=",
		WIRE_CLAIM_QUEUE_ENV "=",
		"CAPWRAP_SERVICE=",
	};

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (strncmp(entry, vars[i], strlen(vars[i])) == 0)
			return true;
	return false;
}

/* One formatted entry of an environment; NULL if out of memory. */
static char *
env_entry(const char *fmt, ...)
{
	va_list ap;
	char *entry;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&entry, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : entry;
}

/*
 * The service's environment: the launcher's, with the policy's `env`
 * entries in place of the variables they set, the shim first in
 * LD_PRELOAD (a library preloaded ahead of it would see the socket calls
 * first) and the channel's number.  The policy cannot set those last
 * (policy/daemon.c refuses them).
 */
char **
service_environment(const struct spawn_request *rq, int chan_number)
{
	const char *old_preload = getenv("LD_PRELOAD");
	size_t n = 0, k = 0;
	char **env;

	while (environ[n] != NULL)
		n++;
	env = calloc(n + rq->service->nenv + 5, sizeof(*env));
	if (env == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if ((!ours(environ[i]) || rq->shim_path == NULL) &&
		    !overridden(environ[i], rq->service))
			env[k++] = environ[i];
	for (size_t i = 0; i < rq->service->nenv; i++)
		env[k++] = rq->service->env[i];
	if (rq->shim_path != NULL) {
		/* A supervised program's supervisor preloads it (unotify.h). */
		const char *var = rq->supervisor != NULL ?
		    WIRE_UNOTIFY_PRELOAD_ENV :
		    "LD_PRELOAD";
		size_t first_ours = k;

		if (old_preload != NULL && *old_preload != '\0')
			env[k++] = env_entry("%s=%s:%s", var, rq->shim_path,
			    old_preload);
		else
			env[k++] = env_entry("%s=%s", var, rq->shim_path);
		env[k++] = env_entry("%s=%d", WIRE_CHANNEL_ENV, chan_number);
		env[k++] = env_entry("CAPWRAP_SERVICE=%s", rq->service->name);
		/* A flag: the shim finds the supervisor on its own. */
		if (rq->unotify != NULL)
			env[k++] = env_entry("%s=1", WIRE_UNOTIFY_ENV);
		for (size_t i = first_ours; i < k; i++) {
			if (env[i] == NULL) {
				for (size_t j = first_ours; j < k; j++)
					free(env[j]);
				free(env);
				return NULL;
			}
		}
	}
	env[k] = NULL;
	return env;
}

/* The supervisor's command line: the program's path, then its argv. */
char **
supervised_argv(const struct spawn_request *rq)
{
	const struct policy_service *ps = rq->service;
	char **argv = calloc(ps->argc + 3, sizeof(*argv));

	if (argv == NULL)
		return NULL;
	argv[0] = (char *)"capwrap-unotify";
	argv[1] = (char *)rq->program;
	for (size_t i = 0; i < ps->argc; i++)
		argv[i + 2] = ps->argv[i];
	return argv;
}

/* What service_environment made for the service and the array. */
void
free_environment(char **env, const struct spawn_request *rq)
{
	for (char **e = env; *e != NULL; e++)
		if (ours(*e) && rq->shim_path != NULL)
			free(*e);
	free(env);
}
