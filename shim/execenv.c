/*
 * The environment of a new image: what the exec hooks put back so that
 * every descendant of a service carries the shim and its channel (the
 * rules are at the top of exec.c).  Safe in a vfork() child: no lock, no
 * malloc, no global written after start-up.
 */
#include <sys/mman.h>
#include <sys/syscall.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "channel.h"
#include "exec.h"
#include "execenv.h"
#include "execgate.h"
#include "held.h"
#include "hotpath.h"
#include "inherit.h"
#include "rawsys.h"
#include "sockets.h"
#include "wire.h"

extern char **environ;

/*
 * Set once at start-up, read-only afterwards: the shim's own path (the
 * dynamic linker's copy, which lives as long as the shim is loaded), and
 * the variables every image of the service needs as the launcher set
 * them, carried when an environment arrives without them (copied: a
 * program may rewrite its environment in place for its process title).
 */
static const char *shim_file EARLY_DATA;

static const char *const carried_names[] = {
	"CAPWRAP_SERVICE",
	WIRE_UNOTIFY_ENV,
#ifdef CAPWRAP_SANITIZERS
	/* A sanitizer-built shim cannot start without its runtime's options. */
	"ASAN_OPTIONS",
	"UBSAN_OPTIONS",
	"LSAN_OPTIONS",
#endif
};
#define NCARRIED (sizeof(carried_names) / sizeof(carried_names[0]))
static char carried[NCARRIED][256] EARLY_DATA;

static void find_supervisor(void);

void
exec_init(void)
{
	Dl_info info;

	if (dladdr((void *)exec_init, &info) != 0 && info.dli_fname != NULL &&
	    info.dli_fname[0] == '/')
		shim_file = info.dli_fname;
	for (size_t i = 0; i < NCARRIED; i++) {
		const char *v = getenv(carried_names[i]);

		if (v != NULL &&
		    (size_t)snprintf(carried[i], sizeof(carried[i]), "%s=%s",
			carried_names[i], v) >= sizeof(carried[i]))
			carried[i][0] = '\0';
	}
	find_supervisor();
	exec_gate_init();
}

static const char preload_prefix[] = "LD_PRELOAD=";
/* Where a supervised image's supervisor finds the shim (unotify.h). */
static const char unotify_preload_prefix[] = WIRE_UNOTIFY_PRELOAD_ENV "=";
static const char channel_prefix[] = WIRE_CHANNEL_ENV "=";
/* Not const: it goes into an envp, which is an array of char *. */
static char dgram_mark[] = DGRAM_GATES_ENV "=1";

/* What an environment holds of what every image of the service needs. */
struct env_scan {
	size_t n;		 /* its entries */
	const char *old_preload; /* LD_PRELOAD's value, or NULL */
	bool channel_named;	 /* the channel variable is set */
	bool channel_right;	 /* to the channel's current number */
	bool have[NCARRIED];
	bool have_mark;
	/* "NAME=..." naming each descriptor held (held.c), "" for none */
	char held[HELD_KINDS][HELD_ENTRY_MAX];
	bool held_right[HELD_KINDS]; /* named once, as held[] */
	bool held_named[HELD_KINDS];
};

static bool
has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Is entry the variable NAME (entry is "NAME=...")? */
static bool
is_var(const char *entry, const char *name)
{
	size_t n = strlen(name);

	return strncmp(entry, name, n) == 0 && entry[n] == '=';
}

/* Does an LD_PRELOAD value name our shim? */
static bool
preloads_shim(const char *value)
{
	size_t n = strlen(shim_file);

	for (const char *p = value; (p = strstr(p, shim_file)) != NULL; p += n)
		if ((p == value || p[-1] == ':' || p[-1] == ' ') &&
		    (p[n] == '\0' || p[n] == ':' || p[n] == ' '))
			return true;
	return false;
}

/* Is entry one of the held descriptors' variables (held.c)? */
static bool
is_held_var(const char *entry)
{
	for (int k = 0; k < HELD_KINDS; k++)
		if (has_prefix(entry, held_env_prefix(k)))
			return true;
	return false;
}

static void
scan_env(char *const envp[], int chan, struct env_scan *sc)
{
	memset(sc, 0, sizeof(*sc));
	for (int k = 0; k < HELD_KINDS; k++)
		held_env_entry(k, sc->held[k], sizeof(sc->held[k]));
	for (; envp[sc->n] != NULL; sc->n++) {
		const char *e = envp[sc->n];

		if (has_prefix(e, preload_prefix))
			sc->old_preload = e + sizeof(preload_prefix) - 1;
		else if (has_prefix(e, channel_prefix)) {
			/* Named twice is wrong, as for the held ones below. */
			sc->channel_right = !sc->channel_named && chan >= 0 &&
			    strtol(e + sizeof(channel_prefix) - 1, NULL, 10) ==
				chan;
			sc->channel_named = true;
		}
		for (size_t i = 0; i < NCARRIED; i++)
			sc->have[i] |= is_var(e, carried_names[i]);
		sc->have_mark |= is_var(e, DGRAM_GATES_ENV);
		/* Twice is wrong whatever each says. */
		for (int k = 0; k < HELD_KINDS; k++)
			if (has_prefix(e, held_env_prefix(k))) {
				sc->held_right[k] = !sc->held_named[k] &&
				    strcmp(e, sc->held[k]) == 0;
				sc->held_named[k] = true;
			}
	}
}

/*
 * Does the environment name a held descriptor otherwise than as held?
 * An image started by a spawn inside the C library (wordexp) gets it as
 * it is, and would take up what it names.
 */
static bool
env_names_stranger(const struct env_scan *sc)
{
	for (int k = 0; k < HELD_KINDS; k++)
		if (sc->held_named[k] && !sc->held_right[k])
			return true;
	return false;
}

/* Does the environment name any held descriptor? */
static bool
env_names_held(const struct env_scan *sc)
{
	for (int k = 0; k < HELD_KINDS; k++)
		if (sc->held_named[k])
			return true;
	return false;
}

/*
 * Nothing to add only if the shim is preloaded, the channel variable
 * names the channel's current number, and nothing carried is missing.
 * A lost channel is not named at all: the number may have been reused
 * for a socket of the program's, which the child must never adopt.
 */
static bool
env_complete(const struct env_scan *sc, int chan, bool want_mark)
{
	bool complete = true;

	for (size_t i = 0; i < NCARRIED; i++)
		complete &= sc->have[i] || carried[i][0] == '\0';
	complete &= sc->have_mark || !want_mark;
	return sc->old_preload != NULL && preloads_shim(sc->old_preload) &&
	    (chan >= 0 ? sc->channel_right : !sc->channel_named) && complete;
}

/* The preload variable, the shim first, into text; its length. */
static int
preload_entry(char *text, const char *prefix, const char *old_preload,
    bool supervisor_env)
{
	/* A supervisor loads the shim alone: the program's preloads are its
	 * own, and the program does not see them (unotify/main.c). */
	if (supervisor_env)
		return sprintf(text, "%s%s", prefix, shim_file);
	if (old_preload != NULL && *old_preload != '\0' &&
	    !preloads_shim(old_preload))
		return sprintf(text, "%s%s:%s", prefix, shim_file, old_preload);
	if (old_preload != NULL && preloads_shim(old_preload))
		return sprintf(text, "%s%s", prefix, old_preload);
	return sprintf(text, "%s%s", prefix, shim_file);
}

/*
 * The new environment, in memory mapped for it: envp and what it lacks.
 * For a supervisor the shim's preload goes under another name, so that
 * the supervisor's first stage runs without it (unotify/main.c).
 */
static char *const *
build_env(char *const envp[], const struct env_scan *sc, int chan,
    bool want_mark, bool supervisor_env, char held[HELD_KINDS][HELD_ENTRY_MAX],
    struct env_build *b)
{
	const char *old_preload = sc->old_preload;
	const char *prefix = supervisor_env ? unotify_preload_prefix :
					      preload_prefix;
	size_t k = 0, strings;
	char *text, chan_text[32];

	snprintf(chan_text, sizeof(chan_text), "%s%d", channel_prefix, chan);
	strings = sizeof(unotify_preload_prefix) + strlen(shim_file) + 1 +
	    (old_preload ? strlen(old_preload) : 0) + sizeof(chan_text) +
	    sizeof(sc->held) + 8;
	b->map_size = (sc->n + 4 + NCARRIED + HELD_KINDS) * sizeof(char *) +
	    strings;
	b->map = mmap(NULL, b->map_size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b->map == MAP_FAILED)
		return NULL;
	b->envp = b->map;
	text = (char *)b->map +
	    (sc->n + 4 + NCARRIED + HELD_KINDS) * sizeof(char *);

	for (size_t i = 0; i < sc->n; i++)
		if (!has_prefix(envp[i], preload_prefix) &&
		    !has_prefix(envp[i], unotify_preload_prefix) &&
		    !has_prefix(envp[i], channel_prefix) &&
		    !is_held_var(envp[i]))
			b->envp[k++] = envp[i];
	/* The shim first: a library ahead of it would see the calls first. */
	b->envp[k++] = text;
	text += preload_entry(text, prefix, old_preload, supervisor_env) + 1;
	if (chan >= 0) {
		b->envp[k++] = text;
		text += sprintf(text, "%s", chan_text) + 1;
	}
	for (size_t i = 0; i < NCARRIED; i++)
		if (!sc->have[i] && carried[i][0] != '\0')
			b->envp[k++] = carried[i];
	if (want_mark && !sc->have_mark)
		b->envp[k++] = dgram_mark;
	for (int h = 0; h < HELD_KINDS && held != NULL; h++)
		if (held[h][0] != '\0') {
			b->envp[k++] = text;
			text += sprintf(text, "%s", held[h]) + 1;
		}
	b->envp[k] = NULL;
	return b->envp;
}

/*
 * Duplicates of the held descriptors for the exec, named in held; none
 * in a child that shares this process's memory (and maybe its
 * descriptor table: clone(CLONE_VM | CLONE_FILES)), whose exec would
 * leave a duplicate behind in the table: its new image asks.  True if
 * any is passed.
 */
static bool
pass_held_on(int chan, char held[HELD_KINDS][HELD_ENTRY_MAX],
    struct env_build *b)
{
	bool owner = chan >= 0 && channel_owner(), any = false;

	for (int k = 0; k < HELD_KINDS; k++) {
		held[k][0] = '\0';
		if (owner &&
		    (b->held_fd[k] = held_dup_for_exec(k, held[k],
			 sizeof(held[k]))) >= 0)
			b->held_open[k] = any = true;
	}
	return any;
}

static char *const *
env_for(char *const envp[], bool for_supervisor, struct env_build *b)
{
	static char *const empty[] = { NULL };
	/* A relaxed load: no lock, so safe in a vfork child (inherit.c). */
	bool want_mark = sockets_any_dgram_gates();
	int chan = channel_fd_checked();
	char held[HELD_KINDS][HELD_ENTRY_MAX];
	struct env_scan sc;

	/* After clearenv(), environ is NULL: the kernel takes that as empty. */
	if (envp == NULL)
		envp = empty;
	/*
	 * Without its own path the shim cannot put itself back: a service
	 * process (it holds the channel) then execs nothing, rather than an
	 * image that might run ungated.
	 */
	if (shim_file == NULL) {
		if (chan < 0)
			return envp;
		errno = EACCES;
		return NULL;
	}
	scan_env(envp, chan, &sc);
	if (for_supervisor)
		return build_env(envp, &sc, chan, want_mark, true, NULL, b);
	if (!pass_held_on(chan, held, b) && !env_names_held(&sc) &&
	    env_complete(&sc, chan, want_mark))
		return envp;
	if (build_env(envp, &sc, chan, want_mark, false, held, b) == NULL) {
		release_env(b);
		return NULL;
	}
	return b->envp;
}

char *const *
with_shim(char *const envp[], struct env_build *b)
{
	return env_for(envp, false, b);
}

char *const *
with_shim_for_supervisor(char *const envp[], struct env_build *b)
{
	return env_for(envp, true, b);
}

/*
 * The variable only says that the launcher offers supervision; the path
 * is never taken from it (a program sets its children's environment):
 * it is found from the shim's own file, beside which a build tree holds
 * unotify/, or where `make install` put it.  Which of the two is found
 * once, in exec_init; the path beside the shim is made again when it is
 * wanted, so that the start-up of every image does not write a page of
 * PATH_MAX bytes (hotpath.h, EARLY_DATA).
 */
enum supervisor_place {
	SUPERVISOR_NONE,
	SUPERVISOR_BESIDE_SHIM,
	SUPERVISOR_INSTALLED,
};
static enum supervisor_place supervisor_at EARLY_DATA;
static const char beside_shim_suffix[] = "/../../unotify/capwrap-unotify";
static const char installed_supervisor[] = CAPWRAP_PKGLIBEXECDIR
    "/capwrap-unotify";

/* The supervisor beside the shim's file in path; false if it does not fit. */
static bool
beside_shim(char path[PATH_MAX])
{
	const char *slash = shim_file != NULL ? strrchr(shim_file, '/') : NULL;
	size_t dir;

	if (slash == NULL ||
	    (dir = (size_t)(slash - shim_file)) + sizeof(beside_shim_suffix) >
		PATH_MAX)
		return false;
	memcpy(path, shim_file, dir);
	memcpy(path + dir, beside_shim_suffix, sizeof(beside_shim_suffix));
	return true;
}

static void
find_supervisor(void)
{
	const char *v = getenv(WIRE_UNOTIFY_ENV);
	char path[PATH_MAX];

	if (v == NULL || *v == '\0')
		return;
	if (beside_shim(path) && access(path, X_OK) == 0)
		supervisor_at = SUPERVISOR_BESIDE_SHIM;
	else if (access(installed_supervisor, X_OK) == 0)
		supervisor_at = SUPERVISOR_INSTALLED;
}

bool
exec_supervisor_found(void)
{
	return supervisor_at != SUPERVISOR_NONE;
}

const char *
exec_supervisor(char path[PATH_MAX])
{
	switch (supervisor_at) {
	case SUPERVISOR_BESIDE_SHIM:
		return beside_shim(path) ? path : NULL;
	case SUPERVISOR_INSTALLED:
		return installed_supervisor;
	default:
		return NULL;
	}
}

void
release_env(struct env_build *b)
{
	for (int k = 0; k < HELD_KINDS; k++)
		if (b->held_open[k]) {
			(void)capshim_syscall(SYS_close, (long)b->held_fd[k]);
			b->held_open[k] = false;
		}
	if (b->map != NULL && b->map != MAP_FAILED)
		(void)munmap(b->map, b->map_size);
}

bool
environ_carries_shim(void)
{
	static char *const empty[] = { NULL };
	int chan = channel_fd_checked();
	struct env_scan sc;

	if (shim_file == NULL)
		return chan < 0;
	scan_env(environ != NULL ? environ : empty, chan, &sc);
	return env_complete(&sc, chan, sockets_any_dgram_gates()) &&
	    !env_names_stranger(&sc);
}
