/*
 * The audit's front: a refusal from the broker becomes a record now, a
 * count in a repeat window, or a count in its gate's "suppressed" record
 * (auditrate.c), and never nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "auditwrite.h"
#include "auditrate.h"
#include "auditrec.h"
#include "loop.h"
#include "policy.h"
#include "procfacts.h"

static void repeat_drop_all(void);

int
audit_open(const char *path, char *why, size_t whylen)
{
	return auditrec_open(path, why, whylen);
}

int
audit_reopen(const char *path, bool to_syslog, char *why, size_t whylen)
{
	/* What the old file is owed goes to it before it is let go. */
	audit_flush();
	auditrate_flush();
	auditrec_close();
	if (to_syslog)
		auditrec_syslog();
	return auditrec_open(path, why, whylen);
}

void
audit_enable_syslog(void)
{
	auditrec_syslog();
}

void
audit_close(void)
{
	/* Every counted refusal reaches the log, also the last repeats. */
	audit_flush();
	repeat_drop_all();
	auditrate_flush();
	auditrec_close();
	procfacts_stop();
}

/* --- flood control ---------------------------------------------------------
 *
 * Anyone can dial a listener as often as it likes, and every refusal is
 * a record: unchecked, an attacker could fill the disk and bury the
 * interesting lines.  So the first refusal of a key (gate, service, name,
 * wrapped pid, peer pid, peer uid, reason) is written at once, and its
 * repeats within the next AUDIT_WINDOW_MS are counted and written as one
 * summary record with "count" when the window closes (or at exit).  Keys
 * are per peer, so many peers would still make many records: every
 * record also spends a token of the global rate (auditrate.c), and what
 * finds none is counted in its gate's "suppressed" record.  Nothing is
 * lost: the counts add up to every refusal made.
 */

struct repeat {
	struct audit_event ev; /* points into the fields below */
	char *gate;
	char *service;
	char *reason;
	uint8_t name[POLICY_NAME_MAX];
	struct procfacts facts; /* read at the first refusal */
	uint64_t count;		/* repeats not written yet */
	int64_t window_end;	/* monotonic ms */
	char since[40];		/* time of the first repeat */
};

static struct repeat *repeats[AUDIT_REPEAT_KEYS];
static size_t nrepeats;

static bool
same_key(const struct audit_event *a, const struct audit_event *b)
{
	return a->pid == b->pid && a->peer_pid == b->peer_pid &&
	    a->peer_uid == b->peer_uid && a->name_len == b->name_len &&
	    memcmp(a->name, b->name, a->name_len) == 0 &&
	    strcmp(a->gate, b->gate) == 0 &&
	    strcmp(a->service, b->service) == 0 &&
	    strcmp(a->reason, b->reason) == 0;
}

static void
repeat_free(struct repeat *r)
{
	free(r->gate);
	free(r->service);
	free(r->reason);
	free(r);
}

/* A summary spends a token too; without one, its count is suppressed. */
static void
repeat_flush(struct repeat *r, int64_t now)
{
	if (r->count == 0)
		return;
	if (auditrate_take(now))
		auditrec_deny(&r->ev, &r->facts, r->count, r->since);
	else
		auditrate_suppress(r->ev.service, r->ev.gate, r->count, now);
	r->count = 0;
}

static void
repeat_drop_at(size_t i)
{
	repeat_free(repeats[i]);
	repeats[i] = repeats[--nrepeats];
}

static void
repeat_drop_all(void)
{
	while (nrepeats > 0)
		repeat_drop_at(nrepeats - 1);
}

/* Start a window for ev; a full table gives up its oldest key first. */
static void
repeat_start(const struct audit_event *ev, const struct procfacts *facts,
    int64_t now)
{
	struct repeat *r;
	size_t oldest = 0;

	if (ev->name_len > sizeof(r->name))
		return;
	if (nrepeats == AUDIT_REPEAT_KEYS) {
		for (size_t i = 1; i < nrepeats; i++)
			if (repeats[i]->window_end <
			    repeats[oldest]->window_end)
				oldest = i;
		repeat_flush(repeats[oldest], now);
		repeat_drop_at(oldest);
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return; /* no aggregation: every refusal is written */
	r->gate = strdup(ev->gate);
	r->service = strdup(ev->service);
	r->reason = strdup(ev->reason);
	if (r->gate == NULL || r->service == NULL || r->reason == NULL) {
		repeat_free(r);
		return;
	}
	memcpy(r->name, ev->name, ev->name_len);
	r->ev = *ev;
	r->ev.gate = r->gate;
	r->ev.service = r->service;
	r->ev.reason = r->reason;
	r->ev.name = r->name;
	r->facts = *facts;
	r->window_end = now + AUDIT_WINDOW_MS;
	repeats[nrepeats++] = r;
}

void
audit_deny(const struct audit_event *ev)
{
	int64_t now = loop_now_ms();
	struct procfacts facts;

	auditrate_count(ev->service, ev->gate);
	for (size_t i = 0; i < nrepeats; i++) {
		struct repeat *r = repeats[i];

		if (!same_key(&r->ev, ev))
			continue;
		if (now < r->window_end) {
			if (r->count++ == 0)
				procfacts_time(r->since, sizeof(r->since));
			return;
		}
		/* The window is over but its timer has not run yet. */
		repeat_flush(r, now);
		repeat_drop_at(i);
		break;
	}
	if (!auditrate_take(now)) {
		auditrate_suppress(ev->service, ev->gate, 1, now);
		return;
	}
	/* The facts of the moment: the peer may exec or exit right after. */
	procfacts_read(ev->peer_pid, &facts);
	auditrec_deny(ev, &facts, 0, NULL);
	repeat_start(ev, &facts, now);
}

int64_t
audit_expire(int64_t now)
{
	int64_t next = -1, rate;

	for (size_t i = 0; i < nrepeats;) {
		struct repeat *r = repeats[i];

		if (r->window_end <= now) {
			if (r->count == 0) {
				repeat_drop_at(i);
				continue;
			}
			/* Still flooding: summarise, and keep counting. */
			repeat_flush(r, now);
			r->window_end = now + AUDIT_WINDOW_MS;
		}
		if (next < 0 || r->window_end < next)
			next = r->window_end;
		i++;
	}
	rate = auditrate_expire(now);
	if (next < 0 || (rate >= 0 && rate < next))
		next = rate;
	return next;
}

void
audit_flush(void)
{
	int64_t now = loop_now_ms();

	for (size_t i = 0; i < nrepeats; i++)
		repeat_flush(repeats[i], now);
}
