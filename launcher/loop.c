#include <sys/epoll.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

static int epfd = -1;

/*
 * Watches deleted while a batch of events is being dispatched: their
 * memory may be gone (a process record freed with its pidfd watch), so
 * later events of the same batch for them are dropped.  The watches are
 * level-triggered, so anything dropped that still matters is reported
 * again by the next epoll_wait.
 */
#define DEAD_MAX 64
static struct watch *dead[DEAD_MAX];
static size_t ndead;
static bool dispatching, dead_overflow;

static bool
deleted_this_batch(const struct watch *w)
{
	for (size_t i = 0; i < ndead; i++)
		if (dead[i] == w)
			return true;
	return false;
}

int
loop_init(void)
{
	epfd = epoll_create1(EPOLL_CLOEXEC);
	return epfd < 0 ? -1 : 0;
}

int
loop_add(struct watch *w)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = w };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, w->fd, &ev);
}

void
loop_del(struct watch *w)
{
	(void)epoll_ctl(epfd, EPOLL_CTL_DEL, w->fd, NULL);
	if (!dispatching)
		return;
	if (ndead < DEAD_MAX)
		dead[ndead++] = w;
	else
		dead_overflow = true;
}

int64_t
loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
loop_run_once(int64_t deadline_ms)
{
	struct epoll_event evs[64];
	int timeout = -1, n;

	if (deadline_ms >= 0) {
		int64_t left = deadline_ms - loop_now_ms();

		timeout = left < 0 ? 0 : left > 60000 ? 60000 : (int)left;
	}
	n = epoll_wait(epfd, evs, 64, timeout);
	if (n < 0)
		return errno == EINTR ? 0 : -1;
	dispatching = true;
	ndead = 0;
	dead_overflow = false;
	/*
	 * After too many deletions to track, the rest waits for the next wait.
	 */
	for (int i = 0; i < n && !dead_overflow; i++) {
		struct watch *w = evs[i].data.ptr;

		if (!deleted_this_batch(w))
			w->fn(w, evs[i].events);
	}
	dispatching = false;
	return 0;
}

int64_t
loop_earliest(int64_t a, int64_t b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}
