/*
 * The control socket of a running `capwrap run`: a filesystem socket
 * DIR/NAME.sock (DIR: $XDG_RUNTIME_DIR/capwrap, else /run/capwrap for
 * root), through which `capwrap status`, `kill`, `restart` and `reload`
 * reach it.  ctlpath.c finds DIR and NAME for both sides; control.c
 * serves the socket from the launcher's event loop; ctlcmd.c holds the
 * commands.
 *
 * The protocol: the client sends one line, at most CONTROL_REQUEST_MAX
 * bytes with its newline, of words apart by single spaces:
 *	status [--json] | kill SERVICE SIGNUM | restart SERVICE | reload
 * and reads, until the launcher closes, a line with the exit status of
 * the command in decimal and then what to show: on stdout if that status
 * is 0, on stderr otherwise.
 */
#ifndef CAPWRAP_CONTROL_H
#define CAPWRAP_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"

#define CONTROL_REQUEST_MAX 512
/* Clients served at once; one more is told the launcher is busy. */
#define CONTROL_CLIENTS_MAX 8
/* From its connection, a client has this long to ask and read the answer. */
#define CONTROL_DEADLINE_MS 3000
#define CONTROL_NAME_MAX 64

/*
 * The directory of the sockets, as the rules above find it: 0 with the
 * path in out, or -1 with why set.
 */
int control_dir(char *out, size_t size, char *why, size_t whylen);
/*
 * Make sure dir is ours to serve from: created 0700 if missing, else a
 * directory (not a symbolic link) that we own and that no one else may
 * enter.  A client (make false) accepts one owned by root as well, and
 * one others may enter, but none that others may write to.
 */
int control_dir_check(const char *dir, bool make, char *why, size_t whylen);
/*
 * The default NAME for a policy file: its base name without ".policy",
 * "-" and 8 hex digits of a hash of its real path, so that two policies
 * of one base name in two directories differ.  -1 with why set if the
 * file cannot be resolved.
 */
int control_name_for(const char *policy_path, char *out, size_t size, char *why,
    size_t whylen);
/* A NAME given with --name: [A-Za-z0-9_.-], not starting with '.'. */
bool control_name_valid(const char *name);
/* DIR/NAME.sock, and DIR/NAME.lock; -1 with why set if too long. */
int control_paths(const char *dir, const char *name, char *sock, char *lock,
    size_t size, char *why, size_t whylen);

/*
 * Serve NAME's socket from the event loop: the directory checked or made,
 * the lock taken (a live launcher of that NAME holds it: refused), a
 * stale socket replaced.  Returns an exit status, the message on stderr.
 */
int control_open(const char *name);
/*
 * All `capwrap run` needs for control and reload, once the supervisor is
 * set up: NAME (given, else derived from the policy's path), the socket
 * served, reload set up with rc (its policy_path is filled in here: the
 * real path of the policy).  Returns an exit status of capwrap(1), the
 * message on stderr.
 */
struct reload_config;
int control_start(const struct policy *, const char *name,
    struct reload_config *rc);
/* Stop serving and remove the socket. */
void control_close(void);

#endif
