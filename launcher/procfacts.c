/*
 * Why a helper thread.  readlink(/proc/PID/exe) cannot be held up by the
 * peer: the kernel takes the exe file under RCU and the task lock, never
 * the peer's mmap lock (get_mm_exe_file, since Linux 4.1).  Reading
 * /proc/PID/cmdline can: access_remote_vm() takes the peer's mmap lock,
 * which the peer's other threads contend for, and faults in its argument
 * pages, which the peer can point (prctl PR_SET_MM, as root) at a mapping
 * of a file on a FUSE mount that never answers.  So one thread reads
 * command lines, and the loop waits for it at most PROCFACTS_DEADLINE_MS.  If
 * it is late, the record says "unavailable", and no command line is asked for
 * again until that read has returned and PROCFACTS_BACKOFF_MS has passed: a
 * peer that holds its lock costs the loop at most one deadline per backoff (2 %
 * with the defaults), whatever it does, and one thread at most.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "procfacts.h"
#include "procinfo.h"

static struct {
	pthread_mutex_t lock;
	pthread_cond_t asked, answered; /* CLOCK_MONOTONIC */
	void (*read)(pid_t, char *, size_t);
	int64_t deadline_ms, backoff_ms;
	pthread_t thread;
	bool started;
	bool quit;
	bool busy; /* a read is under way */
	pid_t pid; /* asked for; 0: nothing */
	uint64_t asked_seq, done_seq;
	int64_t off_until; /* monotonic ms */
	char result[sizeof(((struct procfacts *)0)->cmdline)];
} r = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.read = procinfo_cmdline,
	.deadline_ms = PROCFACTS_DEADLINE_MS,
	.backoff_ms = PROCFACTS_BACKOFF_MS,
};
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *
reader(void *arg)
{
	char buf[sizeof(r.result)];

	(void)arg;
	pthread_mutex_lock(&r.lock);
	for (;;) {
		pid_t pid;
		uint64_t seq;

		while (r.pid == 0 && !r.quit)
			pthread_cond_wait(&r.asked, &r.lock);
		if (r.quit)
			break;
		pid = r.pid;
		seq = r.asked_seq;
		r.pid = 0;
		/* Nothing held while the read may block. */
		pthread_mutex_unlock(&r.lock);
		r.read(pid, buf, sizeof(buf));
		pthread_mutex_lock(&r.lock);
		memcpy(r.result, buf, sizeof(r.result));
		r.done_seq = seq;
		r.busy = false;
		pthread_cond_signal(&r.answered);
	}
	pthread_mutex_unlock(&r.lock);
	return NULL;
}

static void
start_reader(void)
{
	pthread_condattr_t ca;
	sigset_t all, old;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r.asked, &ca);
	pthread_cond_init(&r.answered, &ca);
	pthread_condattr_destroy(&ca);
	/* Signals are the loop's: the thread takes none. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r.started = pthread_create(&r.thread, NULL, reader, NULL) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Ask the reader for pid's command line; false if not had in time. */
static bool
read_cmdline(pid_t pid, char *out, size_t size)
{
	int64_t now = mono_ms(), end = now + r.deadline_ms;
	struct timespec dl = { end / 1000, (end % 1000) * 1000000 };
	uint64_t seq;
	bool got;

	pthread_once(&once, start_reader);
	if (!r.started)
		return false;
	pthread_mutex_lock(&r.lock);
	if (r.busy || now < r.off_until) {
		pthread_mutex_unlock(&r.lock);
		return false;
	}
	r.busy = true;
	r.pid = pid;
	seq = ++r.asked_seq;
	pthread_cond_signal(&r.asked);
	while (r.done_seq != seq &&
	    pthread_cond_timedwait(&r.answered, &r.lock, &dl) != ETIMEDOUT)
		continue;
	if ((got = r.done_seq == seq))
		(void)snprintf(out, size, "%s", r.result);
	else
		r.off_until = now + r.backoff_ms;
	pthread_mutex_unlock(&r.lock);
	return got;
}

void
procfacts_time(char *out, size_t size)
{
	struct timespec ts;
	struct tm tm;
	char base[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, size, "%s.%06ldZ", base, ts.tv_nsec / 1000);
}

void
procfacts_read(pid_t pid, struct procfacts *f)
{
	procfacts_time(f->at, sizeof(f->at));
	f->exe[0] = f->cmdline[0] = '\0';
	f->cmdline_late = false;
	if (pid <= 0)
		return;
	procinfo_exe(pid, f->exe, sizeof(f->exe));
	if (!read_cmdline(pid, f->cmdline, sizeof(f->cmdline))) {
		f->cmdline[0] = '\0';
		f->cmdline_late = true;
	}
}

#define STOP_WAIT_MS 1000

/* pthread_join, giving up after ms (ETIMEDOUT). */
static int
timed_join(pthread_t t, int64_t ms)
{
	struct timespec dl;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += ms / 1000;
	dl.tv_nsec += (ms % 1000) * 1000000;
	if (dl.tv_nsec >= 1000000000) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000;
	}
	return pthread_timedjoin_np(t, NULL, &dl);
}

void
procfacts_stop(void)
{
	bool idle;

	if (!r.started)
		return;
	pthread_mutex_lock(&r.lock);
	idle = !r.busy;
	r.quit = true;
	pthread_cond_signal(&r.asked);
	pthread_mutex_unlock(&r.lock);
	/*
	 * One still busy (a slow machine, or held up by a peer) gets a
	 * second to finish; one held up longer is left to the exit.
	 */
	if (idle)
		pthread_join(r.thread, NULL);
	else if (timed_join(r.thread, STOP_WAIT_MS) != 0)
		pthread_detach(r.thread);
	r.started = false;
}

void
procfacts_configure(void (*read)(pid_t, char *, size_t), int64_t deadline_ms,
    int64_t backoff_ms)
{
	pthread_mutex_lock(&r.lock);
	r.read = read;
	r.deadline_ms = deadline_ms;
	r.backoff_ms = backoff_ms;
	pthread_mutex_unlock(&r.lock);
}
