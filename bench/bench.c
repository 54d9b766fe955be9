#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

extern const char *__progname;

uint64_t
bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t
bench_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t
bench_proc_cpu_ns(pid_t pid)
{
	char path[64];
	unsigned long long ns = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	if (fscanf(f, "%llu", &ns) != 1)
		ns = 0;
	fclose(f);
	return ns;
}

socklen_t
bench_abstract(struct sockaddr_un *sun, const char *name)
{
	size_t n = strlen(name);

	if (n + 1 > sizeof(sun->sun_path)) {
		fprintf(stderr, "%s: name too long: %s\n", __progname, name);
		exit(2);
	}
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path + 1, name, n);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

int
bench_dial(const char *name)
{
	struct sockaddr_un sun;
	socklen_t len = bench_abstract(&sun, name);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), err;

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, len) != 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

int
bench_dial_patiently(const char *name, int timeout_ms)
{
	uint64_t give_up = bench_now_ns() + (uint64_t)timeout_ms * 1000000u;
	const struct timespec pause = { .tv_nsec = 2000000 };
	int fd;

	while ((fd = bench_dial(name)) < 0) {
		if (errno != ECONNREFUSED)
			bench_die(name);
		if (bench_now_ns() > give_up) {
			fprintf(stderr, "%s: nobody listens on @%s\n",
			    __progname, name);
			exit(1);
		}
		nanosleep(&pause, NULL);
	}
	return fd;
}

int
bench_read_full(int fd, void *buf, size_t n)
{
	char *p = buf;
	ssize_t r;

	while (n > 0) {
		r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int
bench_write_full(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double
bench_median(double *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), compare_doubles);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void
bench_metric(const char *name, double value, const char *unit)
{
	printf("METRIC %s %.3f %s\n", name, value, unit);
	fflush(stdout);
}

long
bench_count(const char *arg, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "%s: %s: not a count in [%ld, %ld]\n",
		    __progname, arg, min, max);
		exit(2);
	}
	return v;
}

void
bench_die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", __progname, what, strerror(errno));
	exit(1);
}
