#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "notify.h"

static int notify_fd = -1;
static struct sockaddr_un notify_addr;
static socklen_t notify_len;
static char notify_text[sizeof(notify_addr.sun_path) + 1];
static bool reported;

int
notify_init(void)
{
	const char *e = getenv("NOTIFY_SOCKET");
	size_t n;

	if (e == NULL || *e == '\0') {
		(void)unsetenv("NOTIFY_SOCKET");
		return 0;
	}
	strlcpy(notify_text, e, sizeof(notify_text));
	n = strlen(e);
	if ((e[0] != '/' && e[0] != '@') || n >= sizeof(notify_addr.sun_path)) {
		fprintf(stderr,
		    "capwrap: NOTIFY_SOCKET %s: not an absolute "
		    "path or @abstract name that fits a socket address\n",
		    e);
		(void)unsetenv("NOTIFY_SOCKET");
		return -1;
	}
	memset(&notify_addr, 0, sizeof(notify_addr));
	notify_addr.sun_family = AF_UNIX;
	memcpy(notify_addr.sun_path, e, n);
	if (e[0] == '@') {
		/*
		 * Abstract: a leading NUL, and the length says where it ends.
		 */
		notify_addr.sun_path[0] = '\0';
		notify_len = (socklen_t)(offsetof(struct sockaddr_un,
					     sun_path) +
		    n);
	} else
		notify_len = (socklen_t)(offsetof(struct sockaddr_un,
					     sun_path) +
		    n + 1);
	(void)unsetenv("NOTIFY_SOCKET");
	notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (notify_fd < 0) {
		fprintf(stderr, "capwrap: unable to notify %s: %s\n",
		    notify_text, strerror(errno));
		return -1;
	}
	return 0;
}

void
notify_send(const char *message)
{
	ssize_t n;

	if (notify_fd < 0)
		return;
	do
		n = sendto(notify_fd, message, strlen(message), MSG_NOSIGNAL,
		    (struct sockaddr *)&notify_addr, notify_len);
	while (n < 0 && errno == EINTR);
	if (n < 0 && !reported) {
		fprintf(stderr, "capwrap: unable to notify %s: %s\n",
		    notify_text, strerror(errno));
		reported = true;
	}
}

void
notify_close(void)
{
	if (notify_fd >= 0)
		close(notify_fd);
	notify_fd = -1;
}

void
notify_status(const char *lead, size_t running, size_t failed)
{
	char status[160], more[64] = "";

	if (failed > 0)
		snprintf(more, sizeof(more), ", %zu failed", failed);
	/* Each message ends with a newline: a log of them shows lines. */
	snprintf(status, sizeof(status), "%sSTATUS=%zu service%s running%s\n",
	    lead, running, running == 1 ? "" : "s", more);
	notify_send(status);
}
