#include <stdlib.h>
#include <string.h>

#include "auditwrite.h"
#include "auditrate.h"
#include "auditrec.h"
#include "procfacts.h"

/* Tokens in thousandths, so that a millisecond earns AUDIT_RATE of them. */
#define TOKEN 1000

/* The refusals of one service's gate: few (services times three gates). */
struct tally {
	char *service, *gate;
	uint64_t total;	  /* every refusal since the start */
	uint64_t pending; /* suppressed, not told yet */
	char since[40];	  /* time of the first pending one */
	int64_t due;	  /* monotonic ms to tell them */
};

static struct tally *tallies;
static size_t ntallies;
static int64_t tokens = AUDIT_BURST * TOKEN, filled_at = -1;

static struct tally *
find_tally(const char *service, const char *gate)
{
	struct tally *t;

	for (size_t i = 0; i < ntallies; i++)
		if (strcmp(tallies[i].service, service) == 0 &&
		    strcmp(tallies[i].gate, gate) == 0)
			return &tallies[i];
	t = reallocarray(tallies, ntallies + 1, sizeof(*t));
	if (t == NULL)
		return NULL;
	tallies = t;
	t = &tallies[ntallies];
	memset(t, 0, sizeof(*t));
	t->service = strdup(service);
	t->gate = strdup(gate);
	if (t->service == NULL || t->gate == NULL) {
		free(t->service);
		free(t->gate);
		return NULL;
	}
	ntallies++;
	return t;
}

void
auditrate_count(const char *service, const char *gate)
{
	struct tally *t = find_tally(service, gate);

	if (t != NULL)
		t->total++;
}

bool
auditrate_take(int64_t now)
{
	if (filled_at >= 0 && now > filled_at) {
		tokens += (now - filled_at) * AUDIT_RATE;
		if (tokens > AUDIT_BURST * TOKEN)
			tokens = AUDIT_BURST * TOKEN;
	}
	filled_at = now;
	if (tokens < TOKEN)
		return false;
	tokens -= TOKEN;
	return true;
}

void
auditrate_suppress(const char *service, const char *gate, uint64_t n,
    int64_t now)
{
	struct tally *t = find_tally(service, gate);

	if (t == NULL || n == 0)
		return;
	if (t->pending == 0) {
		procfacts_time(t->since, sizeof(t->since));
		t->due = now + AUDIT_WINDOW_MS;
	}
	t->pending += n;
}

static void
tell(struct tally *t)
{
	if (t->pending > 0)
		auditrec_suppressed(t->service, t->gate, t->pending, t->since,
		    t->total);
	t->pending = 0;
}

int64_t
auditrate_expire(int64_t now)
{
	int64_t next = -1;

	for (size_t i = 0; i < ntallies; i++) {
		struct tally *t = &tallies[i];

		if (t->pending > 0 && t->due <= now)
			tell(t);
		if (t->pending > 0 && (next < 0 || t->due < next))
			next = t->due;
	}
	return next;
}

void
auditrate_flush(void)
{
	for (size_t i = 0; i < ntallies; i++) {
		tell(&tallies[i]);
		free(tallies[i].service);
		free(tallies[i].gate);
	}
	free(tallies);
	tallies = NULL;
	ntallies = 0;
}
