/*
 * The policy model: which service runs what, provides which abstract names
 * and dials which services.  The parser fills it from a file; the launcher
 * and the unit tests query it.  Nothing here does I/O beyond reading the
 * policy file, and nothing here is ever linked into the shim.
 */
#ifndef CAPWRAP_POLICY_H
#define CAPWRAP_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An abstract name is at most 107 bytes: sun_path less the leading NUL. */
#define POLICY_NAME_MAX 107
#define POLICY_SERVICE_NAME_MAX 64

/* The bytes after the leading NUL of an abstract address; any byte allowed. */
struct policy_name {
	size_t len;
	uint8_t bytes[POLICY_NAME_MAX];
};

enum policy_restart {
	POLICY_RESTART_NO = 0,
	POLICY_RESTART_ON_FAILURE,
	POLICY_RESTART_ALWAYS,
};

/*
 * A restarted service may start at most burst times within window
 * seconds; the start that would be one more marks it failed instead.
 * systemd's defaults (StartLimitBurst=5, StartLimitIntervalSec=10s).
 */
#define POLICY_START_BURST 5
#define POLICY_START_WINDOW 10
#define POLICY_START_BURST_MAX 1000
#define POLICY_START_WINDOW_MAX 86400

/* `limit nofile N`: the soft limit the service starts with. */
struct policy_limit {
	bool set;
	unsigned long long value;
	unsigned line, col; /* of the value */
};

/* `limit nofile`: select() breaks above 1024; the kernel's nr_open cap. */
#define POLICY_NOFILE_MIN 8
#define POLICY_NOFILE_MAX 1073741816ULL
/* `limit core unlimited` */
#define POLICY_LIMIT_INFINITY (~0ULL)

struct policy_service {
	char *name;
	char **argv; /* NULL-terminated, argc words */
	size_t argc;
	struct policy_name *provides;
	size_t nprovides;
	size_t *dials; /* indexes into policy.services */
	size_t ndials;
	bool unprotected; /* runs without the shim, by choice */
	enum policy_restart restart;
	unsigned start_burst, start_window; /* with restart: the limit */
	unsigned line, col;		    /* of the `service` keyword */
	/* `allow io_uring`: not fenced from io_uring (servicespawn.c) */
	bool allow_io_uring;
	/*
	 * `allow host-sockets`: started outside the topology's Landlock
	 * domain (launcher/domain.h); where, for `capwrap check`'s warning.
	 */
	bool allow_host_sockets;
	unsigned host_sockets_line, host_sockets_col;
	unsigned exec_line, exec_col;	/* of the `exec` keyword */
	unsigned dials_line, dials_col; /* of the first `dials` word; 0: none */
	/*
	 * What a daemon needs (daemon.c), applied by servicespawn.c.  user
	 * and group as written (a name or a number), resolved by the
	 * launcher; NULL: the launcher's own.  Positions for diagnostics.
	 */
	char *user, *group;
	unsigned user_line, user_col, group_line, group_col;
	char **env; /* "KEY=VALUE", nenv of them; they override the inherited */
	unsigned *env_lines; /* where each was set */
	size_t nenv;
	char *directory; /* resolved against the policy's directory */
	unsigned directory_line;
	struct policy_limit nofile, core;
	int stop_signal; /* 0: SIGTERM */
	unsigned stop_signal_line;
};

struct policy {
	char *path; /* as given to the parser */
	struct policy_service *services;
	size_t nservices;
	struct policy_name *externals;
	size_t nexternals;
	/* resolved against the policy's directory; NULL if none */
	char *audit_path;
	unsigned audit_line, audit_col; /* of the path, for diagnostics */
	bool audit_syslog;
};

/* One diagnostic: reported as FILE:LINE:COL: MESSAGE. */
struct policy_diag {
	const char *file;
	unsigned line, col; /* 1-based; col counts bytes */
	const char *message;
};

typedef void policy_report_fn(void *ctx, const struct policy_diag *diag);

/* Writes "FILE:LINE:COL: MESSAGE\n" to the FILE * in ctx (stderr if NULL). */
policy_report_fn policy_report_to_stream;

/*
 * Parse a policy held in memory.  Every error is reported through report;
 * on any error the whole policy is rejected and NULL is returned.  *nerrors,
 * if not NULL, receives the count.  filename is used in diagnostics and to
 * resolve a relative audit path.
 */
struct policy *policy_parse_buffer(const char *data, size_t len,
    const char *filename, policy_report_fn *report, void *ctx, size_t *nerrors);

/* Read and parse a file; an unreadable file is reported as FILE:0:0. */
struct policy *policy_parse_file(const char *path, policy_report_fn *report,
    void *ctx, size_t *nerrors);

void policy_free(struct policy *);
/*
 * Warnings about a valid policy, reported as diagnostics: dials that
 * grant nothing (from an unprotected service, which has no shim to gate
 * them; to a service that provides no name).  Returns how many.
 */
size_t policy_warnings(const struct policy *, policy_report_fn *, void *ctx);

/*
 * Lookups.  Names compare by exact length and bytes, in their matching
 * form (trailing NULs dropped: the parser's, and common/absname.h's for
 * the names a program gives).
 */
const struct policy_service *policy_find_service(const struct policy *,
    const char *name);
const struct policy_service *policy_provider(const struct policy *,
    const uint8_t *name, size_t len);
bool policy_is_external(const struct policy *, const uint8_t *name, size_t len);
bool policy_service_provides(const struct policy_service *, const uint8_t *name,
    size_t len);
/*
 * The number of a signal named as kill -l spells it, with or without SIG
 * (TERM, SIGTERM), or given as a number; 0 if it names none.
 */
int policy_signal_number(const char *s);
bool policy_service_dials(const struct policy *,
    const struct policy_service *from, const struct policy_service *to);
size_t policy_service_index(const struct policy *,
    const struct policy_service *);

/*
 * Render name as "@" followed by its bytes, printable ASCII as is and every
 * other byte (and '\\' and '"') as \xHH, so that it can go into a log line
 * or JSON string unchanged.  Always NUL-terminates; returns out.
 */
#define POLICY_NAME_TEXT_MAX (1 + 4 * POLICY_NAME_MAX + 1)
char *policy_name_text(const uint8_t *name, size_t len,
    char out[POLICY_NAME_TEXT_MAX]);

#endif
