/*
 * The launcher's single-threaded event loop: descriptors with a callback
 * each, plus deadlines on the monotonic clock.
 */
#ifndef CAPWRAP_LOOP_H
#define CAPWRAP_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct watch;
typedef void watch_fn(struct watch *, uint32_t events);

struct watch {
	int fd;
	watch_fn *fn;
	void *ctx;
};

int loop_init(void);
/* Watch w->fd for EPOLLIN; w must stay valid until loop_del. */
int loop_add(struct watch *w);
void loop_del(struct watch *w);

/* Milliseconds on the monotonic clock. */
int64_t loop_now_ms(void);

/*
 * Wait for events until at most deadline_ms (or forever if < 0), run
 * their callbacks, return.  Retries EINTR.  Returns -1 on a system error.
 */
int loop_run_once(int64_t deadline_ms);

/* The earlier of two deadlines in ms, where -1 is none. */
int64_t loop_earliest(int64_t a, int64_t b);

#endif
