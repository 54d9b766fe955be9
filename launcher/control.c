/*
 * The launcher's side of the control socket (control.h): accepted from
 * the event loop, every client served without ever blocking it.  A
 * client is answered only if it runs as our uid or as root; its request
 * is bounded (CONTROL_REQUEST_MAX), so are the clients at once
 * (CONTROL_CLIENTS_MAX) and the time each may take (CONTROL_DEADLINE_MS):
 * one that says nothing, says too much or never reads its answer costs a
 * slot for a while, never the loop.
 */
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "ctlserve.h"
#include "exitcodes.h"
#include "loop.h"

struct client {
	int fd; /* -1: a free slot */
	pid_t pid;
	int64_t deadline;
	char in[CONTROL_REQUEST_MAX];
	size_t inlen;
	char *out; /* the answer, once there is one */
	size_t outlen, outoff;
};

static struct client clients[CONTROL_CLIENTS_MAX];
static char sock_path[PATH_MAX], lock_path[PATH_MAX];
static int lock_fd = -1;
/*
 * The listening socket and the clients are watched by an epoll set of
 * their own, itself watched by the loop: a client waiting to be written
 * to needs EPOLLOUT, which the loop does not ask for.
 */
static int cep = -1;
static struct watch set_watch = { .fd = -1 }, timer = { .fd = -1 };
static int listen_fd = -1;

static void
arm_timer(void)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	int64_t next = -1;

	for (size_t i = 0; i < CONTROL_CLIENTS_MAX; i++)
		if (clients[i].fd >= 0 &&
		    (next < 0 || clients[i].deadline < next))
			next = clients[i].deadline;
	if (next >= 0) {
		its.it_value.tv_sec = next / 1000;
		its.it_value.tv_nsec = (next % 1000) * 1000000 + 1;
	}
	(void)timerfd_settime(timer.fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void
drop(struct client *c)
{
	(void)epoll_ctl(cep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->out);
	*c = (struct client){ .fd = -1 };
	arm_timer();
}

/* Write what the socket takes now; done: closed. */
static void
send_some(struct client *c)
{
	while (c->outoff < c->outlen) {
		ssize_t n = send(c->fd, c->out + c->outoff,
		    c->outlen - c->outoff, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0)
			break;
		c->outoff += (size_t)n;
	}
	drop(c);
}

/* The answer: its exit status on a line, then the text. */
static void
answer(struct client *c, int status, const char *text, size_t len)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = c };
	char head[16];
	int h = snprintf(head, sizeof(head), "%d\n", status);

	if ((c->out = malloc((size_t)h + len)) == NULL) {
		drop(c);
		return;
	}
	memcpy(c->out, head, (size_t)h);
	memcpy(c->out + h, text, len);
	c->outlen = (size_t)h + len;
	(void)epoll_ctl(cep, EPOLL_CTL_MOD, c->fd, &ev);
	send_some(c);
}

static void
answer_text(struct client *c, int status, const char *text)
{
	answer(c, status, text, strlen(text));
}

static void
serve_request(struct client *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int status;

	if (f == NULL) {
		answer_text(c, EXIT_SYSTEM, "capwrap: out of memory\n");
		return;
	}
	status = ctl_serve(c->in, f);
	if (fclose(f) != 0 || text == NULL) {
		free(text);
		answer_text(c, EXIT_SYSTEM, "capwrap: out of memory\n");
		return;
	}
	answer(c, status, text, len);
	free(text);
}

/* Read what came; a whole line is served, one too long refused. */
static void
read_some(struct client *c)
{
	ssize_t n;
	char *nl;

	n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen,
	    MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		drop(c);
		return;
	}
	c->inlen += (size_t)n;
	if ((nl = memchr(c->in, '\n', c->inlen)) != NULL) {
		*nl = '\0';
		serve_request(c);
		return;
	}
	if (c->inlen == sizeof(c->in)) {
		fprintf(stderr,
		    "capwrap: control: pid %d: request longer than %d bytes; "
		    "refused\n",
		    (int)c->pid, CONTROL_REQUEST_MAX);
		answer_text(c, EXIT_USAGE,
		    "capwrap: the request is too long\n");
	}
}

/* Our uid and root are answered; anyone else is told nothing. */
static bool
peer_allowed(int fd, pid_t *pid)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0)
		return false;
	*pid = cr.pid;
	if (cr.uid == geteuid() || cr.uid == 0)
		return true;
	fprintf(stderr,
	    "capwrap: control: refused pid %d of uid %u: only uid %u and "
	    "root are answered\n",
	    (int)cr.pid, (unsigned)cr.uid, (unsigned)geteuid());
	return false;
}

static void
accept_one(void)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct client *c = NULL;
	pid_t pid = 0;
	int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (!peer_allowed(fd, &pid)) {
		close(fd);
		return;
	}
	for (size_t i = 0; i < CONTROL_CLIENTS_MAX && c == NULL; i++)
		if (clients[i].fd < 0)
			c = &clients[i];
	if (c == NULL) {
		static const char busy[] = "75\ncapwrap: the launcher is "
					   "busy with other clients\n";

		char drain[CONTROL_REQUEST_MAX];

		(void)send(fd, busy, sizeof(busy) - 1,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
		/*
		 * A request left unread would make the close a reset, and
		 * the client would lose the answer.
		 */
		(void)shutdown(fd, SHUT_WR);
		(void)recv(fd, drain, sizeof(drain), MSG_DONTWAIT);
		close(fd);
		return;
	}
	*c = (struct client){ .fd = fd,
		.pid = pid,
		.deadline = loop_now_ms() + CONTROL_DEADLINE_MS };
	ev.data.ptr = c;
	if (epoll_ctl(cep, EPOLL_CTL_ADD, fd, &ev) != 0) {
		close(fd);
		c->fd = -1;
		return;
	}
	arm_timer();
}

static void
on_set(struct watch *w, uint32_t events)
{
	struct epoll_event evs[CONTROL_CLIENTS_MAX + 1];
	int n = epoll_wait(w->fd, evs, CONTROL_CLIENTS_MAX + 1, 0);

	(void)events;
	for (int i = 0; i < n; i++) {
		struct client *c = evs[i].data.ptr;

		if (c == NULL)
			accept_one();
		else if (c->fd >= 0 && c->out != NULL)
			send_some(c);
		else if (c->fd >= 0)
			read_some(c);
	}
}

static void
on_timer(struct watch *w, uint32_t events)
{
	uint64_t ticks;
	int64_t now = loop_now_ms();

	(void)events;
	(void)read(w->fd, &ticks, sizeof(ticks));
	for (size_t i = 0; i < CONTROL_CLIENTS_MAX; i++) {
		if (clients[i].fd < 0 || clients[i].deadline > now)
			continue;
		fprintf(stderr,
		    "capwrap: control: pid %d: no request or no reading "
		    "within %d ms; closed\n",
		    (int)clients[i].pid, CONTROL_DEADLINE_MS);
		drop(&clients[i]);
	}
	arm_timer();
}

/*
 * The lock says a launcher of this NAME lives: held as long as it runs,
 * let go by the kernel when it dies.  Whoever holds it owns the socket.
 */
static int
take_lock(const char *name)
{
	lock_fd = open(lock_path,
	    O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);
	if (lock_fd < 0) {
		fprintf(stderr, "capwrap run: %s: %s\n", lock_path,
		    strerror(errno));
		return EXIT_SYSTEM;
	}
	if (flock(lock_fd, LOCK_EX | LOCK_NB) == 0)
		return EXIT_OK;
	if (errno == EWOULDBLOCK)
		fprintf(stderr,
		    "capwrap run: a launcher named %s is running already "
		    "(%s); give this one another --name\n",
		    name, sock_path);
	else
		fprintf(stderr, "capwrap run: %s: %s\n", lock_path,
		    strerror(errno));
	close(lock_fd);
	lock_fd = -1;
	return errno == EWOULDBLOCK ? EXIT_TEMPFAIL : EXIT_SYSTEM;
}

/* Bind and listen at sock_path (a stale socket there goes), mode 0600. */
static int
listen_at(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int rc;

	if (lstat(sock_path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
		fprintf(stderr,
		    "capwrap run: %s is not a socket; not "
		    "replaced\n",
		    sock_path);
		return EXIT_TEMPFAIL;
	}
	(void)unlink(sock_path);
	(void)strlcpy(sun.sun_path, sock_path, sizeof(sun.sun_path));
	listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	/* Never a moment where others may connect: made 0600. */
	old = umask(0177);
	rc = listen_fd < 0 ?
	    -1 :
	    bind(listen_fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc != 0 || listen(listen_fd, CONTROL_CLIENTS_MAX) != 0) {
		fprintf(stderr, "capwrap run: %s: %s\n", sock_path,
		    strerror(errno));
		return EXIT_SYSTEM;
	}
	return EXIT_OK;
}

static int
watch_all(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };

	for (size_t i = 0; i < CONTROL_CLIENTS_MAX; i++)
		clients[i].fd = -1;
	cep = epoll_create1(EPOLL_CLOEXEC);
	timer.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	timer.fn = on_timer;
	set_watch = (struct watch){ .fd = cep, .fn = on_set };
	if (cep < 0 || timer.fd < 0 ||
	    epoll_ctl(cep, EPOLL_CTL_ADD, listen_fd, &ev) != 0 ||
	    loop_add(&set_watch) != 0 || loop_add(&timer) != 0) {
		fprintf(stderr, "capwrap run: control socket: %s\n",
		    strerror(errno));
		return EXIT_SYSTEM;
	}
	return EXIT_OK;
}

int
control_open(const char *name)
{
	char dir[PATH_MAX], why[PATH_MAX + 128];
	int rc;

	/*
	 * No directory to put it in (a user without XDG_RUNTIME_DIR): the
	 * topology runs without a control socket, and says so.  A directory
	 * that is there but unsafe stops the run below.
	 */
	if (control_dir(dir, sizeof(dir), why, sizeof(why)) != 0) {
		fprintf(stderr,
		    "capwrap run: no control socket: %s; status, kill, "
		    "restart and reload are unavailable (SIGHUP still "
		    "reloads)\n",
		    why);
		return EXIT_OK;
	}
	if (control_dir_check(dir, true, why, sizeof(why)) != 0 ||
	    control_paths(dir, name, sock_path, lock_path, sizeof(sock_path),
		why, sizeof(why)) != 0) {
		fprintf(stderr, "capwrap run: control socket: %s\n", why);
		return EXIT_SYSTEM;
	}
	if ((rc = take_lock(name)) != EXIT_OK)
		return rc;
	if ((rc = listen_at()) != EXIT_OK || (rc = watch_all()) != EXIT_OK) {
		control_close();
		return rc;
	}
	return EXIT_OK;
}

void
control_close(void)
{
	for (size_t i = 0; i < CONTROL_CLIENTS_MAX; i++)
		if (clients[i].fd >= 0 && cep >= 0)
			drop(&clients[i]);
	if (listen_fd >= 0) {
		/* Ours while the lock is held: no one else's is removed. */
		(void)unlink(sock_path);
		close(listen_fd);
		listen_fd = -1;
	}
	if (cep >= 0) {
		loop_del(&set_watch);
		close(cep);
		cep = -1;
	}
	if (timer.fd >= 0) {
		loop_del(&timer);
		close(timer.fd);
		timer.fd = -1;
	}
	if (lock_fd >= 0) {
		close(lock_fd);
		lock_fd = -1;
	}
}
