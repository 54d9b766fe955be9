/*
 * capwrap status, kill, restart and reload: the commands that reach a
 * running `capwrap run` through its control socket (control.h), named by
 * its policy file or by --name.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "control.h"
#include "exitcodes.h"

struct ctl_options {
	const char *name; /* --name */
	bool json;	  /* --json */
};

static int
ctl_option(void *ctx, int c, const char *arg)
{
	struct ctl_options *o = ctx;

	switch (c) {
	case 'n':
		o->name = arg;
		break;
	case 'j':
		o->json = true;
		break;
	}
	return CLI_GO_ON;
}

/*
 * The socket named by --name, or derived from the policy file.  Returns EXIT_OK
 * with the path in sock.
 */
static int
find_socket(const char *cmd, const struct ctl_options *o, const char *policy,
    char *sock, char *name, size_t size)
{
	char dir[PATH_MAX], lock[PATH_MAX], why[PATH_MAX + 128];
	struct stat st;

	if (o->name != NULL) {
		if (!control_name_valid(o->name)) {
			fprintf(stderr,
			    "capwrap %s: --name %s: letters, digits, '_', "
			    "'.' and '-' only, %d at most, not starting "
			    "with '.'\n",
			    cmd, o->name, CONTROL_NAME_MAX);
			return EXIT_USAGE;
		}
		(void)strlcpy(name, o->name, size);
	} else {
		if (control_name_for(policy, name, size, why, sizeof(why)) !=
		    0) {
			fprintf(stderr, "capwrap %s: %s\n", cmd, why);
			return EXIT_NOINPUT;
		}
	}
	if (control_dir(dir, sizeof(dir), why, sizeof(why)) != 0 ||
	    control_paths(dir, name, sock, lock, size, why, sizeof(why)) != 0) {
		fprintf(stderr, "capwrap %s: %s\n", cmd, why);
		return EXIT_NOINPUT;
	}
	if (lstat(dir, &st) != 0 && errno == ENOENT) {
		fprintf(stderr,
		    "capwrap %s: no launcher answers as %s (%s: %s)\n", cmd,
		    name, dir, strerror(errno));
		return EXIT_NOINPUT;
	}
	/* A directory others could plant a socket in is not trusted. */
	if (control_dir_check(dir, false, why, sizeof(why)) != 0) {
		fprintf(stderr, "capwrap %s: %s\n", cmd, why);
		return EXIT_REFUSED;
	}
	return EXIT_OK;
}

/* Copy the reply's text to fd, all of it. */
static void
show(int fd, const char *text, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, text, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		text += n;
		len -= (size_t)n;
	}
}

/* Read the whole answer: its status line, then the text to show. */
static int
read_answer(const char *cmd, const char *name, int fd)
{
	char buf[65536], *nl;
	size_t len = 0;
	ssize_t n;
	int status;

	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (len += (size_t)n) == sizeof(buf) - 1)
			break;
	}
	buf[len] = '\0';
	if ((nl = strchr(buf, '\n')) == NULL) {
		fprintf(stderr, "capwrap %s: the launcher %s gave no answer\n",
		    cmd, name);
		return EXIT_REFUSED;
	}
	status = atoi(buf);
	show(status == 0 ? STDOUT_FILENO : STDERR_FILENO, nl + 1,
	    len - (size_t)(nl + 1 - buf));
	return status;
}

/* Send request to the launcher at sock and show its answer. */
static int
ask(const char *cmd, const char *name, const char *sock, const char *request)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, status;

	(void)strlcpy(sun.sun_path, sock, sizeof(sun.sun_path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		int e = errno;

		fprintf(stderr,
		    "capwrap %s: no launcher answers as %s (%s: %s)\n", cmd,
		    name, sock, strerror(e));
		if (fd >= 0)
			close(fd);
		return e == ENOENT || e == ECONNREFUSED ? EXIT_NOINPUT :
							  EXIT_SYSTEM;
	}
	signal(SIGPIPE, SIG_IGN);
	show(fd, request, strlen(request));
	(void)shutdown(fd, SHUT_WR);
	status = read_answer(cmd, name, fd);
	close(fd);
	return status;
}

/*
 * The request for cmd from what is left of the operands once the policy
 * is taken off: SERVICE for restart, SERVICE SIGNAL for kill.
 */
static int
make_request(const char *cmd, const struct ctl_options *o, char **w, int n,
    char *req, size_t size)
{
	int sig,
	    want = strcmp(cmd, "kill") == 0 ? 2 :
	    strcmp(cmd, "restart") == 0	    ? 1 :
					      0;

	if (n != want) {
		fprintf(stderr, "capwrap %s: %s operands\n", cmd,
		    n < want ? "missing" : "too many");
		return EXIT_USAGE;
	}
	if (want > 0 && !control_name_valid(w[0])) {
		fprintf(stderr, "capwrap %s: %s: no such service name\n", cmd,
		    w[0]);
		return EXIT_USAGE;
	}
	if (want == 2) {
		if ((sig = policy_signal_number(w[1])) == 0) {
			fprintf(stderr, "capwrap kill: %s: not a signal\n",
			    w[1]);
			return EXIT_USAGE;
		}
		snprintf(req, size, "kill %s %d\n", w[0], sig);
	} else if (want == 1)
		snprintf(req, size, "restart %s\n", w[0]);
	else if (strcmp(cmd, "status") == 0)
		snprintf(req, size, "status%s\n", o->json ? " --json" : "");
	else
		snprintf(req, size, "%s\n", cmd);
	return EXIT_OK;
}

static int
cmd_control(const struct cli_command *command, int argc, char **argv)
{
	struct ctl_options o = { NULL };
	char sock[PATH_MAX], name[PATH_MAX], req[CONTROL_REQUEST_MAX];
	char **w;
	int n, rc;

	if ((rc = cli_parse(command, argc, argv, &o)) != CLI_GO_ON)
		return rc;
	w = argv + optind;
	n = argc - optind;
	if (o.name == NULL && n == 0) {
		fprintf(stderr, "capwrap %s: missing POLICY (or --name)\n",
		    command->name);
		cli_usage(command, stderr);
		return EXIT_USAGE;
	}
	/* The request first: a bad command line is told as such. */
	if ((rc = make_request(command->name, &o, w + (o.name == NULL),
		 n - (o.name == NULL), req, sizeof(req))) != EXIT_OK) {
		cli_usage(command, stderr);
		return rc;
	}
	if ((rc = find_socket(command->name, &o, w[0], sock, name,
		 sizeof(sock))) != EXIT_OK)
		return rc;
	return ask(command->name, name, sock, req);
}

static int
cmd_status(int argc, char **argv)
{
	return cmd_control(&status_command, argc, argv);
}

static int
cmd_kill(int argc, char **argv)
{
	return cmd_control(&kill_command, argc, argv);
}

static int
cmd_restart(int argc, char **argv)
{
	return cmd_control(&restart_command, argc, argv);
}

static int
cmd_reload(int argc, char **argv)
{
	return cmd_control(&reload_command, argc, argv);
}

static const struct option status_longopts[] = {
	{ "name", required_argument, NULL, 'n' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct option ctl_longopts[] = {
	{ "name", required_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_command status_command = {
	.name = "status",
	.synopsis = "capwrap status POLICY | --name NAME [--json]\n",
	.operand = "POLICY",
	.min_operands = 0,
	.max_operands = 1,
	.shortopts = ":h",
	.options = status_longopts,
	.option = ctl_option,
	.main = cmd_status,
};

const struct cli_command kill_command = {
	.name = "kill",
	.synopsis = "capwrap kill POLICY | --name NAME SERVICE SIGNAL\n",
	.operand = "POLICY SERVICE SIGNAL",
	.min_operands = 2,
	.max_operands = 3,
	.shortopts = ":h",
	.options = ctl_longopts,
	.option = ctl_option,
	.main = cmd_kill,
};

const struct cli_command restart_command = {
	.name = "restart",
	.synopsis = "capwrap restart POLICY | --name NAME SERVICE\n",
	.operand = "POLICY SERVICE",
	.min_operands = 1,
	.max_operands = 2,
	.shortopts = ":h",
	.options = ctl_longopts,
	.option = ctl_option,
	.main = cmd_restart,
};

const struct cli_command reload_command = {
	.name = "reload",
	.synopsis = "capwrap reload POLICY | --name NAME\n",
	.operand = "POLICY",
	.min_operands = 0,
	.max_operands = 1,
	.shortopts = ":h",
	.options = ctl_longopts,
	.option = ctl_option,
	.main = cmd_reload,
};
