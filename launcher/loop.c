#include <sys/epoll.h>
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

static int epfd = -1;

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
	for (int i = 0; i < n; i++) {
		struct watch *w = evs[i].data.ptr;

		w->fn(w, evs[i].events);
	}
	return 0;
}
