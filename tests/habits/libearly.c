/*
 * libearly.so: a library whose constructor uses sockets while the
 * program is still starting, before main() and possibly before the
 * shim's own constructor has run (a C++ static object that opens its
 * connection does the same).  Driven by the environment:
 *	HX_EARLY_BIND	bind and listen on this abstract name
 *	HX_EARLY_DENIED	dial this name (the policy refuses it)
 *	HX_EARLY_DIAL	dial this name, send "early", print the answer
 *	HX_EARLY_SEND	send one datagram "early" to this name
 *	HX_EARLY_EXEC	execv this program (no arguments)
 * Prints "early bind: ERRNO", "early denied: ERRNO", "early reply
 * LINE" or "early dial: ERRNO", "early send: ERRNO" (OK when a call
 * succeeded), and "early exec: ERRNO" when the exec returned.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int hx_early_listener = -1;

static socklen_t
abstract(struct sockaddr_un *sun, const char *name)
{
	size_t n = strlen(name);

	if (n > sizeof(sun->sun_path) - 1)
		n = sizeof(sun->sun_path) - 1;
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path + 1, name, n);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

static const char *
errname(int rc)
{
	const char *s = rc == 0 ? "OK" : strerrorname_np(errno);

	return s ? s : "unknown";
}

static void
say(const char *what, const char *value)
{
	char line[700];
	int n = snprintf(line, sizeof(line), "early %s%s\n", what, value);

	if (n > 0)
		(void)!write(STDOUT_FILENO, line, (size_t)n);
}

__attribute__((constructor)) static void
early(void)
{
	const char *bind_name = getenv("HX_EARLY_BIND");
	const char *denied = getenv("HX_EARLY_DENIED");
	const char *dial = getenv("HX_EARLY_DIAL");
	const char *send_to = getenv("HX_EARLY_SEND");
	const char *exec_path = getenv("HX_EARLY_EXEC");
	struct sockaddr_un sun;
	socklen_t len;
	int fd, rc;

	if (bind_name != NULL) {
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		len = abstract(&sun, bind_name);
		rc = bind(fd, (struct sockaddr *)&sun, len);
		if (rc == 0)
			rc = listen(fd, 8);
		say("bind: ", errname(rc));
		hx_early_listener = rc == 0 ? fd : -1;
	}
	if (denied != NULL) {
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		len = abstract(&sun, denied);
		rc = connect(fd, (struct sockaddr *)&sun, len);
		say("denied: ", errname(rc));
		close(fd);
	}
	if (exec_path != NULL) {
		char *argv[] = { (char *)exec_path, NULL };

		/* Unset first: the image, if it ran, must not do this again. */
		unsetenv("HX_EARLY_EXEC");
		(void)execv(exec_path, argv);
		say("exec: ", errname(-1));
	}
	if (send_to != NULL) {
		fd = socket(AF_UNIX, SOCK_DGRAM, 0);
		len = abstract(&sun, send_to);
		rc = sendto(fd, "early\n", 6, 0, (struct sockaddr *)&sun,
			 len) == 6 ?
		    0 :
		    -1;
		say("send: ", errname(rc));
		close(fd);
	}
	if (dial != NULL) {
		char buf[600];
		ssize_t n;

		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		len = abstract(&sun, dial);
		rc = connect(fd, (struct sockaddr *)&sun, len);
		if (rc != 0) {
			say("dial: ", errname(rc));
			return;
		}
		(void)!write(fd, "early\n", 6);
		n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		say("reply ", buf);
		close(fd);
	}
}
